/** Loads one API method's result into React state, with reload and optional polling (paused while the page is hidden). */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MethodInput, MethodName, MethodOutput } from '../../shared/api/contract.ts';
import type { AppErrorData } from '../../shared/result.ts';
import { useApi } from './api-context.tsx';

/** What useQuery returns. */
export interface QueryState<T> {
  data: T | undefined;
  error: AppErrorData | undefined;
  loading: boolean;
  /** Loads again (interactive: may open the host-key dialog). */
  reload: () => void;
}

/**
 * Calls `method` with `input` (skipped while input is undefined) when the input changes, on reload(), and every `pollMs`
 * (polls are non-interactive, so they never pop a dialog).
 */
export function useQuery<M extends MethodName>(method: M, input: MethodInput<M> | undefined, opts: { pollMs?: number } = {}): QueryState<MethodOutput<M>> {
  const api = useApi();
  const [data, setData] = useState<MethodOutput<M>>();
  const [error, setError] = useState<AppErrorData>();
  const [loading, setLoading] = useState(false);
  const key = input === undefined ? undefined : JSON.stringify(input);
  const seq = useRef(0);

  const run = useCallback(
    async (interactive: boolean) => {
      if (key === undefined) return;
      const mine = ++seq.current;
      setLoading(true);
      const r = await api.call(method, JSON.parse(key) as MethodInput<M>, { interactive });
      if (mine !== seq.current) return;
      setLoading(false);
      if (r.ok) {
        setData(r.value);
        setError(undefined);
      } else setError(r.error);
    },
    [api, method, key],
  );

  useEffect(() => {
    setData(undefined);
    setError(undefined);
    void run(true);
  }, [run]);

  useEffect(() => {
    if (!opts.pollMs || key === undefined) return;
    const t = setInterval(() => {
      if (!document.hidden) void run(false);
    }, opts.pollMs);
    return () => clearInterval(t);
  }, [run, opts.pollMs, key]);

  return { data, error, loading, reload: () => void run(true) };
}

/**
 * Gives every screen the API client, wrapped with the host-key gate: a call that fails with HOST_KEY_UNKNOWN (detail:
 * host, port, keyType, fingerprint, key) asks the user to trust the key, calls hostKeys.trust and retries; a call that
 * fails with HOST_KEY_CHANGED shows the hard-stop dialog. Background calls (polls) pass {interactive: false} and only
 * report the error, which the error box can turn into the same trust dialog on request.
 */
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { type MethodInput, type MethodName, type MethodOutput } from '../../shared/api/contract.ts';
import type { AppErrorData, Result } from '../../shared/result.ts';
import type { RendererApi } from '../api.ts';
import { HostKeyChangedDialog, HostKeyTrustDialog } from '../features/clusters/host-key-dialog.tsx';
import { hostKeyDetail, type HostKeyDetail } from './host-key-detail.ts';

/** The outcome of a trust dialog. */
export interface TrustAnswer {
  trusted: boolean;
  error?: AppErrorData;
}

/** Options of a gated call. */
export interface CallOptions {
  /** false for background polls: never open a dialog. Default true. */
  interactive?: boolean;
}

/** The gated API the screens use. */
export interface Api {
  call<M extends MethodName>(method: M, input: MethodInput<M>, opts?: CallOptions): Promise<Result<MethodOutput<M>>>;
  on: RendererApi['on'];
  /** Shows the trust dialog for a key and records the trust; `error` when hostKeys.trust itself failed. */
  reviewHostKey(detail: HostKeyDetail): Promise<TrustAnswer>;
  raw: RendererApi;
}

const Ctx = createContext<Api | null>(null);

/** The gated API (inside ApiProvider). */
export function useApi(): Api {
  const a = useContext(Ctx);
  if (!a) throw new Error('useApi outside ApiProvider');
  return a;
}

/** Provides the gated API and renders the host-key dialogs. */
export function ApiProvider({ client, children }: { client: RendererApi; children: ReactNode }) {
  const [asking, setAsking] = useState<{ detail: HostKeyDetail; resolve: (b: boolean) => void } | undefined>();
  const [changed, setChanged] = useState<AppErrorData | undefined>();
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const pending = useRef(new Map<string, Promise<TrustAnswer>>());

  const reviewHostKey = useCallback(
    (detail: HostKeyDetail): Promise<TrustAnswer> => {
      const key = `${detail.host}:${detail.port} ${detail.fingerprint}`;
      const existing = pending.current.get(key);
      if (existing) return existing;
      // One dialog at a time; identical concurrent asks share the answer.
      const p = queue.current.then(
        () =>
          new Promise<boolean>((resolve) => setAsking({ detail, resolve })).then(async (yes) => {
            setAsking(undefined);
            if (!yes) return { trusted: false };
            const t = await client.call('hostKeys.trust', detail);
            if (!t.ok) {
              if (t.error.code === 'HOST_KEY_CHANGED') setChanged(t.error);
              return { trusted: false, error: t.error };
            }
            return { trusted: true };
          }),
      );
      pending.current.set(key, p);
      queue.current = p.finally(() => pending.current.delete(key));
      return p;
    },
    [client],
  );

  const api = useMemo<Api>(() => {
    const call = async <M extends MethodName>(method: M, input: MethodInput<M>, opts: CallOptions = {}): Promise<Result<MethodOutput<M>>> => {
      const interactive = opts.interactive ?? true;
      // A call may meet several unknown hosts in turn (e.g. a check of every realserver): ask for each, a few times at most.
      for (let attempt = 0; ; attempt++) {
        const r = await client.call(method, input);
        if (r.ok) return r;
        if (r.error.code === 'HOST_KEY_CHANGED' && interactive) setChanged(r.error);
        const detail = hostKeyDetail(r.error);
        if (!detail || !interactive || attempt >= 8) return r;
        const answer = await reviewHostKey(detail);
        if (answer.error) return { ok: false, error: answer.error };
        if (!answer.trusted) return { ok: false, error: { ...r.error, message: `${r.error.message} (not trusted: nothing was run)` } };
      }
    };
    return { call, on: client.on.bind(client), reviewHostKey, raw: client };
  }, [client, reviewHostKey]);

  return (
    <Ctx.Provider value={api}>
      {children}
      <HostKeyTrustDialog detail={asking?.detail} onAnswer={(yes) => asking?.resolve(yes)} />
      <HostKeyChangedDialog error={changed} onClose={() => setChanged(undefined)} />
    </Ctx.Provider>
  );
}

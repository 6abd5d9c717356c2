/**
 * Progress of a long operation over several hosts (ops.progress events under one opId): one line per host (waiting,
 * running, ok, failed, cancelled) and a Cancel button that stops the operation between hosts (ops.cancel; a host
 * already in its step finishes it, so none is left half changed).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventPayload } from '../../shared/api/contract.ts';
import { useApi } from './api-context.tsx';

type Progress = EventPayload<'ops.progress'>;

const MARK: Record<Progress['status'], string> = { waiting: '·', running: '…', ok: '✓', failed: '✗', cancelled: '–' };
const WORD: Record<Progress['status'], string> = { waiting: 'waiting', running: 'running', ok: 'done', failed: 'failed', cancelled: 'cancelled' };

/** A running (or finished) host operation. */
export interface HostOperation {
  /** The id to pass as `opId`; a new one per start(). */
  opId: string | undefined;
  /** The latest state of each host, in host order. */
  hosts: Progress[];
  running: boolean;
  cancelling: boolean;
  /** Starts tracking a new operation; returns its opId. */
  start(): string;
  /** Marks it finished (the call returned). */
  finish(): void;
  /** Asks the main side to stop before the next host. */
  cancel(): void;
}

/** Tracks one host operation at a time. */
export function useHostOperation(): HostOperation {
  const api = useApi();
  const [opId, setOpId] = useState<string>();
  const [hosts, setHosts] = useState<Progress[]>([]);
  const [running, setRunning] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const current = useRef<string | undefined>(undefined);

  useEffect(
    () =>
      api.on('ops.progress', (e) => {
        if (e.opId !== current.current) return;
        setHosts((h) => {
          const next = [...h];
          next[e.index] = e;
          return next;
        });
      }),
    [api],
  );

  const start = useCallback(() => {
    const id = `op-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    current.current = id;
    setOpId(id);
    setHosts([]);
    setRunning(true);
    setCancelling(false);
    return id;
  }, []);
  const finish = useCallback(() => setRunning(false), []);
  const cancel = useCallback(() => {
    if (!current.current) return;
    setCancelling(true);
    void api.call('ops.cancel', { opId: current.current }, { interactive: false });
  }, [api]);
  return { opId, hosts, running, cancelling, start, finish, cancel };
}

/** The per-host lines and, while it runs, Cancel. `what` names the operation ("Checking", "Fixing routes"). */
export function HostProgressList({ op, what, cancelNote }: { op: HostOperation; what: string; cancelNote: string }) {
  const hosts = op.hosts.filter(Boolean);
  if (hosts.length === 0 && !op.running) return null;
  const done = hosts.filter((h) => h.status !== 'waiting' && h.status !== 'running').length;
  return (
    <div className="host-progress" data-testid="host-progress">
      <div className="toolbar">
        <span role="status">
          {what}: {done} of {hosts[0]?.total ?? '…'} host{hosts[0]?.total === 1 ? '' : 's'} {op.running ? (op.cancelling ? '(cancelling after the hosts already running…)' : '') : 'finished'}
        </span>
        <span className="spacer" />
        {op.running && (
          <button type="button" onClick={op.cancel} disabled={op.cancelling} title={cancelNote}>
            {op.cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
      <ul className="host-lines">
        {hosts.map((h) => (
          <li key={h.index} className={`host-${h.status}`} data-host={h.host} data-status={h.status}>
            <span className="run-mark" aria-hidden="true">
              {MARK[h.status]}
            </span>
            <strong>{h.host}</strong> {WORD[h.status]}
            {h.message && h.status !== 'ok' ? <span className="muted">: {h.message}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Long operations over several hosts (realserver checks, route fixes): each host's progress is pushed as `ops.progress`
 * (waiting → running → ok / failed / cancelled) under the caller's opId, and ops.cancel stops the operation BETWEEN hosts:
 * a host whose step has started always finishes it (a route fix is never left half applied); the hosts not started yet
 * are reported cancelled. Reads may run in parallel (cancel then stops waiting for the ones still running, whose
 * read-only commands finish on their own); changes run one host after the other.
 */
import type { EventPayload } from '../../shared/api/contract.ts';
import { AppError } from '../../shared/result.ts';

type Progress = EventPayload<'ops.progress'>;

/** One host's outcome. */
export type HostOutcome<T> = { name: string; ok: true; value: T } | { name: string; ok: false; error: AppError };

/** Runs and tracks operations by id. */
export class HostOperations {
  private readonly cancelled = new Map<string, () => void>();

  constructor(private readonly emit: (p: Progress) => void) {}

  /** Asks operation `opId` to stop before its next host; unknown or finished ids are ignored. */
  cancel(opId: string): void {
    this.cancelled.get(opId)?.();
  }

  /**
   * Runs `step` for each host: one after the other (`mode: 'serial'`, for changes) or all at once (`'parallel'`, for
   * reads). Without an opId nothing is reported and nothing can be cancelled. Results are in host order; a host that
   * never started (or, in parallel, had not finished when cancelled) gets a CANCELLED error.
   */
  async run<H extends { name: string }, T>(
    opId: string | undefined,
    hosts: readonly H[],
    mode: 'serial' | 'parallel',
    step: (h: H) => Promise<T>,
    /** What a finished host's event carries besides its status (realservers.check: its row). */
    attach?: (o: HostOutcome<T>, h: H) => Pick<Progress, 'row'>,
  ): Promise<HostOutcome<T>[]> {
    const total = hosts.length;
    const send = (index: number, status: Progress['status'], message?: string, extra?: Pick<Progress, 'row'>) => {
      if (opId) this.emit({ opId, index, total, host: hosts[index]!.name, status, ...(message !== undefined ? { message } : {}), ...extra });
    };
    let stop = false;
    let wake: () => void = () => {};
    const stopped = new Promise<void>((res) => (wake = res));
    if (opId) {
      if (this.cancelled.has(opId)) throw new AppError('INVALID_INPUT', `operation ${opId} is already running`);
      this.cancelled.set(opId, () => {
        stop = true;
        wake();
      });
    }
    const cancelledError = (name: string) => new AppError('CANCELLED', `${name}: cancelled before it started; nothing was run on it`, { host: name, step: 'cancelled' });
    const one = async (h: H, i: number): Promise<HostOutcome<T>> => {
      send(i, 'running');
      try {
        const value = await step(h);
        const o: HostOutcome<T> = { name: h.name, ok: true, value };
        send(i, 'ok', undefined, attach?.(o, h));
        return o;
      } catch (e) {
        const error = e instanceof AppError ? e : new AppError('INTERNAL', `${h.name}: ${e instanceof Error ? e.message : String(e)}`, { host: h.name, cause: e });
        const o: HostOutcome<T> = { name: h.name, ok: false, error };
        send(i, 'failed', error.message, attach?.(o, h));
        return o;
      }
    };
    try {
      hosts.forEach((_, i) => send(i, 'waiting'));
      if (mode === 'serial') {
        const out: HostOutcome<T>[] = [];
        for (const [i, h] of hosts.entries()) {
          if (stop) {
            send(i, 'cancelled', 'not started: cancelled');
            out.push({ name: h.name, ok: false, error: cancelledError(h.name) });
            continue;
          }
          out.push(await one(h, i));
        }
        return out;
      }
      const done: (HostOutcome<T> | undefined)[] = hosts.map(() => undefined);
      const all = Promise.all(hosts.map(async (h, i) => (done[i] = await one(h, i))));
      await Promise.race([all, stopped]);
      return hosts.map((h, i) => {
        const d = done[i];
        if (d) return d;
        send(i, 'cancelled', 'cancelled while running (read-only: it finishes on its own, its answer is dropped)');
        return { name: h.name, ok: false, error: new AppError('CANCELLED', `${h.name}: cancelled; its answer was not waited for`, { host: h.name, step: 'cancelled' }) };
      });
    } finally {
      if (opId) this.cancelled.delete(opId);
    }
  }
}

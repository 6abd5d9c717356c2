/**
 * The live feed behind the Director table and the Charts: while a page watches a cluster, polls the director's status
 * with its cumulative counters every sample interval (one exec; the interval runs from one poll's start to the next, so
 * a director that answers in 0.7 s still gives a 1 s feed) and each realserver's load every 6th tick; emits
 * `cluster.sample`, keeps a bounded history per cluster (24 h, coarser as it ages: sample-history.ts), and finishes
 * graceful drains whose connections are gone (audited as a change). The load checks run beside the ticks, one at a time
 * per realserver, never inside one: a realserver that does not answer (its SSH exec waits for its timeout) must not stop
 * the samples. Health has its own loop at the profile's check interval (health-monitor.ts).

 *
 * New connections per second come from the growth of each destination's cumulative connection counter between two
 * samples (`ipvsadm -L -n --stats --exact`), not from the kernel's rate estimate: `--rate` prints whole connections per
 * second of a smoothed estimate, so a realserver taking one new connection every second or two shows 0.
 */
import type { EventPayload } from '../../shared/api/contract.ts';
import { asChange } from '../audit/audit-context.ts';
import type { ClusterService } from '../services/cluster-service.ts';
import { realserverName } from '../services/cluster-context.ts';
import { RealserverChecks } from '../services/realserver-check.ts';
import { SampleHistory } from './sample-history.ts';
import { destinationCounterKey, sampleOf } from './status-mapping.ts';

type Sample = EventPayload<'cluster.sample'>;

/** What the sampler needs. */
export interface SamplerDeps {
  /** The cluster's service (undefined when the profile is gone: sampling stops). */
  service(id: string): ClusterService | undefined;
  intervalSec(): number;
  emit(sample: Sample): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** Per-cluster sampling state. */
interface Watch {
  timer: ReturnType<typeof setTimeout> | undefined;
  ticks: number;
  busy: boolean;
  /** The background refreshes (each realserver's load) running now, and the last error of each (logged once). */
  refreshing: Set<string>;
  refreshErrors: Map<string, string>;
  loads: Map<string, number>;
  /** Each destination's connection counter at the previous sample. */
  counters: Map<string, { conns: number; time: number }>;
  /** New connections per second per destination, from the last two samples. */
  cps: Map<string, number>;
  lastError?: string;
}

/**
 * New connections per second per destination from two readings of the cumulative counters: (now − before) / seconds
 * between them. A destination seen for the first time, or whose counter went back (deleted and added again), has none.
 */
export function counterRates(before: ReadonlyMap<string, { conns: number; time: number }>, now: ReadonlyMap<string, number>, time: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, conns] of now) {
    const b = before.get(k);
    if (!b || conns < b.conns || time <= b.time) continue;
    out.set(k, (conns - b.conns) / ((time - b.time) / 1000));
  }
  return out;
}

/** Polls watched clusters and keeps their history. */
export class MetricsSampler {
  private readonly watches = new Map<string, Watch>();
  private readonly history = new Map<string, SampleHistory>();

  constructor(private readonly deps: SamplerDeps) {}

  /** Starts (on) or stops (off) sampling a cluster. Idempotent. */
  watch(id: string, on: boolean): void {
    const w = this.watches.get(id);
    if (!on) {
      if (w?.timer) clearTimeout(w.timer);
      this.watches.delete(id);
      return;
    }
    if (w) return;
    const nw: Watch = { timer: undefined, ticks: 0, busy: false, refreshing: new Set(), refreshErrors: new Map(), loads: new Map(), counters: new Map(), cps: new Map() };

    this.watches.set(id, nw);
    void this.tick(id, nw);
  }

  /** The samples of the last `windowMs` (bounded to 24 h; older than 5 min at 10 s, older than 1 h at 1 min: sample-history.ts). */
  samples(id: string, windowMs: number): Sample[] {
    return this.history.get(id)?.window(Date.now() - windowMs) ?? [];
  }

  /** New connections per second per destination (destinationCounterKey) from the last two samples of a watched cluster. */
  cps(id: string): ReadonlyMap<string, number> {
    return this.watches.get(id)?.cps ?? new Map();
  }

  /** Stops everything. */
  stopAll(): void {
    for (const id of [...this.watches.keys()]) this.watch(id, false);
  }

  /**
   * The next tick one interval after `started` (the start of the tick that just ended), so the status exec's own time is
   * inside the interval, not added to it; when that exec took longer, after a short pause (a fifth of the interval).
   */
  private schedule(id: string, w: Watch, started = Date.now()): void {
    if (this.watches.get(id) !== w) return;
    const interval = this.deps.intervalSec() * 1000;
    w.timer = setTimeout(() => void this.tick(id, w), Math.max(interval / 5, started + interval - Date.now()));
    w.timer.unref?.();
  }

  private async tick(id: string, w: Watch): Promise<void> {
    const svc = this.deps.service(id);
    if (!svc) {
      this.watch(id, false);
      return;
    }
    if (w.busy) return this.schedule(id, w);
    w.busy = true;
    const started = Date.now();
    const name = svc.cluster.name;
    try {
      // Each realserver's load on its own: one that does not answer holds up only its own value.
      if (w.ticks % 6 === 0) for (const rs of svc.cluster.realservers) this.beside(w, `load check of ${realserverName(rs)}`, name, () => this.refreshLoad(svc, w, realserverName(rs)));

      const snap = await svc.snapshot({ stats: true });
      const time = Date.now();
      const now = new Map<string, number>();
      for (const sv of snap.view.services) for (const d of sv.destinations) if (d.stats) now.set(destinationCounterKey(sv, d), d.stats.conns);
      w.cps = counterRates(w.counters, now, time);
      w.counters = new Map([...now].map(([k, conns]) => [k, { conns, time }]));
      const sample = sampleOf(id, snap.view, time, w.loads, w.cps);
      this.record(id, sample);
      this.deps.emit(sample);
      // The drain follow-up is a change: the service takes the cluster's write lock (and re-observes) when one is due.
      const drained = await asChange(`drain follow-up (${name})`, () => svc.drainFollowUp(snap.state));
      for (const d of drained) this.deps.log('info', `${name}: drain finished: ${d}`);
      w.lastError = undefined;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (msg !== w.lastError) this.deps.log('warn', `${name}: sampling failed: ${msg}`);
      w.lastError = msg;
    } finally {
      w.busy = false;
      w.ticks++;
      this.schedule(id, w, started);
    }
  }

  /** Runs a refresh beside the ticks (skipped while the previous one of its kind still runs); a failure is logged once. */
  private beside(w: Watch, what: string, name: string, f: () => Promise<void>): void {
    if (w.refreshing.has(what)) return;
    w.refreshing.add(what);
    f().then(
      () => void w.refreshErrors.delete(what),
      (e: unknown) => {
        const msg = e instanceof Error ? e.message : String(e);
        if (msg !== w.refreshErrors.get(what)) this.deps.log('warn', `${name}: ${what} failed: ${msg}`);
        w.refreshErrors.set(what, msg);
      },
    ).finally(() => w.refreshing.delete(what));
  }

  /** One realserver's 1-minute load; forgotten while it cannot be read (a sample then carries none for it). */
  private async refreshLoad(svc: ClusterService, w: Watch, name: string): Promise<void> {
    for (const r of await new RealserverChecks(svc.context()).load(name)) {
      if (r.ok) w.loads.set(r.name, r.value.load[0]);
      else w.loads.delete(r.name);
    }
  }

  private record(id: string, s: Sample): void {
    let h = this.history.get(id);
    if (!h) this.history.set(id, (h = new SampleHistory()));
    h.add(s);
  }
}

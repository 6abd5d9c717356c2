/**
 * The live feed behind the Director table and the Charts: while a page watches a cluster, polls the director's status
 * every sample interval (one exec) and the realservers' load every 6th tick; emits `cluster.sample`, keeps a bounded
 * history per cluster (24 h at the interval), and finishes graceful drains whose connections are gone. Health has its
 * own loop at the profile's check interval (health-monitor.ts).
 */
import type { EventPayload } from '../../shared/api/contract.ts';
import type { ClusterService } from '../services/cluster-service.ts';
import { RealserverChecks } from '../services/realserver-check.ts';
import { sampleOf } from './status-mapping.ts';

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
  loads: Map<string, number>;
  lastError?: string;
}

const DAY_MS = 24 * 3600 * 1000;

/** Polls watched clusters and keeps their history. */
export class MetricsSampler {
  private readonly watches = new Map<string, Watch>();
  private readonly history = new Map<string, Sample[]>();

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
    const nw: Watch = { timer: undefined, ticks: 0, busy: false, loads: new Map() };
    this.watches.set(id, nw);
    void this.tick(id, nw);
  }

  /** The samples of the last `windowMs` (bounded to 24 h). */
  samples(id: string, windowMs: number): Sample[] {
    const all = this.history.get(id) ?? [];
    const from = Date.now() - windowMs;
    let i = all.length;
    while (i > 0 && all[i - 1]!.time >= from) i--;
    return all.slice(i);
  }

  /** Stops everything. */
  stopAll(): void {
    for (const id of [...this.watches.keys()]) this.watch(id, false);
  }

  private schedule(id: string, w: Watch): void {
    if (this.watches.get(id) !== w) return;
    w.timer = setTimeout(() => void this.tick(id, w), this.deps.intervalSec() * 1000);
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
    const name = svc.cluster.name;
    try {
      if (w.ticks % 6 === 0) await this.refreshLoads(svc, w);
      const snap = await svc.snapshot({ rate: true });
      const sample = sampleOf(id, snap.view, Date.now(), w.loads);
      this.record(id, sample);
      this.deps.emit(sample);
      // The drain follow-up is a change: the service takes the cluster's write lock (and re-observes) when one is due.
      const drained = await svc.drainFollowUp(snap.state);
      for (const d of drained) this.deps.log('info', `${name}: drain finished: ${d}`);
      w.lastError = undefined;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (msg !== w.lastError) this.deps.log('warn', `${name}: sampling failed: ${msg}`);
      w.lastError = msg;
    } finally {
      w.busy = false;
      w.ticks++;
      this.schedule(id, w);
    }
  }

  private async refreshLoads(svc: ClusterService, w: Watch): Promise<void> {
    const res = await new RealserverChecks(svc.context()).check('all');
    for (const r of res) if (r.ok) w.loads.set(r.name, r.value.load[0]);
  }

  private record(id: string, s: Sample): void {
    const h = this.history.get(id) ?? [];
    h.push(s);
    const cutoff = s.time - DAY_MS;
    let drop = 0;
    while (drop < h.length && h[drop]!.time < cutoff) drop++;
    if (drop) h.splice(0, drop);
    this.history.set(id, h);
  }
}

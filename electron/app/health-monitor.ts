/**
 * The console's live health of every watched cluster, per (service, realserver): a loop per cluster that asks the
 * cluster's service for a health round every `health.intervalSec` (the next round starts that long after the last one
 * ended, so a slow director is never asked twice at once, and never sooner than the last round took: a director that
 * needs longer than the interval for a round, 50 realservers on a slow one, spends at most half its time on the
 * console's checks and keeps room for its own work and for an admin's ssh; seen on the lab's emulated director, where
 * back-to-back rounds kept it busy all the time and a new ssh timed out in its banner exchange), folds each result into the book with the profile's
 * hysteresis (health/hysteresis.ts: out after `fall` failures in a row, back after `rise` passes), and pushes the state
 * the moment anything changes (`cluster.health`), with the transitions for the status strip of every page, the desktop
 * notification and the audit log (onTransitions). The realservers' routes are checked every ROUTE_EVERY-th round (one
 * SSH exec per realserver); between, the last route verdict is applied again.
 */
import type { EventPayload, MethodOutput } from '../../shared/api/contract.ts';
import type { Cluster } from '../../shared/model/cluster.ts';
import { portName } from '../../shared/model/well-known-ports.ts';
import { describeOutages, foldProbe, healthKey, type HealthBook, type HealthTransition, type TrackedHealth } from '../health/hysteresis.ts';
import { withRouteProblems } from '../health/service-probe.ts';
import type { ClusterService } from '../services/cluster-service.ts';
import type { PairStatus } from '../keepalived/pair-plan.ts';
import type { Failover } from '../keepalived/state-parse.ts';

type ClusterHealth = MethodOutput<'cluster.health'>;
type HealthEvent = EventPayload<'cluster.health'>;
/** A transition as the contract carries it. */
export type HealthChange = HealthEvent['transitions'][number];

/** Route checks run every this many rounds (one SSH exec per realserver each time). */
export const ROUTE_EVERY = 5;

/** What the monitor needs. */
export interface HealthMonitorDeps {
  /** The cluster's service (undefined when the profile is gone: the loop stops). */
  service(id: string): ClusterService | undefined;
  /** Pushes the state with what changed (the `cluster.health` event). */
  emit(payload: HealthEvent): void;
  /** Hears every change of health (audit log, desktop notification). */
  onTransitions?(cluster: Cluster, changes: HealthChange[]): void;
  /** A director pair: hears each failover seen after the first round (oldest first), with the roles now. */
  onFailover?(cluster: Cluster, failovers: Failover[], pair: PairStatus): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** The clock (tests). */
  now?(): number;
}

/** "udp/177" → "xdmcp"; a port without a conventional name stays "udp/5000". */
export function serviceName(service: string): string {
  const [protocol, port] = service.split('/') as ['tcp' | 'udp', string];
  const name = portName(Number(port), protocol);
  return name === port ? service : name;
}

interface Watch {
  timer: ReturnType<typeof setTimeout> | undefined;
  rounds: number;
  book: HealthBook;
  details: Map<string, string>;
  routes: Map<string, string[]>;
  at: number;
  source: string;
  error?: string;
  stopped: boolean;
  /** A pair: the roles of the last round, and the newest failover already told (ms). */
  pair?: PairStatus;
  failoverSeen?: number;
}

/** The health loops. */
export class HealthMonitor {
  private readonly watches = new Map<string, Watch>();

  constructor(private readonly deps: HealthMonitorDeps) {}

  /** Starts (on) or stops (off) the health loop of a cluster. Idempotent. */
  watch(id: string, on: boolean): void {
    const w = this.watches.get(id);
    if (!on) {
      if (w) {
        w.stopped = true;
        if (w.timer) clearTimeout(w.timer);
      }
      this.watches.delete(id);
      return;
    }
    if (w) return;
    const nw: Watch = { timer: undefined, rounds: 0, book: new Map(), details: new Map(), routes: new Map(), at: 0, source: '', stopped: false };
    this.watches.set(id, nw);
    void this.round(id, nw);
  }

  /** Stops every loop. */
  stopAll(): void {
    for (const id of [...this.watches.keys()]) this.watch(id, false);
  }

  /** The state of a cluster now (empty before its first round, or when it is not watched). */
  state(id: string): ClusterHealth {
    const w = this.watches.get(id);
    if (!w) return { clusterId: id, at: 0, source: 'not watched: open a page of this cluster', entries: [], outages: [] };
    return this.view(id, w);
  }

  /** Per realserver: down when out of any service, up when up in every tracked one, else unknown. */
  perRealserver(id: string): Record<string, 'up' | 'down' | 'unknown'> {
    const out: Record<string, 'up' | 'down' | 'unknown'> = {};
    for (const e of this.state(id).entries) {
      const cur = out[e.realserver];
      if (e.state === 'down' || cur === 'down') out[e.realserver] = 'down';
      else if (e.state === 'unknown' || cur === 'unknown') out[e.realserver] = 'unknown';
      else out[e.realserver] = 'up';
    }
    return out;
  }

  private view(id: string, w: Watch): ClusterHealth {
    const entries = [...w.book].map(([k, h]) => {
      const i = k.indexOf(' ');
      const service = k.slice(0, i);
      return { service, label: serviceName(service), realserver: k.slice(i + 1), state: h.state, since: h.since, detail: w.details.get(k) ?? '' };
    });
    return { clusterId: id, at: w.at, source: w.source, entries, outages: describeOutages(w.book, serviceName), ...(w.error ? { error: w.error } : {}), ...(w.pair ? { pair: w.pair } : {}) };
  }

  /** Keeps a pair's roles; tells each failover newer than the last one told (none on the first round). True when the roles changed. */
  private foldPair(cluster: Cluster, w: Watch, pair: PairStatus | undefined): boolean {
    if (!pair) return false;
    const sig = (p?: PairStatus) => (p ? p.directors.map((d) => `${d.host} ${d.role} ${d.vip}`).join(';') : '');
    const changed = sig(w.pair) !== sig(pair);
    const newest = pair.failovers[0]?.at ?? 0;
    if (w.failoverSeen !== undefined) {
      const fresh = pair.failovers.filter((f) => f.at > w.failoverSeen!).reverse();
      if (fresh.length) this.deps.onFailover?.(cluster, fresh, pair);
    }
    w.failoverSeen = Math.max(w.failoverSeen ?? 0, newest);
    w.pair = pair;
    return changed;
  }

  private schedule(id: string, w: Watch, seconds: number): void {
    if (w.stopped || this.watches.get(id) !== w) return;
    w.timer = setTimeout(() => void this.round(id, w), seconds * 1000);
    w.timer.unref?.();
  }

  private async round(id: string, w: Watch): Promise<void> {
    const svc = this.deps.service(id);
    if (!svc) return this.watch(id, false);
    let cluster: Cluster;
    try {
      cluster = svc.cluster;
    } catch {
      return this.watch(id, false);
    }
    const now = this.deps.now ?? Date.now;
    const started = now();
    try {
      const routes = w.rounds % ROUTE_EVERY === 0;
      const h = await svc.health({ routes });
      if (w.stopped) return;
      if (routes) {
        w.routes.clear();
        for (const r of h.results) if (r.routes && 'problems' in r.routes && r.routes.problems.length) w.routes.set(r.name, r.routes.problems);
      }
      // Name each result by its display name (what the strip and the table say), with the last route verdict applied.
      const results = h.results.map((r) => ({ ...(routes ? r : withRouteProblems(r, w.routes.get(r.name))), name: r.display }));
      const at = now();
      const first = w.at === 0;
      const { book, transitions } = foldProbe(w.book, results, at, h.policy);
      w.book = book;
      for (const r of results) for (const s of r.services) w.details.set(healthKey(`${s.protocol}/${s.port}`, r.name), s.detail);
      w.at = at;
      w.source = h.source;
      const hadError = w.error !== undefined;
      w.error = undefined;
      const rolesChanged = this.foldPair(cluster, w, h.pair);
      if (transitions.length || first || hadError || rolesChanged) this.push(cluster, id, w, transitions);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (msg !== w.error) {
        w.error = msg;
        this.deps.log('warn', `${cluster.name}: health check failed: ${msg}`);
        this.push(cluster, id, w, []);
      }
    } finally {
      w.rounds++;
      this.schedule(id, w, nextRoundAfter(cluster.health.intervalSec, (now() - started) / 1000));
    }
  }

  private push(cluster: Cluster, id: string, w: Watch, transitions: readonly HealthTransition[]): void {
    // The first verdict of an entry that is up is not a change anybody needs to hear about (the app just started
    // watching); one that starts out down is.
    const changes: HealthChange[] = transitions
      .filter((t) => !(t.from === 'unknown' && t.to === 'up'))
      .map((t) => ({ ...t, label: serviceName(t.service), detail: w.details.get(healthKey(t.service, t.realserver)) ?? '' }));
    this.deps.emit({ ...this.view(id, w), transitions: changes });
    if (changes.length) this.deps.onTransitions?.(cluster, changes);
  }
}

/** Seconds from the end of a round to the next: the interval, or as long as the round took when that was longer. */
export function nextRoundAfter(intervalSec: number, tookSec: number): number {
  return Math.max(intervalSec, Number.isFinite(tookSec) ? tookSec : 0);
}

/** "rs2 out of xdmcp (udp/177): no reply within 1 s" / "rs2 back in xdmcp (udp/177)": one change for people. */
export function describeChange(c: HealthChange): string {
  const what = c.label === c.service ? c.service : `${c.label} (${c.service})`;
  return c.to === 'down' ? `${c.realserver} out of ${what}${c.detail ? `: ${c.detail}` : ''}` : `${c.realserver} back in ${what}`;
}

export type { TrackedHealth };

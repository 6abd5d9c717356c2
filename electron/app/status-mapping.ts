/**
 * Turns the services' status into the contract's shapes: the live table (with connections), the drift between the
 * profile and the table (as the minimal diff's steps), and one metrics sample per realserver.
 */
import type { EventPayload, MethodOutput } from '../../shared/api/contract.ts';
import type { Cluster } from '../../shared/model/cluster.ts';
import { desiredTable, type Resolve } from '../lvs/plan/desired-table.ts';
import { drainState } from '../lvs/plan/graceful-drain.ts';
import { deleteDestinationArgs } from '../lvs/ipvs/ipvs-rules.ts';
import { diffTables } from '../lvs/plan/table-diff.ts';
import { splitByOwner } from '../lvs/plan/ownership.ts';
import { sortServices } from '../lvs/ipvs/ipvs-rules.ts';
import { serviceKey } from '../../shared/model/ipvs.ts';
import type { DirectorState } from '../services/director-observe.ts';
import type { StatusView } from '../services/status-view.ts';
import { describeConfigDrift, type ConfigDrift } from '../services/runtime-drift.ts';

type Status = MethodOutput<'director.status'>;
type Forward = 'masq' | 'route' | 'tunnel' | 'local';

/** The contract's table from a StatusView (connections and weights as the director reports them). */
export function tableOf(v: StatusView): Status['table'] {
  return {
    services: v.services.map((s) => ({
      protocol: s.protocol as 'tcp' | 'udp' | 'sctp' | 'fwmark',
      address: s.address,
      port: s.port,
      family: s.address.includes(':') ? ('inet6' as const) : ('inet' as const),
      scheduler: s.scheduler,
      ...(s.persistent ? { persistent: s.persistent } : {}),
      ...(s.rate ? { rate: s.rate } : {}),
      destinations: s.destinations.map((d) => ({
        address: d.address,
        port: d.port,
        forward: d.forward.toLowerCase() as Forward,
        weight: d.weight,
        activeConns: d.activeConns,
        inactiveConns: d.inactiveConns,
        ...(d.name ? { name: d.name } : {}),
      })),
    })),
  };
}

/**
 * Drift: what the minimal diff would do to make this profile's services on the live table match the profile, one item
 * per step; a deletion of a realserver at weight 0 that still has connections is reported as 'draining' (the drain
 * follow-up deletes it once they are gone), since deleting it now would cut those sessions. Services on other VIPs are
 * listed as 'foreign': someone else's, never something to reconcile or delete.
 */
export function driftOf(cluster: Cluster, resolve: Resolve, state: DirectorState): Status['drift'] {
  const vip = resolve(cluster.vip);
  const { own, foreign } = splitByOwner(state.table, vip);
  const steps = diffTables(desiredTable(cluster, resolve), own);
  // The `-d` each draining destination would get (built by the same function as the diff's), → its connections.
  const draining = new Map<string, number>();
  for (const svc of state.list?.services ?? []) {
    for (const d of svc.destinations) {
      if (d.weight !== undefined && drainState({ ...d, weight: d.weight }) === 'draining') draining.set(deleteDestinationArgs(svc, d).join(' '), d.activeConns! + d.inactiveConns!);
    }
  }
  return steps.map((s): Status['drift'][number] => {
    const op = s.argv[1] ?? '';
    const what = s.argv.slice(1).join(' ');
    const n = op === '-d' ? draining.get(what) : undefined;
    if (n !== undefined) return { kind: 'draining' as const, what, detail: `weight 0, ${n} connection${n === 1 ? '' : 's'} left: deleted once they are gone` };
    const kind = op === '-A' || op === '-a' ? 'missing' : op === '-D' || op === '-d' ? 'extra' : 'changed';
    return { kind, what, detail: s.why };
  }).concat(
    sortServices(foreign.services).map((s): Status['drift'][number] => ({
      kind: 'foreign',
      what: serviceKey(s),
      detail: `not on this profile's VIP ${vip}: another cluster's (or set by hand); left alone`,
    })),
  );
}

/**
 * The runtime config's disagreements as drift items ('config'): one per destination where /etc/lvs.conf or
 * keepalived.conf says something else than the profile or the kernel, with all three; one item when the file is
 * missing or unreadable (another cluster's file is not this profile's business: no item).
 */
export function configDriftOf(c: ConfigDrift | undefined): Status['drift'] {
  if (!c || c.state === 'matches' || c.state === 'other-vip') return [];
  if (c.state !== 'differs') return [{ kind: 'config', what: c.path, detail: `${c.detail ?? c.state}: a director reboot (or its cron update) would not load what the console set; reconcile writes it` }];
  return c.items.map((i) => ({ kind: 'config' as const, what: i.what, detail: describeConfigDrift(c, i) }));
}

/** The key of one destination of one service ("tcp 10.0.0.100:23 10.0.0.11:23"), for counters kept between samples. */
export function destinationCounterKey(svc: { protocol: string; address: string; port: number }, d: { address: string; port: number }): string {
  return `${svc.protocol} ${svc.address}:${svc.port} ${d.address}:${d.port}`;
}

/**
 * One sample: per realserver address, connections summed over the services, and new connections per second summed
 * over the services from `cps` (per destination, by destinationCounterKey; a realserver with no rate for any of its
 * destinations gets none).
 */
export function sampleOf(clusterId: string, v: StatusView, time: number, loads: ReadonlyMap<string, number>, cps: ReadonlyMap<string, number> = new Map()): EventPayload<'cluster.sample'> {
  const by = new Map<string, { address: string; name: string; activeConns: number; inactiveConns: number; cps?: number }>();
  for (const s of v.services) {
    for (const d of s.destinations) {
      const r = by.get(d.address) ?? { address: d.address, name: d.name ?? d.address, activeConns: 0, inactiveConns: 0 };
      r.activeConns += d.activeConns;
      r.inactiveConns += d.inactiveConns;
      const rate = cps.get(destinationCounterKey(s, d));
      if (rate !== undefined) r.cps = (r.cps ?? 0) + rate;
      by.set(d.address, r);
    }
  }
  return {
    clusterId,
    time,
    realservers: [...by.values()].map((r) => {
      const load = loads.get(r.name) ?? loads.get(r.address);
      return load === undefined ? r : { ...r, load1: load };
    }),
  };
}

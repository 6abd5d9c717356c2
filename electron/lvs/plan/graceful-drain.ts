/**
 * Graceful removal of realservers: first `ipvsadm -e … -w 0` (no new connections; existing ones carry on), then, on a
 * later observation, `ipvsadm -d` for each such destination whose connections are gone. This file decides the second
 * part from a live table that carries counters (`ipvsadm -L -n`: ActiveConn / InActConn). Pure.
 */
import { destinationKey, serviceKey, type IpvsDestination, type IpvsService, type IpvsTable } from '../../../shared/model/ipvs.ts';
import { deleteDestinationArgs, deleteServiceArgs, IPVSADM } from '../ipvs/ipvs-rules.ts';
import { DIRECTOR, type PlanStep } from '../../../shared/model/plan.ts';

/**
 * Where a destination stands in a drain: 'active' (weight > 0, still taking new connections), 'draining' (weight 0,
 * connections left), 'drained' (weight 0, ActiveConn + InActConn = 0) or 'unknown' (weight 0 but the table has no
 * connection counters, e.g. it came from `ipvsadm -S`; never deleted on a guess).
 */
export type DrainState = 'active' | 'draining' | 'drained' | 'unknown';

/** The drain state of one live destination. */
export function drainState(d: Pick<IpvsDestination, 'weight' | 'activeConns' | 'inactiveConns'>): DrainState {
  if (d.weight > 0) return 'active';
  if (d.activeConns === undefined || d.inactiveConns === undefined) return 'unknown';
  return d.activeConns + d.inactiveConns === 0 ? 'drained' : 'draining';
}

/** A destination that is being drained and must wait. */
export interface DrainWaiting {
  service: string;
  destination: string;
  state: 'draining' | 'unknown' | 'active';
  /** ActiveConn + InActConn when known. */
  connections?: number;
}

/** The -d / -D steps that may run now, and what still has to wait. */
export interface DrainFollowUp {
  steps: PlanStep[];
  waiting: DrainWaiting[];
}

/** A `-d` step deleting a destination whose drain is over. */
export function drainedDeleteStep(svc: IpvsService, d: IpvsDestination): PlanStep {
  return {
    host: DIRECTOR,
    argv: [IPVSADM, ...deleteDestinationArgs(svc, d)],
    why: `${destinationKey(d)} in ${serviceKey(svc)} has weight 0 and no connections left (ActiveConn ${d.activeConns}, InActConn ${d.inactiveConns}): delete it`,
  };
}

/**
 * The follow-up of a graceful removal: for every destination in `live` that `desired` no longer has, delete it if it is
 * drained, else list it as waiting; a service `desired` no longer has is deleted once all its destinations are drained
 * (or it has none). Destinations `desired` still has are not touched.
 */
export function planDrainFollowUp(desired: IpvsTable, live: IpvsTable): DrainFollowUp {
  const want = new Map(desired.services.map((s) => [serviceKey(s), new Set(s.destinations.map((d) => destinationKey(d)))]));
  const steps: PlanStep[] = [];
  const waiting: DrainWaiting[] = [];
  for (const svc of live.services) {
    const sk = serviceKey(svc);
    const keep = want.get(sk);
    const extra = svc.destinations.filter((d) => !keep?.has(destinationKey(d)));
    const pending = extra.filter((d) => drainState(d) !== 'drained');
    for (const d of pending) {
      const state = drainState(d) as DrainWaiting['state'];
      const conns = d.activeConns !== undefined && d.inactiveConns !== undefined ? d.activeConns + d.inactiveConns : undefined;
      waiting.push({ service: sk, destination: destinationKey(d), state, ...(conns !== undefined ? { connections: conns } : {}) });
    }
    if (keep === undefined && pending.length === 0) {
      steps.push({
        host: DIRECTOR,
        argv: [IPVSADM, ...deleteServiceArgs(svc)],
        why: svc.destinations.length
          ? `${sk} is not in the profile and all its realservers are drained: delete the service`
          : `${sk} is not in the profile and has no realservers: delete the service`,
      });
    } else {
      for (const d of extra) if (drainState(d) === 'drained') steps.push(drainedDeleteStep(svc, d));
    }
  }
  return { steps, waiting };
}

/**
 * What the live status says about the cluster as a whole, for the Director page's strip: a cluster never started or
 * just stopped (the VIP down and none of this profile's services on the director) is 'stopped' — a state, not drift;
 * otherwise 'running', and its differences from the profile are drift. Drift items are split into what needs a
 * reconcile and what is only information (destinations still draining, other VIPs' services).
 */
import type { MethodOutput } from '../../../shared/api/contract.ts';

type Status = MethodOutput<'director.status'>;
type DriftItem = Status['drift'][number];

/** The cluster's state as the strip shows it. */
export type RunState = 'stopped' | 'running';

/** The service key the drift uses for another VIP's service ("tcp 10.0.0.100:23"). */
export function serviceKeyOf(svc: Status['table']['services'][number]): string {
  return svc.protocol === 'fwmark' ? `fwmark ${svc.fwmark ?? 0} ${svc.family}` : `${svc.protocol} ${svc.family === 'inet6' ? `[${svc.address}]` : svc.address}:${svc.port}`;
}

/** This profile's services in the live table (those the drift does not list as another VIP's). */
export function ownServices(s: Status): Status['table']['services'] {
  const foreign = new Set(s.drift.filter((d) => d.kind === 'foreign').map((d) => d.what));
  return s.table.services.filter((svc) => !foreign.has(serviceKeyOf(svc)));
}

/** 'stopped' when the VIP is down and the director holds none of this profile's services; else 'running'. */
export function runState(s: Status): RunState {
  return !s.vipUp && ownServices(s).length === 0 ? 'stopped' : 'running';
}

/** The drift split: differences a reconcile fixes, and notes (draining, other VIPs') that need nothing. */
export function splitDrift(drift: readonly DriftItem[]): { differences: DriftItem[]; notes: DriftItem[] } {
  const notes = drift.filter((d) => d.kind === 'draining' || d.kind === 'foreign');
  return { differences: drift.filter((d) => !notes.includes(d)), notes };
}

/**
 * Per-realserver edits from the console (set weight, drain, disable, enable), per realserver or per service: how the
 * profile changes, and the exact commands that make the live table follow for THAT realserver in THOSE services and
 * nothing else. A drain sets weight 0 (the destination is deleted later, by the drain follow-up, once its connections are
 * gone); a disable deletes the destination now; set weight and enable edit or add it. Other realservers, other
 * services and other VIPs' services are never touched. Pure.
 */
import type { Cluster, Realserver, ServiceRef } from '../../../shared/model/cluster.ts';
import { serviceKey, type IpvsDestination, type IpvsService, type IpvsTable } from '../../../shared/model/ipvs.ts';
import { DIRECTOR, type Plan, type PlanStep } from '../../../shared/model/plan.ts';
import { portNumber } from '../../../shared/model/well-known-ports.ts';
import { AppError } from '../../../shared/result.ts';
import { deleteDestinationArgs, destinationArgs, IPVSADM } from '../ipvs/ipvs-rules.ts';
import { desiredTable, type Resolve } from './desired-table.ts';
import { applyStepsToTable, destinationChanges } from './table-diff.ts';

/** How an edit changes one realserver. */
export type RealserverEdit = { kind: 'weight'; weight: number } | { kind: 'drain' } | { kind: 'disable' } | { kind: 'enable' };

/** What an edit names: a realserver (its name or host) and, optionally, one service ("tcp/23"); else all its services. */
export interface EditTarget {
  realserver: string;
  service?: string;
}

/** The profile's services as references ("tcp/23"), in profile order. */
export function profileServiceRefs(cluster: Cluster): ServiceRef[] {
  const out: ServiceRef[] = [];
  for (const protocol of ['tcp', 'udp'] as const) for (const s of cluster[protocol]) out.push(`${protocol}/${portNumber(s.port, protocol)}`);
  return out;
}

/** "tcp/telnet", "TCP/23", "tcp 23" → "tcp/23" when it is one of the profile's services; INVALID_INPUT otherwise. */
export function serviceRefOf(cluster: Cluster, ref: string): ServiceRef {
  const m = /^(tcp|udp)[/ :](\S+)$/i.exec(ref.trim());
  const proto = m?.[1]?.toLowerCase() as 'tcp' | 'udp' | undefined;
  const port = proto && m ? portNumber(/^\d+$/.test(m[2]!) ? Number(m[2]) : m[2]!, proto) : undefined;
  const known = profileServiceRefs(cluster);
  const out = proto && port !== undefined ? `${proto}/${port}` : undefined;
  if (!out || !known.includes(out)) throw new AppError('INVALID_INPUT', `service: '${ref}' is not one of profile ${cluster.id}'s services (${known.join(', ') || 'none'})`);
  return out;
}

/** The profile entry `which` names (name or host, case-insensitive); INVALID_INPUT listing the known ones. */
export function findRealserver(cluster: Cluster, which: string): { index: number; rs: Realserver } {
  const w = which.toLowerCase();
  const index = cluster.realservers.findIndex((r) => (r.name ?? r.host).toLowerCase() === w || r.host.toLowerCase() === w);
  if (index < 0) throw new AppError('INVALID_INPUT', `realserver: no '${which}' in profile ${cluster.id} (known: ${cluster.realservers.map((r) => r.name ?? r.host).join(', ') || 'none'})`);
  return { index, rs: cluster.realservers[index]! };
}

/**
 * The profile after an edit, and the services the edit is about. Per realserver: drain and disable set `enabled: false`,
 * enable sets it true and clears `exclude`. Per service: drain and disable add the service to `exclude`; enable removes
 * it (and, for a disabled realserver, enables it in that service only). Enabling lifts a weight of 0 to 1 so it takes
 * traffic. Set weight is per realserver (the profile has one weight per realserver).
 */
export function editProfile(cluster: Cluster, target: EditTarget, edit: RealserverEdit): { cluster: Cluster; rs: Realserver; services: ServiceRef[] } {
  const { index, rs: old } = findRealserver(cluster, target.realserver);
  const all = profileServiceRefs(cluster);
  if (edit.kind === 'weight' && target.service !== undefined) throw new AppError('INVALID_INPUT', 'service: a weight is set per realserver (every service), not per service');
  const one = target.service !== undefined ? serviceRefOf(cluster, target.service) : undefined;
  const services = one ? [one] : all;
  let rs: Realserver;
  const without = (list: readonly string[] | undefined, ref: string) => (list ?? []).filter((x) => x !== ref);
  const withExclude = (r: Realserver, list: string[]): Realserver => {
    const { exclude: _e, ...rest } = r;
    return list.length ? { ...rest, exclude: list } : rest;
  };
  switch (edit.kind) {
    case 'weight':
      rs = { ...old, weight: edit.weight };
      break;
    case 'drain':
    case 'disable':
      rs = one ? withExclude(old, [...without(old.exclude, one), one].sort()) : { ...old, enabled: false };
      break;
    case 'enable': {
      const weight = old.weight === 0 ? 1 : old.weight;
      if (!one) rs = withExclude({ ...old, enabled: true, weight }, []);
      else if (old.enabled) rs = withExclude({ ...old, weight }, without(old.exclude, one));
      // A disabled realserver enabled in one service: in that one only.
      else rs = withExclude({ ...old, enabled: true, weight }, all.filter((x) => x !== one));
      break;
    }
  }
  const realservers = cluster.realservers.slice();
  realservers[index] = rs;
  return { cluster: { ...cluster, realservers }, rs, services };
}

const step = (argv: string[], why: string): PlanStep => ({ host: DIRECTOR, argv: [IPVSADM, ...argv], why });

/**
 * The commands of an edit: `edited` is the profile after editProfile, `services` the ones the edit names, `live` the
 * table now. For each named service that is on the director: the named realserver's destination is edited (-e), added
 * (-a), set to weight 0 (drain: -e -w 0) or deleted (disable: -d), or left as it is. Nothing else is touched: a service
 * not on the director only changes the profile (said in the summary), and a destination the profile no longer wants is
 * never deleted by anything but a disable (a draining one is the drain follow-up's). `desired` is the whole table after
 * the steps (other services and VIPs unchanged), what apply compares with.
 */
export function planEdit(edited: Cluster, resolve: Resolve, live: IpvsTable, target: EditTarget, services: readonly ServiceRef[], kind: RealserverEdit['kind']): Plan {
  const { rs } = findRealserver(edited, target.realserver);
  const name = rs.name ?? rs.host;
  const address = resolve(rs.host).toLowerCase();
  const want = desiredTable(edited, resolve);
  const vip = resolve(edited.vip);
  const steps: PlanStep[] = [];
  const summary: string[] = [];
  for (const ref of services) {
    const [protocol, port] = ref.split('/') as ['tcp' | 'udp', string];
    const sk = serviceKey({ protocol, address: vip, port: Number(port), family: vip.includes(':') ? 'inet6' : 'inet' });
    const have = live.services.find((s) => serviceKey(s) === sk);
    if (!have) {
      summary.push(`${sk} is not on the director: only the profile changes for it`);
      continue;
    }
    const wantSvc: IpvsService | undefined = want.services.find((s) => serviceKey(s) === sk);
    const w: IpvsDestination | undefined = wantSvc?.destinations.find((d) => d.address.toLowerCase() === address);
    const h = have.destinations.find((d) => d.address.toLowerCase() === address);
    const where = `${name} in ${sk}`;
    if (w && h) {
      const changes = destinationChanges(w, h);
      if (changes.length) steps.push(step(destinationArgs(have, { ...w, port: h.port }, 'edit'), `${where}: ${changes.join(', ')}`));
      else summary.push(`${where}: already as the profile says`);
    } else if (w) {
      steps.push(step(destinationArgs(have, w), `${where}: add it (weight ${w.weight})`));
    } else if (h) {
      if (kind === 'disable') steps.push(step(deleteDestinationArgs(have, h), `${where}: disabled: delete it now${h.activeConns ? ` (cuts its ${h.activeConns} active connection(s))` : ''}`));
      else if (kind === 'drain' && h.weight > 0) steps.push(step(destinationArgs(have, { ...h, weight: 0 }, 'edit'), `${where}: drain: weight 0 (no new connections; it is deleted once its connections are gone)`));
      else if (kind === 'drain') summary.push(`${where}: already at weight 0: deleted once its connections are gone`);
      else summary.push(`${where}: the profile no longer has it here; left as it is (Drain or Disable removes it)`);
    } else summary.push(`${where}: not in the table, and the profile does not want it there`);
  }
  return { verb: 'edit', steps, desired: applyStepsToTable(live, steps), summary };
}

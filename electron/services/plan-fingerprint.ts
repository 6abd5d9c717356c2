/**
 * What a preview was planned from, and its fingerprint (Terraform's saved plan): the change asked for, the profile, the
 * director's whole table (without counters), where the VIP is up, the sysctls the plan reads, which realservers answered
 * (update), and the exact commands (argv + stdin). The fingerprint is the SHA-256 of this basis as canonical JSON (keys
 * sorted). Running a preview re-observes and re-plans; a different fingerprint means something changed, and
 * describeBasisChanges names what ("a service added by someone else", "rs2's weight 1 → 5", "the profile changed").
 */
import { createHash } from 'node:crypto';
import type { Cluster } from '../../shared/model/cluster.ts';
import { destinationKey, serviceKey, type IpvsTable } from '../../shared/model/ipvs.ts';
import type { Plan } from '../../shared/model/plan.ts';
import { findAddress } from '../lvs/ipvs/ip-addr-parse.ts';
import { ownsService } from '../lvs/plan/ownership.ts';
import { canonicalTable, destinationChanges, serviceChanges } from '../lvs/plan/table-diff.ts';
import type { DirectorState } from './director-observe.ts';

/** The change a preview is for (what the admin asked). */
export type Change =
  | { kind: 'verb'; verb: 'start' | 'stop' | 'reload' | 'update' }
  | { kind: 'reconcile' }
  | { kind: 'install' }
  | { kind: 'edit'; realserver: string; service?: string; edit: { kind: 'weight'; weight: number } | { kind: 'drain' | 'disable' | 'enable' } };

/** Everything a plan was computed from, plus the plan's commands. Plain JSON (a saved plan file carries it). */
export interface PlanBasis {
  change: Change;
  /** The profile the plan is for (after an edit): no secrets, only references. */
  profile: Cluster;
  /** The director's whole table as ipvsadm holds it (counters left out). */
  table: IpvsTable;
  vip: { address: string; up: string[] };
  sysctls: Record<string, string>;
  /** update: what the probe decided per (service, realserver): "udp/177 10.77.0.12 out" (in | out | as-is), sorted. */
  health?: string[];
  steps: { host: string; argv: string[]; stdin?: string }[];
  /** A director pair: the same change's basis on the second director (one fingerprint covers both). */
  peer?: PlanBasis;
}

/** JSON with object keys sorted at every level (arrays keep their order): one text per value. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** The basis of a plan made from `state` for `profile`. */
export function planBasis(change: Change, profile: Cluster, vip: string, state: DirectorState, plan: Plan, health?: readonly string[]): PlanBasis {
  return {
    change,
    profile,
    table: canonicalTable(state.table),
    vip: { address: vip, up: findAddress(state.addresses, vip).map((a) => a.label) },
    sysctls: { ...state.sysctls },
    ...(health ? { health: [...health].sort() } : {}),
    steps: plan.steps.map((s) => ({ host: s.host, argv: s.argv, ...(s.stdin !== undefined ? { stdin: s.stdin } : {}) })),
  };
}

/** The fingerprint: sha256 (hex) of the canonical JSON of the basis. */
export function fingerprintOf(basis: PlanBasis): string {
  return createHash('sha256').update(canonicalJson(basis)).digest('hex');
}

/** What differs between two tables, in words; `vip` marks the profile's own services (others are someone else's). */
export function describeTableChanges(before: IpvsTable, now: IpvsTable, vip: string, names: (address: string) => string | undefined = () => undefined): string[] {
  const out: string[] = [];
  const by = (t: IpvsTable) => new Map(t.services.map((s) => [serviceKey(s), s]));
  const [a, b] = [by(before), by(now)];
  const whose = (s: Parameters<typeof ownsService>[0]) => (ownsService(s, vip) ? '' : ' (not this profile\'s VIP: someone else\'s)');
  const dname = (addr: string, key: string) => `${names(addr) ? `${names(addr)} (${key})` : key}`;
  for (const [k, s] of b) if (!a.has(k)) out.push(`a service ${k} was added${whose(s)}`);
  for (const [k, s] of a) if (!b.has(k)) out.push(`the service ${k} was removed${whose(s)}`);
  for (const [k, was] of a) {
    const is = b.get(k);
    if (!is) continue;
    const sc = serviceChanges(is, was);
    if (sc.length) out.push(`${k}: ${sc.join(', ')}`);
    const da = new Map(was.destinations.map((d) => [destinationKey(d), d]));
    const db = new Map(is.destinations.map((d) => [destinationKey(d), d]));
    for (const [dk, d] of db) if (!da.has(dk)) out.push(`${dname(d.address, dk)} was added to ${k}`);
    for (const [dk, d] of da) if (!db.has(dk)) out.push(`${dname(d.address, dk)} was removed from ${k}`);
    for (const [dk, d] of da) {
      const n = db.get(dk);
      if (!n) continue;
      const dc = destinationChanges(n, d);
      if (dc.length) out.push(`${dname(d.address, dk)} in ${k}: ${dc.join(', ')}`);
    }
  }
  return out;
}

/** Which top-level profile fields differ ("realservers rs2", "tcp", "vip"). */
function profileChanges(a: Cluster, b: Cluster): string[] {
  const out: string[] = [];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const k of keys) {
    const x = (a as Record<string, unknown>)[k];
    const y = (b as Record<string, unknown>)[k];
    if (canonicalJson(x) === canonicalJson(y)) continue;
    if (k === 'realservers') {
      const names = new Set<string>();
      const idx = (list: Cluster['realservers']) => new Map(list.map((r) => [r.host.toLowerCase(), r]));
      const [ia, ib] = [idx(a.realservers), idx(b.realservers)];
      for (const [h, r] of ia) if (canonicalJson(r) !== canonicalJson(ib.get(h))) names.add(r.name ?? r.host);
      for (const [h, r] of ib) if (!ia.has(h)) names.add(r.name ?? r.host);
      out.push(`realservers ${[...names].join(', ')}`);
    } else out.push(k);
  }
  return out;
}

/**
 * What changed between the basis a preview was made from and a fresh one, in words (empty when nothing did). The
 * profile, the table, the VIP, the sysctls and the probe are named first; when only the commands differ, that is said.
 */
export function describeBasisChanges(before: PlanBasis, now: PlanBasis): string[] {
  const out: string[] = [];
  if (canonicalJson(before.change) !== canonicalJson(now.change)) out.push('the preview was for another action');
  if (canonicalJson(before.profile) !== canonicalJson(now.profile)) out.push(`the profile (saved since: ${profileChanges(before.profile, now.profile).join('; ')})`);
  const names = (addr: string) => {
    const r = now.profile.realservers.find((x) => x.host.toLowerCase() === addr.toLowerCase());
    return r ? (r.name ?? r.host) : undefined;
  };
  out.push(...describeTableChanges(before.table, now.table, now.vip.address, names));
  if (canonicalJson(before.vip) !== canonicalJson(now.vip)) {
    const up = (v: PlanBasis['vip']) => (v.up.length ? `up on ${v.up.join(', ')}` : 'down');
    out.push(`the VIP ${now.vip.address} was ${up(before.vip)}, is ${up(now.vip)}`);
  }
  for (const k of [...new Set([...Object.keys(before.sysctls), ...Object.keys(now.sysctls)])].sort()) {
    if (before.sysctls[k] !== now.sysctls[k]) out.push(`${k} ${before.sysctls[k] ?? '(absent)'} → ${now.sysctls[k] ?? '(absent)'}`);
  }
  // "udp/177 10.77.0.12 out": service, realserver, verdict
  const verdicts = (b: PlanBasis) => new Map((b.health ?? []).map((h) => [h.slice(0, h.lastIndexOf(' ')), h.slice(h.lastIndexOf(' ') + 1)]));
  const [was, is] = [verdicts(before), verdicts(now)];
  for (const [k, v] of is) {
    if (was.get(k) === v) continue;
    const [service, host] = k.split(' ') as [string, string];
    out.push(v === 'in' ? `${host} passes its ${service} check again` : v === 'out' ? `${host} now fails its ${service} check` : `${host}'s ${service} check could not run`);
  }
  if (before.peer && now.peer) out.push(...describeBasisChanges({ ...before.peer, change: now.peer.change, profile: now.peer.profile }, now.peer).map((c) => `second director ${now.peer!.profile.director.host}: ${c}`));
  else if (Boolean(before.peer) !== Boolean(now.peer)) out.push('the profile gained or lost its second director');
  if (out.length === 0 && canonicalJson(before.steps) !== canonicalJson(now.steps)) out.push('the planned commands differ');
  return out;
}

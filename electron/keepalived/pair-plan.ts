/**
 * A director pair (keepalived VRRP, issue 11), pure: the compensating plan that puts a director back as it was observed
 * (a pair's change is all-or-nothing across both directors: when the second director's transaction fails after the
 * first one's committed, the first is put back with this plan), each director's role from what was observed of it,
 * and the "make this director master" steps (the compiler's yield file, keepalived-conf.ts VRRP ROLES).
 */
import type { Cluster } from '../../shared/model/cluster.ts';
import { DIRECTOR, type Plan, type PlanStep } from '../../shared/model/plan.ts';
import { AppError } from '../../shared/result.ts';
import type { IpAddr } from '../lvs/ipvs/ip-addr-parse.ts';
import type { DirectorObserved } from '../lvs/plan/director-plan.ts';
import type { Resolve } from '../lvs/plan/desired-table.ts';
import { splitByOwner } from '../lvs/plan/ownership.ts';
import { installStep, keepalivedStep, linkStep, removeStep, type DirectorRuntime } from '../lvs/plan/runtime-steps.ts';
import { diffTables } from '../lvs/plan/table-diff.ts';
import { DEFAULT_KEEPALIVED_PATHS, PRIORITY, VRRP_INSTANCE } from './keepalived-conf.ts';
import { parseVrrpEvents, parseVrrpStateFile, failovers, type Failover, type VrrpState } from './state-parse.ts';
import { VRRP_EVENTS_FILE, VRRP_STATE_FILE } from './notify-script.ts';

/** A director as observed with its runtime files (observe with files). */
export interface ObservedWithRuntime extends DirectorObserved {
  runtime: DirectorRuntime;
}

/** The mode a file the console installs gets back (observe reads contents, not modes): scripts 755, crontabs 600, else 644. */
export function restoreMode(path: string): string {
  if (path.startsWith('/etc/init.d/') || path.startsWith('/etc/rc.d/init.d/') || path.endsWith('.sh')) return '755';
  if (/\/(crontabs|cron)\//.test(path)) return '600';
  return '644';
}

/**
 * The plan that undoes, on one director, what a committed transaction changed: observed `before` it and `now` (both
 * with the same runtime files). keepalived first as it was (stopped if it was not running, reloaded after its config
 * is put back if it was), files back (or removed when they did not exist), boot links back, sysctls back, and this
 * profile's services in the table back as they were (others' untouched). Empty when nothing differs.
 */
export function planUndo(cluster: Cluster, resolve: Resolve, before: ObservedWithRuntime, now: ObservedWithRuntime): Plan {
  const steps: PlanStep[] = [];
  const was = before.runtime;
  const is = now.runtime;
  const wasRunning = was.keepalived.pid !== undefined;
  const isRunning = is.keepalived.pid !== undefined;
  if (!wasRunning && isRunning) steps.push(keepalivedStep('stop', 'keepalived was not running before: stop it again'));
  let filesChanged = false;
  for (const [path, old] of was.files) {
    const cur = is.files.get(path);
    if (cur === old) continue;
    filesChanged = true;
    if (old === undefined) steps.push(removeStep(path, `${path} did not exist before: remove it again`));
    else steps.push(installStep(path, old, restoreMode(path), `${path} back as it was`));
  }
  for (const [link, target] of is.links) {
    if (was.links.get(link) === target) continue;
    const old = was.links.get(link);
    steps.push(old === undefined ? removeStep(link, `the boot link ${link} did not exist before: remove it`) : linkStep(old, link, `the boot link ${link} back to ${old}`));
  }
  for (const [link, target] of was.links) if (!is.links.has(link)) steps.push(linkStep(target, link, `the boot link ${link} back`));
  if (wasRunning && isRunning && filesChanged) steps.push(keepalivedStep('reload', 'keepalived re-reads the config as it was (SIGHUP: connections stay)'));
  if (wasRunning && !isRunning) steps.push(keepalivedStep('start', 'keepalived was running before: start it again'));
  if (!wasRunning && isRunning) {
    // keepalived runs with -V (it keeps its addresses when it stops): the VIP and the gateway it took go with it
    for (const addr of [resolve(cluster.vip), ...(cluster.pair ? [cluster.pair.gateway] : [])]) {
      const had = before.addresses.some((a) => a.address.toLowerCase() === addr.toLowerCase());
      for (const a of now.addresses.filter((x) => x.address.toLowerCase() === addr.toLowerCase())) {
        if (!had) steps.push({ host: DIRECTOR, argv: ['ip', 'addr', 'del', `${a.address}/${a.prefix}`, 'dev', a.ifname], why: `${a.address} was not on this director before: take it down` });
      }
    }
  }
  for (const [key, value] of Object.entries(before.sysctls)) {
    if (now.sysctls[key] !== undefined && now.sysctls[key] !== value) steps.push({ host: DIRECTOR, argv: ['sysctl', '-w', `${key}=${value}`], why: `${key} back to ${value}` });
  }
  const vip = resolve(cluster.vip);
  const [b, n] = [splitByOwner(before.table, vip), splitByOwner(now.table, vip)];
  // keepalived started before now (a pair's start): stopping it with -I leaves the table, so the table follows
  if (!(wasRunning && isRunning)) steps.push(...diffTables(b.own, n.own).map((s) => ({ ...s, why: `${s.why} (back as before)` })));
  return { verb: 'diff', steps, desired: before.table, tableCheck: 'inhibit', summary: [`undo on this director what the pair's change did (the other director's part failed)`] };
}

/** A director's role as the console judges it. */
export type PairRole = VrrpState | 'STOPPED' | 'UNREACHABLE' | 'UNKNOWN';

/** One director of a pair, as status shows it. */
export interface PairDirectorStatus {
  /** 'primary' (the profile's director, priority 254) or 'secondary' (pair.director, 253). */
  which: 'primary' | 'secondary';
  host: string;
  role: PairRole;
  /** The VIP is on this director now. */
  vip: boolean;
  /** The floating gateway is on this director now. */
  gateway: boolean;
  keepalived: boolean;
  /** The state file's last transition (ms since the epoch). */
  since?: number;
  /** Why the role is what it is when it is not plain (unreachable, the state file and the VIP disagree). */
  note?: string;
}

/** What is read of one director for its role: addresses, keepalived's pid, the notify script's files. */
export interface RoleObservation {
  addresses: readonly IpAddr[];
  keepalivedRunning: boolean;
  stateFile?: string;
  eventsFile?: string;
}

/** The notify script's files (read with the observation). */
export const ROLE_FILES = [VRRP_STATE_FILE, VRRP_EVENTS_FILE] as const;

/**
 * A director's role: keepalived not running → STOPPED; else the notify script's last state for VI_1 (MASTER, BACKUP,
 * FAULT), checked against the VIP: the VIP here makes it MASTER whatever the file says (a notify script may lag or
 * run out of order), a MASTER in the file without the VIP is UNKNOWN (note says why).
 */
export function directorRole(which: 'primary' | 'secondary', host: string, vip: string, gateway: string, o: RoleObservation): PairDirectorStatus {
  const has = (a: string) => o.addresses.some((x) => x.address.toLowerCase() === a.toLowerCase());
  const base = { which, host, vip: has(vip), gateway: has(gateway), keepalived: o.keepalivedRunning };
  let state: ReturnType<typeof parseVrrpStateFile>;
  try {
    state = o.stateFile === undefined ? undefined : parseVrrpStateFile(o.stateFile);
  } catch (e) {
    return { ...base, role: 'UNKNOWN', note: e instanceof Error ? e.message : String(e) };
  }
  const since = state ? { since: state.at } : {};
  if (!o.keepalivedRunning) return { ...base, role: 'STOPPED', ...since, ...(base.vip ? { note: 'keepalived is not running but the VIP is here' } : {}) };
  if (base.vip) return { ...base, role: 'MASTER', ...since, ...(state && state.state !== 'MASTER' ? { note: `the VIP is here; the notify script last said ${state.state}` } : {}) };
  if (!state) return { ...base, role: 'BACKUP', note: 'no VRRP transition recorded yet (keepalived starts as BACKUP)' };
  if (state.state === 'MASTER') return { ...base, role: 'UNKNOWN', ...since, note: 'the notify script said MASTER but the VIP is not here' };
  return { ...base, role: state.state, ...since };
}

/** The pair's status: both directors, where the VIP is, the last failovers (newest first). */
export interface PairStatus {
  directors: PairDirectorStatus[];
  /** Hosts holding the VIP now: exactly one when all is well. */
  vipOn: string[];
  failovers: Failover[];
  /** Problems in words (VIP on none or on both, a director unreachable). */
  problems: string[];
}

/** The pair's status from each director's observation (or the error that kept it from being observed). */
export function pairStatus(
  cluster: Cluster,
  resolve: Resolve,
  obs: { which: 'primary' | 'secondary'; host: string; observed?: RoleObservation; error?: string }[],
  keep = 10,
): PairStatus {
  if (!cluster.pair) throw new AppError('INVALID_INPUT', `profile ${cluster.id} has no director pair`);
  const vip = resolve(cluster.vip);
  const gw = cluster.pair.gateway;
  const directors = obs.map((o) =>
    o.observed ? directorRole(o.which, o.host, vip, gw, o.observed) : { which: o.which, host: o.host, role: 'UNREACHABLE' as const, vip: false, gateway: false, keepalived: false, note: o.error ?? 'not observed' },
  );
  const logs: Record<string, ReturnType<typeof parseVrrpEvents>> = {};
  const problems: string[] = [];
  for (const o of obs) {
    try {
      logs[o.host] = parseVrrpEvents(o.observed?.eventsFile ?? '');
    } catch (e) {
      problems.push(`${o.host}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const vipOn = directors.filter((d) => d.vip).map((d) => d.host);
  if (vipOn.length === 0) problems.push(`the VIP ${vip} is on neither director`);
  if (vipOn.length > 1) problems.push(`the VIP ${vip} is on both directors (${vipOn.join(', ')})`);
  for (const d of directors) if (d.role === 'UNREACHABLE') problems.push(`${d.host} is unreachable: ${d.note ?? ''}`);
  // keepalived's failovers() drops the first MASTER overall as the initial election; that is only right when the
  // preferred director (priority 254) won it: with its log unreachable (killed), the second's first MASTER IS a failover
  const all = Object.values(logs).flatMap((ev) => ev.filter((e) => e.type === 'INSTANCE' && e.name === VRRP_INSTANCE && e.state === 'MASTER'));
  const first = all.sort((a, b) => a.at - b.at)[0];
  const secondFirst = first !== undefined && first.priority < PRIORITY.primary;
  const told = failovers(logs);
  const fo = secondFirst ? [...told, { director: Object.entries(logs).find(([, ev]) => ev.includes(first))![0], at: first.at }] : told;
  return { directors, vipOn, failovers: fo.slice(0, keep), problems };
}

/** `printf 1|0 > YIELD`: the yield file the compiled config tracks (1 = this director leaves MASTER for FAULT). */
export function yieldStep(value: 0 | 1, why: string, file = DEFAULT_KEEPALIVED_PATHS.yieldFile): PlanStep {
  return { host: DIRECTOR, argv: ['sh', '-c', 'printf "%s\\n" "$1" > "$2.tmp" && mv -f "$2.tmp" "$2"', 'lvs-console-yield', String(value), file], why };
}

/** The make-master plan: which director yields, which takes over, the steps on the yielding one (1, wait, 0). */
export interface MakeMasterPlan {
  target: 'primary' | 'secondary';
  /** The director that holds the VIP now and yields it (absent when the target is already master). */
  from?: 'primary' | 'secondary';
  /** Steps on `from`: yield (1), then (after the target holds the VIP) back to 0: it returns as BACKUP (nopreempt). */
  yieldSteps: PlanStep[];
  summary: string[];
}

/**
 * "make this director master": refused unless both directors run keepalived and exactly one holds the VIP; nothing to
 * do when the target already holds it. The current master's yield file gets 1 (its instance goes to FAULT and sends a
 * priority-0 advert: the target takes over at once; the sync daemons have given the target the connection table, so
 * established connections stay), and once the target holds the VIP, 0 (the old master comes back as BACKUP).
 */
export function planMakeMaster(pair: PairStatus, target: 'primary' | 'secondary'): MakeMasterPlan {
  const t = pair.directors.find((d) => d.which === target);
  const other = pair.directors.find((d) => d.which !== target);
  if (!t || !other) throw new AppError('INVALID_INPUT', 'make-master: the pair has not two directors');
  if (t.vip && !other.vip) return { target, yieldSteps: [], summary: [`${t.host} is already master (it holds the VIP): nothing to do`] };
  for (const d of [t, other]) {
    if (d.role === 'UNREACHABLE') throw new AppError('CONNECT_FAILED', `make-master: ${d.host} is unreachable (${d.note ?? ''}); nothing was changed`, { host: d.host, step: 'observe' });
    if (!d.keepalived) throw new AppError('INVALID_INPUT', `make-master: keepalived is not running on ${d.host}; nothing was changed`, { host: d.host, step: 'observe' });
  }
  if (t.role === 'FAULT') throw new AppError('INVALID_INPUT', `make-master: ${t.host} is in FAULT (it cannot take the VIP); nothing was changed`, { host: t.host, step: 'observe' });
  if (!other.vip) throw new AppError('INVALID_INPUT', `make-master: neither director holds the VIP (${other.host} is ${other.role}); nothing was changed`, { host: other.host, step: 'observe' });
  return {
    target,
    from: other.which,
    yieldSteps: [
      yieldStep(1, `${other.host} yields: its VRRP instance goes to FAULT and sends priority 0, ${t.host} takes the VIP and the gateway at once (connections synced by the sync daemons stay)`),
      yieldStep(0, `once ${t.host} holds the VIP: ${other.host} comes back as BACKUP (nopreempt: it does not take the VIP back)`),
    ],
    summary: [`${t.host} becomes master; ${other.host} becomes backup`],
  };
}

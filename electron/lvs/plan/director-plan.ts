/**
 * Pure planners for the seed's lvs-director verbs (start, stop, reload, status, update): profile + observed state →
 * the exact commands, as a Plan. Nothing here runs anything; apply (elsewhere) runs the steps in order and re-observes.
 */
import type { Cluster, Realserver } from '../../../shared/model/cluster.ts';
import { destinationKey, serviceKey, type IpvsTable } from '../../../shared/model/ipvs.ts';
import { desiredTable, familyOf, type Resolve } from './desired-table.ts';
import { findAddress, type IpAddr } from '../ipvs/ip-addr-parse.ts';
import { deleteDestinationArgs, deleteServiceArgs, destinationArgs, formatRestoreLines, IPVSADM, serviceArgs, sortDests, sortServices } from '../ipvs/ipvs-rules.ts';
import { DIRECTOR, type Plan, type PlanStep } from '../../../shared/model/plan.ts';
import { applyStepsToTable } from './table-diff.ts';
import { splitByOwner } from './ownership.ts';

/** What the director looks like now: its IPVS table, its interface addresses, and the sysctls the verbs care about. */
export interface DirectorObserved {
  table: IpvsTable;
  addresses: IpAddr[];
  /** sysctl key (dotted, as `sysctl` prints it) → value, e.g. {'net.ipv4.ip_forward': '1'}. */
  sysctls: Record<string, string>;
}

/** A sysctl key for a per-interface setting: dots in the interface name (VLANs: eth0.100) are written as '/'. */
export function confKey(family: 'ipv4' | 'ipv6', ifname: string, setting: string): string {
  return `net.${family}.conf.${ifname.replace(/\./g, '/')}.${setting}`;
}

/**
 * The sysctls start sets and the value each must have: ICMP redirects off on LVS_IF and all, forwarding on, and IPVS's
 * expire_quiescent_template on (IPVS is loaded by then: observe's ipvsadm loads it).
 */
export function directorSysctls(cluster: Cluster, vipFamily: 'inet' | 'inet6' = 'inet'): { key: string; value: string; why: string }[] {
  const out = [
    { key: confKey('ipv4', 'all', 'send_redirects'), value: '0', why: 'no ICMP redirects: in one-interface NAT they would tell realservers to bypass the director, and replies would skip the NAT' },
    { key: confKey('ipv4', cluster.lvsIf, 'send_redirects'), value: '0', why: `no ICMP redirects on LVS_IF ${cluster.lvsIf} (the kernel sends them if either "all" or the interface says so)` },
    { key: 'net.ipv4.ip_forward', value: '1', why: 'the director forwards (NATs) traffic between clients and realservers' },
    {
      key: 'net.ipv4.vs.expire_quiescent_template',
      value: '1',
      why: 'a persistence template pointing at a realserver of weight 0 (drained, or out after a failed check) expires, instead of sending its client there for the whole persistence timeout (360 s for XDMCP)',
    },
  ];
  if (vipFamily === 'inet6') out.push({ key: 'net.ipv6.conf.all.forwarding', value: '1', why: 'the VIP is IPv6: forward IPv6 too' });
  return out;
}

/** `VIP_IF` split into the device and the label ("eth0:110" → eth0, eth0:110). */
function vipDevice(cluster: Cluster): { dev: string; label: string } {
  return { dev: cluster.vipIf.split(':')[0]!, label: cluster.vipIf };
}

const clearStep = (why: string): PlanStep => ({ host: DIRECTOR, argv: [IPVSADM, '-C'], why });

const restoreStep = (table: IpvsTable): PlanStep => ({
  host: DIRECTOR,
  argv: [IPVSADM, '-R'],
  stdin: formatRestoreLines(table),
  why: `add every service and realserver in one batch (${table.services.length} service(s), ${table.services.reduce((n, s) => n + s.destinations.length, 0)} destination(s))`,
});

/**
 * How a verb empties this profile's part of the table. A profile owns the services on its VIP (ownership.ts): `ipvsadm
 * -C` only when the profile is the director's only cluster (`exclusiveDirector`, the seed's behaviour) or the director
 * holds nothing but this profile's services; otherwise one `ipvsadm -D` per service of this profile, and the other VIPs'
 * services stay. `observed` undefined (offline) = an empty director assumed. `clear` goes first; `deletes` go right
 * before the table batch (the transaction runs table steps as one batch).
 */
function emptyOwn(cluster: Cluster, observed: DirectorObserved | undefined, vip: string, why: string): { clear: PlanStep[]; deletes: PlanStep[]; summary: string[] } {
  const { own, foreign } = splitByOwner(observed?.table ?? { services: [] }, vip);
  if (cluster.exclusiveDirector) {
    const others = foreign.services.length;
    return { clear: [clearStep(`${why}: the profile says it is the director's only cluster, so the whole table is cleared${others ? ` (${others} service(s) of other VIPs too)` : ''}`)], deletes: [], summary: [] };
  }
  if (foreign.services.length === 0) return { clear: [clearStep(`${why} (the director holds no other VIP's services${observed ? '' : ': not observed, assumed'})`)], deletes: [], summary: [] };
  return {
    clear: [],
    deletes: sortServices(own.services).map((svc) => ({ host: DIRECTOR, argv: [IPVSADM, ...deleteServiceArgs(svc)], why: `${why}: delete this profile's ${svc.protocol} ${svc.address}:${svc.port}` })),
    summary: [`${foreign.services.length} service(s) of other VIPs on the director are left alone (not ipvsadm -C)`],
  };
}

/** The whole table after `steps` (other VIPs' services unchanged), or `fallback` when the director was not observed. */
const after = (observed: DirectorObserved | undefined, steps: PlanStep[], fallback: IpvsTable): IpvsTable => (observed ? applyStepsToTable(observed.table, steps) : fallback);

/**
 * start: this profile's services emptied (emptyOwn: `ipvsadm -C` only when nothing else is on the director), the VIP up
 * on VIP_IF (skipped when already there), ICMP redirects off on LVS_IF and all, ip_forward on (each skipped when it
 * already holds), then this profile's table in one `ipvsadm -R`. `observed` undefined = not observed (offline): every
 * step is planned, the director assumed empty.
 */
export function planStart(cluster: Cluster, observed: DirectorObserved | undefined, resolve: Resolve): Plan {
  const desired = desiredTable(cluster, resolve);
  const vip = resolve(cluster.vip);
  const fam = familyOf(vip, `VIP ${cluster.vip}`);
  const { dev, label } = vipDevice(cluster);
  const empty = emptyOwn(cluster, observed, vip, 'start from an empty table so nothing stale survives (lvs-director start, step 1)');
  const steps: PlanStep[] = [...empty.clear];
  const summary: string[] = [...empty.summary];
  const onDev = observed ? findAddress(observed.addresses, vip).filter((a) => a.ifname === dev) : [];
  if (onDev.length) summary.push(`VIP ${vip} already up on ${onDev[0]!.label}: not added again`);
  else {
    // Labels exist for IPv4 only; an IPv6 VIP goes on the device itself.
    const argv = fam === 'inet' ? ['ip', 'addr', 'add', `${vip}/${cluster.vipPrefix}`, 'dev', dev, 'label', label] : ['ip', '-6', 'addr', 'add', `${vip}/${cluster.vipPrefix}`, 'dev', dev];
    steps.push({ host: DIRECTOR, argv, why: `bring the VIP ${vip} up on ${fam === 'inet' ? label : dev}${observed ? '' : ' (not observed: assumed down)'}` });
  }
  for (const s of directorSysctls(cluster, fam)) {
    const now = observed?.sysctls[s.key]?.trim();
    if (now === s.value) summary.push(`${s.key} is already ${s.value}`);
    // IPVS's own sysctls exist once ip_vs is loaded (observe's ipvsadm loads it); a kernel without them is told, not failed.
    else if (observed && now === undefined && s.key.startsWith('net.ipv4.vs.')) summary.push(`${s.key} is not there (IPVS not loaded, or a kernel without it): not set`);
    else steps.push({ host: DIRECTOR, argv: ['sysctl', '-w', `${s.key}=${s.value}`], why: `${s.why}${now !== undefined ? ` (now ${now})` : ''}` });
  }
  steps.push(...empty.deletes);
  if (desired.services.length) steps.push(restoreStep(desired));
  else summary.push('the profile has no services: it has nothing in the table');
  return { verb: 'start', steps, desired: after(observed, steps, desired), summary };
}

/**
 * stop: this profile's services removed (emptyOwn) and the VIP taken down (only where it is up on VIP_IF's device; when
 * not observed, the delete is planned anyway and "not there" is accepted).
 */
export function planStop(cluster: Cluster, observed: DirectorObserved | undefined, resolve: Resolve): Plan {
  const vip = resolve(cluster.vip);
  const fam = familyOf(vip, `VIP ${cluster.vip}`);
  const { dev } = vipDevice(cluster);
  const empty = emptyOwn(cluster, observed, vip, 'remove every virtual service of this profile (lvs-director stop)');
  const steps: PlanStep[] = [...empty.clear, ...empty.deletes];
  const summary: string[] = [...empty.summary];
  const ipv = fam === 'inet' ? [] : ['-6'];
  if (!observed) {
    steps.push({
      host: DIRECTOR,
      argv: ['ip', ...ipv, 'addr', 'del', `${vip}/${cluster.vipPrefix}`, 'dev', dev],
      why: `take the VIP ${vip} down (not observed: assumed up)`,
      // 2: "RTNETLINK answers: Cannot assign requested address" = the VIP was not up; stop's goal holds either way.
      okCodes: [0, 2],
    });
  } else {
    const up = findAddress(observed.addresses, vip).filter((a) => a.ifname === dev);
    if (!up.length) summary.push(`VIP ${vip} is not up on ${dev}: nothing to take down`);
    for (const a of up) steps.push({ host: DIRECTOR, argv: ['ip', ...ipv, 'addr', 'del', `${a.address}/${a.prefix}`, 'dev', dev], why: `take the VIP ${vip} down (${a.label})` });
  }
  return { verb: 'stop', steps, desired: after(observed, steps, { services: [] }), summary };
}

/**
 * reload: this profile's table only (emptied as start does, then everything in one `ipvsadm -R`); the VIP and sysctls
 * are left alone.
 */
export function planReload(cluster: Cluster, resolve: Resolve, observed?: DirectorObserved): Plan {
  const desired = desiredTable(cluster, resolve);
  const empty = emptyOwn(cluster, observed, resolve(cluster.vip), 'reload rebuilds the table from the profile; the VIP stays up (lvs-director reload)');
  const steps = [...empty.clear, ...empty.deletes];
  if (desired.services.length) steps.push(restoreStep(desired));
  return { verb: 'reload', steps, desired: after(observed, steps, desired), ...(empty.summary.length ? { summary: empty.summary } : {}) };
}

/**
 * status: the read-only commands that show the cluster (the seed's `ipvsadm -L`, numeric, with the connections), VIP
 * and sysctls; with `counters` also the cumulative counters (`status --stats`) and the rates (`status --rate`).
 */
export function planStatus(cluster: Cluster, counters: { stats?: boolean; rate?: boolean } = {}): Plan {
  const { dev } = vipDevice(cluster);
  return {
    verb: 'status',
    steps: [
      { host: DIRECTOR, argv: [IPVSADM, '-L', '-n'], why: 'the table with weights and active/inactive connections (lvs-director status)' },
      ...(counters.stats ? [{ host: DIRECTOR, argv: [IPVSADM, '-L', '-n', '--stats', '--exact'], why: 'traffic counters per service and realserver (status --stats)' }] : []),
      ...(counters.rate ? [{ host: DIRECTOR, argv: [IPVSADM, '-L', '-n', '--rate', '--exact'], why: 'current rates per service and realserver (status --rate)' }] : []),
      { host: DIRECTOR, argv: ['ip', '-o', 'addr', 'show', 'dev', dev], why: `whether the VIP is up on ${cluster.vipIf}` },
      { host: DIRECTOR, argv: ['sysctl', ...directorSysctls(cluster).map((s) => s.key)], why: 'forwarding on and ICMP redirects off?' },
    ],
  };
}

/**
 * What update knows about one (service, realserver): `in` (its check passed, or the service is not checked), `out` (its
 * check failed: it leaves THIS service only), or `as-is` (the check could not run: it stays as it is, in or out).
 */
export type UpdateVerdict = { verdict: 'in'; why?: string } | { verdict: 'out'; why: string } | { verdict: 'as-is'; why: string };

/** The verdict for a service ("tcp/23") and a profile realserver. */
export type UpdateJudge = (service: string, rs: Realserver) => UpdateVerdict;

/** The judge of a one-verdict-per-realserver probe (the seed's): `alive` names (host or name) are in every service, the rest out. */
export function judgeByAlive(alive: ReadonlySet<string>): UpdateJudge {
  return (_service, r) => (alive.has(r.host) || (r.name !== undefined && alive.has(r.name)) ? { verdict: 'in' } : { verdict: 'out', why: 'not answering' });
}

/**
 * update (the seed's cron poll, per service): for every service of the profile and every enabled realserver the
 * profile puts in it (not excluded from it), `judge` says whether its check passed: a realserver that passes and is
 * missing from the service is added back, one that fails and is in it is deleted from THAT service only (it stays in
 * the services whose checks pass), one whose check could not run is left as it is. Services missing entirely are added
 * first. Realservers not in the profile, disabled ones and excluded ones are left alone (reload handles those).
 * `summary` says what changes and why. `judge` may be a set of live realserver names (judgeByAlive).
 */
export function planUpdate(cluster: Cluster, observed: DirectorObserved, judge: UpdateJudge | ReadonlySet<string>, resolve: Resolve): Plan {
  const verdictOf = typeof judge === 'function' ? judge : judgeByAlive(judge);
  const desired = desiredTable(cluster, resolve);
  const liveBy = new Map(observed.table.services.map((s) => [serviceKey(s), s]));
  const byAddr = new Map<string, Realserver>();
  for (const r of cluster.realservers.filter((x) => x.enabled)) byAddr.set(resolve(r.host).toLowerCase(), r);
  const steps: PlanStep[] = [];
  const summary: string[] = [];
  for (const want of sortServices(desired.services)) {
    const sk = serviceKey(want);
    const sid = `${want.protocol}/${want.port}`;
    const have = liveBy.get(sk);
    if (!have) {
      steps.push({ host: DIRECTOR, argv: [IPVSADM, ...serviceArgs(want)], why: `${sk} is missing from the table: add it before its realservers` });
      summary.push(`+ service ${sk}`);
    }
    const present = new Set((have?.destinations ?? []).map((d) => destinationKey(d)));
    for (const d of sortDests(want.destinations)) {
      const rs = byAddr.get(d.address.toLowerCase())!;
      const name = rs.name ?? rs.host;
      const v = verdictOf(sid, rs);
      const dk = destinationKey(d);
      if (v.verdict === 'in' && !present.has(dk)) {
        steps.push({ host: DIRECTOR, argv: [IPVSADM, ...destinationArgs(want, d)], why: `${name} passes its ${sid} check again: add ${dk} back to ${sk}` });
        summary.push(`+ ${name} (${dk}) back in ${sk}`);
      } else if (v.verdict === 'out' && present.has(dk)) {
        steps.push({ host: DIRECTOR, argv: [IPVSADM, ...deleteDestinationArgs(want, d)], why: `${name} fails its ${sid} check (${v.why}): take ${dk} out of ${sk}` });
        summary.push(`- ${name} (${dk}) out of ${sk}: ${v.why}`);
      } else if (v.verdict === 'as-is') summary.push(`${name} in ${sk}: left as it is (${v.why})`);
    }
  }
  if (!steps.length) summary.push('no change: every realserver that passes its checks is in the table and no failing one is');
  return { verb: 'update', steps, desired: applyStepsToTable(observed.table, steps), summary };
}

import { checkSchema, clusterSchema, describeIssues, effectiveCheck, effectivePersistence, type Check, type Cluster, type ClusterInput, type Forwarding, type Scheduler } from '../../../shared/model/cluster.ts';
import { portNumber } from '../../../shared/model/well-known-ports.ts';
import { AppError } from '../../../shared/result.ts';
import { applyClusterToConf, confToCluster, type ConfClusterBase } from './conf-model.ts';
import { parseLvsConf, type ConfItem, type ConfVariables, type LvsConfDoc } from './conf-parse.ts';
import { setConfVariable } from './conf-write.ts';

const HEADER = `# /etc/lvs.conf: LVS-NAT director configuration, read by /etc/init.d/lvs-director.
# Written by LVS Console; hand edits are kept (only the variables below are rewritten).
`;

/** A check as CHECKS writes it: connect | xdmcp | none | udp:PAYLOADHEX:REPLYHEX. */
function checkWord(c: Check): string {
  return c.kind === 'udp' ? `udp:${c.payload}:${c.reply}` : c.kind;
}

/**
 * The lvs.conf the director's own script (director-init-script.ts) needs to load exactly the table the console plans for
 * `cluster` and to check its services the way the console does: the seed's six variables, plus the ones the seed's
 * script had fixed (VIP_PREFIX, SCHEDULER, SCHEDULERS, PERSISTENT, WEIGHTS, RIPS_DISABLED, FORWARD) and what the profile
 * adds (EXCLUDE: per-service drains/disables; CHECKS and CHECK_TIMEOUT: how update checks each service; EXCLUSIVE: the
 * ownership rule). Starts from `existing` (the director's current file) so unknown variables and comments survive;
 * only lines whose meaning changes are rewritten.
 */
export function directorConf(cluster: Cluster, existing?: LvsConfDoc): LvsConfDoc {
  let doc = applyClusterToConf(existing ?? parseLvsConf(HEADER, '/etc/lvs.conf'), cluster);
  const set = (name: string, value: string) => {
    doc = setConfVariable(doc, name, value);
  };
  set('VIP_PREFIX', String(cluster.vipPrefix));
  set('SCHEDULER', cluster.scheduler);
  set('FORWARD', cluster.forwarding);
  const schedulers: string[] = [];
  const persistent: string[] = [];
  for (const proto of ['tcp', 'udp'] as const) {
    for (const s of cluster[proto]) {
      const port = portNumber(s.port, proto)!;
      if (s.scheduler && s.scheduler !== cluster.scheduler) schedulers.push(`${proto}:${port}:${s.scheduler}`);
      const p = effectivePersistence(proto, s);
      if (p) persistent.push(`${proto}:${port}:${p.timeout}${p.netmask ? `:${p.netmask}` : ''}`);
    }
  }
  set('SCHEDULERS', schedulers.join(' '));
  set('PERSISTENT', persistent.join(' '));
  set('WEIGHTS', cluster.realservers.filter((r) => r.weight !== 1).map((r) => `${r.host}=${r.weight}`).join(' '));
  set('RIPS_DISABLED', cluster.realservers.filter((r) => !r.enabled).map((r) => r.host).join(' '));
  set('EXCLUDE', cluster.realservers.flatMap((r) => (r.exclude ?? []).map((ref) => `${r.host}=${ref}`)).join(' '));
  const checks: string[] = [];
  for (const proto of ['tcp', 'udp'] as const) for (const s of cluster[proto]) checks.push(`${proto}/${portNumber(s.port, proto)!}=${checkWord(effectiveCheck(proto, s))}`);
  set('CHECKS', checks.join(' '));
  set('CHECK_TIMEOUT', String(cluster.health.timeoutSec));
  set('EXCLUSIVE', cluster.exclusiveDirector ? 'yes' : 'no');
  return doc;
}

/**
 * The inverse of directorConf: a profile from a director's lvs.conf including the extra variables (SCHEDULER, VIP_PREFIX,
 * FORWARD, SCHEDULERS, PERSISTENT, WEIGHTS, RIPS_DISABLED, EXCLUDE, CHECKS, CHECK_TIMEOUT, EXCLUSIVE), so importing a file the console (or an admin following its
 * format) wrote loses nothing. A file with only the seed's six variables reads as confToCluster reads it: a UDP service
 * other than XDMCP gets the health check 'none' with a warning pushed to `warnings`. Errors name FILE:LINE:COL of the
 * offending item. Linear in the number of items.
 */
export function clusterFromDirectorConf(vars: ConfVariables, base: ConfClusterBase, warnings: string[] = []): ClusterInput {
  const c = confToCluster(vars, base, warnings);
  const v = (name: string) => vars.get(name);
  const bad = (name: string, it: { line: number; col: number }, why: string): never => {
    throw new AppError('INVALID_INPUT', `${vars.file}:${it.line}:${it.col}: ${name}: ${why}`);
  };
  const out: ClusterInput = { ...c };
  if (v('SCHEDULER')?.value) out.scheduler = v('SCHEDULER')!.value as Scheduler;
  if (v('FORWARD')?.value) out.forwarding = v('FORWARD')!.value as Forwarding;
  if (v('VIP_PREFIX')?.value) out.vipPrefix = Number(v('VIP_PREFIX')!.value);
  const lists = { tcp: (out.tcp ?? []).slice(), udp: (out.udp ?? []).slice() };
  // port number → index of the first service with it, per protocol
  const index = { tcp: new Map<number, number>(), udp: new Map<number, number>() };
  for (const proto of ['tcp', 'udp'] as const) {
    lists[proto].forEach((s, i) => {
      const n = portNumber(s.port, proto);
      if (n !== undefined && !index[proto].has(n)) index[proto].set(n, i);
    });
  }
  const service = (proto: string, port: string, name: string, it: ConfItem) => {
    if (proto !== 'tcp' && proto !== 'udp') bad(name, it, `'${it.text}': protocol must be tcp or udp`);
    const p = proto as 'tcp' | 'udp';
    const n = portNumber(/^[0-9]+$/.test(port) ? Number(port) : port, p);
    const i = n === undefined ? undefined : index[p].get(n);
    if (i === undefined) bad(name, it, `'${it.text}': no such service in ${p === 'tcp' ? 'TPORTS' : 'UPORTS'}`);
    out[p] = lists[p];
    return { list: lists[p], i: i! };
  };
  for (const it of v('CHECKS')?.items ?? []) {
    const m = /^(tcp|udp)\/([^=]+)=(connect|xdmcp|none|udp:([0-9a-fA-F]+):([0-9a-fA-F]+))$/.exec(it.text);
    if (!m) bad('CHECKS', it, `'${it.text}' is not PROTO/PORT=connect|xdmcp|none|udp:PAYLOADHEX:REPLYHEX`);
    const { list, i } = service(m![1]!, m![2]!, 'CHECKS', it);
    const parsed = checkSchema.safeParse(m![3]!.startsWith('udp:') ? { kind: 'udp', payload: m![4], reply: m![5] } : { kind: m![3] });
    if (!parsed.success) bad('CHECKS', it, `'${it.text}': ${describeIssues(parsed.error).join('; ')}`);
    list[i] = { ...list[i]!, check: parsed.data! };
  }
  if (v('CHECK_TIMEOUT')?.value) {
    const t = v('CHECK_TIMEOUT')!;
    if (!/^[0-9]+$/.test(t.value)) bad('CHECK_TIMEOUT', t, `'${t.value}' is not a number of seconds`);
    out.health = { ...(out.health ?? {}), timeoutSec: Number(t.value) };
  }
  if (v('EXCLUSIVE')?.value) {
    const e = v('EXCLUSIVE')!;
    if (e.value !== 'yes' && e.value !== 'no') bad('EXCLUSIVE', e, `'${e.value}' is not yes or no`);
    out.exclusiveDirector = e.value === 'yes';
  }
  for (const it of v('SCHEDULERS')?.items ?? []) {
    const [proto, port, sched] = it.text.split(':');
    if (!proto || !port || !sched) bad('SCHEDULERS', it, `'${it.text}' is not PROTO:PORT:SCHEDULER`);
    const { list, i } = service(proto!, port!, 'SCHEDULERS', it);
    list[i] = { ...list[i]!, scheduler: sched as Scheduler };
  }
  const persistent = new Set<string>();
  for (const it of v('PERSISTENT')?.items ?? []) {
    const [proto, port, secs, mask] = it.text.split(':');
    if (!proto || !port || !secs || !/^[0-9]+$/.test(secs)) bad('PERSISTENT', it, `'${it.text}' is not PROTO:PORT:SECONDS[:NETMASK]`);
    const { list, i } = service(proto!, port!, 'PERSISTENT', it);
    list[i] = { ...list[i]!, persistence: { timeout: Number(secs), ...(mask ? { netmask: mask } : {}) } };
    persistent.add(`${proto}:${i}`);
  }
  if (v('PERSISTENT')) {
    // The file says exactly which services are persistent: the others are explicitly not (no xdmcp default).
    for (const proto of ['tcp', 'udp'] as const) out[proto] = lists[proto].map((s, i) => (persistent.has(`${proto}:${i}`) ? s : { ...s, persistence: null }));
  }
  const rss = (out.realservers ?? []).slice();
  // host (lower case) → index of the first realserver with it
  const hosts = new Map<string, number>();
  rss.forEach((r, i) => {
    if (!hosts.has(r.host.toLowerCase())) hosts.set(r.host.toLowerCase(), i);
  });
  const find = (name: string, it: ConfItem, host: string) => {
    const i = hosts.get(host.toLowerCase());
    if (i === undefined) bad(name, it, `'${host}' is not in RIPS`);
    return i!;
  };
  for (const it of v('WEIGHTS')?.items ?? []) {
    const m = /^([^=]+)=([0-9]+)$/.exec(it.text);
    if (!m) bad('WEIGHTS', it, `'${it.text}' is not HOST=WEIGHT`);
    const i = find('WEIGHTS', it, m![1]!);
    rss[i] = { ...rss[i]!, weight: Number(m![2]) };
  }
  for (const it of v('RIPS_DISABLED')?.items ?? []) {
    const i = find('RIPS_DISABLED', it, it.text);
    rss[i] = { ...rss[i]!, enabled: false };
  }
  for (const it of v('EXCLUDE')?.items ?? []) {
    const m = /^([^=]+)=((tcp|udp)\/[0-9]+)$/.exec(it.text);
    if (!m) bad('EXCLUDE', it, `'${it.text}' is not HOST=PROTO/PORT`);
    const i = find('EXCLUDE', it, m![1]!);
    const ex = [...(rss[i]!.exclude ?? [])];
    if (!ex.includes(m![2]!)) ex.push(m![2]!);
    rss[i] = { ...rss[i]!, exclude: ex.sort() };
  }
  out.realservers = rss;
  const res = clusterSchema.safeParse(out);
  if (!res.success) throw new AppError('INVALID_INPUT', `${vars.file}: ${describeIssues(res.error).join('; ')}`);
  return out;
}

/**
 * `lvsctl plan FILE [--verb start|stop|reload|status|update] [--live OUTPUT] [--addrs OUTPUT] [--alive H1,H2]
 * [--graceful] [--hosts NAME=ADDR,…] [--json]`: the commands a director verb would run, or with --live (and no --verb)
 * the minimal diff against a saved live table. Offline and read-only: nothing is run, nothing is resolved by DNS.
 *
 * FILE is a cluster profile (JSON, clusterSchema) or an /etc/lvs.conf. --live is saved `ipvsadm -S -n` or
 * `ipvsadm -L -n` output (the latter carries ActiveConn/InActConn, which --graceful needs to delete drained
 * realservers); --addrs is saved `ip -o addr show` output (start/stop then skip the VIP step that already holds).
 *
 * Human output: one `# why` comment and one shell-quoted command per step, stdin as a quoted here-doc.
 * --json (stable): { verb, cluster, steps: [{ host, argv, command, why, stdin?, okCodes?, followUp? }], summary: [],
 * waiting: [], desired?: IpvsTable }. Exit 0 with a plan, 1 for an invalid FILE/OUTPUT, 2 usage, 3 unreadable file.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { clusterSchema, describeIssues, type Cluster } from '../../../shared/model/cluster.ts';
import type { IpvsTable } from '../../../shared/model/ipvs.ts';
import { destinationKey, serviceKey } from '../../../shared/model/ipvs.ts';
import { isIPv4, isIPv6 } from '../../../shared/model/validators.ts';
import { AppError } from '../../../shared/result.ts';
import { confVariables, parseLvsConf } from '../../lvs/conf/conf-parse.ts';
import { confToCluster } from '../../lvs/conf/conf-model.ts';
import { desiredTable, profileResolver } from '../../lvs/plan/desired-table.ts';
import { planReload, planStart, planStatus, planStop, planUpdate, type DirectorObserved } from '../../lvs/plan/director-plan.ts';
import { planDrainFollowUp, type DrainWaiting } from '../../lvs/plan/graceful-drain.ts';
import { parseIpAddr, type IpAddr } from '../../lvs/ipvs/ip-addr-parse.ts';
import { ipvsTableOf, parseIpvsOutput } from '../../lvs/ipvs/ipvs-detect.ts';
import { DIRECTOR, type Plan, type PlanStep } from '../../../shared/model/plan.ts';
import { shellComment } from '../../shell/shell-comment.ts';
import { shellQuote } from '../../shell/shell-quote.ts';
import { diffTables } from '../../lvs/plan/table-diff.ts';
import { parseArgs } from '../args.ts';
import { EXIT, type CliCommand, type CliIo } from '../io.ts';

const USAGE = `usage: lvsctl plan FILE [--verb start|stop|reload|status|update] [--live OUTPUT] [--addrs OUTPUT]
                       [--alive HOST,HOST…] [--graceful] [--hosts NAME=ADDR,…] [--json]
FILE     a cluster profile (.json) or an lvs.conf
--verb   the director verb to plan (default start; with --live and no --verb: the diff against the live table)
--live   saved 'ipvsadm -S -n' or 'ipvsadm -L -n' output (needed for the diff and for update)
--addrs  saved 'ip -o addr show' output from the director (start/stop skip what already holds)
--alive  update: the realservers that answer (profile host or name), comma-separated
--graceful  diff: weight 0 first, delete once connections are gone (needs 'ipvsadm -L -n' output for the counters)
--hosts  names the profile cannot resolve offline, e.g. epsg9008=10.0.0.50,epsg9010=10.0.0.10
`;

const VERBS = ['start', 'stop', 'reload', 'status', 'update'] as const;
type Verb = (typeof VERBS)[number];

/** A problem with the user's input: printed as is, exit 1 (or 2 for usage, 3 for I/O). */
class Stop extends Error {
  constructor(
    message: string,
    readonly exit: number,
  ) {
    super(message);
  }
}

async function read(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new Stop(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e))}`, EXIT.FAILED);
  }
}

/** Reads FILE as a JSON cluster profile or, if it is not JSON, as an lvs.conf. */
async function loadCluster(file: string): Promise<Cluster> {
  const text = await read(file, 'profile');
  if (file.endsWith('.json') || text.trimStart().startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Stop(`${file}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`, EXIT.INVALID);
    }
    const r = clusterSchema.safeParse(json);
    if (!r.success) throw new Stop(describeIssues(r.error).map((l) => `${file}: ${l}`).join('\n'), EXIT.INVALID);
    return r.data;
  }
  try {
    const vars = confVariables(parseLvsConf(text, file));
    const base = { id: 'lvs-conf', name: basename(file), director: { host: 'localhost', user: 'root' } };
    return clusterSchema.parse(confToCluster(vars, base));
  } catch (e) {
    if (e instanceof AppError && e.code === 'INVALID_INPUT') throw new Stop(e.message, EXIT.INVALID);
    throw e;
  }
}

/** The table in a saved live output; a plain `-L -n` listing keeps its ActiveConn/InActConn for graceful drains. */
async function loadLive(file: string): Promise<IpvsTable> {
  const text = await read(file, 'live table');
  try {
    const parsed = parseIpvsOutput(text);
    const table = ipvsTableOf(parsed);
    if (parsed.kind === 'list') {
      const conns = new Map<string, { activeConns?: number; inactiveConns?: number }>();
      for (const s of parsed.services) for (const d of s.destinations) conns.set(`${serviceKey(s)} ${destinationKey(d)}`, { activeConns: d.activeConns, inactiveConns: d.inactiveConns });
      for (const s of table.services)
        for (const d of s.destinations) {
          const c = conns.get(`${serviceKey(s)} ${destinationKey(d)}`);
          if (c?.activeConns !== undefined) d.activeConns = c.activeConns;
          if (c?.inactiveConns !== undefined) d.inactiveConns = c.inactiveConns;
        }
    }
    return table;
  } catch (e) {
    if (e instanceof AppError && (e.code === 'PARSE_ERROR' || e.code === 'UNSUPPORTED')) throw new Stop(`${file}: ${e.message}`, EXIT.INVALID);
    throw e;
  }
}

async function loadAddrs(file: string): Promise<IpAddr[]> {
  const text = await read(file, 'address list');
  try {
    return parseIpAddr(text);
  } catch (e) {
    if (e instanceof AppError && e.code === 'PARSE_ERROR') throw new Stop(`${file}: ${e.message}`, EXIT.INVALID);
    throw e;
  }
}

/** "--hosts a=1.2.3.4,b=::1" → {a: '1.2.3.4', b: '::1'}; only address literals on the right. */
function parseHosts(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',').filter(Boolean)) {
    const [name, addr, ...more] = part.split('=');
    if (!name || !addr || more.length || !(isIPv4(addr) || isIPv6(addr))) throw new Stop(`--hosts: '${part}' is not NAME=ADDRESS (an IPv4 or IPv6 address)`, EXIT.USAGE);
    out[name] = addr;
  }
  return out;
}

/** A here-doc delimiter that no line of `text` equals. */
function delimiter(text: string): string {
  const lines = new Set(text.split('\n'));
  let d = 'EOF';
  for (let i = 1; lines.has(d); i++) d = `EOF${i}`;
  return d;
}

/** One step as shell text: its why as a comment, the quoted command, stdin as a quoted here-doc. */
export function formatStep(s: PlanStep, n: number): string {
  let out = `${shellComment(`${n}. ${s.why}${s.host !== DIRECTOR ? ` [on ${s.host}]` : ''}`)}\n`;
  if (s.okCodes && s.okCodes.some((c) => c !== 0)) out += `#    (exit codes ${s.okCodes.join(', ')} count as success)\n`;
  if (s.followUp === 'delete-when-drained') out += '#    (follow-up: delete it once ActiveConn + InActConn = 0; run this plan again with fresh `ipvsadm -L -n` output)\n';
  const cmd = shellQuote(s.argv);
  if (s.stdin === undefined) return `${out}${cmd}\n`;
  const d = delimiter(s.stdin);
  return `${out}${cmd} <<'${d}'\n${s.stdin}${s.stdin.endsWith('\n') || s.stdin === '' ? '' : '\n'}${d}\n`;
}

function human(plan: Plan, cluster: Cluster, waiting: DrainWaiting[]): string {
  const what = plan.verb === 'diff' ? 'diff against the live table' : plan.verb;
  let out = `${shellComment(`lvsctl plan: ${what} for ${cluster.name} (VIP ${cluster.vip} on ${cluster.vipIf}): ${plan.steps.length} step(s)`)}\n`;
  if (!plan.steps.length) out += plan.verb === 'diff' ? '# nothing to do: the live table matches the profile\n' : '# nothing to do\n';
  plan.steps.forEach((s, i) => (out += formatStep(s, i + 1)));
  for (const l of plan.summary ?? []) out += `${shellComment(`note: ${l}`)}\n`;
  for (const w of waiting) out += `${shellComment(`waiting: ${w.destination} in ${w.service} is ${w.state}${w.connections !== undefined ? ` (${w.connections} connection(s))` : ''}`)}\n`;
  return out;
}

const run: CliCommand = async (args, io: CliIo) => {
  const parsed = parseArgs(args, { values: ['verb', 'live', 'addrs', 'alive', 'hosts'], booleans: ['json', 'graceful'] });
  if ('error' in parsed) {
    io.err(`lvsctl plan: ${parsed.error}\n${USAGE}`);
    return EXIT.USAGE;
  }
  const f = parsed.flags;
  const str = (k: string) => (typeof f.get(k) === 'string' ? (f.get(k) as string) : undefined);
  const usage = (msg: string) => {
    io.err(`lvsctl plan: ${msg}\n${USAGE}`);
    return EXIT.USAGE;
  };
  if (parsed.positionals.length !== 1) return usage('expected exactly one FILE');
  const verbArg = str('verb');
  if (verbArg !== undefined && !(VERBS as readonly string[]).includes(verbArg)) return usage(`--verb must be one of ${VERBS.join(', ')}`);
  const liveFile = str('live');
  const verb: Verb | 'diff' = (verbArg as Verb | undefined) ?? (liveFile ? 'diff' : 'start');
  if (liveFile && verb !== 'diff' && verb !== 'update') return usage(`--live goes with the diff (no --verb) or --verb update, not --verb ${verb}`);
  if (verb === 'update' && (!liveFile || f.get('alive') === undefined)) return usage('--verb update needs --live OUTPUT and --alive HOST,… (may be empty: --alive=)');
  if (f.has('alive') && verb !== 'update') return usage('--alive goes with --verb update');
  if (f.has('graceful') && verb !== 'diff') return usage('--graceful goes with the diff (--live without --verb)');
  if (f.has('addrs') && verb !== 'start' && verb !== 'stop') return usage('--addrs goes with --verb start or stop');
  try {
    const hosts = str('hosts') !== undefined ? parseHosts(str('hosts')!) : {};
    const cluster = await loadCluster(parsed.positionals[0]!);
    const resolve = profileResolver(cluster, hosts);
    const live = liveFile ? await loadLive(liveFile) : undefined;
    const addrs = str('addrs') !== undefined ? await loadAddrs(str('addrs')!) : undefined;
    // Only what was given is observed; the sysctls never are offline, so start always plans them.
    const observed: DirectorObserved | undefined = addrs ? { table: live ?? { services: [] }, addresses: addrs, sysctls: {} } : undefined;
    let plan: Plan;
    let waiting: DrainWaiting[] = [];
    switch (verb) {
      case 'start':
        plan = planStart(cluster, observed, resolve);
        break;
      case 'stop':
        plan = planStop(cluster, observed, resolve);
        break;
      case 'reload':
        plan = planReload(cluster, resolve);
        break;
      case 'status':
        plan = planStatus(cluster);
        break;
      case 'update': {
        const alive = new Set((str('alive') ?? '').split(',').filter(Boolean));
        const known = new Set(cluster.realservers.flatMap((r) => [r.host, ...(r.name ? [r.name] : [])]));
        const unknown = [...alive].filter((h) => !known.has(h));
        if (unknown.length) throw new Stop(`--alive names ${unknown.join(', ')}, not realservers of the profile`, EXIT.USAGE);
        plan = planUpdate(cluster, { table: live!, addresses: [], sysctls: {} }, alive, resolve);
        break;
      }
      case 'diff': {
        const desired = desiredTable(cluster, resolve);
        const graceful = f.has('graceful');
        plan = { verb: 'diff', steps: diffTables(desired, live!, { graceful }), desired };
        if (graceful) waiting = planDrainFollowUp(desired, live!).waiting.filter((w) => w.state !== 'active');
        break;
      }
    }
    if (f.has('json')) {
      const steps = plan.steps.map((s) => ({ ...s, command: shellQuote(s.argv) }));
      io.out(`${JSON.stringify({ verb: plan.verb, cluster: cluster.id, steps, summary: plan.summary ?? [], waiting, ...(plan.desired ? { desired: plan.desired } : {}) }, null, 2)}\n`);
    } else io.out(human(plan, cluster, waiting));
    return EXIT.OK;
  } catch (e) {
    if (e instanceof Stop) {
      io.err(`lvsctl plan: ${e.message}\n`);
      return e.exit;
    }
    if (e instanceof AppError && e.code === 'INVALID_INPUT') {
      io.err(`lvsctl plan: ${e.message}\n`);
      return EXIT.INVALID;
    }
    throw e;
  }
};
export default run;

/**
 * The per-(service, realserver) probe the director runs for the script runtime's `update` (and the console's health):
 * for every enabled realserver, at once and in ONE exec on the director,
 *   - a ping (reported, not a verdict: a realserver that drops ICMP may still serve),
 *   - a TCP connect per TCP service whose check is `connect`,
 *   - an XDMCP Query per UDP service whose check is `xdmcp` (healthy only on a Willing),
 *   - the profile's payload per UDP service whose check is `udp` (healthy when the reply starts with the profile's reply);
 * services whose check is `none` are not probed. A realserver's routes cannot be judged from the director (its replies
 * look fine from here): that is the realserver side's check.
 *
 * The script is a constant; the timeout, ports, payloads and hosts travel only as positional arguments
 * (`sh -c SCRIPT sh T TCPPORTS UDPSPECS HOST…`, quoted by shellQuote), so no profile value is ever script text.
 * Payloads are passed as printf octal escapes built here from validated hex (only `\ooo`), so `printf "$f"` prints
 * exactly those bytes in dash, bash and busybox sh.
 *
 * Tools on the director: ping and timeout (busybox has both); TCP by bash's /dev/tcp, else nc (busybox nc connects);
 * UDP request/reply by bash's /dev/udp (+ dd), else socat; with neither, every UDP check reports `notool` (busybox nc
 * has no -u: Debian's busybox-static 1.35 lacks it), parsed as status `unknown`, never as a failure.
 */
import { effectiveCheck, type Check, type Cluster } from '../../shared/model/cluster.ts';
import { portNumber } from '../../shared/model/well-known-ports.ts';
import { AppError } from '../../shared/result.ts';
import { SERVICE_PROBE_SCRIPT } from '../shell/service-probe-script.ts';
import { decodeReply, encodeQuery, hexToBytes } from './xdmcp.ts';
import { PERL_PROBE_CHUNK } from '../shell/perl-probe-script.ts';

export { PROBE_REPLY_MAX, SERVICE_PROBE_SCRIPT } from '../shell/service-probe-script.ts';

/** One service as probed: where, and how (never `none`: those are listed in `unchecked`). */
export type ProbedService =
  | { protocol: 'tcp'; port: number; check: { kind: 'connect' } }
  | { protocol: 'udp'; port: number; check: { kind: 'xdmcp' } | { kind: 'udp'; payload: string; reply: string } };

/** What one probe run asks: which realservers (profile name + address), which services, how long each check may take. */
export interface ProbePlan {
  hosts: { name: string; address: string }[];
  services: ProbedService[];
  /** Services whose check is `none`: not probed, a realserver always stays in them. */
  unchecked: { protocol: 'tcp' | 'udp'; port: number }[];
  timeoutSec: number;
}

/** "tcp/23": the key of a service in results and maps. */
export function serviceId(s: { protocol: 'tcp' | 'udp'; port: number }): string {
  return `${s.protocol}/${s.port}`;
}

/**
 * The probe for `cluster`: its enabled realservers (name = the profile's `host`, address from `resolve`), its services
 * with their effective checks (effectiveCheck), and the health timeout. Throws INVALID_INPUT for a check that does not
 * fit its protocol (the model refuses those too).
 */
export function planServiceProbe(cluster: Cluster, resolve: (host: string) => string): ProbePlan {
  const hosts = cluster.realservers.filter((r) => r.enabled).map((r) => ({ name: r.host, address: resolve(r.host) }));
  const services: ProbedService[] = [];
  const unchecked: ProbePlan['unchecked'] = [];
  for (const protocol of ['tcp', 'udp'] as const) {
    for (const s of cluster[protocol]) {
      const port = portNumber(s.port, protocol);
      if (port === undefined) throw new AppError('INVALID_INPUT', `${protocol} service '${String(s.port)}' is not a known ${protocol.toUpperCase()} port`);
      const check: Check = effectiveCheck(protocol, s);
      if (check.kind === 'none') unchecked.push({ protocol, port });
      else if (protocol === 'tcp' && check.kind === 'connect') services.push({ protocol, port, check });
      else if (protocol === 'udp' && (check.kind === 'xdmcp' || check.kind === 'udp')) services.push({ protocol, port, check });
      else throw new AppError('INVALID_INPUT', `${protocol} ${port}: a ${check.kind} check does not fit a ${protocol.toUpperCase()} service`);
    }
  }
  return { hosts, services, unchecked, timeoutSec: cluster.health.timeoutSec };
}

/**
 * How long the whole probe of `checks` checks (realservers × services) may take on the director: the checks run at once
 * (the perl probe: PERL_PROBE_CHUNK at a time, each chunk bounded by the timeout), then the realservers none of whose
 * checks answered are pinged for at most the timeout more; 4 s more for the shell, socat's extra second and a slow
 * (TCG) VM.
 */
export function serviceProbeTimeoutMs(plan: { timeoutSec: number; checks?: number }): number {
  const chunks = Math.max(1, Math.ceil((plan.checks ?? 0) / PERL_PROBE_CHUNK));
  return ((chunks + 1) * plan.timeoutSec + 4) * 1000;
}

/** printf octal escapes for bytes ("\000\001…"): the only characters are backslash and digits. */
function octalFormat(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
}

/** The bytes a UDP service's check sends: an XDMCP Query, or the profile's payload. */
export function udpPayload(check: { kind: 'xdmcp' } | { kind: 'udp'; payload: string }): Uint8Array {
  return check.kind === 'xdmcp' ? encodeQuery() : hexToBytes(check.payload);
}

/** argv for the probe (`sh -c SCRIPT sh T TCPPORTS UDPSPECS HOST…`). Hosts must be addresses or names without spaces. */
export function serviceProbeArgv(plan: ProbePlan): string[] {
  const t = plan.timeoutSec;
  if (!Number.isInteger(t) || t < 1 || t > 60) throw new AppError('INVALID_INPUT', `probe: bad timeout ${t}`);
  for (const s of plan.services) if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) throw new AppError('INVALID_INPUT', `probe: bad port ${s.port}`);
  for (const h of plan.hosts) if (!/^[A-Za-z0-9.:_-]+$/.test(h.address)) throw new AppError('INVALID_INPUT', `probe: bad address '${h.address}' for ${h.name}`);
  const tcp = plan.services.filter((s) => s.protocol === 'tcp').map((s) => s.port);
  const udp = plan.services.flatMap((s) => (s.protocol === 'udp' ? [`${s.port}/${octalFormat(udpPayload(s.check))}`] : []));
  return ['sh', '-c', SERVICE_PROBE_SCRIPT, 'sh', String(t), tcp.join(' '), udp.join(' '), ...plan.hosts.map((h) => h.address)];
}

/** How one service did on one realserver. */
export type ServiceVerdict =
  /** the check passed (connect accepted, Willing, expected reply) */
  | 'pass'
  /** the check failed: the realserver should leave this service */
  | 'fail'
  /** the director could not run the check (no UDP tool): keep the realserver as it is, and say so */
  | 'unknown'
  /** the service's check is `none` */
  | 'unchecked';

/** One (service, realserver) result, with a human detail ("Willing: 0 users, load 0.10", "connection refused or timed out"). */
export interface ServiceHealth {
  protocol: 'tcp' | 'udp';
  port: number;
  check: Check['kind'];
  verdict: ServiceVerdict;
  detail: string;
}

/** One realserver's probe: ping (information only) and a verdict per service of the profile. */
export interface RealserverProbe {
  name: string;
  address: string;
  icmp: boolean;
  services: ServiceHealth[];
}

function judgeUdp(s: ProbedService & { protocol: 'udp' }, hex: string, timeoutSec: number): { verdict: ServiceVerdict; detail: string } {
  if (hex === 'noreply') return { verdict: 'fail', detail: `no reply within ${timeoutSec} s (or port unreachable)` };
  if (hex === 'notool') return { verdict: 'unknown', detail: 'not checked: the director has neither bash (/dev/udp) nor socat for a UDP request' };
  const bytes = hexToBytes(hex);
  if (s.check.kind === 'xdmcp') {
    const r = decodeReply(bytes);
    if (r.kind === 'willing') return { verdict: 'pass', detail: `Willing${r.hostname ? ` (${r.hostname})` : ''}${r.status ? `: ${r.status}` : ''}` };
    if (r.kind === 'unwilling') return { verdict: 'fail', detail: `Unwilling${r.hostname ? ` (${r.hostname})` : ''}: ${r.status}` };
    if (r.kind === 'other') return { verdict: 'fail', detail: `XDMCP opcode ${r.opcode} instead of Willing` };
    return { verdict: 'fail', detail: `not an XDMCP answer: ${r.why}` };
  }
  const want = hexToBytes(s.check.reply);
  const ok = bytes.length >= want.length && want.every((b, i) => bytes[i] === b);
  return ok ? { verdict: 'pass', detail: `reply starts with ${s.check.reply}` } : { verdict: 'fail', detail: `reply ${hex.slice(0, 32)}${hex.length > 32 ? '…' : ''} does not start with ${s.check.reply}` };
}

/**
 * Parses the probe's output. Lines, in any order (the checks run in parallel):
 *   ADDR icmp up|down
 *   ADDR tcp PORT up|down|notool
 *   ADDR udp PORT reply HEX | ADDR udp PORT noreply | ADDR udp PORT notool
 * Every host and probed service of the plan must have exactly its line; anything else is a PARSE_ERROR naming the line.
 * Services of `plan.unchecked` come back as `unchecked`. Results are in plan order (hosts, then tcp before udp).
 */
export function parseServiceProbe(text: string, plan: ProbePlan): RealserverProbe[] {
  const byAddr = new Map(plan.hosts.map((h) => [h.address, { icmp: undefined as boolean | undefined, raw: new Map<string, string>() }]));
  const wanted = new Map(plan.services.map((s) => [serviceId(s), s]));
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const bad = (why: string) => new AppError('PARSE_ERROR', `probe output: line ${i + 1}: ${why}: "${line.length > 80 ? `${line.slice(0, 80)}…` : line}"`);
    // ADDR icmp up|down | ADDR tcp PORT up|down|notool | ADDR udp PORT (reply HEX|noreply|notool)
    const m = /^(\S+) (?:icmp (up|down)|tcp (\d+) (up|down|notool)|udp (\d+) (?:reply ([0-9a-f]+)|(noreply|notool)))$/.exec(line);
    if (!m) throw bad('unexpected line');
    const rec = byAddr.get(m[1]!);
    if (!rec) throw bad(`${m[1]} was not probed`);
    if (m[2] !== undefined) {
      if (rec.icmp !== undefined) throw bad('second ping result');
      rec.icmp = m[2] === 'up';
      return;
    }
    const id = m[3] !== undefined ? `tcp/${m[3]}` : `udp/${m[5]}`;
    if (!wanted.has(id)) throw bad(`${id} was not probed`);
    if (rec.raw.has(id)) throw bad(`second result for ${id}`);
    rec.raw.set(id, m[4] ?? m[6] ?? m[7]!);
  });
  return plan.hosts.map((h) => {
    const rec = byAddr.get(h.address)!;
    if (rec.icmp === undefined) throw new AppError('PARSE_ERROR', `probe output: no ping result for ${h.name} (${h.address})`);
    const services: ServiceHealth[] = [];
    for (const protocol of ['tcp', 'udp'] as const) {
      for (const s of plan.services.filter((x) => x.protocol === protocol)) {
        const r = rec.raw.get(serviceId(s));
        if (r === undefined) throw new AppError('PARSE_ERROR', `probe output: no ${serviceId(s)} result for ${h.name} (${h.address})`);
        const j =
          s.protocol === 'tcp'
            ? r === 'up'
              ? { verdict: 'pass' as const, detail: 'connect accepted' }
              : r === 'notool'
                ? { verdict: 'unknown' as const, detail: 'not checked: the director has neither bash (/dev/tcp) nor nc and timeout for a TCP connect' }
                : { verdict: 'fail' as const, detail: `connect refused or no answer within ${plan.timeoutSec} s` }
            : judgeUdp(s, r, plan.timeoutSec);
        services.push({ protocol: s.protocol, port: s.port, check: s.check.kind, ...j });
      }
      for (const u of plan.unchecked.filter((x) => x.protocol === protocol)) services.push({ ...u, check: 'none', verdict: 'unchecked', detail: 'not checked (check: none)' });
    }
    return { name: h.name, address: h.address, icmp: rec.icmp, services };
  });
}

/** Whether a realserver stays in a service after this result: only a failed check takes it out. */
export function keepsService(h: ServiceHealth): boolean {
  return h.verdict !== 'fail';
}

/** For `update`: per service id ("tcp/23"), the names of the realservers that stay in it (see keepsService). */
export function keptByService(results: RealserverProbe[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of results) {
    for (const s of r.services) {
      const id = serviceId(s);
      if (!out.has(id)) out.set(id, new Set());
      if (keepsService(s)) out.get(id)!.add(r.name);
    }
  }
  return out;
}

/**
 * Folds a realserver's route check (done ON the realserver: from the director its replies look fine) into its probe:
 * routes that let its replies bypass the director (`problems`, e.g. the subnet route back after a link flap) fail every
 * service, whatever its own check said, since users who land there get nothing. Unchecked services stay unchecked
 * (check: none means the realserver stays in). No problems (or no route check) = the probe as it is.
 */
export function withRouteProblems(r: RealserverProbe, problems: readonly string[] | undefined): RealserverProbe {
  if (!problems?.length) return r;
  const why = `routes: ${problems.join('; ')}`;
  return { ...r, services: r.services.map((s) => (s.verdict === 'unchecked' ? s : { ...s, verdict: 'fail' as const, detail: s.verdict === 'fail' ? `${s.detail}; ${why}` : why })) };
}

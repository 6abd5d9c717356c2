/**
 * Parser for `ipvsadm -L -n` (also `-l -n`, `-Ln`) in all its column variants: plain, --stats, --rate, --thresholds,
 * --persistent-conn, --tun-info, each with or without --exact, from ipvsadm 1.31 back to the 2.4-era IPVS 0.8.x/1.0.x
 * listings (same banner and titles; fields are separated by blanks, so column widths do not matter). Pure and strict:
 * any line it does not understand is an AppError('PARSE_ERROR', 'line N: …'); nothing is skipped.
 *
 * Formats, from ipvsadm.c (1.31) list_all / print_title / print_service_entry:
 *   banner   "IP Virtual Server version %d.%d.%d (size=%d)"   (absent for `-L -t VIP:PORT`, which lists one service)
 *   titles   two lines naming the columns; they select the variant (see TITLES below)
 *   service  "%-4s %s" proto, ADDR:PORT        or  "FWM  %u" / "FWM  %u IPv6"                         = svc_name
 *            plain/thresholds/persistent-conn/tun-info:
 *              "%s %s" svc_name, sched [" (" sched-flags ")"] [" persistent %u" [" mask %s|%i"] [" pe %s"]] [" ops"]
 *            --stats / --rate: "%-33s" svc_name, then 5 × print_largenum
 *   dest     plain:            "  -> %-28s %-7s %-6d %-10u %-10u"      ADDR:PORT forward weight active inactive
 *            --tun-info:       "  -> %-28s %-7s %-13s %-6d %-10u %-10u" … forward tunnel-info weight active inactive
 *            --stats:          "  -> %-28s" + 5 × print_largenum      conns inpkts outpkts inbytes outbytes
 *            --rate:           "  -> %-28s %8llu %8llu %8llu" + 2 × print_largenum   cps inpps outpps inbps outbps
 *            --thresholds:     "  -> %-28s %-10u %-10u %-10u %-10u"    upper lower active inactive
 *            --persistent-conn:"  -> %-28s %-9u %-11u %-10u %-10u"     weight persistconn active inactive
 * Only numeric output (-n) is accepted: host and service names are truncated by ipvsadm and cannot be planned with.
 */
import { AppError } from '../../../shared/result.ts';
import type {
  IpvsCounters,
  IpvsForward,
  IpvsListedDestination,
  IpvsListedService,
  IpvsProtocol,
  IpvsRates,
} from '../../../shared/model/ipvs.ts';
import { serviceKey, destinationKey } from '../../../shared/model/ipvs.ts';
import { isIpv4, parseEndpoint } from './ipvs-address-parse.ts';
import { parseLargeNum, splitCounterFields } from './ipvs-counters.ts';
import { contentRange, fields, lineError, parseUint, splitLines } from './ipvs-text.ts';

/** Which columns the listing has: the option it was made with. */
export type IpvsListVariant = 'plain' | 'stats' | 'rate' | 'thresholds' | 'persistent-conn' | 'tun-info';

/** A parsed `ipvsadm -L -n` listing. */
export interface IpvsListResult {
  kind: 'list';
  variant: IpvsListVariant;
  /** IPVS version from the banner ("1.2.1", "0.8.2"); absent when the listing had no banner (-L -t VIP:PORT). */
  ipvsVersion?: string;
  /** Connection hash table size from the banner's "(size=N)". */
  connTableSize?: number;
  /** True if any counter was printed with a K/M/G/T suffix, i.e. rounded down (ipvsadm --exact prints exact values). */
  approximate: boolean;
  /** The services in listed order, with only the fields this variant shows. */
  services: IpvsListedService[];
}

/** Variants whose listing carries everything an IpvsTable needs (scheduler, persistence, forward, weight). */
export const COMPLETE_LIST_VARIANTS: readonly IpvsListVariant[] = ['plain', 'tun-info'];

// Banner: "IP Virtual Server version 1.2.1 (size=4096)" (ipvsadm, /proc/net/ip_vs; some builds print no "(size=N)").
const BANNER_RE = /^IP Virtual Server version (\d{1,3}\.\d{1,3}\.\d{1,3})(?: \(size=(\d{1,10})\))?$/;

/** Title lines (blank runs collapsed) → variant. Line 1 "Prot LocalAddress:Port …", line 2 "-> RemoteAddress:Port …". */
const TITLES: Record<string, IpvsListVariant> = {
  'Prot LocalAddress:Port Scheduler Flags|-> RemoteAddress:Port Forward Weight ActiveConn InActConn': 'plain',
  'Prot LocalAddress:Port Scheduler Flags|-> RemoteAddress:Port Forward TunnelInfo Weight ActiveConn InActConn': 'tun-info',
  'Prot LocalAddress:Port Conns InPkts OutPkts InBytes OutBytes|-> RemoteAddress:Port': 'stats',
  'Prot LocalAddress:Port CPS InPPS OutPPS InBPS OutBPS|-> RemoteAddress:Port': 'rate',
  'Prot LocalAddress:Port Uthreshold Lthreshold ActiveConn InActConn|-> RemoteAddress:Port': 'thresholds',
  'Prot LocalAddress:Port Weight PersistConn ActiveConn InActConn|-> RemoteAddress:Port': 'persistent-conn',
};

const PROTOCOLS: Record<string, IpvsProtocol> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };
const FORWARDS: Record<string, IpvsForward> = { Masq: 'masq', Route: 'route', Tunnel: 'tunnel', Local: 'local' };
/** Scheduler flags in the order print_sched_flags writes them. */
export const SCHED_FLAGS = ['sh-fallback', 'sh-port', 'mh-fallback', 'mh-port', 'flag-1', 'flag-2', 'flag-3'] as const;
/** fwd_tun_info's checksum flags (tunflags[]) → the names IpvsDestination.tunType uses. */
const TUN_FLAGS: Record<string, string> = { '-c': 'nocsum', '+c': 'csum', 'r+c': 'remcsum' };

// Scheduler names: rr, wlc, sh, mh, twos, "none" (kernel prints "none" for a service without one) …
const SCHED_RE = /^[a-z][a-z0-9_]{0,15}$/;
// Persistence engine name (IP_VS_PENAME_MAXLEN 16), e.g. "sip".
const PE_RE = /^[A-Za-z0-9_]{1,16}$/;

/** Title lines with blank runs collapsed, joined by "|". */
function titleKey(l1: string, l2: string): string {
  return `${fields(l1).join(' ')}|${fields(l2).join(' ')}`;
}

/** An endpoint or a PARSE_ERROR that says why (names are the usual reason). */
function endpointOrThrow(tok: string, lineNo: number, line: string): { address: string; port: number } {
  const ep = parseEndpoint(tok);
  if (ep) return ep;
  throw lineError(lineNo, `'${tok}' is not a numeric ADDRESS:PORT (list with ipvsadm -n)`, line);
}

/** An unsigned number field or a PARSE_ERROR naming the column. */
function uintOrThrow(tok: string | undefined, what: string, lineNo: number, line: string): number {
  const v = tok === undefined ? NaN : parseUint(tok, 0x7fffffff);
  if (Number.isNaN(v)) throw lineError(lineNo, `${what} '${tok ?? ''}' is not an unsigned number`, line);
  return v;
}

/** The key part of a service line: proto + ADDR:PORT, or FWM n [IPv6]; returns the key and where the rest starts. */
function parseServiceKey(f: string[], lineNo: number, line: string): { key: Omit<IpvsListedService, 'destinations'>; next: number } {
  const head = f[0]!;
  if (head === 'FWM') {
    const mark = parseUint(f[1] ?? '');
    if (!(mark >= 1)) throw lineError(lineNo, `firewall mark '${f[1] ?? ''}' is not a number ≥ 1`, line);
    const v6 = f[2] === 'IPv6';
    return { key: { protocol: 'fwmark', address: '', port: 0, fwmark: mark, family: v6 ? 'inet6' : 'inet' }, next: v6 ? 3 : 2 };
  }
  const protocol = PROTOCOLS[head];
  if (!protocol) throw lineError(lineNo, `expected a service line (TCP, UDP, SCTP or FWM) or a '->' realserver line`, line);
  const ep = endpointOrThrow(f[1] ?? '', lineNo, line);
  return { key: { protocol, address: ep.address, port: ep.port, family: ep.address.includes(':') ? 'inet6' : 'inet' }, next: 2 };
}

/** The rest of a plain service line: sched [(flags)] [persistent N [mask M] [pe NAME]] [ops]. */
function parseServiceTail(svc: Omit<IpvsListedService, 'destinations'>, f: string[], i: number, lineNo: number, line: string): void {
  const sched = f[i++];
  if (sched === undefined || !SCHED_RE.test(sched)) throw lineError(lineNo, `expected a scheduler name, got '${sched ?? ''}'`, line);
  svc.scheduler = sched;
  const flags: string[] = [];
  const fl = f[i];
  if (fl !== undefined && fl.startsWith('(')) {
    if (!fl.endsWith(')') || fl.length < 3) throw lineError(lineNo, `malformed scheduler flags '${fl}'`, line);
    const names = fl.slice(1, -1).split(',');
    let last = -1;
    for (const n of names) {
      const idx = (SCHED_FLAGS as readonly string[]).indexOf(n);
      if (idx <= last) throw lineError(lineNo, `unknown, repeated or misordered scheduler flag '${n}'`, line);
      last = idx;
      flags.push(n);
    }
    i++;
  }
  if (f[i] === 'persistent') {
    const timeout = uintOrThrow(f[i + 1], 'persistence timeout', lineNo, line);
    const persistent: { timeout: number; netmask?: string } = { timeout };
    i += 2;
    if (f[i] === 'mask') {
      const m = f[i + 1] ?? '';
      if (svc.family === 'inet6') {
        const bits = parseUint(m, 128);
        if (Number.isNaN(bits)) throw lineError(lineNo, `IPv6 persistence mask '${m}' is not a prefix length 0–128`, line);
      } else if (!isIpv4(m)) throw lineError(lineNo, `persistence mask '${m}' is not a dotted quad`, line);
      persistent.netmask = m;
      i += 2;
    }
    svc.persistent = persistent;
    if (f[i] === 'pe') {
      const pe = f[i + 1] ?? '';
      if (!PE_RE.test(pe)) throw lineError(lineNo, `persistence engine '${pe}' is not a name`, line);
      svc.persistenceEngine = pe;
      i += 2;
    }
  }
  if (f[i] === 'ops') {
    flags.push('ops');
    i++;
  }
  if (i < f.length) throw lineError(lineNo, `unexpected '${f[i]}' after the service's scheduler and flags`, line);
  if (flags.length) svc.flags = flags;
}

/** Counter fields (print_largenum) → numbers; `plain` counts must have no suffix (the --rate %8llu columns). */
function parseCounters(fs: string[], plain: number, lineNo: number, line: string, state: { approximate: boolean }): number[] {
  const parts = splitCounterFields(fs);
  if (parts.length !== 5) throw lineError(lineNo, `expected 5 counters, found ${parts.length}`, line);
  return parts.map((p, k) => {
    const n = parseLargeNum(p);
    if (!n || (k < plain && !n.exact)) throw lineError(lineNo, `'${p}' is not a counter as ipvsadm prints it`, line);
    if (!n.exact) state.approximate = true;
    return n.value;
  });
}

const toCounters = (v: number[]): IpvsCounters => ({ conns: v[0]!, inPkts: v[1]!, outPkts: v[2]!, inBytes: v[3]!, outBytes: v[4]! });
const toRates = (v: number[]): IpvsRates => ({ cps: v[0]!, inPps: v[1]!, outPps: v[2]!, inBps: v[3]!, outBps: v[4]! });

/** --tun-info's TunnelInfo column ("ipip", "gue:PORT:FLAG", "gre:FLAG", "n/a") → tunType (undefined for ipip / n/a). */
function parseTunInfo(tok: string, forward: IpvsForward, lineNo: number, line: string): string | undefined {
  if (tok === 'n/a') return undefined;
  if (forward !== 'tunnel') throw lineError(lineNo, `tunnel info '${tok}' on a ${forward} realserver`, line);
  if (tok === 'ipip') return undefined;
  const p = tok.split(':');
  if (p[0] === 'gre' && p.length === 2 && TUN_FLAGS[p[1]!]) return `gre:${TUN_FLAGS[p[1]!]}`;
  if (p[0] === 'gue' && p.length === 3 && TUN_FLAGS[p[2]!] && !Number.isNaN(parseUint(p[1]!, 65535))) return `gue:${p[1]}:${TUN_FLAGS[p[2]!]}`;
  throw lineError(lineNo, `unknown tunnel info '${tok}'`, line);
}

/** One "  -> …" line of the given variant. */
function parseDest(variant: IpvsListVariant, f: string[], lineNo: number, line: string, state: { approximate: boolean }): IpvsListedDestination {
  const ep = endpointOrThrow(f[1] ?? '', lineNo, line);
  const d: IpvsListedDestination = { address: ep.address, port: ep.port };
  const want = (n: number) => {
    if (f.length !== n) throw lineError(lineNo, `expected ${n - 2} columns after the realserver address, found ${f.length - 2}`, line);
  };
  switch (variant) {
    case 'plain':
    case 'tun-info': {
      want(variant === 'plain' ? 6 : 7);
      const forward = FORWARDS[f[2]!];
      if (!forward) throw lineError(lineNo, `unknown forwarding method '${f[2]}' (Masq, Route, Tunnel or Local)`, line);
      d.forward = forward;
      let k = 3;
      if (variant === 'tun-info') {
        const t = parseTunInfo(f[3]!, forward, lineNo, line);
        if (t !== undefined) d.tunType = t;
        k = 4;
      }
      d.weight = uintOrThrow(f[k], 'weight', lineNo, line);
      d.activeConns = uintOrThrow(f[k + 1], 'ActiveConn', lineNo, line);
      d.inactiveConns = uintOrThrow(f[k + 2], 'InActConn', lineNo, line);
      return d;
    }
    case 'stats':
      d.stats = toCounters(parseCounters(f.slice(2), 0, lineNo, line, state));
      return d;
    case 'rate':
      d.rate = toRates(parseCounters(f.slice(2), 3, lineNo, line, state));
      return d;
    case 'thresholds':
      want(6);
      d.upperThreshold = uintOrThrow(f[2], 'Uthreshold', lineNo, line);
      d.lowerThreshold = uintOrThrow(f[3], 'Lthreshold', lineNo, line);
      d.activeConns = uintOrThrow(f[4], 'ActiveConn', lineNo, line);
      d.inactiveConns = uintOrThrow(f[5], 'InActConn', lineNo, line);
      return d;
    case 'persistent-conn':
      want(6);
      d.weight = uintOrThrow(f[2], 'weight', lineNo, line);
      d.persistConns = uintOrThrow(f[3], 'PersistConn', lineNo, line);
      d.activeConns = uintOrThrow(f[4], 'ActiveConn', lineNo, line);
      d.inactiveConns = uintOrThrow(f[5], 'InActConn', lineNo, line);
      return d;
  }
}

/**
 * Parses `ipvsadm -L -n [--stats|--rate|--thresholds|--persistent-conn|--tun-info] [--exact]` output. Blank lines are
 * allowed before and after the listing only. Throws AppError('PARSE_ERROR', 'line N: …') for anything else.
 */
export function parseIpvsadmList(text: string): IpvsListResult {
  const lines = splitLines(text);
  const { first, end } = contentRange(lines);
  if (first >= end) throw new AppError('PARSE_ERROR', 'line 1: empty input, expected ipvsadm -L -n output');
  let i = first;
  const result: IpvsListResult = { kind: 'list', variant: 'plain', approximate: false, services: [] };
  const banner = BANNER_RE.exec(lines[i]!.trim());
  if (!banner && lines[i]!.trimStart().startsWith('IP Virtual Server')) throw lineError(i + 1, 'expected "IP Virtual Server version X.Y.Z (size=N)"', lines[i]!);
  if (banner) {
    result.ipvsVersion = banner[1]!;
    if (banner[2] !== undefined) result.connTableSize = Number(banner[2]);
    i++;
  }
  if (i + 2 > end) throw lineError(i + 1, 'expected the two column title lines of ipvsadm -L -n', lines[i] ?? '');
  const l1 = lines[i] ?? '';
  const l2 = lines[i + 1] ?? '';
  const variant = TITLES[titleKey(l1, l2)];
  if (!variant) {
    // Blame the first title line unless it is a known one (then the second is wrong).
    const first = fields(l1).join(' ');
    const which = Object.keys(TITLES).some((k) => k.startsWith(`${first}|`)) ? i + 2 : i + 1;
    throw lineError(which, 'not an ipvsadm -L -n column title', lines[which - 1] ?? '');
  }
  result.variant = variant;
  i += 2;
  const state = { approximate: false };
  const seenServices = new Set<string>();
  let current: IpvsListedService | null = null;
  let seenDests = new Set<string>();
  const counters = variant === 'stats' || variant === 'rate';
  for (; i < end; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    const f = fields(line);
    if (f.length === 0) throw lineError(lineNo, 'blank line inside the listing');
    if (f[0] === '->') {
      if (!current) throw lineError(lineNo, 'realserver line before any service line', line);
      const d = parseDest(variant, f, lineNo, line, state);
      const dk = destinationKey(d);
      if (seenDests.has(dk)) throw lineError(lineNo, `realserver ${dk} listed twice under one service`, line);
      seenDests.add(dk);
      current.destinations.push(d);
      continue;
    }
    const { key, next } = parseServiceKey(f, lineNo, line);
    const svc: IpvsListedService = { ...key, destinations: [] };
    if (counters) {
      const v = parseCounters(f.slice(next), 0, lineNo, line, state);
      if (variant === 'stats') svc.stats = toCounters(v);
      else svc.rate = toRates(v);
    } else parseServiceTail(svc, f, next, lineNo, line);
    const sk = serviceKey(svc);
    if (seenServices.has(sk)) throw lineError(lineNo, `service ${sk} listed twice`, line);
    seenServices.add(sk);
    result.services.push(svc);
    current = svc;
    seenDests = new Set();
  }
  result.approximate = state.approximate;
  return result;
}

/**
 * Parser for /proc/net/ip_vs, the kernel's own listing (hex addresses and ports). Pure and strict.
 *
 * Format, from the kernel's ip_vs_ctl.c ip_vs_info_seq_show (2.6 … 6.x; 2.4's ip_vs_get_info pads every line to 63
 * characters with "%-63s", which only adds trailing blanks):
 *   "IP Virtual Server version %d.%d.%d (size=%d)"
 *   "Prot LocalAddress:Port Scheduler Flags"
 *   "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn"
 *   service  "%s  %08X:%04X %s %s "   proto, ntohl(addr), ntohs(port), sched, "ops " or ""        (IPv4)
 *            "%s  [%pI6]:%04X %s "    proto, addr (8 groups of 4 hex digits), port, sched [" ops"] (IPv6)
 *            "FWM  %08X %s %s"        fwmark, sched, "ops " or ""
 *            then "persistent %d %08X" timeout-in-jiffies, ntohl(netmask) (IPv6: the prefix length), or nothing
 *   dest     "  -> %08X:%04X      %-7s %-6d %-10d %-10d"   addr, port, Masq|Local|Tunnel|Route, weight, active, inactive
 *            "  -> [%pI6]:%04X      %-7s %-6d %-10d %-10d"
 * The persistence timeout is in jiffies (timeout × HZ; 1800 s at HZ=250 shows as 450000): pass the director's HZ to get
 * seconds. The raw jiffies are kept. /proc/net/ip_vs does not show a fwmark service's address family; it is taken from
 * the persistence mask (≤ 128 is an IPv6 prefix length) or the realservers' addresses, and reported in `notes`.
 */
import { AppError } from '../../../shared/result.ts';
import type { IpvsDestination, IpvsForward, IpvsProtocol, IpvsService } from '../../../shared/model/ipvs.ts';
import { destinationKey, serviceKey } from '../../../shared/model/ipvs.ts';
import { parseHexFixed, parseProcEndpoint, u32ToIpv4 } from './ipvs-address-parse.ts';
import { contentRange, fields, lineError, parseUint, splitLines } from './ipvs-text.ts';

/** Options for parsing /proc/net/ip_vs. */
export interface ProcIpVsOptions {
  /** The director kernel's HZ (CONFIG_HZ: 100, 250, 300 or 1000); needed to turn persistence jiffies into seconds. */
  hz?: number;
}

/** A parsed /proc/net/ip_vs. */
export interface IpvsProcResult {
  kind: 'proc';
  ipvsVersion: string;
  connTableSize: number;
  /** The HZ used to convert persistence timeouts (absent if none was given and none was needed). */
  hz?: number;
  /** The table; destinations carry activeConns/inactiveConns. Persistence timeouts are in seconds (jiffies / hz). */
  services: IpvsService[];
  /** The raw persistence timeouts in jiffies, by serviceKey(). */
  persistenceJiffies: Record<string, number>;
  /** What was inferred rather than read (fwmark address families). */
  notes: string[];
}

// "IP Virtual Server version 1.2.1 (size=4096)" (2.4: padded with blanks)
const BANNER_RE = /^IP Virtual Server version (\d{1,3}\.\d{1,3}\.\d{1,3}) \(size=(\d{1,10})\)[ \t]*$/;
// Title lines, blank runs collapsed.
const TITLE1 = 'Prot LocalAddress:Port Scheduler Flags';
const TITLE2 = '-> RemoteAddress:Port Forward Weight ActiveConn InActConn';
// Scheduler name as the kernel registers it ("none" when unbound).
const SCHED_RE = /^[a-z][a-z0-9_]{0,15}$/;

const PROTOCOLS: Record<string, IpvsProtocol> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };
const FORWARDS: Record<string, IpvsForward> = { Masq: 'masq', Route: 'route', Tunnel: 'tunnel', Local: 'local' };

/** A service being read, with what is needed to finish it once its realservers are known. */
interface Pending {
  svc: IpvsService;
  lineNo: number;
  line: string;
  maskValue?: number;
  jiffies?: number;
  dests: Set<string>;
}

/** Parses /proc/net/ip_vs. Throws AppError('PARSE_ERROR', 'line N: …'), or INVALID_INPUT when persistence needs `hz`. */
export function parseProcIpVs(text: string, opts: ProcIpVsOptions = {}): IpvsProcResult {
  const hz = opts.hz;
  if (hz !== undefined && !(Number.isInteger(hz) && hz >= 1 && hz <= 100000)) throw new AppError('INVALID_INPUT', `HZ ${hz} is not a positive integer`);
  const lines = splitLines(text);
  const { first, end } = contentRange(lines);
  if (first >= end) throw new AppError('PARSE_ERROR', 'line 1: empty input, expected /proc/net/ip_vs');
  const banner = BANNER_RE.exec(lines[first]!);
  if (!banner) throw lineError(first + 1, 'expected "IP Virtual Server version X.Y.Z (size=N)"', lines[first]!);
  if (first + 3 > end || fields(lines[first + 1]!).join(' ') !== TITLE1) throw lineError(first + 2, `expected "${TITLE1}"`, lines[first + 1] ?? '');
  if (fields(lines[first + 2]!).join(' ') !== TITLE2) throw lineError(first + 3, `expected "  ${TITLE2}"`, lines[first + 2]!);
  const pending: Pending[] = [];
  let cur: Pending | null = null;
  for (let i = first + 3; i < end; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    const f = fields(line);
    if (f.length === 0) throw lineError(lineNo, 'blank line inside /proc/net/ip_vs');
    if (f[0] === '->') {
      if (!cur) throw lineError(lineNo, 'realserver line before any service line', line);
      if (f.length !== 6) throw lineError(lineNo, `expected 4 columns after the realserver address, found ${f.length - 2}`, line);
      const ep = parseProcEndpoint(f[1]!);
      if (!ep) throw lineError(lineNo, `'${f[1]}' is not a hex ADDRESS:PORT`, line);
      const forward = FORWARDS[f[2]!];
      if (!forward) throw lineError(lineNo, `unknown forwarding method '${f[2]}'`, line);
      const [weight, active, inactive] = [f[3]!, f[4]!, f[5]!].map((x) => parseUint(x, 0x7fffffff));
      if ([weight, active, inactive].some((x) => Number.isNaN(x))) throw lineError(lineNo, 'weight, ActiveConn and InActConn must be unsigned numbers', line);
      const d: IpvsDestination = { address: ep.address, port: ep.port, forward, weight: weight!, activeConns: active!, inactiveConns: inactive! };
      const dk = destinationKey(d);
      if (cur.dests.has(dk)) throw lineError(lineNo, `realserver ${dk} listed twice under one service`, line);
      cur.dests.add(dk);
      cur.svc.destinations.push(d);
      continue;
    }
    let svc: IpvsService;
    let k: number;
    if (f[0] === 'FWM') {
      const mark = parseHexFixed(f[1] ?? '', 8);
      if (!(mark >= 1)) throw lineError(lineNo, `firewall mark '${f[1] ?? ''}' is not 8 hex digits ≥ 1`, line);
      svc = { protocol: 'fwmark', address: '', port: 0, fwmark: mark, family: 'inet', scheduler: '', destinations: [] };
      k = 2;
    } else {
      const protocol = PROTOCOLS[f[0]!];
      if (!protocol) throw lineError(lineNo, 'expected a service line (TCP, UDP, SCTP or FWM) or a "->" realserver line', line);
      const ep = parseProcEndpoint(f[1] ?? '');
      if (!ep) throw lineError(lineNo, `'${f[1] ?? ''}' is not a hex ADDRESS:PORT`, line);
      svc = { protocol, address: ep.address, port: ep.port, family: ep.address.includes(':') ? 'inet6' : 'inet', scheduler: '', destinations: [] };
      k = 2;
    }
    const sched = f[k++];
    if (sched === undefined || !SCHED_RE.test(sched)) throw lineError(lineNo, `expected a scheduler name, got '${sched ?? ''}'`, line);
    svc.scheduler = sched;
    const p: Pending = { svc, lineNo, line, dests: new Set() };
    if (f[k] === 'ops') {
      svc.flags = ['ops'];
      k++;
    }
    if (f[k] === 'persistent') {
      const j = parseUint(f[k + 1] ?? '', 0x7fffffff);
      const mask = parseHexFixed(f[k + 2] ?? '', 8);
      if (Number.isNaN(j) || Number.isNaN(mask)) throw lineError(lineNo, 'expected "persistent JIFFIES NETMASK" (decimal, 8 hex digits)', line);
      p.jiffies = j;
      p.maskValue = mask;
      k += 3;
    }
    if (k !== f.length) throw lineError(lineNo, `unexpected '${f[k]}'`, line);
    pending.push(p);
    cur = p;
  }
  const result: IpvsProcResult = { kind: 'proc', ipvsVersion: banner[1]!, connTableSize: Number(banner[2]), services: [], persistenceJiffies: {}, notes: [] };
  if (hz !== undefined) result.hz = hz;
  const seen = new Set<string>();
  for (const p of pending) {
    const { svc } = p;
    if (svc.protocol === 'fwmark') {
      if (p.maskValue !== undefined) svc.family = p.maskValue <= 128 ? 'inet6' : 'inet';
      else if (svc.destinations.length) svc.family = svc.destinations.every((d) => d.address.includes(':')) ? 'inet6' : 'inet';
      const how = p.maskValue !== undefined ? 'its persistence netmask' : svc.destinations.length ? 'its realservers' : 'nothing (assumed IPv4)';
      result.notes.push(`line ${p.lineNo}: FWM ${svc.fwmark}: address family ${svc.family} taken from ${how}`);
    }
    if (p.jiffies !== undefined) {
      if (hz === undefined) {
        throw new AppError('INVALID_INPUT', `line ${p.lineNo}: persistence timeout is ${p.jiffies} jiffies; give the director's HZ to convert it to seconds`, {
          detail: { line: p.lineNo },
        });
      }
      const seconds = p.jiffies / hz;
      if (!Number.isInteger(seconds) || seconds < 1) throw lineError(p.lineNo, `persistence timeout ${p.jiffies} jiffies is not a whole number of seconds at HZ=${hz}`, p.line);
      svc.persistent = { timeout: seconds };
      const m = p.maskValue!;
      if (svc.family === 'inet6') {
        if (m > 128) throw lineError(p.lineNo, `IPv6 persistence prefix length ${m} is over 128`, p.line);
        if (m !== 128) svc.persistent.netmask = String(m);
      } else if (m !== 0xffffffff) svc.persistent.netmask = u32ToIpv4(m);
      result.persistenceJiffies[serviceKey(svc)] = p.jiffies;
    }
    const sk = serviceKey(svc);
    if (seen.has(sk)) throw lineError(p.lineNo, `service ${sk} listed twice`, p.line);
    seen.add(sk);
    result.services.push(svc);
  }
  return result;
}

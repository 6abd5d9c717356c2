/**
 * Parser for the connection table, `ipvsadm -L -n -c` (with or without --persistent-conn). Pure, strict and fast: a busy
 * director lists 100,000+ entries, so entry lines are read in place in the one input string (no per-line split, field
 * array or regex), IPv4 addresses are decoded while scanned, and names and the virtual/destination endpoints (a few
 * VIPs and realservers, repeated on every line) are shared between entries: shared endpoints are frozen, the result is
 * a value not to be mutated. A line the fast path does not accept is re-read field by field to say what is
 * wrong with it.
 *
 * Format, from ipvsadm.c (1.31) list_conn / print_conn:
 *   "IPVS connection entries"
 *   "pro expire %-11s %-18s %-18s %s"              state source virtual destination
 *   "pro expire %-11s %-18s %-18s %-18s %-16s %s"  … destination "pe name" pe_data      (--persistent-conn)
 *   entry: "%-3s %-6s %-11s %-18s %-18s %s"        PROTO MM:SS STATE SRC:PORT VIP:PORT RIP:PORT
 *          "%-3s %-6s %-11s %-18s %-18s %-16s %-18s %s"  + PE_NAME PE_DATA   (--persistent-conn, entries that have them)
 *   MM:SS is "%02d:%02d" of the seconds left (minutes may exceed 99); addresses as -n prints them ([IPv6]:port).
 *   PROTO is the kernel's protocol name (TCP, UDP, SCTP, and IP for fwmark persistence templates); STATE is e.g.
 *   ESTABLISHED, SYN_RECV, FIN_WAIT, TIME_WAIT, CLOSE, NONE (templates), ASSURED, UDP.
 */
import { AppError } from '../../shared/result.ts';
import type { IpvsConnection } from '../../shared/model/ipvs.ts';
import { parseEndpoint } from './ipvs-address-parse.ts';
import { fields, isBlank, lineError } from './ipvs-text.ts';

/** A parsed connection table. */
export interface IpvsConnectionsResult {
  kind: 'connections';
  /** True when the title had the --persistent-conn columns ("pe name", "pe_data"). */
  persistentConn: boolean;
  connections: IpvsConnection[];
}

// Banner: "IPVS connection entries"
const BANNER = 'IPVS connection entries';
// Titles with blank runs collapsed: "pro expire state source virtual destination" [+ " pe name pe_data"]
const TITLE = 'pro expire state source virtual destination';
const TITLE_PE = 'pro expire state source virtual destination pe name pe_data';

/** True for a protocol or state name the kernel prints: letters, digits, '_' and '!' ("ERR!"), 1–16 chars. */
function isName(s: string): boolean {
  if (s.length === 0 || s.length > 16) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 33;
    if (!ok) return false;
  }
  return true;
}

/** "%02d:%02d" minutes:seconds → seconds, or NaN. */
function parseExpire(s: string): number {
  const colon = s.length - 3;
  if (colon < 2 || s.charCodeAt(colon) !== 58) return NaN;
  let m = 0;
  for (let i = 0; i < colon; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    m = m * 10 + d;
  }
  if (colon > 2 && s.charCodeAt(0) === 48) return NaN; // "%02d" pads to two digits only
  const s1 = s.charCodeAt(colon + 1) - 48;
  const s2 = s.charCodeAt(colon + 2) - 48;
  if (s1 < 0 || s1 > 5 || s2 < 0 || s2 > 9) return NaN;
  return m * 60 + s1 * 10 + s2;
}

/** Reads entry lines out of one text, sharing repeated values: names by spelling, VIP/realserver endpoints by value. */
class EntryReader {
  /** Virtual/destination IPv4 address (as a signed 32-bit int) → the first (frozen) endpoint seen with it. */
  private readonly shared = new Map<number, Readonly<{ address: string; port: number }>>();
  /** Protocol/state names by a hash of their characters (checked against the text on every hit). */
  private readonly names = new Map<number, string>();
  /** Field boundaries of the line being read (start, end pairs). */
  private readonly b = new Int32Array(20);
  constructor(private readonly text: string) {}

  /** A name field (protocol or state) in [s, e): letters, digits, '_' and '!', 1–16 chars; shared string or null. */
  private name(s: number, e: number): string | null {
    const t = this.text;
    const len = e - s;
    if (len < 1 || len > 16) return null;
    let h = len;
    for (let i = s; i < e; i++) {
      const c = t.charCodeAt(i);
      if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 33)) return null;
      h = (Math.imul(h, 31) + c) | 0;
    }
    const known = this.names.get(h);
    if (known !== undefined && known.length === len && t.startsWith(known, s)) return known;
    const str = t.slice(s, e);
    this.names.set(h, str);
    return str;
  }

  /** "%02d:%02d" in [s, e) → seconds, or -1. */
  private expire(s: number, e: number): number {
    const t = this.text;
    const colon = e - 3;
    if (colon - s < 2 || t.charCodeAt(colon) !== 58 || (colon - s > 2 && t.charCodeAt(s) === 48)) return -1;
    let m = 0;
    for (let i = s; i < colon; i++) {
      const d = t.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return -1;
      m = m * 10 + d;
    }
    const s1 = t.charCodeAt(colon + 1) - 48;
    const s2 = t.charCodeAt(colon + 2) - 48;
    if (s1 < 0 || s1 > 5 || s2 < 0 || s2 > 9) return -1;
    return m * 60 + s1 * 10 + s2;
  }

  /**
   * "A.B.C.D:PORT" in [s, e), decoded while scanned (inet_ntop form only); "[V6]:PORT" via parseEndpoint; else null.
   * With `share` (virtual and destination columns, which repeat a few VIPs and realservers) the address string and,
   * for the same port, the frozen endpoint object are shared between entries.
   */
  private endpoint(s: number, e: number, share: boolean): Readonly<{ address: string; port: number }> | null {
    const t = this.text;
    if (t.charCodeAt(s) === 91) return parseEndpoint(t.slice(s, e));
    let octets = 0;
    let v = 0;
    let digits = 0;
    let addr = 0;
    let i = s;
    for (; i < e; i++) {
      const c = t.charCodeAt(i);
      if (c === 46 || c === 58) {
        if (digits === 0 || v > 255) return null;
        addr = (addr << 8) | v;
        octets++;
        if (c === 58) break;
        v = 0;
        digits = 0;
        continue;
      }
      const d = c - 48;
      if (d < 0 || d > 9 || (digits === 1 && v === 0)) return null;
      v = v * 10 + d;
      digits++;
    }
    const plen = e - i - 1;
    if (octets !== 4 || plen < 1 || plen > 5 || (plen > 1 && t.charCodeAt(i + 1) === 48)) return null;
    let port = 0;
    for (let k = i + 1; k < e; k++) {
      const d = t.charCodeAt(k) - 48;
      if (d < 0 || d > 9) return null;
      port = port * 10 + d;
    }
    if (port > 65535) return null;
    if (!share) return { address: t.slice(s, i), port };
    const known = this.shared.get(addr);
    if (known === undefined) {
      const ep = Object.freeze({ address: t.slice(s, i), port });
      this.shared.set(addr, ep);
      return ep;
    }
    return known.port === port ? known : { address: known.address, port };
  }

  /** The entry on [s, e) of the text, or null if the fast path does not accept it. */
  entry(s: number, e: number, pe: boolean): IpvsConnection | null {
    const t = this.text;
    const b = this.b;
    let nf = 0;
    let i = s;
    while (i < e) {
      let c = t.charCodeAt(i);
      while (i < e && (c === 32 || c === 9)) c = t.charCodeAt(++i);
      if (i >= e) break;
      if (nf === 9) return null;
      b[nf * 2] = i;
      while (i < e && c !== 32 && c !== 9) c = t.charCodeAt(++i);
      b[nf * 2 + 1] = i;
      nf++;
    }
    if (nf !== 6 && !(pe && nf === 8)) return null;
    const protocol = this.name(b[0]!, b[1]!);
    const expires = this.expire(b[2]!, b[3]!);
    const state = this.name(b[4]!, b[5]!);
    if (protocol === null || state === null || expires < 0) return null;
    const source = this.endpoint(b[6]!, b[7]!, false);
    const virtual = source && this.endpoint(b[8]!, b[9]!, true);
    const destination = virtual && this.endpoint(b[10]!, b[11]!, true);
    if (!destination) return null;
    if (nf === 8) {
      return { protocol, expires, state, source: source!, virtual: virtual!, destination, peName: t.slice(b[12]!, b[13]!), peData: t.slice(b[14]!, b[15]!) };
    }
    return { protocol, expires, state, source: source!, virtual: virtual!, destination };
  }
}

/** One entry line read field by field; throws the PARSE_ERROR that says what is wrong with it (or returns it). */
function checkedEntry(line: string, lineNo: number, persistentConn: boolean): IpvsConnection {
  const f = fields(line);
  if (f.length !== 6 && !(persistentConn && f.length === 8)) {
    throw lineError(lineNo, f.length === 0 ? 'blank line inside the connection table' : `expected ${persistentConn ? '6 or 8' : '6'} fields, found ${f.length}`, line);
  }
  const protocol = f[0]!;
  if (!isName(protocol)) throw lineError(lineNo, `'${protocol}' is not a protocol name`, line);
  const expires = parseExpire(f[1]!);
  if (Number.isNaN(expires)) throw lineError(lineNo, `expire '${f[1]}' is not MM:SS`, line);
  const state = f[2]!;
  if (!isName(state)) throw lineError(lineNo, `'${state}' is not a connection state`, line);
  const source = parseEndpoint(f[3]!);
  if (!source) throw lineError(lineNo, `source '${f[3]}' is not a numeric ADDRESS:PORT (list with ipvsadm -n)`, line);
  const virtual = parseEndpoint(f[4]!);
  if (!virtual) throw lineError(lineNo, `virtual '${f[4]}' is not a numeric ADDRESS:PORT (list with ipvsadm -n)`, line);
  const destination = parseEndpoint(f[5]!);
  if (!destination) throw lineError(lineNo, `destination '${f[5]}' is not a numeric ADDRESS:PORT (list with ipvsadm -n)`, line);
  const c: IpvsConnection = { protocol, expires, state, source, virtual, destination };
  if (f.length === 8) {
    c.peName = f[6]!;
    c.peData = f[7]!;
  }
  return c;
}

/** Parses `ipvsadm -L -n -c [--persistent-conn]`. Throws AppError('PARSE_ERROR', 'line N: …') on any line it does not understand. */
export function parseIpvsadmConnections(text: string): IpvsConnectionsResult {
  const n = text.length;
  let pos = 0;
  let lineNo = 0;
  /** The next line as [start, end) without its "\r\n"/"\n"; advances pos and lineNo. */
  const next = (): [number, number] => {
    const s = pos;
    let e = text.indexOf('\n', pos);
    if (e < 0) e = n;
    pos = e + 1;
    lineNo++;
    return [s, e > s && text.charCodeAt(e - 1) === 13 ? e - 1 : e];
  };
  let [s, e] = [0, 0];
  do [s, e] = next();
  while (pos <= n && isBlank(text.slice(s, e)));
  if (isBlank(text.slice(s, e))) throw new AppError('PARSE_ERROR', 'line 1: empty input, expected ipvsadm -L -n -c output');
  if (text.slice(s, e).trim() === BANNER) [s, e] = pos <= n ? next() : [n, n];
  const title = fields(text.slice(s, e)).join(' ');
  if (title !== TITLE && title !== TITLE_PE) throw lineError(lineNo, 'expected the ipvsadm -L -n -c title "pro expire state source virtual destination"', text.slice(s, e));
  const persistentConn = title === TITLE_PE;
  const reader = new EntryReader(text);
  const connections: IpvsConnection[] = [];
  while (pos <= n) {
    [s, e] = next();
    const c = reader.entry(s, e, persistentConn);
    if (c) {
      connections.push(c);
      continue;
    }
    const line = text.slice(s, e);
    if (isBlank(line) && isBlank(text.slice(pos))) break; // blank lines after the table
    connections.push(checkedEntry(line, lineNo, persistentConn));
  }
  return { kind: 'connections', persistentConn, connections };
}

/**
 * Parser for the connection table, `ipvsadm -L -n -c` (with or without --persistent-conn). Pure, strict and fast: a busy
 * director lists 100,000+ entries, so entry lines are read in one pass over the text's bytes (no per-line split, field
 * array or regex; a typed array reads several times faster than charCodeAt), each field decoded as it is scanned, and
 * names and the virtual/destination endpoints (a few VIPs and realservers, repeated on every line) are shared between
 * entries: shared endpoints are frozen, the result is a value not to be mutated. A line the fast path does not accept
 * is re-read field by field (checkedEntry) to say what is wrong with it; a property test holds the two readers equal.
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
import { AppError } from '../../../shared/result.ts';
import type { IpvsConnection } from '../../../shared/model/ipvs.ts';
import { parseEndpoint, type Endpoint } from './ipvs-address-parse.ts';
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

/**
 * The text's UTF-16 units as bytes, index for index, plus a final "\n" (so the scanner never reads past the end): ASCII
 * as itself (one TextEncoder call in the usual case), any other unit as 0xFF, which no fast-path name, number or
 * address accepts, so such a line goes to the field-by-field reader (pe_data keeps its characters: it is sliced).
 */
function asciiBytes(text: string): Uint8Array {
  const n = text.length;
  const u = new Uint8Array(n + 1);
  const { read, written } = new TextEncoder().encodeInto(text, u);
  if (read !== n || written !== n) {
    // some unit is not ASCII (UTF-8 took more than one byte for it): map unit by unit instead
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      u[i] = c < 128 ? c : 0xff;
    }
  }
  u[n] = 10;
  return u;
}

/** 1 for the characters of a protocol or state name: letters, digits, '_' and '!' ("ERR!"). */
const NAME_CHAR = new Uint8Array(256);
for (let c = 0; c < 256; c++) NAME_CHAR[c] = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 33 ? 1 : 0;

/**
 * Values by IPv4 address (a signed 32-bit int), in an open-addressing table: a Map would box the addresses from
 * 64.0.0.0 to 191.255.255.255, which do not fit a small integer. Fibonacci hashing takes the product's high bits, so
 * addresses that differ only in their upper octets (10.1.0.5, 10.2.0.5) still spread.
 */
class AddressTable<T> {
  private keys = new Int32Array(64);
  private values: (T | undefined)[] = new Array<T | undefined>(64).fill(undefined);
  private shift = 32 - 6;
  private size = 0;

  /** The value stored for addr, if any. */
  get(addr: number): T | undefined {
    const mask = this.keys.length - 1;
    for (let h = Math.imul(addr, 0x9e3779b1) >>> this.shift; ; h = (h + 1) & mask) {
      const v = this.values[h];
      if (v === undefined || this.keys[h] === addr) return v;
    }
  }

  /** Stores v for addr (not present yet). */
  set(addr: number, v: T): void {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    this.place(addr, v);
    this.size++;
  }

  private place(addr: number, v: T): void {
    const mask = this.keys.length - 1;
    let h = Math.imul(addr, 0x9e3779b1) >>> this.shift;
    while (this.values[h] !== undefined) h = (h + 1) & mask;
    this.keys[h] = addr;
    this.values[h] = v;
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Int32Array(keys.length * 2);
    this.values = new Array<T | undefined>(keys.length * 2).fill(undefined);
    this.shift--;
    for (let i = 0; i < keys.length; i++) if (values[i] !== undefined) this.place(keys[i]!, values[i]!);
  }
}

/**
 * Reads entry lines out of one text in a single pass over its bytes, each field decoded as it is scanned, sharing
 * repeated values: names by spelling, VIP/realserver endpoints by value (the first one seen, frozen).
 */
class EntryReader {
  /** Virtual/destination endpoints seen so far, by IPv4 address. */
  private readonly shared = new AddressTable<Readonly<Endpoint>>();
  /** Virtual/destination IPv6 endpoints seen so far, by their text ("[2001:db8::1]:23"). */
  private readonly shared6 = new Map<string, Readonly<Endpoint>>();
  /** Protocol/state names seen so far (a table has a handful): their hashes, where each was first seen, the strings. */
  private readonly nameHash: number[] = [];
  private readonly nameAt: number[] = [];
  private readonly nameStr: string[] = [];
  /** The text's characters as bytes, index for index, with a "\n" after the last (see asciiBytes). */
  private readonly u: Uint8Array;
  /** Where the scanner stopped: after entry() accepted a line, the index of its "\n" (or of its "\r\n"). */
  end = 0;
  constructor(private readonly text: string) {
    this.u = asciiBytes(text);
  }

  /** The name in [s, e) with hash h: the string seen first with the same characters, or a new one. */
  private name(s: number, e: number, h: number): string {
    const u = this.u;
    const len = e - s;
    for (let j = 0; j < this.nameHash.length; j++) {
      if (this.nameHash[j] !== h || this.nameStr[j]!.length !== len) continue;
      const at = this.nameAt[j]!;
      let k = 0;
      while (k < len && u[at + k] === u[s + k]) k++;
      if (k === len) return this.nameStr[j]!;
    }
    const str = this.text.slice(s, e);
    if (this.nameHash.length < 64) {
      this.nameHash.push(h);
      this.nameAt.push(s);
      this.nameStr.push(str);
    }
    return str;
  }

  /** The shared endpoint for IPv4 `addr` (as an int) and `port`: the first one seen with that address (frozen), made from the text [s, e). */
  private shareEndpoint(addr: number, port: number, s: number, e: number): Readonly<Endpoint> {
    const known = this.shared.get(addr);
    if (known === undefined) {
      const ep = Object.freeze({ address: this.text.slice(s, e), port });
      this.shared.set(addr, ep);
      return ep;
    }
    return known.port === port ? known : { address: known.address, port };
  }

  /** Index after the blanks (space, tab) from i on; -1 if there is none at i. */
  private blanks(i: number): number {
    const u = this.u;
    let c = u[i]!;
    if (c !== 32 && c !== 9) return -1;
    do c = u[++i]!;
    while (c === 32 || c === 9);
    return i;
  }

  /** Index of the end of the field starting at i: the next blank, "\n" or "\r\n". */
  private fieldEnd(i: number): number {
    const u = this.u;
    for (;;) {
      const c = u[i]!;
      if (c === 32 || c === 9 || c === 10 || (c === 13 && u[i + 1] === 10)) return i;
      i++;
    }
  }

  /** True when i is at the end of a line ("\n" or "\r\n"). */
  private eol(i: number): boolean {
    const c = this.u[i]!;
    return c === 10 || (c === 13 && this.u[i + 1] === 10);
  }

  /**
   * A decimal number at i as printf's %u prints it (no leading zero but "0" itself), of at most `digits` digits and
   * not over `max`; this.end is set after its digits. -1 if there is none.
   */
  private decimal(i: number, digits: number, max: number): number {
    const u = this.u;
    let v = u[i]! - 48;
    if (v < 0 || v > 9) return -1;
    i++;
    if (v !== 0) {
      for (let k = 1; k < digits; k++) {
        const d = u[i]! - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
        i++;
      }
    }
    this.end = i;
    return v > max ? -1 : v;
  }

  /**
   * "A.B.C.D:PORT" at i, decoded while scanned (inet_ntop form only), or "[V6]:PORT" via parseEndpoint; sets
   * this.end to the index after it. Null if the field is neither. `share`: see shareEndpoint.
   */
  private endpoint(i: number, share: boolean): Readonly<Endpoint> | null {
    const u = this.u;
    const s = i;
    if (u[i] === 91) {
      const e = this.fieldEnd(i);
      this.end = e;
      const field = this.text.slice(s, e);
      if (!share) return parseEndpoint(field);
      let ep = this.shared6.get(field);
      if (ep === undefined) {
        const parsed = parseEndpoint(field);
        if (parsed === null) return null;
        ep = Object.freeze(parsed);
        this.shared6.set(field, ep);
      }
      return ep;
    }
    let addr = 0;
    for (let octet = 0; octet < 4; octet++) {
      const v = this.decimal(i, 3, 255);
      if (v < 0) return null;
      i = this.end;
      if (u[i] !== (octet === 3 ? 58 : 46)) return null;
      addr = (addr << 8) | v;
      i++;
    }
    const colon = i - 1;
    const port = this.decimal(i, 5, 65535);
    if (port < 0) return null;
    i = this.end;
    const c = u[i];
    if (!(c === 32 || c === 9 || c === 10 || (c === 13 && u[i + 1] === 10))) return null;
    this.end = i;
    return share ? this.shareEndpoint(addr, port, s, colon) : { address: this.text.slice(s, colon), port };
  }

  /** The entry line starting at s, or null if the fast path does not accept it; on success this.end is its line end. */
  entry(s: number, pe: boolean): IpvsConnection | null {
    const u = this.u;
    // PROTO
    let i = s;
    let h = 0;
    while (NAME_CHAR[u[i]!] === 1) h = (Math.imul(h, 31) + u[i++]!) | 0;
    if (i - s < 1 || i - s > 16) return null;
    const protocol = this.name(s, i, h);
    // MM:SS ("%02d:%02d"; minutes may have more digits but no leading zero beyond two)
    i = this.blanks(i);
    if (i < 0) return null;
    const es = i;
    let m = 0;
    let c = u[i]!;
    while (c >= 48 && c <= 57) {
      m = m * 10 + c - 48;
      c = u[++i]!;
    }
    if (i - es < 2 || c !== 58 || (i - es > 2 && u[es] === 48)) return null;
    const s1 = u[i + 1]! - 48;
    const s2 = u[i + 2]! - 48;
    if (s1 < 0 || s1 > 5 || s2 < 0 || s2 > 9) return null;
    const expires = m * 60 + s1 * 10 + s2;
    i = this.blanks(i + 3);
    if (i < 0) return null;
    // STATE
    const ss = i;
    h = 0;
    while (NAME_CHAR[u[i]!] === 1) h = (Math.imul(h, 31) + u[i++]!) | 0;
    if (i - ss < 1 || i - ss > 16) return null;
    const state = this.name(ss, i, h);
    // SOURCE VIRTUAL DESTINATION
    i = this.blanks(i);
    if (i < 0) return null;
    const source = this.endpoint(i, false);
    if (source === null || (i = this.blanks(this.end)) < 0) return null;
    const virtual = this.endpoint(i, true);
    if (virtual === null || (i = this.blanks(this.end)) < 0) return null;
    const destination = this.endpoint(i, true);
    if (destination === null) return null;
    i = this.end;
    let c2 = u[i]!;
    while (c2 === 32 || c2 === 9) c2 = u[++i]!;
    if (this.eol(i)) {
      this.end = i;
      return { protocol, expires, state, source, virtual, destination };
    }
    // PE_NAME PE_DATA (--persistent-conn)
    if (!pe) return null;
    const ps = i;
    const pn = this.fieldEnd(i);
    i = this.blanks(pn);
    if (i < 0 || this.eol(i)) return null;
    const ds = i;
    const dn = this.fieldEnd(i);
    i = dn;
    c2 = u[i]!;
    while (c2 === 32 || c2 === 9) c2 = u[++i]!;
    if (!this.eol(i)) return null;
    this.end = i;
    return { protocol, expires, state, source, virtual, destination, peName: this.text.slice(ps, pn), peData: this.text.slice(ds, dn) };
  }
}

/**
 * One entry line read field by field; throws the PARSE_ERROR that says what is wrong with it (or returns it). The
 * reference the fast reader must agree with (a property test compares the two on random and mutated lines).
 */
export function checkedEntry(line: string, lineNo: number, persistentConn: boolean): IpvsConnection {
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
    const c = reader.entry(pos, persistentConn);
    if (c) {
      connections.push(c);
      pos = text.indexOf('\n', reader.end) + 1 || n + 1;
      lineNo++;
      continue;
    }
    [s, e] = next();
    const line = text.slice(s, e);
    if (isBlank(line) && isBlank(text.slice(pos))) break; // blank lines after the table
    connections.push(checkedEntry(line, lineNo, persistentConn));
  }
  return { kind: 'connections', persistentConn, connections };
}

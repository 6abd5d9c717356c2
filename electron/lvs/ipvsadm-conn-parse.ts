/**
 * Parser for the connection table, `ipvsadm -L -n -c` (with or without --persistent-conn). Pure, strict and fast: the
 * text is split into lines once and each line into fields by hand (no regex per line), since a busy director lists
 * 100,000+ entries.
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
import { contentRange, fields, lineError, splitLines } from './ipvs-text.ts';

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

/** Parses `ipvsadm -L -n -c [--persistent-conn]`. Throws AppError('PARSE_ERROR', 'line N: …') on any line it does not understand. */
export function parseIpvsadmConnections(text: string): IpvsConnectionsResult {
  const lines = splitLines(text);
  const { first, end } = contentRange(lines);
  if (first >= end) throw new AppError('PARSE_ERROR', 'line 1: empty input, expected ipvsadm -L -n -c output');
  let i = first;
  if (lines[i]!.trim() === BANNER) i++;
  const title = i < end ? fields(lines[i]!).join(' ') : '';
  if (title !== TITLE && title !== TITLE_PE) throw lineError(i + 1, 'expected the ipvsadm -L -n -c title "pro expire state source virtual destination"', lines[i] ?? '');
  const persistentConn = title === TITLE_PE;
  i++;
  const connections: IpvsConnection[] = new Array(end - i);
  let n = 0;
  for (; i < end; i++) {
    const line = lines[i]!;
    const f = fields(line);
    const lineNo = i + 1;
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
    connections[n++] = c;
  }
  connections.length = n;
  return { kind: 'connections', persistentConn, connections };
}

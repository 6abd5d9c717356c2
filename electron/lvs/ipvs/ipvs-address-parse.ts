/**
 * Addresses as ipvsadm and the kernel print them, parsed strictly and without regexes (hot path of the 100,000-line
 * connection table):
 *   ipvsadm -n (addrport_to_anyname, FMT_NUMERIC):  "%s:%u" IPv4 (inet_ntop)   |  "[%s]:%u" IPv6 (inet_ntop)
 *   /proc/net/ip_vs:                                "%08X:%04X" IPv4 (ntohl/ntohs) | "[%pI6]:%04X" IPv6 (8 groups, 4 hex digits)
 * IPv6 results are always the canonical text glibc's inet_ntop prints (lower case, longest zero run of ≥ 2 groups as
 * "::", "::ffff:a.b.c.d" / "::a.b.c.d" for mapped/compatible addresses), so the same address always compares equal.
 */
import { parseUint } from './ipvs-text.ts';

/** True for a dotted quad as inet_ntop prints it: four decimal octets 0–255 without leading zeros. */
export function isIpv4(s: string): boolean {
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let parts = 0;
  let v = 0;
  let digits = 0;
  for (let i = 0; i <= n; i++) {
    const c = i === n ? 46 : s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || v > 255) return false;
      parts++;
      v = 0;
      digits = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return false;
    if (digits === 1 && v === 0) return false; // leading zero
    v = v * 10 + d;
    digits++;
  }
  return parts === 4;
}

/**
 * The 8 16-bit groups of an IPv6 address in any valid text form (hex groups of 1–4 digits, one "::", an optional
 * trailing dotted quad), or null. One pass over the characters, no intermediate strings.
 */
export function ipv6Groups(s: string): number[] | null {
  const n = s.length;
  if (n < 2 || n > 45) return null;
  const g: number[] = [];
  let gap = -1; // index in g where "::" stands
  let i = 0;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return null;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    if (g.length >= 8) return null;
    const start = i;
    let v = 0;
    while (i < n && i - start < 5) {
      const c = s.charCodeAt(i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) break;
      v = v * 16 + d;
      i++;
    }
    if (i < n && s.charCodeAt(i) === 46) {
      // trailing dotted quad: takes two groups and must end the text
      if (!isIpv4(s.slice(start))) return null;
      const o = s.slice(start).split('.').map(Number);
      g.push((o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!);
      i = n;
      break;
    }
    const len = i - start;
    if (len < 1 || len > 4) return null;
    g.push(v);
    if (i === n) break;
    if (s.charCodeAt(i) !== 58) return null;
    i++;
    if (i < n && s.charCodeAt(i) === 58) {
      if (gap >= 0) return null;
      gap = g.length;
      i++;
    } else if (i === n) return null; // trailing single ":"
  }
  if (gap < 0) return g.length === 8 ? g : null;
  if (g.length > 7) return null;
  const fill = new Array<number>(8 - g.length).fill(0);
  return [...g.slice(0, gap), ...fill, ...g.slice(gap)];
}

/** The groups as glibc inet_ntop writes them (RFC 5952 style, with its IPv4-mapped/compatible special cases). */
export function formatIpv6(g: number[]): string {
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && g[5] === 0xffff))) {
      out += `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
      break;
    }
    out += g[i]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** The canonical inet_ntop text of an IPv6 address, or null if `s` is not one. */
export function canonicalIpv6(s: string): string | null {
  const g = ipv6Groups(s);
  return g ? formatIpv6(g) : null;
}

/** An address as printed by `ipvsadm -n`: IPv4 kept as is, IPv6 made canonical; null if it is neither. */
export function canonicalAddress(s: string): string | null {
  if (isIpv4(s)) return s;
  return s.includes(':') ? canonicalIpv6(s) : null;
}

/** Address and port of an endpoint. */
export interface Endpoint {
  address: string;
  port: number;
}

/** "A.B.C.D:PORT" or "[IPV6]:PORT" (ipvsadm -n) → endpoint, or null. Port 0–65535, decimal. */
export function parseEndpoint(s: string): Endpoint | null {
  const colon = s.lastIndexOf(':');
  if (colon <= 0) return null;
  const port = parseUint(s.slice(colon + 1), 65535);
  if (Number.isNaN(port)) return null;
  if (s.charCodeAt(0) === 91) {
    // [v6]:port
    if (s.charCodeAt(colon - 1) !== 93) return null;
    const a = canonicalIpv6(s.slice(1, colon - 1));
    return a === null ? null : { address: a, port };
  }
  const a = s.slice(0, colon);
  return isIpv4(a) ? { address: a, port } : null;
}

/** Value of exactly `len` upper-case hex digits (as the kernel's %0NX prints), or NaN. */
export function parseHexFixed(s: string, len: number): number {
  if (s.length !== len) return NaN;
  let v = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return NaN;
    v = v * 16 + d;
  }
  return v;
}

/** A 32-bit value as a dotted quad (host order, as /proc/net/ip_vs prints ntohl(addr)). */
export function u32ToIpv4(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** "%08X:%04X" or "[%pI6]:%04X" (/proc/net/ip_vs) → endpoint with a canonical address, or null. */
export function parseProcEndpoint(s: string): Endpoint | null {
  const colon = s.lastIndexOf(':');
  if (colon <= 0) return null;
  const port = parseHexFixed(s.slice(colon + 1), 4);
  if (Number.isNaN(port)) return null;
  if (s.charCodeAt(0) === 91) {
    if (s.charCodeAt(colon - 1) !== 93) return null;
    const inner = s.slice(1, colon - 1);
    // %pI6: eight groups of exactly four hex digits (lower case in the kernel's hex_asc), no "::".
    const parts = inner.split(':');
    if (parts.length !== 8) return null;
    const groups: number[] = [];
    for (const p of parts) {
      const v = parseHexFixed(p.toUpperCase(), 4);
      if (Number.isNaN(v)) return null;
      groups.push(v);
    }
    return { address: formatIpv6(groups), port };
  }
  const v = parseHexFixed(s.slice(0, colon), 8);
  return Number.isNaN(v) ? null : { address: u32ToIpv4(v), port };
}

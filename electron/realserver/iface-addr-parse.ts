import { AppError } from '../../shared/result.ts';
import type { Subnet } from './route-fix.ts';
import { ipv4ToInt, maskToPrefix } from './route-types.ts';

/** One IPv4 address on the LVS interface. */
export interface IfAddr {
  ip: string;
  prefix: number;
}

/** The argv that lists the LVS interface's IPv4 addresses: `ip -o -4 addr show dev IF` (Linux), `ifconfig IF` (HP-UX). */
export function ifAddrArgv(os: 'linux' | 'hpux', netIf: string): string[] {
  return os === 'linux' ? ['ip', '-o', '-4', 'addr', 'show', 'dev', netIf] : ['/usr/sbin/ifconfig', netIf];
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Parses the interface's IPv4 addresses.
 * Linux `ip -o -4 addr show dev IF` (iproute2, one line per address):
 *   "2: eth0    inet 10.77.0.11/24 brd 10.77.0.255 scope global eth0\       valid_lft forever preferred_lft forever"
 * HP-UX `ifconfig IF` (ifconfig(1M), 10.20 / 11i; the mask in hex):
 *   "lan0: flags=843<UP,BROADCAST,RUNNING,MULTICAST>"
 *   "        inet 15.13.136.66 netmask fffff800 broadcast 15.13.143.255"
 * Lines it does not understand are a PARSE_ERROR naming the line.
 */
export function parseIfAddrs(os: 'linux' | 'hpux', text: string): IfAddr[] {
  const out: IfAddr[] = [];
  text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (!line) return;
      if (os === 'linux') {
        // N: IF    inet A.B.C.D/P …
        const m = /^\d+:\s+\S+\s+inet\s+(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})\b/.exec(line);
        if (!m || Number(m[2]) > 32) throw new AppError('PARSE_ERROR', `ip -o -4 addr: line ${i + 1}: unexpected "${line.slice(0, 100)}"`);
        out.push({ ip: m[1]!, prefix: Number(m[2]) });
        return;
      }
      // IF: flags=…  |  inet A.B.C.D netmask HEX [broadcast A.B.C.D]
      if (/^[a-z]+\d+(:\d+)?: flags=/.test(line)) return;
      const m = /^inet\s+(\S+)\s+netmask\s+(?:0x)?([0-9a-f]{8})\b/i.exec(line);
      if (!m || !IPV4.test(m[1]!)) throw new AppError('PARSE_ERROR', `ifconfig: line ${i + 1}: unexpected "${line.slice(0, 100)}"`);
      const mask = [0, 1, 2, 3].map((b) => parseInt(m[2]!.slice(b * 2, b * 2 + 2), 16)).join('.');
      let prefix: number;
      try {
        prefix = maskToPrefix(mask);
      } catch (e) {
        throw new AppError('PARSE_ERROR', `ifconfig: line ${i + 1}: ${(e as Error).message}`);
      }
      out.push({ ip: m[1]!, prefix });
    });
  return out;
}

/** The network address of ip/prefix. */
export function networkOf(ip: string, prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const n = (ipv4ToInt(ip) & mask) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/**
 * The subnet routes the kernel makes for these addresses (one per distinct network, /32 addresses make none), each with
 * the first address on it as the own address.
 */
export function subnetsOf(addrs: readonly IfAddr[]): Subnet[] {
  const out: Subnet[] = [];
  for (const a of addrs) {
    if (a.prefix >= 32) continue;
    const dest = networkOf(a.ip, a.prefix);
    if (!out.some((s) => s.dest === dest && s.prefix === a.prefix)) out.push({ dest, prefix: a.prefix, ownIp: a.ip });
  }
  return out;
}

/**
 * Subnet arithmetic for the profile checks: is the VIP on the director's subnet (the seed's one-interface LVS-NAT puts
 * the VIP on an alias of the director's LAN interface, with the VIP's prefix length)? Pure; IPv4 and IPv6.
 */
import { isIPv4, isIPv6 } from './validators.ts';

/** An address as 32 (IPv4) or 128 (IPv6) bits, or undefined when it is not an address. */
function bits(addr: string): { v: 4 | 6; n: bigint } | undefined {
  if (isIPv4(addr)) return { v: 4, n: addr.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n) };
  if (!isIPv6(addr)) return undefined;
  let text = addr;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = bits(tail)!.n;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return { v: 6, n: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

/** The network of `addr`/`prefix` in the usual notation ("10.77.0.0/24", "fd00::/64"), or undefined for a non-address. */
export function networkOf(addr: string, prefix: number): string | undefined {
  const b = bits(addr);
  if (!b) return undefined;
  const width = b.v === 4 ? 32 : 128;
  const p = Math.max(0, Math.min(width, prefix));
  const mask = p === 0 ? 0n : ((1n << BigInt(p)) - 1n) << BigInt(width - p);
  const net = b.n & mask;
  if (b.v === 4) return `${[24n, 16n, 8n, 0n].map((s) => String((net >> s) & 255n)).join('.')}/${p}`;
  const groups = Array.from({ length: 8 }, (_, i) => ((net >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // The longest run of zero groups becomes "::".
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const text = best.len >= 2 ? `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}` : groups.join(':');
  return `${text}/${p}`;
}

/**
 * Whether `a` and `b` are on one subnet of `prefix` bits: true / false, or undefined when that cannot be said (either is
 * not an address, or they are of different families).
 */
export function sameSubnet(a: string, b: string, prefix: number): boolean | undefined {
  const x = bits(a);
  const y = bits(b);
  if (!x || !y || x.v !== y.v) return undefined;
  return networkOf(a, prefix) === networkOf(b, prefix);
}

/** "VIP 192.168.5.100 is not on the director's subnet 10.77.0.0/24 (director 10.77.0.1)…", or undefined when it is (or cannot be told). */
export function vipSubnetProblem(vip: string, director: string, prefix: number, names: { vip?: string; director?: string } = {}): string | undefined {
  if (sameSubnet(vip, director, prefix) !== false) return undefined;
  const shown = (addr: string, name?: string) => (name && name !== addr ? `${name} (${addr})` : addr);
  return `VIP ${shown(vip, names.vip)} is not on the director's subnet ${networkOf(director, prefix)} (director ${shown(director, names.director)}, prefix /${prefix}): in one-interface LVS-NAT the VIP is an alias on the director's LAN, and clients and realservers would not reach it`;
}

/** One IPv4 route as the realserver reports it, normalised across Linux and HP-UX. */
export interface Route {
  /** 'default' or the network address. */
  dest: string;
  /** Prefix length (0 for default, 32 for a host route). */
  prefix: number;
  /** Next hop; undefined for an on-link (interface) route. On HP-UX an interface route names the host's own address. */
  gateway?: string;
  /** Interface (eth0, lan0). */
  dev?: string;
  /** Line number in the output, for error messages. */
  line: number;
}

/** Dotted netmask → prefix length; throws on a non-contiguous mask. */
export function maskToPrefix(mask: string): number {
  const n = ipv4ToInt(mask);
  const bits = n.toString(2).padStart(32, '0');
  if (!/^1*0*$/.test(bits)) throw new Error(`non-contiguous netmask ${mask}`);
  return bits.indexOf('0') === -1 ? 32 : bits.indexOf('0');
}

/** Prefix length → dotted netmask. */
export function prefixToMask(prefix: number): string {
  const n = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** Dotted quad → unsigned 32-bit integer. */
export function ipv4ToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

/** True when `ip` lies inside dest/prefix. */
export function inSubnet(ip: string, dest: string, prefix: number): boolean {
  if (prefix === 0) return true;
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  return (ipv4ToInt(ip) & mask) === (ipv4ToInt(dest) & mask);
}

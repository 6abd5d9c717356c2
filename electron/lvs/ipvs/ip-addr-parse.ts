/**
 * Parser for the interface addresses a director prints: `ip -o addr show` (also `ip -o -4 addr show dev eth0`), from
 * iproute2 or BusyBox `ip`, and the multi-line `ip addr show` form (BusyBox and old iproute2 print it when -o is not
 * given or not supported). Pure: text in, typed values out; any line it does not understand is a PARSE_ERROR naming it.
 */
import { AppError } from '../../../shared/result.ts';

/** One address on one interface. */
export interface IpAddr {
  /** Interface index as printed (e.g. 3). */
  index: number;
  /** Interface name without any "@peer" suffix (e.g. "eth0"). */
  ifname: string;
  /** IPv4 label (the alias name, e.g. "eth0:110"); for IPv6 (which has no labels) the interface name. */
  label: string;
  family: 'inet' | 'inet6';
  address: string;
  prefix: number;
  /** Point-to-point peer ("inet A peer B/32"); the prefix then belongs to the peer. */
  peer?: string;
  broadcast?: string;
  scope?: string;
  /** Words such as secondary, dynamic, deprecated, tentative, nodad, noprefixroute, or "flags 02" from BusyBox. */
  flags: string[];
  /** Seconds, or 'forever'; absent when the line has no lifetime part (old iproute2). */
  validLft?: number | 'forever';
  preferredLft?: number | 'forever';
}

/** Address flags iproute2 (ipaddress.c print_addrinfo / ifa_flag_names) and BusyBox print as bare words. */
const FLAG_WORDS = new Set([
  'secondary',
  'temporary',
  'primary',
  'nodad',
  'optimistic',
  'dadfailed',
  'home',
  'deprecated',
  'tentative',
  'permanent',
  'dynamic',
  'mngtmpaddr',
  'noprefixroute',
  'autojoin',
  'stable-privacy',
]);

/** Flag words followed by one value. */
const VALUE_WORDS = new Set(['peer', 'brd', 'any', 'scope', 'metric', 'proto', 'flags']);

// "3: eth0    inet 10.77.0.50/24 scope global secondary eth0:110\       valid_lft forever preferred_lft forever"
//  ^idx ^ifname[@peer] ^family ^body (words)                           ^optional "\" + lifetimes
const ONELINE_ADDR = /^(\d+):\s+([^\s:@]+)(?:@\S+)?\s+(inet6?)\s+(.*)$/;
// "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue ..."   (a link header: names an interface, no address)
const LINK_HEADER = /^(\d+):\s+([^\s:@]+)(?:@[^\s:]+)?:\s+<[^>]*>.*$/;
// "    link/ether 1e:2f:cb:e4:39:71 brd ff:ff:ff:ff:ff:ff"  or "    altname enp0s3"   (link details in the multi-line form)
const LINK_DETAIL = /^\s+(?:link\/\S+|altname\s)(?:.*)$/;
// "    inet 10.77.0.1/24 brd 10.77.0.255 scope global eth0"   (an address in the multi-line form)
const BLOCK_ADDR = /^\s+(inet6?)\s+(.*)$/;
// "       valid_lft forever preferred_lft forever"   or   "valid_lft 3598sec preferred_lft 0sec"
const LIFETIMES = /^\s*valid_lft\s+(forever|\d+sec)\s+preferred_lft\s+(forever|\d+sec)\s*$/;
// "10.77.0.1/24", "192.168.5.5" (peer form: prefix comes with the peer), "2001:db8::1/64"
const ADDR_PREFIX = /^([0-9A-Fa-f:.]+)(?:\/(\d{1,3}))?$/;

const fail = (n: number, line: string, why: string): never => {
  throw new AppError('PARSE_ERROR', `ip addr output line ${n}: ${why}: ${JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line)}`);
};

const lifetime = (s: string): number | 'forever' => (s === 'forever' ? 'forever' : Number(s.slice(0, -3)));

/** Parses the words after the family ("10.0.0.1/24 brd … scope global secondary eth0:110") into an address. */
function parseBody(n: number, line: string, index: number, ifname: string, family: 'inet' | 'inet6', body: string): IpAddr {
  const words = body.trim().split(/\s+/);
  const m = ADDR_PREFIX.exec(words[0] ?? '');
  if (!m) return fail(n, line, 'expected an address');
  const looksRight = family === 'inet' ? /^\d+\.\d+\.\d+\.\d+$/.test(m[1]!) : m[1]!.includes(':');
  if (!looksRight) return fail(n, line, `'${m[1]}' is not an ${family === 'inet' ? 'IPv4' : 'IPv6'} address`);
  const addr: IpAddr = { index, ifname, label: ifname, family, address: m[1]!, prefix: m[2] !== undefined ? Number(m[2]) : family === 'inet' ? 32 : 128, flags: [] };
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (VALUE_WORDS.has(w)) {
      const v = words[++i];
      if (v === undefined) return fail(n, line, `'${w}' without a value`);
      if (w === 'peer') {
        const p = ADDR_PREFIX.exec(v);
        if (!p) return fail(n, line, `bad peer '${v}'`);
        addr.peer = p[1]!;
        if (p[2] !== undefined) addr.prefix = Number(p[2]);
      } else if (w === 'brd') addr.broadcast = v;
      else if (w === 'scope') addr.scope = v;
      else if (w === 'flags') addr.flags.push(`flags ${v}`);
      else addr.flags.push(`${w} ${v}`);
    } else if (FLAG_WORDS.has(w)) addr.flags.push(w);
    else if (family === 'inet' && i === words.length - 1 && (w === ifname || w.startsWith(`${ifname}:`))) addr.label = w;
    else return fail(n, line, `unknown word '${w}'`);
  }
  const maxPrefix = family === 'inet' ? 32 : 128;
  if (addr.prefix > maxPrefix) return fail(n, line, `prefix /${addr.prefix} longer than ${maxPrefix}`);
  return addr;
}

/**
 * Parses `ip -o addr show` / `ip -o -4 addr show dev IF` (iproute2 or BusyBox) or the multi-line `ip addr show` into a
 * list of addresses in output order. Empty output is an empty list (e.g. `ip -o -4 addr show dev eth0` with no IPv4).
 */
export function parseIpAddr(text: string): IpAddr[] {
  const out: IpAddr[] = [];
  let block: { index: number; ifname: string } | undefined;
  let last: IpAddr | undefined;
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = lines[i]!;
    if (line.trim() === '') continue;
    // One-line form: the "\" separates the address part from the lifetimes (and, on a link line, the link details).
    const bs = line.indexOf('\\');
    const head = bs >= 0 ? line.slice(0, bs) : line;
    const tail = bs >= 0 ? line.slice(bs + 1) : undefined;
    let m: RegExpExecArray | null;
    if ((m = ONELINE_ADDR.exec(head))) {
      const a = parseBody(n, line, Number(m[1]), m[2]!, m[3] as 'inet' | 'inet6', m[4]!);
      if (tail !== undefined) {
        const l = LIFETIMES.exec(tail);
        if (!l) fail(n, line, 'expected "valid_lft … preferred_lft …" after "\\"');
        a.validLft = lifetime(l![1]!);
        a.preferredLft = lifetime(l![2]!);
      }
      out.push(a);
      block = undefined;
      last = undefined;
    } else if ((m = LINK_HEADER.exec(head))) {
      // A link line (old iproute2 prints them in `ip -o addr`; every multi-line block starts with one).
      if (tail !== undefined && !LINK_DETAIL.test(` ${tail.trim()}`)) fail(n, line, 'unexpected text after the link header');
      block = { index: Number(m[1]), ifname: m[2]! };
      last = undefined;
    } else if (bs < 0 && LINK_DETAIL.test(line) && block) {
      last = undefined;
    } else if (bs < 0 && (m = BLOCK_ADDR.exec(line)) && block) {
      last = parseBody(n, line, block.index, block.ifname, m[1] as 'inet' | 'inet6', m[2]!);
      out.push(last);
    } else if (bs < 0 && LIFETIMES.test(line) && last && last.validLft === undefined) {
      const l = LIFETIMES.exec(line)!;
      last.validLft = lifetime(l[1]!);
      last.preferredLft = lifetime(l[2]!);
    } else fail(n, line, 'not an address line of `ip addr show`');
  }
  return out;
}

/** The addresses equal to `address` (case-insensitive), e.g. to find whether the VIP is already up and where. */
export function findAddress(addrs: readonly IpAddr[], address: string): IpAddr[] {
  const a = address.toLowerCase();
  return addrs.filter((x) => x.address.toLowerCase() === a);
}

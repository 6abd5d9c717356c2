/**
 * A Linux realserver's routes and listening sockets read from /proc/net by the shell itself, without starting `ip` or
 * `ss`: the doctor and the realserver check run on every realserver at once, and those two programs were a third of
 * the collector's CPU there (50 collectors at once on the lab: 3.2 s of CPU with them, 2.2 s without). The kernel's
 * own tables, in its own format, parsed here; a host without them (no procfs) runs `ip` / `ss` instead, and the
 * parsers below tell the two apart by the first line. Differential tests compare both against `ip -4 route show` and
 * `ss -H -l -t -u -n` on the same kernel (test/unit/electron/realserver/proc-net-real.test.ts).
 */
import { AppError } from '../../shared/result.ts';
import { parseLinuxRoutes } from './linux-route-parse.ts';
import { maskToPrefix, type Route } from './route-types.ts';
import { parseListeners, type Listener } from './service-status.ts';

/**
 * POSIX sh functions `routes4` (table main, IPv4: /proc/net/route, else `ip -4 route show`) and `listening` (each of
 * /proc/net/tcp, tcp6, udp, udp6 after a `== PATH` line, else `ss -H -l -t -u -n`). The files are copied by `read`
 * (a shell builtin): no program starts.
 */
export const PROC_NET_FUNCTIONS = [
  'procdump() { for f; do [ -r "$f" ] || continue; printf "== %s\\n" "$f"; while IFS= read -r l; do printf "%s\\n" "$l"; done < "$f"; done; return 0; }',
  'routes4() { if [ -r /proc/net/route ]; then procdump /proc/net/route; else ip -4 route show; fi; }',
  'listening() { if [ -r /proc/net/tcp ]; then procdump /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6; else ss -H -l -t -u -n; fi; }',
].join('\n');

/** Little-endian hex (as /proc/net/route prints an address) → dotted quad. */
function leHexToIpv4(hex: string): string {
  const n = parseInt(hex, 16) >>> 0;
  return [0, 8, 16, 24].map((s) => (n >>> s) & 255).join('.');
}

const RTF_GATEWAY = 0x2;
const RTF_REJECT = 0x200;

/**
 * Routes from the `routes4` section: /proc/net/route (after its `== /proc/net/route` line) or, without procfs,
 * `ip -4 route show` (parseLinuxRoutes). As parseLinuxRoutes does, only routes that carry traffic out of an interface
 * are kept: the kernel prints unreachable, prohibit, blackhole and throw routes with no interface (`*`) or RTF_REJECT.
 * PARSE_ERROR naming the line for anything else.
 */
export function parseRoutes4(text: string): Route[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0 || lines[first]!.trim() !== '== /proc/net/route') return parseLinuxRoutes(text);
  const routes: Route[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (i <= first || !line || /^Iface\s/.test(line)) return;
    const t = line.split(/\s+/);
    if (t.length < 8 || !/^[0-9A-F]{8}$/i.test(t[1]!) || !/^[0-9A-F]{8}$/i.test(t[2]!) || !/^[0-9A-F]+$/i.test(t[3]!) || !/^[0-9A-F]{8}$/i.test(t[7]!)) {
      throw new AppError('PARSE_ERROR', `/proc/net/route: line ${i + 1}: unexpected "${line.slice(0, 120)}"`);
    }
    const flags = parseInt(t[3]!, 16);
    if (t[0] === '*' || flags & RTF_REJECT) return;
    const mask = leHexToIpv4(t[7]!);
    let prefix: number;
    try {
      prefix = maskToPrefix(mask);
    } catch {
      throw new AppError('PARSE_ERROR', `/proc/net/route: line ${i + 1}: netmask ${mask} is not contiguous`);
    }
    const dest = leHexToIpv4(t[1]!);
    const r: Route = { dest: prefix === 0 && dest === '0.0.0.0' ? 'default' : dest, prefix, dev: t[0]!, line: i + 1 };
    if (flags & RTF_GATEWAY) r.gateway = leHexToIpv4(t[2]!);
    routes.push(r);
  });
  return routes;
}

/** Socket states `ss -l` lists: TCP_LISTEN (0A) and TCP_CLOSE (07: a UDP socket not connected, a bound TCP socket). */
const LISTED_STATES = new Set(['0A', '07']);

/**
 * Listening sockets from the `listening` section: the four /proc/net tables, or `ss -H -l -t -u -n` without procfs
 * (parseListeners). One Listener per socket, as ss lists them. PARSE_ERROR naming the line for anything else.
 */
export function parseListening(text: string): Listener[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return [];
  if (!/^== \/proc\/net\//.test(lines[first]!.trim())) return parseListeners('linux', text);
  const out: Listener[] = [];
  let protocol: 'tcp' | 'udp' | undefined;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const file = /^== \/proc\/net\/(tcp|udp)6?$/.exec(line);
    if (file) {
      protocol = file[1] as 'tcp' | 'udp';
      return;
    }
    if (/^sl\s/.test(line)) return;
    // "  0: 00000000:0017 00000000:0000 0A …" (IPv6: 32 hex digits before the colon)
    const m = /^\d+: [0-9A-F]{8}(?:[0-9A-F]{24})?:([0-9A-F]{4}) [0-9A-F]{8}(?:[0-9A-F]{24})?:[0-9A-F]{4} ([0-9A-F]{2}) /i.exec(line);
    if (!m || !protocol) throw new AppError('PARSE_ERROR', `/proc/net: line ${i + 1}: unexpected "${line.slice(0, 120)}"`);
    if (LISTED_STATES.has(m[2]!.toUpperCase())) out.push({ protocol, port: parseInt(m[1]!, 16) });
  });
  return out;
}

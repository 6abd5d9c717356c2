import { AppError } from '../../shared/result.ts';
import type { Route } from './route-types.ts';

/**
 * Parses `ip -4 route show` (iproute2; table main). Each line is
 *   DEST [via GW] [dev IF] [proto P] [scope S] [src A] [metric N] [onlink] [linkdown] ...
 * where DEST is `default`, `A.B.C.D` (host) or `A.B.C.D/N`, optionally preceded by a route type
 * (unicast|local|broadcast|unreachable|blackhole|prohibit|throw). Only unicast routes are returned; a line that doesn't
 * start with a destination is a PARSE_ERROR naming the line.
 */
export function parseLinuxRoutes(text: string): Route[] {
  const routes: Route[] = [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const tok = line.split(/\s+/);
    let k = 0;
    let type = 'unicast';
    if (/^(unicast|local|broadcast|unreachable|blackhole|prohibit|throw|multicast|nat|anycast)$/.test(tok[0]!)) type = tok[k++]!;
    const dest = tok[k++];
    // DEST: default | A.B.C.D | A.B.C.D/N
    const m = dest === undefined ? null : /^(default|(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?)$/.exec(dest);
    if (!m) throw new AppError('PARSE_ERROR', `ip route: line ${i + 1}: expected a destination, got "${line}"`);
    const r: Route = { dest: m[2] ?? 'default', prefix: m[1] === 'default' ? 0 : m[3] !== undefined ? Number(m[3]) : 32, line: i + 1 };
    if (r.prefix > 32) throw new AppError('PARSE_ERROR', `ip route: line ${i + 1}: prefix /${r.prefix} is not IPv4`);
    for (; k < tok.length; k++) {
      const t = tok[k]!;
      if (t === 'via') r.gateway = tok[++k];
      else if (t === 'dev') r.dev = tok[++k];
      else if (/^(proto|scope|src|metric|table|mtu|advmss|realm|pref|expires|error|hoplimit|initcwnd|initrwnd|rtt|rttvar|window|congctl|features|quickack|nexthop|weight|encap|tos|dsfield)$/.test(t)) k++;
      else if (/^(onlink|linkdown|dead|pervasive|offload|trap|notify|rt_offload|rt_trap|rt_offload_failed|cache)$/.test(t)) continue;
      else throw new AppError('PARSE_ERROR', `ip route: line ${i + 1}: unexpected "${t}" in "${line}"`);
    }
    if (type === 'unicast') routes.push(r);
  });
  return routes;
}

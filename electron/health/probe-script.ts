import { AppError } from '../../shared/result.ts';

/**
 * SUPERSEDED by service-probe.ts (a verdict per service and realserver, XDMCP by Query → Willing), which `update`,
 * the director's own cron update and the console's health use; kept only for the doctor's director collector until it
 * moves too.
 *
 * The probe the director runs for `update`: the seed's ping, plus a TCP connect to each TCP service port, for every
 * realserver IN PARALLEL, in ONE round trip. The script is a constant; hosts and ports travel only as positional
 * arguments (`sh -c SCRIPT sh ARGS…`, quoted by shellQuote), so no user input is ever part of the script text.
 * TCP connect uses bash's /dev/tcp when bash exists, else nc (busybox directors such as the lab's have no bash).
 */
export const PROBE_SCRIPT = [
  'ports=$1; shift',
  // bash's /dev/tcp where bash exists; else nc with stdin at EOF: busybox nc exits 0 once connected, other netcats keep
  // the connection open until `timeout` kills them (124 GNU, 143 busybox); a refused or unreachable port exits 1.
  'tcp() { if command -v bash >/dev/null 2>&1; then timeout 3 bash -c \'exec 3<>"/dev/tcp/$1/$2"\' _ "$1" "$2" >/dev/null 2>&1; return; fi',
  '  timeout 4 nc -w 3 "$1" "$2" </dev/null >/dev/null 2>&1; rc=$?; [ $rc = 0 ] || [ $rc = 124 ] || [ $rc = 143 ]; }',
  // every ping and every connect at once: a dead realserver costs one timeout, not one per check
  'for h in "$@"; do',
  '  ( if ping -c 1 -W 2 "$h" >/dev/null 2>&1; then echo "$h icmp up"; else echo "$h icmp down"; fi ) &',
  '  for p in $ports; do ( if tcp "$h" "$p"; then echo "$h tcp $p up"; else echo "$h tcp $p down"; fi ) & done',
  'done; wait',
].join('\n');

/** argv for the probe: ports as one space-separated argument (numbers only), then the hosts. */
export function probeArgv(hosts: string[], tcpPorts: number[]): string[] {
  for (const p of tcpPorts) if (!Number.isInteger(p) || p < 1 || p > 65535) throw new AppError('INVALID_INPUT', `probe: bad port ${p}`);
  return ['sh', '-c', PROBE_SCRIPT, 'sh', tcpPorts.join(' '), ...hosts];
}

/** What the probe saw for one realserver. */
export interface ProbeResult {
  host: string;
  icmp: boolean;
  tcp: Record<number, boolean>;
  /** Alive as the seed defines it (answers ping) and, when TCP ports are probed, at least one of them accepts. */
  alive: boolean;
}

/**
 * Parses the probe output. Lines are `HOST icmp up|down` and `HOST tcp PORT up|down`, in any order (parallel).
 * Every host asked about must appear with an icmp line; anything else is a PARSE_ERROR naming the line.
 */
export function parseProbeOutput(text: string, hosts: string[], tcpPorts: number[]): ProbeResult[] {
  const byHost = new Map<string, { icmp?: boolean; tcp: Record<number, boolean> }>(hosts.map((h) => [h, { tcp: {} }]));
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    // HOST icmp up|down   |   HOST tcp PORT up|down
    const m = /^(\S+) (?:icmp|tcp (\d+)) (up|down)$/.exec(line);
    const rec = m ? byHost.get(m[1]!) : undefined;
    if (!m || !rec) throw new AppError('PARSE_ERROR', `probe output: line ${i + 1}: unexpected "${line}"`);
    if (m[2] === undefined) rec.icmp = m[3] === 'up';
    else rec.tcp[Number(m[2])] = m[3] === 'up';
  });
  return hosts.map((host) => {
    const r = byHost.get(host)!;
    if (r.icmp === undefined || tcpPorts.some((p) => r.tcp[p] === undefined)) {
      throw new AppError('PARSE_ERROR', `probe output: no complete result for ${host}`);
    }
    const tcpOk = tcpPorts.length === 0 || tcpPorts.some((p) => r.tcp[p]);
    return { host, icmp: r.icmp, tcp: r.tcp, alive: r.icmp && tcpOk };
  });
}

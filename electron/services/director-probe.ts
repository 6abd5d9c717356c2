/**
 * The update probe as it must run on a minimal director. health/probe-script.ts's PROBE_SCRIPT connects with bash's
 * /dev/tcp or `nc -z`; a busybox-only director (the lab's, many embedded ones) has neither bash nor an `nc` with -z, so
 * every TCP check there fails and update would drop every realserver. This variant picks the connect method once:
 * bash /dev/tcp, else `nc -z` when this nc knows -z, else busybox's `nc -w 3 HOST PORT </dev/null` (exit 0 once
 * connected, 1 when refused or unreachable). Every ping and every connect runs at once (a dead realserver costs 2 s, not
 * 2 s per check), each bounded by 2 s like the seed's `ping -W 2`. Same arguments and output as PROBE_SCRIPT, so
 * parseProbeOutput reads it.
 * (Additive: to be folded into health/probe-script.ts by its owner.)
 */
import { AppError } from '../../shared/result.ts';

/** The probe script: $1 = TCP ports (space-separated), then the hosts; prints "HOST icmp up|down" and "HOST tcp PORT up|down". */
export const PORTABLE_PROBE_SCRIPT = [
  'ports=$1; shift',
  'if command -v bash >/dev/null 2>&1; then how=bash; elif nc -h 2>&1 | grep -q -- "-z"; then how=ncz; else how=nc; fi',
  'tcp() { case $how in',
  '  bash) timeout 2 bash -c \'exec 3<>"/dev/tcp/$1/$2"\' _ "$1" "$2" >/dev/null 2>&1 ;;',
  '  ncz) nc -z -w 2 "$1" "$2" >/dev/null 2>&1 ;;',
  '  *) nc -w 2 "$1" "$2" </dev/null >/dev/null 2>&1 ;;',
  'esac; }',
  'for h in "$@"; do',
  '  ( if ping -c 1 -W 2 "$h" >/dev/null 2>&1; then echo "$h icmp up"; else echo "$h icmp down"; fi ) &',
  '  for p in $ports; do ( if tcp "$h" "$p"; then echo "$h tcp $p up"; else echo "$h tcp $p down"; fi ) & done',
  'done; wait',
].join('\n');

/** argv for the probe: ports as one argument (numbers only), then the hosts (addresses). */
export function portableProbeArgv(hosts: string[], tcpPorts: number[]): string[] {
  for (const p of tcpPorts) if (!Number.isInteger(p) || p < 1 || p > 65535) throw new AppError('INVALID_INPUT', `probe: bad port ${p}`);
  for (const h of hosts) if (!/^[0-9A-Fa-f:.]+$/.test(h)) throw new AppError('INVALID_INPUT', `probe: not an address: ${h}`);
  return ['sh', '-c', PORTABLE_PROBE_SCRIPT, 'lvs-console-probe', tcpPorts.join(' '), ...hosts];
}

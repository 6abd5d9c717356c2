/**
 * The probe of every realserver from the director when it has bash but no perl (with perl: shell/perl-probe-script.ts,
 * which prints the same bytes; the doctor, `probe`, the sampler's health round): the same checks as the health
 * probe (health/service-probe.ts: a ping, a TCP connect per TCP service, a UDP request per UDP service) with as few
 * processes as the checks allow, because on a small or emulated director every fork costs milliseconds (the lab's TCG
 * director took ~10 s for the health probe's ~20 processes per realserver at 50 realservers). Here, per realserver:
 * one forked subshell per TCP connect (bash's /dev/tcp), one `dd` per UDP request (bash's /dev/udp, the reply into a
 * file); ONE timer for all of them, started once every check has been started (so no check's start-up counts against
 * it, and a run where everything answers ends at once); the parent bash collects every exit status with `wait PID` (no
 * subshell per result) and prints every line itself; the replies are read by ONE `wc -c` and ONE `od` at the end, and
 * bash cuts the dump into one `HOST udp PORT reply HEX` line per reply, as the health probe prints it.
 * Reachability (the `icmp` line): a realserver that answered any check (a TCP connect, a UDP reply) answered packets and
 * is reported up without a ping; only the others are pinged, in parallel, under a second timer (a realserver none of
 * whose checks answered costs up to T more). At 50 realservers the 50 pings were most of the lab director's probe. The
 * output is the health probe's own line format, parsed by parseServiceProbe (and by the director's cron update, which
 * runs this same probe), so the verdicts (XDMCP Willing, a UDP reply prefix) are judged alike everywhere.
 *
 * `bash -c LEAN_PROBE_SCRIPT lvs-console-probe T TCPPORTS UDPSPECS HOST…`: the same positional arguments as the health
 * probe (serviceProbeArgv); the script is a constant. Output lines:
 *   HOST icmp up|down | HOST tcp PORT up|down | HOST udp PORT noreply | HOST udp PORT reply HEX (the UDP replies last)
 *   and, only when the replies' sizes and bytes did not add up, one `lean-probe-error: …` line (a PARSE_ERROR here).
 * A check still running when the timer ends is killed and reported down / noreply. The replies wait in a private
 * folder (mktemp -d) removed at the end.
 */
import { HEALTH_PROBE_FROM_VAR_FN, LEAN_PROBE_SCRIPT, PROBE_ALL_FN } from '../shell/lean-probe-script.ts';
import { PERL_PROBE_SCRIPT } from '../shell/perl-probe-script.ts';
import { SERVICE_PROBE_SCRIPT, serviceProbeArgv, type ProbePlan } from './service-probe.ts';

/** The lean probe's text (shell/lean-probe-script.ts, where the director's own script takes it from too). */
export { LEAN_PROBE_SCRIPT };

/** $1 the perl probe, $2 the lean probe, $3 the health probe, then T TCPPORTS UDPSPECS HOST…: probe_all (shell/lean-probe-script.ts) decides which runs. */
const CHOOSE_SCRIPT = ['PERL_PROBE=$1 LEAN_PROBE=$2 HEALTH_PROBE=$3; shift 3', HEALTH_PROBE_FROM_VAR_FN, PROBE_ALL_FN, 'probe_all "$@"'].join('\n');

/**
 * argv of a probe of `plan` from the director: the perl probe with perl, else the lean probe under bash, else the health
 * probe (same arguments, same output format, parsed by parseServiceProbe).
 */
export function directorProbeArgv(plan: ProbePlan): string[] {
  const a = serviceProbeArgv(plan);
  return ['sh', '-c', CHOOSE_SCRIPT, 'lvs-console-probe', PERL_PROBE_SCRIPT, LEAN_PROBE_SCRIPT, SERVICE_PROBE_SCRIPT, ...a.slice(4)];
}

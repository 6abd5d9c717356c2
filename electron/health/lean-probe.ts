/**
 * The probe of every realserver from the director when it has bash (the doctor, `probe`, the sampler's health round): the same checks as the health
 * probe (health/service-probe.ts: a ping, a TCP connect per TCP service, a UDP request per UDP service) with as few
 * processes as the checks allow, because on a small or emulated director every fork costs milliseconds (the lab's TCG
 * director took ~10 s for the health probe's ~20 processes per realserver at 50 realservers). Here, per realserver:
 * one forked subshell per TCP connect (bash's /dev/tcp), one `dd` per UDP request (bash's /dev/udp, the reply into a
 * file); ONE timer for all of them, started once every check has been started (so no check's start-up counts against
 * it, and a run where everything answers ends at once); the parent bash collects every exit status with `wait PID` (no
 * subshell per result) and prints every line itself; the replies are read by ONE `wc -c` and ONE `od` at the end.
 * Reachability (the `icmp` line): a realserver that answered any check (a TCP connect, a UDP reply) answered packets and
 * is reported up without a ping; only the others are pinged, in parallel, under a second timer (a realserver none of
 * whose checks answered costs up to T more). At 50 realservers the 50 pings were most of the lab director's probe. The output is turned into the health probe's own format (normalizeLeanProbe) and parsed by
 * parseServiceProbe, so the verdicts (XDMCP Willing, a UDP reply prefix) are judged in one place.
 *
 * `bash -c LEAN_PROBE_SCRIPT lvs-console-probe T TCPPORTS UDPSPECS HOST…`: the same positional arguments as the health
 * probe (serviceProbeArgv); the script is a constant. Output lines:
 *   HOST icmp up|down | HOST tcp PORT up|down | HOST udp PORT noreply | HOST udp PORT got FILE
 *   then `@@wc` and `wc -c FILE…` of the files that got a reply, then `@@od` and `od -An -v -tx1 FILE…` (their bytes,
 *   concatenated in the same order).
 * A check still running when the timer ends is killed and reported down / noreply.
 */
import { AppError } from '../../shared/result.ts';
import { LEAN_PROBE_SCRIPT } from '../shell/lean-probe-script.ts';
import { PROBE_REPLY_MAX, SERVICE_PROBE_SCRIPT, serviceProbeArgv, type ProbePlan } from './service-probe.ts';

/** The lean probe's text (shell/lean-probe-script.ts, where the director's own script takes it from too). */
export { LEAN_PROBE_SCRIPT };

/** Runs the lean probe with bash when the director has it, else the health probe with sh: $1 lean, $2 health probe, then T TCPPORTS UDPSPECS HOST…. */
const CHOOSE_SCRIPT = [
  'lean=$1 probe=$2; shift 2',
  'if command -v bash >/dev/null 2>&1; then exec bash -c "$lean" lvs-console-probe "$@"; fi',
  'exec sh -c "$probe" sh "$@"',
].join('\n');

/**
 * argv of a probe of `plan` from the director: the lean probe under bash, else the health probe (same arguments, the
 * same verdicts once the output went through normalizeLeanProbe and parseServiceProbe).
 */
export function directorProbeArgv(plan: ProbePlan): string[] {
  const a = serviceProbeArgv(plan);
  return ['sh', '-c', CHOOSE_SCRIPT, 'lvs-console-probe', LEAN_PROBE_SCRIPT, SERVICE_PROBE_SCRIPT, ...a.slice(4)];
}

const hexOf = (bytes: string[]) => bytes.slice(0, PROBE_REPLY_MAX).join('');

/**
 * The lean probe's output in the health probe's line format (`HOST udp PORT reply HEX` for each reply, in place of its
 * `got FILE` line), ready for parseServiceProbe. Output in the health probe's own format (no `got` lines, no `@@wc`)
 * passes through unchanged. PARSE_ERROR naming the line when the reply sizes and bytes do not add up.
 */
export function normalizeLeanProbe(text: string): string {
  const lines = text.split('\n');
  const wcAt = lines.indexOf('@@wc');
  const odAt = lines.indexOf('@@od');
  const body = wcAt >= 0 ? lines.slice(0, wcAt) : lines;
  const gotLine = /^(\S+ udp \d+) got (\S+)$/;
  const gotFiles = body.map((l) => gotLine.exec(l.trim())).filter((m): m is RegExpExecArray => m !== null);
  if (gotFiles.length === 0) {
    if (wcAt >= 0) throw new AppError('PARSE_ERROR', `probe output: line ${wcAt + 1}: reply sizes without any reply`);
    return text;
  }
  if (wcAt < 0 || odAt < wcAt) throw new AppError('PARSE_ERROR', 'probe output: replies without their sizes and bytes (the output was cut?)');
  const size = new Map<string, number>();
  lines.slice(wcAt + 1, odAt).forEach((l, i) => {
    const m = /^\s*(\d+)\s+(\S+)$/.exec(l);
    if (!m) throw new AppError('PARSE_ERROR', `probe output: line ${wcAt + 2 + i}: unexpected "${l.slice(0, 80)}"`);
    if (m[2] !== 'total') size.set(m[2]!, Number(m[1]));
  });
  const bytes = lines
    .slice(odAt + 1)
    .join(' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  if (bytes.some((b) => !/^[0-9a-f]{2}$/.test(b))) throw new AppError('PARSE_ERROR', 'probe output: the reply bytes are not od -tx1 output');
  let at = 0;
  const reply = new Map<string, string>();
  for (const m of gotFiles) {
    const n = size.get(m[2]!);
    if (n === undefined) throw new AppError('PARSE_ERROR', `probe output: no size for the reply of ${m[1]}`);
    reply.set(m[2]!, hexOf(bytes.slice(at, at + n)));
    at += n;
  }
  if (at !== bytes.length) throw new AppError('PARSE_ERROR', `probe output: ${bytes.length} reply bytes for replies of ${at} bytes`);
  return body
    .map((l) => {
      const m = gotLine.exec(l.trim());
      return m ? `${m[1]} reply ${reply.get(m[2]!)!}` : l;
    })
    .join('\n');
}

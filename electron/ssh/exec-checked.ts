/**
 * execChecked: THE checked exec. exec plus the caller's list of acceptable exit codes (like GitHub Desktop's
 * successExitCodes: every non-zero entry says why in a comment at the call site). Any other exit throws
 * AppError('COMMAND_FAILED', "HOST: STEP: exit N: first stderr line") keeping argv and output in detail; "command not
 * found" (exit 127, or sudo's / the shell's "not found") throws NOT_FOUND naming the missing program. A script's own exit
 * codes can be given meanings (`exitMeanings`), which the message then says instead of the bare number. No ssh2 import:
 * services use it with any Executor.
 */
import { AppError } from '../../shared/result.ts';
import type { ExecOptions, ExecResult, Executor } from './types.ts';

// Shells and sudo saying a program is missing: "sh: 1: ipvsadm: not found", "bash: ipvsadm: command not found",
// "sudo: ipvsadm: command not found", a script's own "ipvsadm: not found".
const NOT_FOUND = /(?:^|: )(?:command )?not found$/m;
// The program named in such a line: the word before ": [command ]not found".
const MISSING = /(?:^|: )([^\s:]+): (?:command )?not found$/m;

/** Options of execChecked beyond the executor's own. */
export interface CheckedOptions extends Omit<ExecOptions, 'step' | 'okCodes'> {
  /** What a script's own exit codes mean ("21: the temporary file could not be written"): used in the message. */
  exitMeanings?: Readonly<Record<number, string>>;
  /** Appended to the message (e.g. "; nothing was changed"). */
  suffix?: string;
}

/** First meaningful stderr (or stdout) line, shortened, for an error message. */
function excerpt(r: ExecResult): string {
  const text = (r.stderr.trim() || r.stdout.trim()).split('\n')[0] ?? '';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * Runs argv and throws unless the exit code is in okCodes (say why each non-zero code is fine at the call site).
 * `step` names the step in errors ("ipvsadm -S", "read /etc/lvs.conf").
 */
export async function execChecked(executor: Executor, argv: string[], okCodes: readonly number[], step: string, opts: CheckedOptions = {}): Promise<ExecResult> {
  const { exitMeanings, suffix = '', ...execOpts } = opts;
  const r = await executor.exec(argv, { ...execOpts, step });
  if (r.code !== null && okCodes.includes(r.code)) return r;
  throw checkedError(executor.label, argv, step, r, { ...(exitMeanings ? { exitMeanings } : {}), suffix });
}

/** The error execChecked throws for result `r` (also for callers that must look at the output before deciding). */
export function checkedError(label: string, argv: readonly string[], step: string, r: ExecResult, opts: { exitMeanings?: Readonly<Record<number, string>>; suffix?: string } = {}): AppError {
  const detail = { argv: [...argv], code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  const suffix = opts.suffix ?? '';
  const msg = excerpt(r);
  if (r.code === 127 || (r.code !== 0 && NOT_FOUND.test(r.stderr.trim()))) {
    const program = MISSING.exec(r.stderr.trim())?.[1] ?? argv[0];
    return new AppError('NOT_FOUND', `${label}: ${step}: ${program} not found${msg ? ` (${msg})` : ''}${suffix}`, { host: label, step, detail });
  }
  const meaning = r.code !== null ? opts.exitMeanings?.[r.code] : undefined;
  const what = r.code === null ? `killed by ${r.signal ?? 'an unknown signal'}` : `exit ${r.code}`;
  const text = meaning ? `${what}: ${meaning}${msg ? ` (${msg})` : ''}` : `${what}${msg ? `: ${msg}` : ''}`;
  return new AppError('COMMAND_FAILED', `${label}: ${step}: ${text}${suffix}`, { host: label, step, detail });
}

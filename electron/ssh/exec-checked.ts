/**
 * execChecked: exec plus the caller's list of acceptable exit codes (like GitHub Desktop's successExitCodes). Any other
 * exit throws AppError('COMMAND_FAILED', "HOST: STEP: exit N: first stderr line") keeping argv and output in detail;
 * "command not found" (exit 127, or sudo's / the shell's "not found") throws NOT_FOUND. No ssh2 import: services use it
 * with any Executor.
 */
import { AppError } from '../../shared/result.ts';
import type { ExecOptions, ExecResult, Executor } from './types.ts';

// Shells and sudo saying a program is missing: "sh: 1: ipvsadm: not found", "bash: ipvsadm: command not found",
// "sudo: ipvsadm: command not found".
const NOT_FOUND = /(?:^|: )(?:command )?not found$/m;

/** First meaningful stderr (or stdout) line, shortened, for an error message. */
function excerpt(r: ExecResult): string {
  const text = (r.stderr.trim() || r.stdout.trim()).split('\n')[0] ?? '';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * Runs argv and throws unless the exit code is in okCodes (say why each non-zero code is fine at the call site).
 * `step` names the step in errors ("ipvsadm -S", "read /etc/lvs.conf").
 */
export async function execChecked(executor: Executor, argv: string[], okCodes: readonly number[], step: string, opts: ExecOptions = {}): Promise<ExecResult> {
  const r = await executor.exec(argv, { ...opts, step });
  if (r.code !== null && okCodes.includes(r.code)) return r;
  const detail = { argv, code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  const what = r.code === null ? `killed by ${r.signal ?? 'an unknown signal'}` : `exit ${r.code}`;
  const msg = excerpt(r);
  if (r.code === 127 || (r.code !== 0 && NOT_FOUND.test(r.stderr.trim()))) {
    throw new AppError('NOT_FOUND', `${executor.label}: ${step}: ${argv[0]} not found${msg ? ` (${msg})` : ''}`, { host: executor.label, step, detail });
  }
  throw new AppError('COMMAND_FAILED', `${executor.label}: ${step}: ${what}${msg ? `: ${msg}` : ''}`, { host: executor.label, step, detail });
}

/**
 * conf pull / push: the director's /etc/lvs.conf. pull reads it; push validates the new text locally first (the same
 * parser and checks as `lvsctl conf check`), then writes it atomically (temp file, `sh -n`, timestamped backup, rename:
 * atomicWriteStep), so the director never sees a half-written or syntactically broken file.
 */
import { AppError } from '../../shared/result.ts';
import { checkConfValues } from '../lvs/conf/conf-model.ts';
import { parseLvsConf } from '../lvs/conf/conf-parse.ts';
import { ATOMIC_WRITE_EXIT, atomicWriteStep, backupStamp } from '../shell/remote-file.ts';
import type { PlanStep } from '../../shared/model/plan.ts';
import { checkedError, execChecked } from '../ssh/exec-checked.ts';
import type { Executor } from '../ssh/types.ts';

/** Where the seed keeps the configuration. */
export const LVS_CONF_PATH = '/etc/lvs.conf';

/** The largest configuration file read back (lvs.conf import takes at most 1,000,000 characters): 1 MiB. */
export const MAX_REMOTE_FILE_BYTES = 1024 * 1024;

/** Reads a remote file with `cat`; NOT_FOUND when it does not exist; COMMAND_FAILED when it is over MAX_REMOTE_FILE_BYTES. */
export async function readRemoteFile(exec: Executor, path: string): Promise<string> {
  const step = `cat ${path}`;
  // 1: cat could not read the file; a missing file is NOT_FOUND, anything else the checked error.
  const r = await execChecked(exec, ['cat', path], [0, 1], step, { sudo: true, timeoutMs: 30_000, maxOutputBytes: MAX_REMOTE_FILE_BYTES });
  if (r.code === 0) return r.stdout;
  if (/no such file/i.test(r.stderr)) throw new AppError('NOT_FOUND', `${exec.label}: ${path}: no such file`, { host: exec.label, step });
  throw checkedError(exec.label, ['cat', path], step, r);
}

/** Runs an atomicWriteStep; errors say what the script's exit code means and that nothing was replaced. */
export async function runAtomicWrite(exec: Executor, step: PlanStep, path: string): Promise<void> {
  const name = `write ${path}`;
  await execChecked(exec, step.argv, [0], name, { stdin: step.stdin ?? '', sudo: true, timeoutMs: 60_000, exitMeanings: ATOMIC_WRITE_EXIT });
}

/** pull: the director's lvs.conf text. */
export function pullConf(exec: Executor, path = LVS_CONF_PATH): Promise<string> {
  return readRemoteFile(exec, path);
}

/**
 * push: validates `text` (named `source` in errors, FILE:LINE:COL) and writes it to the director atomically with a
 * backup of the old file (PATH.bak.STAMP). Returns where the backup went (when there was an old file, the script made it).
 */
export async function pushConf(exec: Executor, text: string, source: string, opts: { now?: Date; path?: string } = {}): Promise<{ path: string; backup: string }> {
  const path = opts.path ?? LVS_CONF_PATH;
  checkConfValues(parseLvsConf(text, source));
  const stamp = backupStamp(opts.now ?? new Date());
  const step = atomicWriteStep('director', path, text, { mode: '644', stamp, shellCheck: true, why: `replace ${path} (backup ${path}.bak.${stamp})` });
  await runAtomicWrite(exec, step, path);
  return { path, backup: `${path}.bak.${stamp}` };
}

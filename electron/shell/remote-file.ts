import type { PlanStep } from '../../shared/model/plan.ts';
import { PRIVATE_DIR_FN } from './private-dir.ts';

/**
 * Writes a file on a remote host atomically: content on stdin → a temp file beside the target → optional `sh -n` syntax
 * check → chmod → timestamped backup of the old file → rename over the target. A failure at any point leaves the old file
 * untouched (rename is atomic within one filesystem) and removes the temp file. The script is a constant; the path, mode
 * and stamp travel as positional arguments (quoted by shellQuote), never inside the script text. With $5 = private the
 * target's directory must pass PRIVATE_DIR_FN first (made 0700 when missing): else exit 15, nothing written.
 */
export const ATOMIC_WRITE_SCRIPT = [
  'target=$1; mode=$2; stamp=$3; check=$4; private=$5',
  'umask 077',
  PRIVATE_DIR_FN,
  'if [ "$private" = private ]; then why=$(private_dir "${target%/*}") || { echo "refused: $why" >&2; exit 15; }; fi',
  't="$target.lvsconsole.$$"',
  "trap 'rm -f \"$t\"' EXIT",
  'cat > "$t" || exit 10',
  'if [ "$check" = sh ]; then sh -n "$t" || exit 11; fi',
  'chmod "$mode" "$t" || exit 12',
  'if [ -f "$target" ] && [ "$stamp" != - ]; then cp -p "$target" "$target.bak.$stamp" || exit 13; fi',
  'mv -f "$t" "$target" || exit 14',
  'trap - EXIT',
].join('\n');

/** What each exit code of ATOMIC_WRITE_SCRIPT means, for error messages. */
export const ATOMIC_WRITE_EXIT: Record<number, string> = {
  10: 'could not write the temporary file',
  11: 'the new file failed the shell syntax check (sh -n); nothing was replaced',
  12: 'could not set the file mode',
  13: 'could not make the backup copy; nothing was replaced',
  14: 'could not rename the temporary file over the target',
  15: 'refused: the directory is not private (see electron/shell/private-dir.ts); nothing was written',
};

/**
 * A plan step that atomically writes `content` to `path` on `host` (mode e.g. '644'; backup stamp or '-' for none;
 * privateDir: the directory must be private, see PRIVATE_DIR_FN).
 */
export function atomicWriteStep(host: string, path: string, content: string, opts: { mode: string; stamp: string; shellCheck?: boolean; privateDir?: boolean; why: string }): PlanStep {
  if (!/^\/[A-Za-z0-9_./-]+$/.test(path) || path.includes('..')) throw new Error(`atomicWriteStep: refusing path ${path}`);
  if (!/^[0-7]{3,4}$/.test(opts.mode)) throw new Error(`atomicWriteStep: bad mode ${opts.mode}`);
  if (!/^[-0-9A-Za-z]+$/.test(opts.stamp)) throw new Error(`atomicWriteStep: bad stamp ${opts.stamp}`);
  return {
    host,
    argv: ['sh', '-c', ATOMIC_WRITE_SCRIPT, 'sh', path, opts.mode, opts.stamp, opts.shellCheck ? 'sh' : '-', opts.privateDir ? 'private' : '-'],
    stdin: content,
    why: opts.why,
  };
}

/** A backup stamp from a date: 20261125T155800Z. */
export function backupStamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

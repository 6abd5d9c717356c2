/**
 * keepalived on the director: the config test of a new keepalived.conf, run by the director's own keepalived before
 * the file is installed (`keepalived -t -f FILE`, judged by config-test-parse.ts with the compiler's expected
 * warnings), and keepalived's view of its real servers (the checker process's data dump, state-parse.ts).
 */
import { AppError } from '../../shared/result.ts';
import type { KeepalivedConfig } from '../keepalived/keepalived-conf.ts';
import { describeConfigProblem, judgeConfigTest } from '../keepalived/config-test-parse.ts';
import { parseCheckerData, type CheckerDestination } from '../keepalived/state-parse.ts';
import { TX_DIR } from '../lvs/plan/transaction.ts';
import { ATOMIC_WRITE_EXIT, atomicWriteStep } from '../shell/remote-file.ts';
import { execChecked } from '../ssh/exec-checked.ts';
import type { Executor } from '../ssh/types.ts';

/** The config test: $1 = the file (removed afterwards). Exit 127 when keepalived is not installed. */
export const CONFIG_TEST_SCRIPT = [
  'PATH=$PATH:/usr/sbin:/sbin:/usr/bin:/bin',
  "command -v keepalived >/dev/null 2>&1 || { echo 'keepalived: not found' >&2; rm -f \"$1\"; exit 127; }",
  'keepalived -t -f "$1"; r=$?; rm -f "$1"; exit $r',
].join('\n');

/**
 * Uploads `conf` to the director's private transaction folder and config-tests it with the director's keepalived.
 * NOT_FOUND when keepalived is not installed there, INVALID_INPUT naming each line keepalived refused; nothing is
 * changed either way (the test file is removed).
 */
export async function testKeepalivedConf(exec: Executor, conf: KeepalivedConfig, txid: string): Promise<void> {
  const label = exec.label;
  const path = `${TX_DIR}/lvs-console.${txid}.ka-test.conf`;
  const up = atomicWriteStep('director', path, conf.text, { mode: '600', stamp: '-', privateDir: true, why: 'the new keepalived.conf, to test it' });
  await execChecked(exec, up.argv, [0], 'upload keepalived.conf to test it', { stdin: up.stdin ?? '', sudo: true, timeoutMs: 60_000, exitMeanings: ATOMIC_WRITE_EXIT, suffix: '; nothing was changed' });
  const step = 'keepalived -t (config test on the director)';
  const r = await exec.exec(['sh', '-c', CONFIG_TEST_SCRIPT, 'lvs-console-katest', path], { sudo: true, step, timeoutMs: 60_000 });
  if (r.code === 127) throw new AppError('NOT_FOUND', `${label}: keepalived is not installed (not found on the director's PATH); nothing was changed`, { host: label, step });
  const verdict = judgeConfigTest(r.code ?? -1, r.stderr, conf.expectedWarnings);
  if (!verdict.ok) {
    throw new AppError('INVALID_INPUT', `${label}: keepalived -t refuses the new keepalived.conf: ${verdict.problems.map((p) => describeConfigProblem(p)).join('; ')}; nothing was changed`, {
      host: label,
      step,
      detail: { problems: verdict.problems, code: r.code },
    });
  }
}

/**
 * The checker dump: SIGUSR1 to keepalived (keepalived --signum=DATA) makes its checker process write
 * /tmp/keepalived_check.data (removed first, so an old one is never read); waits until it exists and its size stops
 * changing (at most 5 s), then prints it. Exit 3 when keepalived is not running, 4 when no dump came.
 */
export const CHECKER_DUMP_SCRIPT = [
  'PATH=$PATH:/usr/sbin:/sbin:/usr/bin:/bin',
  'p=/run/keepalived.pid; f=/tmp/keepalived_check.data',
  '{ [ -r $p ] && k=$(cat $p) && [ -n "$k" ] && kill -0 "$k" 2>/dev/null; } || { echo "keepalived is not running" >&2; exit 3; }',
  'rm -f "$f"; kill -USR1 "$k" || exit 3',
  'i=0; s=-1',
  'while [ $i -lt 50 ]; do',
  '  if [ -s "$f" ]; then n=$(wc -c < "$f"); [ "$n" = "$s" ] && break; s=$n; fi',
  '  sleep 0.1; i=$((i+1))',
  'done',
  '[ -s "$f" ] || { echo "keepalived wrote no checker dump within 5 s" >&2; exit 4; }',
  'cat "$f"',
].join('\n');

/** keepalived's view of its real servers now (checker process). */
export async function readKeepalivedCheckers(exec: Executor): Promise<CheckerDestination[]> {
  const step = 'keepalived checker dump (SIGUSR1)';
  const r = await execChecked(exec, ['sh', '-c', CHECKER_DUMP_SCRIPT, 'lvs-console-kadump'], [0], step, {
    sudo: true,
    timeoutMs: 30_000,
    exitMeanings: { 3: 'keepalived is not running', 4: 'keepalived wrote no checker dump within 5 s' },
  });
  try {
    return parseCheckerData(r.stdout);
  } catch (e) {
    throw new AppError('PARSE_ERROR', `${exec.label}: ${step}: ${e instanceof Error ? e.message : String(e)}`, { host: exec.label, step, cause: e });
  }
}

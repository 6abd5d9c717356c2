/**
 * Cuts the product's SSH connection to the lab director on demand, the way remote-verbs.test.ts's watcher does it: a
 * shell on the director (over the lab's own ssh, `lab.sh exec`), waiting on its stdin; each "cut" line makes it SIGKILL
 * every sshd process except the listener and its own session's ancestors (so the lab's multiplexed connection lives),
 * and answer with what it killed and how far the transaction in the private directory had got at that instant:
 *   none      no transaction file yet (observing, planning, or the upload still in flight)
 *   uploaded  the upload is there, the transaction has not started
 *   running   the transaction has started and has no verdict yet
 *   finished  the transaction's verdict is written
 * Builtins only in the loop (no fork between the trigger and the kill): the TCG director makes every process cost ms.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TX_DIR } from '../../../../electron/lvs/plan/transaction.ts';
import { REPO } from '../../../lab/support/remote-lab.ts';

/** How far the director's transaction had got when the connection was cut. */
export type TxStage = 'none' | 'uploaded' | 'running' | 'finished';

/** One cut: when it was asked for, how long the director took to answer, what it killed, the transaction's stage. */
export interface CutReport {
  /** performance.now() when the cut was asked for. */
  at: number;
  /** Round trip of the request (trigger → kill → answer), ms. */
  roundTripMs: number;
  /** sshd processes killed. */
  killed: number;
  stage: TxStage;
}

/** The watcher script (busybox sh on the director). */
export const CUT_WATCHER = [
  'anc=" "; p=$$; while [ "$p" -gt 1 ]; do anc="$anc$p "; read -r st < /proc/$p/stat; set -- $st; p=$4; done',
  'read -r lpid < /run/sshd.pid',
  'echo ready',
  'while read -r cmd; do',
  '  [ "$cmd" = quit ] && exit 0',
  '  n=0',
  '  for d in /proc/[0-9]*; do k=${d#/proc/}',
  '    case "$anc" in *" $k "*) continue ;; esac; [ "$k" = "$lpid" ] && continue',
  '    read -r c < $d/comm 2>/dev/null || continue',
  '    case "$c" in sshd|sshd-session) kill -9 "$k" 2>/dev/null && n=$((n+1)) ;; esac',
  '  done',
  '  st=none',
  `  for f in ${TX_DIR}/lvs-console.*.upload; do [ -e "$f" ] && st=uploaded; done`,
  `  for f in ${TX_DIR}/lvs-console.*.started; do [ -e "$f" ] && st=running; done`,
  `  for f in ${TX_DIR}/lvs-console.*.result; do [ -e "$f" ] && st=finished; done`,
  '  echo "cut $n $st"',
  'done',
].join('\n');

/** The director-side cutter: start() once, cut() as often as needed, stop() at the end. */
export class DirectorCutter {
  private child?: ChildProcessWithoutNullStreams;
  private buf = '';
  private waiters: ((line: string) => void)[] = [];
  private stderr = '';

  /** Starts the watcher on the director and waits for its "ready". */
  async start(): Promise<void> {
    const child = spawn('bash', [join(REPO, 'test/lab/lab.sh'), 'exec', 'director', CUT_WATCHER], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout.on('data', (d: Buffer) => {
      this.buf += d.toString();
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i).trim();
        this.buf = this.buf.slice(i + 1);
        this.waiters.shift()?.(line);
      }
    });
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.on('close', () => {
      for (const w of this.waiters.splice(0)) w('');
    });
    const first = await this.line(30_000);
    if (first !== 'ready') throw new Error(`the director-side cutter did not start (got "${first}"; stderr: ${this.stderr.trim().slice(-500)})`);
  }

  private line(timeoutMs: number): Promise<string> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve('');
      }, timeoutMs);
      const done = (l: string) => {
        clearTimeout(t);
        resolve(l);
      };
      this.waiters.push(done);
    });
  }

  /** True while the watcher runs. */
  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && !this.child.killed;
  }

  /** Cuts every sshd session but the watcher's; resolves with what the director said. */
  async cut(): Promise<CutReport> {
    if (!this.alive) throw new Error(`the director-side cutter is not running (stderr: ${this.stderr.trim().slice(-500)})`);
    const at = performance.now();
    const answer = this.line(30_000);
    this.child!.stdin.write('cut\n');
    const l = await answer;
    const m = /^cut (\d+) (none|uploaded|running|finished)$/.exec(l);
    if (!m) throw new Error(`the director-side cutter answered "${l}" (stderr: ${this.stderr.trim().slice(-500)})`);
    return { at, roundTripMs: performance.now() - at, killed: Number(m[1]), stage: m[2] as TxStage };
  }

  /** Ends the watcher. */
  async stop(): Promise<void> {
    const c = this.child;
    if (!c) return;
    this.child = undefined;
    if (c.exitCode === null) {
      const closed = new Promise<void>((r) => c.on('close', () => r()));
      c.stdin.end('quit\n');
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
      if (c.exitCode === null) c.kill();
    }
  }
}

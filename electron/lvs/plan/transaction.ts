/**
 * The director-side transaction that makes apply all-or-nothing, as constant scripts plus pure builders:
 *   1. the upload (the batch: every `ipvsadm -R` line of the plan; then the line "@@lvs-console want"; then the exact
 *      `ipvsadm -S -n` text the plan should leave; with a look, the line "@@lvs-console look" and the `ipvsadm -S -n`
 *      text the console planned from) goes to PREFIX.upload with atomicWriteStep;
 *   2. TX_SCRIPT runs the plan's operations immune to a cut connection (HUP/PIPE/INT/TERM ignored, stdin /dev/null,
 *      output to PREFIX.log): checks the upload's size, takes the director's lock (shell/director-lock.ts: the one the
 *      director's own lvs-director start/stop/reload/update take; refused after opts.lockWaitS, nothing changed),
 *      refuses a table that is no longer the console's look, snapshots `ipvsadm -S -n` to PREFIX.snap (and, when the table
 *      is not empty, `ipvsadm -L -n --thresholds` to PREFIX.thr: -S leaves the -x/-y connection thresholds out), runs
 *      the ops, reads the table back and compares it with the wanted text, and on any failure (a command's exit
 *      status, anything `ipvsadm -R` prints on stderr — it keeps going after a bad line — or a read-back that differs)
 *      restores the snapshot with its thresholds (`ipvsadm -C; ipvsadm -R`) and undoes a VIP change; its verdict goes
 *      to PREFIX.result, after the table as it leaves it (read under the lock, then released);
 *   3. if the connection was cut, WAIT_SCRIPT (after reconnecting) waits for PREFIX.result.
 * The director's runtime changes with the table, in the same transaction (runtime-steps.ts): each file a step installs
 * is uploaded as PREFIX.fN and installed atomically by the `install` op (the old file kept for rollback), boot links
 * (`link`) and removals (`remove`) are journalled too, and keepalived is started, reloaded or stopped by the `ka` op,
 * which waits until the table read back is the planned one (weights of failing checks aside: plan.tableCheck
 * 'inhibit') and the VIP is where the plan puts it. A rollback puts files and links back, keepalived as it was, then
 * the table snapshot when the table still differs.
 * Operations travel as positional words with fixed arities; the scripts never contain user input.
 */
import { AppError } from '../../../shared/result.ts';
import { formatSaveLines, IPVSADM } from '../ipvs/ipvs-rules.ts';
import type { Plan, PlanStep } from '../../../shared/model/plan.ts';
import { atomicWriteStep } from '../../shell/remote-file.ts';
import { CROND_RELOAD_SCRIPT, KEEPALIVED_INIT, PAIR_INIT, PLAIN_PATH } from './runtime-steps.ts';
import { shellQuote } from '../../shell/shell-quote.ts';
import { sysctlPath } from './sysctl-path.ts';
import { TX_SCRIPT } from '../../shell/transaction-script.ts';
import { assertPlainDir } from '../../shell/private-dir.ts';
import { LOCK_DIR, LOCK_WAIT_S } from '../../shell/director-lock.ts';

/**
 * Where transaction files live on the director: TX_DIR/lvs-console.TXID.{upload,batch,snap,log,result,…} (TXID is
 * random). A private directory (root's, 0700, no symlink on its path: electron/shell/private-dir.ts), made by the
 * upload when missing; every script refuses to write or read there unless the check passes (verdict `refused private-dir …`).
 */
export const TX_DIR = LOCK_DIR;

/** The transaction's verdict. */
export type TxVerdict =
  | { kind: 'applied' }
  | { kind: 'rolled-back' | 'rollback-failed'; op: number; opName: string }
  | { kind: 'refused'; why: string }
  | { kind: 'not-started' }
  | { kind: 'still-running' };

/** One plan turned into a transaction. */
export interface Transaction {
  txid: string;
  /** PREFIX of every file: TX_DIR/lvs-console.TXID */
  prefix: string;
  /** The ipvsadm -R lines ('' when the plan changes no table entries). */
  batch: string;
  /** The exact `ipvsadm -S -n` text the plan should leave (undefined when the plan has no desired table). */
  want?: string;
  /** The ops as TX_SCRIPT reads them, and for each op the plan step it came from. */
  ops: string[];
  opSteps: PlanStep[];
  /** Upload of the batch and the wanted table (undefined when the plan has neither). */
  upload?: PlanStep;
  /** Files the transaction installs: each uploaded (to PREFIX.fN) before it runs. */
  files: { n: number; target: string; upload: PlanStep }[];
  /** argv of the transaction. */
  argv: string[];
  /** What the VIP should be afterwards, when the plan changes it: address + device. */
  vip?: { address: string; dev: string; up: boolean };
  /** How the table read back is compared with the plan's (exact, or keepalived's inhibit_on_failure allowed). */
  tableCheck: 'exact' | 'inhibit';
  /** The `ipvsadm -S -n` text the plan was made from, which the snapshot must equal (when given). */
  look?: string;
  /** Seconds the transaction waits for the director's lock. */
  lockWaitS: number;
}

/** Options of buildTransaction beyond the plan. */
export interface TransactionOptions {
  /**
   * The `ipvsadm -S -n` text the plan was made from (DirectorState.saveText): the transaction refuses, changing nothing,
   * when the table it snapshots under the lock is not exactly this one ("changed-since-look"). Ignored for plans checked
   * against keepalived's table (tableCheck 'inhibit': keepalived changes weights by itself) and plans with no upload.
   */
  look?: string;
  /** Seconds to wait for the director's lock (default LOCK_WAIT_S.transaction). */
  lockWaitS?: number;
}

/** The line that separates the batch from the wanted table in the upload. */
export const UPLOAD_MARK = '@@lvs-console want';
/** The line that separates the wanted table from the console's look in the upload. */
export const LOOK_MARK = '@@lvs-console look';

const WORD = /^[^\s]+$/;
const ADDR_PFX = /^[0-9A-Fa-f:.]+\/\d{1,3}$/;
const IFNAME = /^[A-Za-z0-9_.:@-]{1,32}$/;

/** The -R line for one ipvsadm step (its argv after "ipvsadm"), refusing words ipvsadm -R would split. */
function batchLine(step: PlanStep): string {
  const words = step.argv.slice(1);
  for (const w of words) if (!WORD.test(w)) throw new AppError('INVALID_INPUT', `cannot batch ${shellQuote(step.argv)}: argument "${w}" contains blanks`);
  return `${words.join(' ')}\n`;
}

/** Maps one non-table plan step to a TX op, or throws UNSUPPORTED naming the step. */
function stepOp(step: PlanStep, plan: Plan, file: () => number): { op: string[]; vip?: Transaction['vip']; file?: { n: number; target: string; content: string; mode: string } } {
  const a = step.argv;
  const unsupported = () => new AppError('UNSUPPORTED', `${step.host}: ${shellQuote(a)}: this step cannot run inside the apply transaction`, { host: step.host, step: shellQuote(a) });
  // install -m MODE /dev/stdin PATH   (content on stdin)
  if (a[0] === 'install' && a.length === 5 && a[1] === '-m' && /^[0-7]{3,4}$/.test(a[2]!) && a[3] === '/dev/stdin' && PLAIN_PATH.test(a[4]!) && step.stdin !== undefined) {
    const n = file();
    const size = String(Buffer.byteLength(step.stdin, 'utf8'));
    return { op: ['install', String(n), a[4]!, a[2]!, size, step.check === 'sh' ? 'sh' : '-'], file: { n, target: a[4]!, content: step.stdin, mode: a[2]! } };
  }
  // rm -f PATH
  if (a[0] === 'rm' && a.length === 3 && a[1] === '-f' && PLAIN_PATH.test(a[2]!)) return { op: ['remove', a[2]!] };
  // ln -sfn TARGET LINK
  if (a[0] === 'ln' && a.length === 4 && a[1] === '-sfn' && PLAIN_PATH.test(a[2]!) && PLAIN_PATH.test(a[3]!)) return { op: ['link', a[2]!, a[3]!] };
  // sh -c CROND_RELOAD_SCRIPT lvs-console-crond USER DIR
  if (a[0] === 'sh' && a[1] === '-c' && a[2] === CROND_RELOAD_SCRIPT && a.length === 6 && /^[a-z_][a-z0-9_-]{0,31}$/.test(a[4]!) && PLAIN_PATH.test(a[5]!)) return { op: ['crond', a[4]!, a[5]!] };
  // /etc/init.d/keepalived start|reload|stop: waits for the planned table and the VIP where the plan puts it
  if (a[0] === KEEPALIVED_INIT && a.length === 2 && (a[1] === 'start' || a[1] === 'reload' || a[1] === 'stop')) {
    const v = plan.vip;
    if (v && (!ADDR_PFX.test(`${v.address}/${v.prefix}`) || !IFNAME.test(v.dev))) throw unsupported();
    return { op: ['ka', a[1], v ? `${v.address}/${v.prefix}` : '-', v ? v.dev : '-', v ? (v.up ? 'up' : 'down') : '-'], ...(v ? { vip: { address: v.address, dev: v.dev, up: v.up } } : {}) };
  }
  // /etc/init.d/lvs-pair start: a pair's sync daemons and takeover guard (idempotent; nothing to undo)
  if (a[0] === PAIR_INIT && a.length === 2 && a[1] === 'start') return { op: ['pair'] };
  if (a[0] === 'ip') {
    const rest = a[1] === '-6' ? a.slice(2) : a.slice(1);
    // ip [-6] addr add ADDR/PFX dev DEV [label LABEL]   |   ip [-6] addr del ADDR/PFX dev DEV
    if (rest[0] === 'addr' && (rest[1] === 'add' || rest[1] === 'del') && rest[3] === 'dev' && ADDR_PFX.test(rest[2] ?? '') && IFNAME.test(rest[4] ?? '')) {
      const [addr, dev] = [rest[2]!, rest[4]!];
      const vip = { address: addr.split('/')[0]!, dev, up: rest[1] === 'add' };
      if (rest[1] === 'del' && rest.length === 5) return { op: ['vip-del', addr, dev], vip };
      if (rest[1] === 'add' && rest.length === 5) return { op: ['vip-add', addr, dev, '-'], vip };
      if (rest[1] === 'add' && rest.length === 7 && rest[5] === 'label' && IFNAME.test(rest[6]!)) return { op: ['vip-add', addr, dev, rest[6]!], vip };
    }
    throw unsupported();
  }
  // sysctl -w KEY=VALUE
  if (a[0] === 'sysctl' && a[1] === '-w' && a.length === 3) {
    const m = /^([A-Za-z0-9_./-]+)=([A-Za-z0-9_.-]+)$/.exec(a[2]!);
    if (m) return { op: ['sysctl', sysctlPath(m[1]!), m[2]!] };
  }
  throw unsupported();
}

/**
 * Turns a plan into one transaction: `ipvsadm -C` → clear; `ipvsadm -R` (stdin) and every other ipvsadm step (-A/-E/-D,
 * -a/-e/-d) → lines of ONE batch, run by a single `restore` op where the first of them stood; VIP and sysctl steps →
 * their ops. The table steps after the first batched one must follow each other (what every planner produces).
 * `dir` is the private directory on the director (TX_DIR; tests pass their own).
 */
export function buildTransaction(plan: Plan, txid: string, dir: string = TX_DIR, opts: TransactionOptions = {}): Transaction {
  if (!/^[0-9a-f]{8,32}$/.test(txid)) throw new AppError('INVALID_INPUT', `bad transaction id ${txid}`);
  const lockWaitS = opts.lockWaitS ?? LOCK_WAIT_S.transaction;
  if (!Number.isInteger(lockWaitS) || lockWaitS < 0 || lockWaitS > 3600) throw new AppError('INVALID_INPUT', `bad lock wait ${lockWaitS} s`);
  const prefix = `${assertPlainDir(dir)}/lvs-console.${txid}`;
  const ops: string[] = [];
  const opSteps: PlanStep[] = [];
  let batch = '';
  let restoreAt = -1;
  let vip: Transaction['vip'];
  let files = 0;
  const installs: { n: number; target: string; content: string; mode: string }[] = [];
  plan.steps.forEach((step, idx) => {
    if (step.followUp) throw new AppError('UNSUPPORTED', `${shellQuote(step.argv)}: a step with a follow-up (graceful drain) is not applied by this transaction`);
    const isIpvs = step.argv[0] === IPVSADM;
    if (isIpvs && step.argv.length === 2 && step.argv[1] === '-C') {
      if (restoreAt >= 0) throw new AppError('UNSUPPORTED', `plan ${plan.verb}: ipvsadm -C after table changes (step ${idx + 1}) cannot be one transaction`);
      ops.push('clear');
      opSteps.push(step);
      return;
    }
    if (isIpvs) {
      if (restoreAt >= 0 && restoreAt !== ops.length - 1) throw new AppError('UNSUPPORTED', `plan ${plan.verb}: table steps split by other steps (step ${idx + 1}) cannot be one batch`);
      if (step.argv.length === 2 && step.argv[1] === '-R') batch += step.stdin ? (step.stdin.endsWith('\n') ? step.stdin : `${step.stdin}\n`) : '';
      else batch += batchLine(step);
      if (restoreAt < 0) {
        restoreAt = ops.length;
        ops.push('restore');
        opSteps.push(step);
      }
      return;
    }
    const m = stepOp(step, plan, () => ++files);
    if (m.vip) vip = m.vip;
    if (m.file) installs.push(m.file);
    ops.push(m.op.join('\u0000'));
    opSteps.push(step);
  });
  if (batch === '' && restoreAt >= 0) {
    // An empty -R (a profile without services): nothing to restore.
    ops.splice(restoreAt, 1);
    opSteps.splice(restoreAt, 1);
  }
  const words = ops.flatMap((o) => o.split('\u0000'));
  const want = plan.desired ? formatSaveLines(plan.desired) : undefined;
  const tableCheck = plan.tableCheck ?? 'exact';
  const base = want === undefined && batch === '' ? undefined : `${batch}${UPLOAD_MARK}\n${want ?? ''}`;
  // the look as ipvsadm -S -n prints it: every line ends with a newline
  const look = base !== undefined && tableCheck === 'exact' && opts.look !== undefined ? (opts.look === '' || opts.look.endsWith('\n') ? opts.look : `${opts.look}\n`) : undefined;
  if (look !== undefined && look.split('\n').some((l) => l.startsWith('@@'))) throw new AppError('INVALID_INPUT', 'the look is not an ipvsadm -S -n table');
  const content = base === undefined ? undefined : look === undefined ? base : `${base}${LOOK_MARK}\n${look}`;
  const upload =
    content === undefined
      ? undefined
      : atomicWriteStep('director', `${prefix}.upload`, content, {
          mode: '600',
          stamp: '-',
          privateDir: true,
          why: `upload the batch (${batch === '' ? 0 : batch.split('\n').length - 1} ipvsadm -R line(s)) and the table it should leave`,
        });
  const size = content === undefined ? '-' : String(Buffer.byteLength(content, 'utf8'));
  if (!vip && plan.vip) vip = { address: plan.vip.address, dev: plan.vip.dev, up: plan.vip.up };
  const fileUploads = installs.map((f) => ({
    n: f.n,
    target: f.target,
    upload: atomicWriteStep('director', `${prefix}.f${f.n}`, f.content, { mode: '600', stamp: '-', privateDir: true, why: `upload the new ${f.target}` }),
  }));
  return {
    txid,
    prefix,
    batch,
    ...(want !== undefined ? { want } : {}),
    ops: ops.map((o) => o.split('\u0000').join(' ')),
    opSteps,
    ...(upload ? { upload } : {}),
    files: fileUploads,
    argv: ['sh', '-c', TX_SCRIPT, 'lvs-console-tx', prefix, size, want !== undefined ? (tableCheck === 'inhibit' ? 'ka' : 'check') : '-', String(lockWaitS), look !== undefined ? 'look' : '-', ...words],
    ...(vip ? { vip } : {}),
    tableCheck,
    ...(look !== undefined ? { look } : {}),
    lockWaitS,
  };
}

/** The line before the table the transaction read under the director's lock, as it left it. */
export const TABLE_MARK = '@@lvs-console table';

/**
 * Splits TX_SCRIPT / WAIT_SCRIPT output into the log, the table read under the director's lock just before the verdict
 * (`ipvsadm -S -n` text after the last "@@lvs-console table" line; absent when the lock was never taken) and the verdict
 * (the last "@@lvs-console result …" line). Returns undefined when there is no verdict line (the output was cut).
 */
export function parseTxOutput(stdout: string): { log: string; verdict: TxVerdict; table?: string } | undefined {
  const lines = stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const last = lines[lines.length - 1];
  // "@@lvs-console result applied" | "… rolled-back N OP" | "… rollback-failed N OP" | "… refused WHY" | "… not-started" | "… still-running"
  const m = last === undefined ? null : /^@@lvs-console result (applied|rolled-back|rollback-failed|refused|not-started|still-running)(?: (.*))?$/.exec(last);
  if (!m) return undefined;
  const mark = lines.lastIndexOf(TABLE_MARK, -2);
  const table = mark >= 0 ? lines.slice(mark + 1, -1).map((l) => `${l}\n`).join('') : undefined;
  const log = lines.slice(0, mark >= 0 ? mark : -1).join('\n');
  const withTable = table !== undefined ? { table } : {};
  const kind = m[1]!;
  const rest = m[2] ?? '';
  if (kind === 'rolled-back' || kind === 'rollback-failed') {
    const r = /^(\d+) (\S+)$/.exec(rest);
    if (!r) throw new AppError('PARSE_ERROR', `transaction result: line ${lines.length}: "${last}" names no op`);
    return { log, verdict: { kind, op: Number(r[1]), opName: r[2]! }, ...withTable };
  }
  if (kind === 'refused') return { log, verdict: { kind, why: rest }, ...withTable };
  return { log, verdict: { kind } as TxVerdict, ...withTable };
}

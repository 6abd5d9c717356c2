/**
 * The director-side transaction that makes apply all-or-nothing, as constant scripts plus pure builders:
 *   1. the upload (the batch: every `ipvsadm -R` line of the plan; then the line "@@lvs-console want"; then the exact
 *      `ipvsadm -S -n` text the plan should leave) goes to PREFIX.upload with atomicWriteStep;
 *   2. TX_SCRIPT runs the plan's operations immune to a cut connection (HUP/PIPE/INT/TERM ignored, stdin /dev/null,
 *      output to PREFIX.log): checks the upload's size, snapshots `ipvsadm -S -n` to PREFIX.snap (and, when the table
 *      is not empty, `ipvsadm -L -n --thresholds` to PREFIX.thr: -S leaves the -x/-y connection thresholds out), runs
 *      the ops, reads the table back and compares it with the wanted text, and on any failure (a command's exit
 *      status, anything `ipvsadm -R` prints on stderr — it keeps going after a bad line — or a read-back that differs)
 *      restores the snapshot with its thresholds (`ipvsadm -C; ipvsadm -R`) and undoes a VIP change; its verdict goes
 *      to PREFIX.result;
 *   3. if the connection was cut, WAIT_SCRIPT (after reconnecting) waits for PREFIX.result.
 * Operations travel as positional words with fixed arities; the scripts never contain user input.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../shared/result.ts';
import { formatSaveLines, IPVSADM } from '../lvs/ipvs-rules.ts';
import type { Plan, PlanStep } from '../lvs/plan-types.ts';
import { atomicWriteStep } from '../lvs/remote-file.ts';
import { shellQuote } from '../lvs/shell-quote.ts';
import { sysctlPath } from './director-observe.ts';

/** Where transaction files live on the director: /tmp/lvs-console.TXID.{batch,snap,log,result,…} (TXID is random). */
export const TX_DIR = '/tmp';

/**
 * `thr_merge THRESHOLDS SAVE`: the `ipvsadm -S -n` text SAVE with " -x U -y L" added to each destination that the
 * `ipvsadm -L -n --thresholds` listing THRESHOLDS shows with a non-zero threshold (-S leaves them out, -R reads them),
 * matched by service (TCP/UDP/SCTP ADDR:PORT or FWM MARK, as -n prints both) and realserver. POSIX awk (busybox too);
 * FILENAME, not NR == FNR, tells the files apart, so an empty THRESHOLDS still prints SAVE whole.
 */
export const THR_MERGE = [
  'thr_merge() { awk \'',
  '  FILENAME == ARGV[1] {',
  '    if ($1 == "TCP" || $1 == "UDP" || $1 == "SCTP" || $1 == "FWM") { svc = $1 " " $2; next }',
  '    if ($1 == "->" && svc != "" && ($3 != "0" || $4 != "0")) x[svc " " $2] = " -x " $3 " -y " $4',
  '    next',
  '  }',
  '  $1 == "-a" {',
  '    k = ""; r = ""',
  '    for (i = 2; i < NF; i++) {',
  '      if ($i == "-t") k = "TCP " $(i + 1); else if ($i == "-u") k = "UDP " $(i + 1)',
  '      else if ($i == "--sctp-service") k = "SCTP " $(i + 1); else if ($i == "-f") k = "FWM " $(i + 1)',
  '      else if ($i == "-r") r = $(i + 1)',
  '    }',
  '    if ((k " " r) in x) { print $0 x[k " " r]; next }',
  '  }',
  '  { print }',
  '\' "$1" "$2"; }',
].join('\n');

/**
 * The transaction. $1 = prefix, $2 = the upload's size in bytes ('-' = no upload), $3 = check | - (compare the table
 * read back with the wanted text), then ops:
 *   clear | restore | vip-add ADDR/PFX DEV LABEL|- | vip-del ADDR/PFX DEV | sysctl PATH VALUE
 * Verdict (PREFIX.result, and "@@lvs-console result VERDICT" on stdout after the log):
 *   applied | rolled-back N OP | rollback-failed N OP | refused WHY   (N = 1-based op number; N OP = "N verify" when
 *   the read-back differed). After rollback-failed the snapshot is kept as PREFIX.snap.keep.
 */
export const TX_SCRIPT = [
  "trap '' HUP PIPE INT TERM",
  'p=$1; size=$2; check=$3; shift 3',
  'PATH=$PATH:/usr/sbin:/sbin:/usr/bin:/bin',
  'umask 077',
  'exec 3>&1 >"$p.log" 2>&1 </dev/null',
  ': > "$p.started"',
  "find \"${p%/*}\" -maxdepth 1 -name 'lvs-console.*' -mtime +0 -exec rm -f {} \\; 2>/dev/null",
  'say() {',
  '  printf \'%s\\n\' "$1" > "$p.result.tmp" && mv -f "$p.result.tmp" "$p.result"',
  '  rm -f "$p.upload" "$p.batch" "$p.want" "$p.snap" "$p.thr" "$p.restore" "$p.after" "$p.err" "$p.started"',
  '  cat "$p.log" >&3 2>/dev/null',
  '  printf \'@@lvs-console result %s\\n\' "$1" >&3 2>/dev/null',
  '  exit 0',
  '}',
  'has_addr() { ip -o addr show dev "$2" 2>/dev/null | grep -qF " ${1%/*}/"; }',
  'vip_add() { if [ "$3" = - ]; then ip addr add "$1" dev "$2"; else ip addr add "$1" dev "$2" label "$3"; fi; }',
  "vip_label() { ip -o addr show dev \"$2\" | awk -v a=\"$1\" '$4 == a { for (i = 5; i <= NF; i++) if ($i ~ /\\\\$/ || i == NF) { l = $i; sub(/\\\\$/, \"\", l); print l; exit } }'; }",
  THR_MERGE,
  'undo=',
  'rollback() {',
  '  echo "lvs-console: op $failed failed: restoring the snapshot"',
  '  ok=1',
  '  thr_merge "$p.thr" "$p.snap" > "$p.restore" || cp "$p.snap" "$p.restore"',
  '  ipvsadm -C || ok=0',
  '  ipvsadm -R < "$p.restore" || ok=0',
  '  case $undo in',
  '    del\\ *) set -- $undo; ip addr del "$2" dev "$3" || ok=0 ;;',
  '    add\\ *) set -- $undo; vip_add "$2" "$3" "$4" || ok=0 ;;',
  '  esac',
  '  if ipvsadm -S -n > "$p.after" && cmp -s "$p.snap" "$p.after"; then :; else ok=0; fi',
  '  if [ $ok = 1 ]; then say "rolled-back $failed"; else cp "$p.restore" "$p.snap.keep"; say "rollback-failed $failed"; fi',
  '}',
  'if [ "$size" != - ]; then',
  '  [ -f "$p.upload" ] || say "refused upload-missing"',
  '  n=$(wc -c < "$p.upload" | tr -d \' \')',
  '  [ "$n" = "$size" ] || say "refused upload-size-$n"',
  '  grep -qx \'@@lvs-console want\' "$p.upload" || say "refused upload-unmarked"',
  '  sed \'/^@@lvs-console want$/,$d\' "$p.upload" > "$p.batch" || say "refused split-failed"',
  '  sed \'1,/^@@lvs-console want$/d\' "$p.upload" > "$p.want" || say "refused split-failed"',
  'fi',
  'ipvsadm -S -n > "$p.snap" || say "refused snapshot-failed"',
  'if [ -s "$p.snap" ]; then ipvsadm -L -n --thresholds > "$p.thr" 2>/dev/null || : > "$p.thr"; else : > "$p.thr"; fi',
  'i=0',
  'while [ $# -gt 0 ]; do',
  '  i=$((i+1)); op=$1; shift; failed="$i $op"',
  '  case $op in',
  '    clear) ipvsadm -C || rollback ;;',
  '    restore) ipvsadm -R < "$p.batch" 2> "$p.err"; r=$?; cat "$p.err"; if [ $r != 0 ] || [ -s "$p.err" ]; then rollback; fi ;;',
  '    vip-add) a=$1; d=$2; l=$3; shift 3',
  '      if has_addr "$a" "$d"; then echo "lvs-console: $a already on $d"',
  '      elif vip_add "$a" "$d" "$l"; then undo="del $a $d"',
  '      else rollback; fi ;;',
  '    vip-del) a=$1; d=$2; shift 2',
  '      if ! has_addr "$a" "$d"; then echo "lvs-console: $a not on $d"',
  '      else',
  '        l=$(vip_label "$a" "$d"); case $l in *:*) ;; *) l=- ;; esac',
  '        if ip addr del "$a" dev "$d"; then undo="add $a $d $l"; else rollback; fi',
  '      fi ;;',
  '    sysctl) k=$1; v=$2; shift 2; echo "$v" > "/proc/sys/$k" || rollback ;;',
  '    *) echo "lvs-console: unknown op $op"; rollback ;;',
  '  esac',
  'done',
  'if [ "$check" = check ]; then',
  '  i=$((i+1)); failed="$i verify"',
  '  if ipvsadm -S -n > "$p.after" && cmp -s "$p.want" "$p.after"; then :; else',
  '    echo "lvs-console: the table read back differs from the plan (- planned, + read back):"; diff -u "$p.want" "$p.after"; rollback',
  '  fi',
  'fi',
  'say applied',
].join('\n');

/**
 * After a cut connection: waits up to $2 seconds for PREFIX.result ($1 = prefix), then prints the log and
 * "@@lvs-console result VERDICT"; "@@lvs-console result not-started" when no PREFIX.started appeared within 5 s (the
 * transaction never ran), "@@lvs-console result still-running" on timeout. Removes the files once the verdict is read.
 */
export const WAIT_SCRIPT = [
  'p=$1; n=$2; i=0',
  'while [ ! -f "$p.result" ]; do',
  '  if [ ! -f "$p.started" ] && [ $i -ge 5 ]; then rm -f "$p.upload"; echo \'@@lvs-console result not-started\'; exit 0; fi',
  '  if [ $i -ge "$n" ]; then echo \'@@lvs-console result still-running\'; exit 0; fi',
  '  sleep 1; i=$((i+1))',
  'done',
  'cat "$p.log" 2>/dev/null',
  'printf \'@@lvs-console result %s\\n\' "$(cat "$p.result")"',
  'rm -f "$p.log" "$p.result" "$p.upload"',
].join('\n');

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
  /** PREFIX of every file: /tmp/lvs-console.TXID */
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
  /** argv of the transaction. */
  argv: string[];
  /** What the VIP should be afterwards, when the plan changes it: address + device. */
  vip?: { address: string; dev: string; up: boolean };
}

/** The line that separates the batch from the wanted table in the upload. */
export const UPLOAD_MARK = '@@lvs-console want';

/** A fresh random transaction id (hex, unguessable: the files live in /tmp). */
export function newTxid(): string {
  return randomBytes(8).toString('hex');
}

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
function stepOp(step: PlanStep): { op: string[]; vip?: Transaction['vip'] } {
  const a = step.argv;
  const unsupported = () => new AppError('UNSUPPORTED', `${step.host}: ${shellQuote(a)}: this step cannot run inside the apply transaction`, { host: step.host, step: shellQuote(a) });
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
 */
export function buildTransaction(plan: Plan, txid: string = newTxid()): Transaction {
  if (!/^[0-9a-f]{8,32}$/.test(txid)) throw new AppError('INVALID_INPUT', `bad transaction id ${txid}`);
  const prefix = `${TX_DIR}/lvs-console.${txid}`;
  const ops: string[] = [];
  const opSteps: PlanStep[] = [];
  let batch = '';
  let restoreAt = -1;
  let vip: Transaction['vip'];
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
    const m = stepOp(step);
    if (m.vip) vip = m.vip;
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
  const content = want === undefined && batch === '' ? undefined : `${batch}${UPLOAD_MARK}\n${want ?? ''}`;
  const upload =
    content === undefined
      ? undefined
      : atomicWriteStep('director', `${prefix}.upload`, content, {
          mode: '600',
          stamp: '-',
          why: `upload the batch (${batch === '' ? 0 : batch.split('\n').length - 1} ipvsadm -R line(s)) and the table it should leave`,
        });
  const size = content === undefined ? '-' : String(Buffer.byteLength(content, 'utf8'));
  return {
    txid,
    prefix,
    batch,
    ...(want !== undefined ? { want } : {}),
    ops: ops.map((o) => o.split('\u0000').join(' ')),
    opSteps,
    ...(upload ? { upload } : {}),
    argv: ['sh', '-c', TX_SCRIPT, 'lvs-console-tx', prefix, size, want !== undefined ? 'check' : '-', ...words],
    ...(vip ? { vip } : {}),
  };
}

/** argv of the wait after a cut connection. */
export function waitArgv(prefix: string, timeoutS: number): string[] {
  if (!/^\/[A-Za-z0-9_./-]+$/.test(prefix)) throw new AppError('INVALID_INPUT', `bad transaction prefix ${prefix}`);
  return ['sh', '-c', WAIT_SCRIPT, 'lvs-console-wait', prefix, String(Math.max(1, Math.floor(timeoutS)))];
}

/**
 * Splits TX_SCRIPT / WAIT_SCRIPT output into the log and the verdict (the last "@@lvs-console result …" line).
 * Returns undefined when there is no verdict line (the output was cut).
 */
export function parseTxOutput(stdout: string): { log: string; verdict: TxVerdict } | undefined {
  const lines = stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const last = lines[lines.length - 1];
  // "@@lvs-console result applied" | "… rolled-back N OP" | "… rollback-failed N OP" | "… refused WHY" | "… not-started" | "… still-running"
  const m = last === undefined ? null : /^@@lvs-console result (applied|rolled-back|rollback-failed|refused|not-started|still-running)(?: (.*))?$/.exec(last);
  if (!m) return undefined;
  const log = lines.slice(0, -1).join('\n');
  const kind = m[1]!;
  const rest = m[2] ?? '';
  if (kind === 'rolled-back' || kind === 'rollback-failed') {
    const r = /^(\d+) (\S+)$/.exec(rest);
    if (!r) throw new AppError('PARSE_ERROR', `transaction result: line ${lines.length}: "${last}" names no op`);
    return { log, verdict: { kind, op: Number(r[1]), opName: r[2]! } };
  }
  if (kind === 'refused') return { log, verdict: { kind, why: rest } };
  return { log, verdict: { kind } as TxVerdict };
}

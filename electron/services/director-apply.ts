/**
 * apply: runs a Plan on the director as ONE transaction (lvs/plan/transaction.ts, shell/transaction-script.ts) and proves the result by re-observing:
 * upload → transaction → (after a cut connection: reconnect and wait for the verdict) → re-observe → compare with the
 * plan's table (counters ignored) and with the table before. Either the plan holds, or the previous table was restored
 * (APPLY_FAILED), or the error is loud (ROLLBACK_FAILED). Never a table in between.
 * The transaction holds the director's lock (shell/director-lock.ts) from its snapshot to its verdict, the same lock the
 * director's own lvs-director update takes, and refuses a table that changed since the console looked at it. The table
 * it read under that lock just before its verdict is what the plan and the previous table are compared with: the
 * director's own update may change the table again as soon as the lock is released (that is its job), and a change
 * made after the verdict is not this transaction's failure. The re-observe still gives the VIP, the sysctls and
 * `after` (the director now).
 */
import { AppError } from '../../shared/result.ts';
import { findAddress } from '../lvs/ipvs/ip-addr-parse.ts';
import { ATOMIC_WRITE_EXIT } from '../shell/remote-file.ts';
import type { Plan } from '../../shared/model/plan.ts';
import { shellQuote } from '../shell/shell-quote.ts';
import { diffTables, sameTable, sameTableInhibited } from '../lvs/plan/table-diff.ts';
import { checkedError, execChecked } from '../ssh/exec-checked.ts';
import type { Executor } from '../ssh/types.ts';
import { waitArgv } from '../shell/transaction-script.ts';
import { newTxid } from './txid.ts';
import { parseIpvsadmSave } from '../lvs/ipvs/ipvsadm-save-parse.ts';
import { describeLockHolder, LOCK_NAME, parseLockToken } from '../shell/director-lock.ts';
import type { IpvsTable } from '../../shared/model/ipvs.ts';
import { buildTransaction, parseTxOutput, type Transaction, type TxVerdict } from '../lvs/plan/transaction.ts';
import { observeDirector, type DirectorState } from './director-observe.ts';

/** What apply reports while it works. */
export interface ApplyProgress {
  phase: 'upload' | 'transaction' | 'reconnect' | 'verify';
  message: string;
  txid: string;
}

/** Options of applyPlan. */
export interface ApplyOptions {
  /** sysctl keys the re-observe reads (see observedSysctlKeys). */
  sysctlKeys: readonly string[];
  onProgress?: (p: ApplyProgress) => void;
  /** Fixed transaction id (tests); default random. */
  txid?: string;
  /** The private directory for the transaction's files on the director (default TX_DIR; tests pass their own). */
  txDir?: string;
  /** Seconds the transaction waits for the director's lock (default LOCK_WAIT_S.transaction). */
  lockWaitS?: number;
  /** How long to wait for a cut transaction's verdict after reconnecting (default 120 s). */
  recoverWaitS?: number;
  /** Limit for the transaction exec itself (default 300 s); when it passes, apply waits for the verdict as after a cut. */
  transactionTimeoutMs?: number;
  /** Called right after the transaction exec was sent (tests use it to cut the connection mid-run). */
  onTransactionSent?: (tx: Transaction) => void;
}

/** What a successful apply did. */
export interface ApplyReport {
  txid: string;
  verdict: TxVerdict;
  /** The transaction's log (ipvsadm messages, "already up" notes). */
  log: string;
  /** True when the connection was cut (or timed out) during the transaction and the verdict was fetched after reconnecting. */
  recovered: boolean;
  /** The director re-observed after the apply. */
  after: DirectorState;
  transaction?: Transaction;
}

const UPLOAD_TIMEOUT_MS = 120_000;

/** The last distinct lines of a log, for messages ("Memory allocation problem (×2)"). */
function logTail(log: string, n = 6): string {
  const counts = new Map<string, number>();
  for (const raw of log.split('\n')) {
    const l = raw.trim();
    if (l && !l.startsWith('lvs-console: op ')) counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  return [...counts]
    .slice(-n)
    .map(([l, c]) => (c > 1 ? `${l} (×${c})` : l))
    .join('; ');
}

/** True for the errors that mean "the connection went away", after which the transaction may still be running. */
function isCut(e: unknown): boolean {
  return e instanceof AppError && (e.code === 'CONNECT_FAILED' || e.code === 'TIMEOUT');
}

/** Which table the director holds (`table`) compared with before and the plan (keepalived's weight-0 inhibits allowed when the plan says so). */
function whichTable(plan: Plan, before: DirectorState, table: IpvsTable): 'planned' | 'before' | 'neither' {
  const same = plan.tableCheck === 'inhibit' ? sameTableInhibited : (a: IpvsTable, b: IpvsTable) => sameTable(b, a);
  if (plan.desired && same(plan.desired, table)) return 'planned';
  if (same(before.table, table)) return 'before';
  return 'neither';
}

/** The table the transaction read under the director's lock (undefined when it printed none, or one that does not parse). */
function lockedTable(text: string | undefined): IpvsTable | undefined {
  if (text === undefined) return undefined;
  try {
    return { services: parseIpvsadmSave(text).services };
  } catch {
    return undefined;
  }
}

/** "the director's own lvs-director update (pid 812) holds the director's lock (…/director.lock), since 21:03:05 UTC" */
function lockBusyText(token: string, tx: Transaction): string {
  const h = parseLockToken(token);
  const path = `${tx.prefix.slice(0, tx.prefix.lastIndexOf('/'))}/${LOCK_NAME}`;
  if (token === '') return `the director's lock (${path}) stayed busy`;
  if (!h) return `${path} holds "${token}", which is not a lock this console or lvs-director writes: remove it if neither runs`;
  const since = h.since ? `, since ${h.since.toISOString().slice(11, 19)} UTC` : '';
  return `${describeLockHolder(h)} (pid ${h.pid}) holds the director's lock (${path}${since})`;
}

/** Human description of the op a verdict names ("ipvsadm -R (batch of 202 lines)", "verify"). */
function describeOp(tx: Transaction, op: number, opName: string): string {
  if (opName === 'verify') return 'read-back check';
  const step = tx.opSteps[op - 1];
  if (!step) return opName;
  if (tx.ops[op - 1] === 'restore') return `ipvsadm -R (batch of ${tx.batch.split('\n').length - 1} line(s))`;
  return shellQuote(step.argv);
}

/**
 * Applies `plan` (observed as `before`) on the director. Resolves with the report when the director holds the planned
 * table (and VIP); otherwise throws: APPLY_FAILED (the previous table was restored, or nothing was changed),
 * ROLLBACK_FAILED (restore failed or the table is neither: loud), CONNECT_FAILED / TIMEOUT (the connection could not be
 * re-established to learn the outcome). Every error names the host and the step.
 */
export async function applyPlan(exec: Executor, plan: Plan, before: DirectorState, opts: ApplyOptions): Promise<ApplyReport> {
  const label = exec.label;
  if (plan.steps.length === 0) return { txid: '-', verdict: { kind: 'applied' }, log: '', recovered: false, after: before };
  // the look: the table the plan was made from (a 'table' observation's exact ipvsadm -S -n text)
  const tx = buildTransaction(plan, opts.txid ?? newTxid(), opts.txDir, {
    ...(before.saveText !== undefined ? { look: before.saveText } : {}),
    ...(opts.lockWaitS !== undefined ? { lockWaitS: opts.lockWaitS } : {}),
  });
  const progress = (phase: ApplyProgress['phase'], message: string) => opts.onProgress?.({ phase, message, txid: tx.txid });

  const uploads = [...(tx.upload ? [tx.upload] : []), ...tx.files.map((f) => f.upload)];
  for (const up of uploads) {
    progress('upload', up.why);
    // execChecked's errors (a failed write, or the connection lost before it) all mean: nothing was changed.
    await execChecked(exec, up.argv, [0], 'upload batch', {
      stdin: up.stdin ?? '',
      sudo: true,
      timeoutMs: UPLOAD_TIMEOUT_MS,
      exitMeanings: ATOMIC_WRITE_EXIT,
      suffix: '; nothing was changed',
    }).catch((e: unknown) => {
      // execChecked's own errors already say so; a lost connection or a timeout is said here. Exit 15: the private
      // transaction directory failed its check (symlink, wrong owner, writable by others): refused, nothing written.
      if (e instanceof AppError && e.code === 'COMMAND_FAILED' && (e.detail as { code?: unknown } | undefined)?.code === 15) {
        const why = String((e.detail as { stderr?: unknown }).stderr ?? '').trim().split('\n')[0] || 'refused: the transaction directory is not private';
        throw new AppError('APPLY_FAILED', `${label}: upload batch: ${why}; nothing was changed`, { host: label, step: 'upload batch', detail: e.detail, cause: e });
      }
      if (e instanceof AppError && (e.code === 'COMMAND_FAILED' || e.code === 'NOT_FOUND')) throw e;
      throw new AppError(e instanceof AppError ? e.code : 'INTERNAL', `${e instanceof Error ? e.message : String(e)}; nothing was changed`, { host: label, step: 'upload batch', cause: e });
    });
  }

  progress('transaction', `${tx.ops.length} operation(s) as one transaction (${tx.ops.join(', ')})`);
  let out: { log: string; verdict: TxVerdict; table?: string } | undefined;
  let recovered = false;
  const txStep = 'apply transaction';
  let cutBy: string | undefined;
  try {
    const pending = exec.exec(tx.argv, { sudo: true, step: txStep, timeoutMs: opts.transactionTimeoutMs ?? 300_000 });
    opts.onTransactionSent?.(tx);
    const r = await pending;
    out = parseTxOutput(r.stdout);
    // The script stopped before it could report (e.g. /tmp not writable): it changed nothing before its first op.
    if (!out && r.code !== null) throw checkedError(label, tx.argv, txStep, r, { suffix: ' (no verdict)' });
  } catch (e) {
    if (!isCut(e)) throw e;
    cutBy = e instanceof Error ? e.message : String(e);
  }
  if (!out) {
    recovered = true;
    const waitS = opts.recoverWaitS ?? 120;
    progress('reconnect', `the connection was cut during the transaction${cutBy ? ` (${cutBy})` : ''}: reconnecting to fetch its verdict`);
    const step = 'wait for the transaction';
    try {
      const w = await exec.exec(waitArgv(tx.prefix, waitS), { sudo: true, step, timeoutMs: (waitS + 60) * 1000 });
      out = parseTxOutput(w.stdout);
      if (!out) throw new AppError('PARSE_ERROR', `${label}: ${step}: no verdict in the output (exit ${w.code})`, { host: label, step });
    } catch (e) {
      throw new AppError(
        e instanceof AppError ? e.code : 'INTERNAL',
        `${label}: ${step}: the connection was cut during the transaction and the verdict could not be fetched (${e instanceof Error ? e.message : String(e)}). ` +
          'The transaction runs on by itself and leaves the table either as before or as planned, never in between: check with status.',
        { host: label, step, cause: e, detail: { txid: tx.txid } },
      );
    }
    if (out.verdict.kind === 'still-running') {
      throw new AppError('TIMEOUT', `${label}: ${step}: the transaction is still running after ${waitS} s; it leaves the table either as before or as planned: check with status`, {
        host: label,
        step,
        detail: { txid: tx.txid },
      });
    }
  }

  const cutNote = recovered ? ' (the connection was cut during the transaction; the verdict was read after reconnecting)' : '';
  const v = out.verdict;
  // Refused before anything ran, for a reason that says so: no table comparison (the director's own update may be
  // changing the table right now, rightly).
  if (v.kind === 'refused' && /^(lock-busy|lock-unusable|changed-since-look)( |$)/.test(v.why)) {
    const sp = v.why.indexOf(' ');
    const [why, arg] = sp < 0 ? [v.why, ''] : [v.why.slice(0, sp), v.why.slice(sp + 1).trim()];
    const detail = { txid: tx.txid, verdict: v, log: out.log, recovered };
    if (why === 'lock-busy') {
      const step = "take the director's lock";
      throw new AppError('APPLY_FAILED', `${label}: ${step}: ${lockBusyText(arg, tx)}; waited ${tx.lockWaitS} s; nothing was changed: try again${cutNote}`, { host: label, step, detail });
    }
    if (why === 'lock-unusable') {
      const step = "take the director's lock";
      throw new AppError('APPLY_FAILED', `${label}: ${step}: ${arg.replace(/-is-not-a-lock$/, '')} is not a lock (a directory or a plain file): remove it; nothing was changed${cutNote}`, { host: label, step, detail });
    }
    const step = 'snapshot';
    const changed = out.log.split('\n').filter((l) => /^[-+]-[aAe] /.test(l));
    throw new AppError(
      'APPLY_FAILED',
      `${label}: ${step}: the director's table changed since the console looked at it (${changed.length} line(s): ${changed.slice(0, 3).join('; ') || 'see the log'}), ` +
        `e.g. by the director's own lvs-director update; the plan was made for the old table, so nothing was changed: look again and retry${cutNote}`,
      { host: label, step, detail },
    );
  }

  progress('verify', 're-reading the table to compare it with the plan');
  const after = await reobserve(exec, opts.sysctlKeys, out.verdict, tx.want !== undefined, () => progress('verify', 'the connection was cut while re-reading the table: reconnecting to read it again'));
  // the table as the transaction left it, read under the director's lock (else: as re-read now)
  const locked = lockedTable(out.table);
  const state = whichTable(plan, before, locked ?? after.table);
  const detail = { txid: tx.txid, verdict: out.verdict, log: out.log, state, recovered, ...(locked ? { lockedTable: out.table } : {}) };

  if (v.kind === 'applied') {
    const vipProblem = tx.vip ? vipMismatch(after, tx.vip) : undefined;
    // a plan without a desired table (install-director writing only files) must leave the table as it was
    const asPlanned = state === 'planned' || (!plan.desired && state === 'before');
    if (asPlanned && !vipProblem) return { txid: tx.txid, verdict: v, log: out.log, recovered, after, transaction: tx };
    const diff = diffTables(plan.desired ?? before.table, locked ?? after.table).map((s) => shellQuote(s.argv));
    throw new AppError(
      'APPLY_FAILED',
      `${label}: verify: ${vipProblem ?? `the table read back differs from the plan (${diff.length} difference(s): ${diff.slice(0, 3).join('; ')})`}${cutNote}`,
      { host: label, step: 'verify', detail },
    );
  }
  if (v.kind === 'rolled-back') {
    const what = describeOp(tx, v.op, v.opName);
    if (state === 'before') {
      throw new AppError('APPLY_FAILED', `${label}: ${what}: ${logTail(out.log) || 'failed'}; restored the previous table${cutNote}`, { host: label, step: what, detail });
    }
    if (locked) {
      // "rolled-back" = the script read its snapshot back after restoring it, under the lock: the table is known. It is
      // not the console's look because it changed before the transaction took the lock (a plan without a look).
      throw new AppError(
        'APPLY_FAILED',
        `${label}: ${what}: ${logTail(out.log) || 'failed'}; restored the table as it was when the transaction took the director's lock (it had changed since the console looked at it)${cutNote}`,
        { host: label, step: what, detail },
      );
    }
    throw new AppError('ROLLBACK_FAILED', `${label}: ${what}: ${logTail(out.log) || 'failed'}; the snapshot was restored but the table read back is not the previous one: CHECK THE DIRECTOR NOW${cutNote}`, {
      host: label,
      step: what,
      detail,
    });
  }
  if (v.kind === 'rollback-failed') {
    const what = describeOp(tx, v.op, v.opName);
    throw new AppError(
      'ROLLBACK_FAILED',
      `${label}: ${what}: ${logTail(out.log) || 'failed'}; RESTORING THE PREVIOUS TABLE FAILED TOO: the IPVS table is in an unknown state. ` +
        `The snapshot is kept on the director as ${tx.prefix}.snap.keep (restore it with: ipvsadm -C; ipvsadm -R < ${tx.prefix}.snap.keep)${cutNote}`,
      { host: label, step: what, detail },
    );
  }
  // refused / not-started: nothing ran; the table must be the one before.
  const why = v.kind === 'refused' ? `refused (${v.why})` : 'the transaction never started';
  if (state === 'before' || (state === 'planned' && sameTable(before.table, after.table))) {
    throw new AppError('APPLY_FAILED', `${label}: ${txStep}: ${why}; nothing was changed${cutNote}`, { host: label, step: txStep, detail });
  }
  throw new AppError('ROLLBACK_FAILED', `${label}: ${txStep}: ${why}, yet the table changed: CHECK THE DIRECTOR NOW${cutNote}`, { host: label, step: txStep, detail });
}

/** How often the re-read after the verdict is tried when the connection is cut (the SSH session reconnects in between). */
const VERIFY_ATTEMPTS = 3;

/**
 * The re-observe after the verdict. A read changes nothing, so a cut connection is re-established and the read tried
 * again (VERIFY_ATTEMPTS in all): a cut at that moment must not turn an applied transaction into a failure (nor leave an
 * edit's profile unsaved while the table changed). When it still fails, the error says what the transaction reported.
 */
async function reobserve(exec: Executor, keys: readonly string[], verdict: TxVerdict, checked: boolean, onRetry: () => void): Promise<DirectorState> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await observeDirector(exec, 'table', keys);
    } catch (e) {
      if (!isCut(e)) throw e;
      if (attempt < VERIFY_ATTEMPTS) {
        onRetry();
        continue;
      }
      const err = e as AppError;
      const said =
        verdict.kind === 'applied'
          ? `the transaction reported "applied"${checked ? ' (its own read-back matched the plan)' : ''}`
          : `the transaction reported "${verdict.kind}"${'op' in verdict ? ` at op ${verdict.op} (${verdict.opName})` : ''}`;
      throw new AppError(err.code, `${exec.label}: verify: ${said}, but the table could not be read again after ${VERIFY_ATTEMPTS} attempts (${err.message}): check with status`, {
        host: exec.label,
        step: 'verify',
        cause: e,
        detail: { verdict },
      });
    }
  }
}

/** Why the VIP is not where the plan put it (undefined when it is). */
function vipMismatch(after: DirectorState, vip: NonNullable<Transaction['vip']>): string | undefined {
  const on = findAddress(after.addresses, vip.address).filter((a) => a.ifname === vip.dev);
  if (vip.up && on.length === 0) return `the VIP ${vip.address} is not up on ${vip.dev} after apply`;
  if (!vip.up && on.length > 0) return `the VIP ${vip.address} is still up on ${vip.dev} after apply`;
  return undefined;
}

/**
 * THE plan renderer: a plan as text people read and a shell can replay (what `lvsctl plan` and `--dry-run` print), and as
 * the contract's display steps (what the app's previews show). Commands go through shellQuote (the one quoting
 * function); stdin is a quoted here-document whose delimiter is chosen after looking at the body, so no line of the body
 * can end it; every comment line is escaped, so a newline or control character in a name or a reason can never start a
 * command of its own.
 */
import type { Plan, PlanStep } from '../../shared/model/plan.ts';
import { DIRECTOR } from '../../shared/model/plan.ts';
import { escapeControls } from '../shell/shell-comment.ts';
import type { Transaction } from '../lvs/plan/transaction.ts';
import { shellQuote } from '../shell/shell-quote.ts';

/** A here-document delimiter that no line of `body` equals: EOF, else EOF1, EOF2… */
export function hereDocDelimiter(body: string): string {
  const lines = new Set(body.split('\n').map((l) => l.replace(/\r$/, '')));
  let d = 'EOF';
  for (let i = 1; lines.has(d); i++) d = `EOF${i}`;
  return d;
}

/** One step: its number and why as comments (plus what non-zero exits mean, and a drain's follow-up), then the command; stdin as a here-document. */
export function renderStep(s: PlanStep, n: number): string {
  let out = `# ${n}. ${escapeControls(s.why)}${s.host !== DIRECTOR ? ` [on ${escapeControls(s.host)}]` : ''}\n`;
  if (s.okCodes && s.okCodes.some((c) => c !== 0)) out += `#    (exit codes ${s.okCodes.join(', ')} count as success)\n`;
  if (s.followUp === 'delete-when-drained') out += '#    (follow-up: delete it once ActiveConn + InActConn = 0; run this plan again with fresh `ipvsadm -L -n` output)\n';
  const cmd = shellQuote(s.argv);
  if (s.stdin === undefined) return `${out}${cmd}\n`;
  const d = hereDocDelimiter(s.stdin);
  return `${out}${cmd} <<'${d}'\n${s.stdin}${s.stdin.endsWith('\n') || s.stdin === '' ? '' : '\n'}${d}\n`;
}

/** Options of renderPlan. */
export interface RenderOptions {
  /** The first line's text (without "# "), e.g. "start on director 10.0.0.1". */
  title: string;
  /** Said when the plan has no step. */
  nothing?: string;
  /** Lines before the steps (e.g. the probe), each made a comment. */
  before?: readonly string[];
  /** Lines after the steps (e.g. drains still waiting), each made a comment. */
  after?: readonly string[];
  /** The transaction the plan becomes: how it is applied is said at the end. */
  transaction?: Transaction;
}

/** The whole plan: "# TITLE: N step(s)", the numbered steps, the plan's notes, and how it is applied. */
export function renderPlan(plan: Plan, o: RenderOptions): string {
  let out = `# ${escapeControls(o.title)}: ${plan.steps.length} step(s)\n`;
  for (const l of o.before ?? []) out += `# ${escapeControls(l)}\n`;
  if (!plan.steps.length) out += `# ${escapeControls(o.nothing ?? 'nothing to do')}\n`;
  plan.steps.forEach((s, i) => (out += renderStep(s, i + 1)));
  for (const l of plan.summary ?? []) out += `# note: ${escapeControls(l)}\n`;
  for (const l of o.after ?? []) out += `# ${escapeControls(l)}\n`;
  if (o.transaction) {
    const tx = o.transaction;
    out +=
      `# applied as ONE transaction on the director (id ${tx.txid}): upload ${tx.prefix}.upload, then snapshot ipvsadm -S -n, ` +
      `run ${tx.ops.join(', ')}, compare the table with the plan, restore the snapshot on any failure\n`;
  }
  return out;
}

/** A step as the contract shows it: the host (the director's label for director steps), the quoted command, why, stdin. */
export interface DisplayStep {
  host: string;
  command: string;
  why: string;
  stdin?: string;
}

/** The plan's steps for the app's previews and run results. */
export function displaySteps(plan: Plan, directorLabel: string): DisplayStep[] {
  return plan.steps.map((s) => ({ host: s.host === DIRECTOR ? directorLabel : s.host, command: shellQuote(s.argv), why: s.why, ...(s.stdin !== undefined ? { stdin: s.stdin } : {}) }));
}

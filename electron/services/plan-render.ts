/**
 * Renders a plan for people: the exact commands (shellQuote, the one quoting function) with why each runs, the
 * `ipvsadm -R` batch as a here-document, and how it is applied (one transaction). What `--dry-run` prints.
 */
import type { Plan, PlanStep } from '../../shared/model/plan.ts';
import { shellComment } from '../shell/shell-comment.ts';
import { shellQuote } from '../shell/shell-quote.ts';
import type { Transaction } from '../lvs/plan/transaction.ts';

/** One step: "# why" then the command; stdin shown as a here-document. */
export function renderStep(step: PlanStep): string {
  let out = `${shellComment(step.why)}\n${shellQuote(step.argv)}`;
  if (step.stdin !== undefined && step.stdin !== '') out += ` <<'EOF'\n${step.stdin.endsWith('\n') ? step.stdin : `${step.stdin}\n`}EOF`;
  return `${out}\n`;
}

/** The whole plan: header, summary notes, the steps, and how they are applied. */
export function renderPlan(plan: Plan, host: string, tx?: Transaction): string {
  const lines: string[] = [shellComment(`${plan.verb} on ${host}: ${plan.steps.length} step(s)`)];
  for (const s of plan.summary ?? []) lines.push(shellComment(s));
  let out = `${lines.join('\n')}\n`;
  for (const s of plan.steps) out += `\n${renderStep(s)}`;
  if (tx) {
    out +=
      `\n# applied as ONE transaction on the director (id ${tx.txid}): upload ${tx.prefix}.upload, then snapshot ipvsadm -S -n, ` +
      `run ${tx.ops.join(', ')}, compare the table with the plan, restore the snapshot on any failure\n`;
  }
  return out;
}

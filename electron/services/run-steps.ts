/**
 * Runs plan steps on one host in order, each through THE checked exec (sudo, its okCodes, its stdin, a timeout), and
 * stops at the first failure with an error that names the host, the step and what already ran before it. An atomic
 * file write's exit codes are said in words (ATOMIC_WRITE_EXIT). Used by the realserver route fix, install-route and the
 * doctor's fixes.
 */
import type { PlanStep } from '../../shared/model/plan.ts';
import { AppError } from '../../shared/result.ts';
import { ATOMIC_WRITE_EXIT, ATOMIC_WRITE_SCRIPT } from '../shell/remote-file.ts';
import { shellQuote } from '../shell/shell-quote.ts';
import { execChecked } from '../ssh/exec-checked.ts';
import type { Executor } from '../ssh/types.ts';

/** How long one step may take. */
export const STEP_TIMEOUT_MS = 30_000;

/** How a step is shown: its command, shell-quoted (an atomic write as `write PATH (mode M)`: the script is long). */
export function stepText(s: PlanStep): string {
  if (s.argv[0] === 'sh' && s.argv[2] === ATOMIC_WRITE_SCRIPT) return `write ${s.argv[4]} (mode ${s.argv[5]}, atomically${s.argv[7] === 'sh' ? ', checked with sh -n' : ''})`;
  return shellQuote(s.argv);
}

/** What ran when a step failed (in the thrown AppError's detail.ran). */
export interface RanDetail {
  ran: string[];
}

/** Runs `steps` on `exec` in order; returns the commands that ran (stepText). */
export async function runSteps(exec: Executor, steps: readonly PlanStep[], opts: { timeoutMs?: number } = {}): Promise<string[]> {
  const ran: string[] = [];
  for (const step of steps) {
    const text = stepText(step);
    const atomic = step.argv[2] === ATOMIC_WRITE_SCRIPT;
    try {
      await execChecked(exec, step.argv, step.okCodes ?? [0], text, {
        sudo: true,
        timeoutMs: opts.timeoutMs ?? STEP_TIMEOUT_MS,
        ...(step.stdin !== undefined ? { stdin: step.stdin } : {}),
        ...(atomic ? { exitMeanings: ATOMIC_WRITE_EXIT } : {}),
        suffix: ran.length ? ` (after: ${ran.join('; ')})` : '; nothing was changed before it',
      });
    } catch (e) {
      if (e instanceof AppError) throw new AppError(e.code, e.message, { ...(e.host ? { host: e.host } : {}), ...(e.step ? { step: e.step } : {}), detail: { ...(e.detail as object | undefined), ran } satisfies Partial<RanDetail>, cause: e });
      throw e;
    }
    ran.push(text);
  }
  return ran;
}

/** The exact commands a plan will run, grouped by host, each with why; stdin shown when a command takes input. */
import type { MethodOutput } from '../../../shared/api/contract.ts';

/** A plan / run result. */
export type RunResult = MethodOutput<'director.plan'>;
/** One planned step. */
export type PlanStep = RunResult['steps'][number];

/** Lists plan steps as a numbered command list. */
export function PlanSteps({ steps }: { steps: readonly PlanStep[] }) {
  if (steps.length === 0) return <p className="notice">Nothing to do: the director already matches. No command will run.</p>;
  return (
    <ol className="plan" data-testid="plan-steps">
      {steps.map((s, i) => (
        <li key={i}>
          <div className="plan-why">{s.why}</div>
          <pre className="command">
            <span className="prompt">{s.host} $ </span>
            {s.command}
            {s.stdin !== undefined && (
              <>
                {'\n'}
                <span className="muted">{'<<< stdin\n'}</span>
                {s.stdin}
              </>
            )}
          </pre>
        </li>
      ))}
    </ol>
  );
}

/** The streamed log of a run: one line per director.progress event, newest at the bottom, announced politely. */
import { useEffect, useRef } from 'react';
import type { EventPayload } from '../../../shared/api/contract.ts';

/** One progress event. */
export type Progress = EventPayload<'director.progress'>;

const MARK: Record<Progress['status'], string> = { running: '…', ok: '✓', failed: '✗', 'rolled-back': '↺' };

/** One line per step (run id + index): a step's later events (running → ok) replace its earlier ones, in first-seen order. */
export function foldProgress(events: readonly Progress[]): Progress[] {
  const at = new Map<string, number>();
  const out: Progress[] = [];
  for (const e of events) {
    const k = `${e.runId}#${e.index}`;
    const i = at.get(k);
    if (i === undefined) {
      at.set(k, out.length);
      out.push(e);
    } else out[i] = { ...e, output: e.output ?? out[i]!.output };
  }
  return out;
}

/** The run log. */
export function RunLog({ lines: events }: { lines: readonly Progress[] }) {
  const lines = foldProgress(events);
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Braces matter: newer Chromium's scrollIntoView returns a Promise, which must not become the effect's cleanup.
    end.current?.scrollIntoView({ block: 'nearest' });
  }, [events.length]);
  return (
    <div className="run-log" role="log" aria-live="polite" data-testid="run-log">
      {lines.length === 0 && <p className="muted">Waiting for the first command…</p>}
      {lines.map((l, i) => {
        // A "running" line followed by later lines has moved on: show it as passed, not as still spinning.
        const status = l.status === 'running' && i < lines.length - 1 ? 'passed' : l.status;
        return (
          <div key={i} className={`run-line run-${status}`}>
            <span className="run-mark" aria-label={status}>
              {status === 'passed' ? '•' : MARK[l.status]}
            </span>
            {l.index < l.total && (
              <span className="run-index">
                [{l.index + 1}/{l.total}]{' '}
              </span>
            )}
            <code>
              {l.host} $ {l.command}
            </code>
            {l.output && <pre className="run-output">{l.output}</pre>}
          </div>
        );
      })}
      <div ref={end} />
    </div>
  );
}

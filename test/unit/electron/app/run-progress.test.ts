import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../../shared/api/contract.ts';
import { RunProgress } from '../../../../electron/app/run-progress.ts';
import { foldProgress } from '../../../../renderer/features/director/run-log.tsx';

type P = EventPayload<'director.progress'>;
const base = { clusterId: 'c', runId: 'r', host: 'director 10.0.0.1' };
const run = () => {
  const events: P[] = [];
  return { events, p: new RunProgress(base, (e) => events.push(e)) };
};
/** What the run log shows: one line per step. */
const shown = (events: P[]) => foldProgress(events).map((e) => `[${e.index + 1}/${e.total}] ${e.status} ${e.command}`);

describe('run progress: one index per step, not per event', () => {
  it('a full run: each step running, then ok when the next begins; the last ok at the end', () => {
    const { events, p } = run();
    p.step('observe', 'start: observing');
    p.step('upload', 'upload: batch');
    p.step('transaction', 'transaction: 3 operation(s)');
    p.step('verify', 'verify: re-reading');
    p.finish('start: done');
    expect(shown(events)).toEqual([
      '[1/4] ok start: observing',
      '[2/4] ok upload: batch',
      '[3/4] ok transaction: 3 operation(s)',
      '[4/4] ok start: done',
    ]);
  });

  it('nothing to do: one line; a reconnect stays in the transaction step; a failure marks the step it happened in', () => {
    const a = run();
    a.p.step('observe', 'stop: observing');
    a.p.finish('stop: nothing to do');
    expect(shown(a.events)).toEqual(['[1/4] ok stop: nothing to do']);

    const b = run();
    b.p.step('observe', 'o');
    b.p.step('transaction', 't');
    b.p.step('transaction', 'reconnect: the connection was cut');
    b.p.fail('rolled-back', 'APPLY_FAILED: restored');
    expect(shown(b.events)).toEqual(['[1/4] ok o', '[3/4] rolled-back APPLY_FAILED: restored']);
  });
});

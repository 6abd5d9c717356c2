import { describe, expect, it } from 'vitest';
import { foldProgress, type Progress } from '../../../../../renderer/features/director/run-log.tsx';

const ev = (index: number, status: Progress['status'], output?: string, runId = 'r1'): Progress => ({ clusterId: 'lab', runId, index, total: 2, host: 'd', command: `c${index}`, status, output });

describe('foldProgress', () => {
  it('keeps one line per step with its latest status, in first-seen order, keeping earlier output', () => {
    const lines = foldProgress([ev(0, 'running'), ev(0, 'ok', 'done'), ev(1, 'running', 'partial'), ev(1, 'failed')]);
    expect(lines.map((l) => [l.index, l.status, l.output])).toEqual([
      [0, 'ok', 'done'],
      [1, 'failed', 'partial'],
    ]);
  });

  it('keeps steps of different runs apart', () => {
    expect(foldProgress([ev(0, 'ok', undefined, 'a'), ev(0, 'ok', undefined, 'b')])).toHaveLength(2);
  });
});

import { describe, expect, it } from 'vitest';
import { measure, median } from '../../bench/measure.ts';

describe('bench measure', () => {
  it('median is the true median: the middle sample, or the mean of the two middle ones', () => {
    expect(median([5])).toBe(5);
    expect(median([1, 9])).toBe(5);
    expect(median([9, 1, 4])).toBe(4);
    expect(median([4, 1, 3, 100])).toBe(3.5);
    expect(() => median([])).toThrow(/no samples/);
  });

  it('runs the warm-ups untimed, then the timed runs, with prepare before every one of them', async () => {
    const calls: string[] = [];
    let n = 0;
    const r = await measure(() => void calls.push(`run${++n}`), 3, 2, () => void calls.push('prepare'));
    expect(calls).toEqual(['prepare', 'run1', 'prepare', 'run2', 'prepare', 'run3', 'prepare', 'run4', 'prepare', 'run5']);
    expect(r.runs).toBe(3);
    expect(r.min).toBeLessThanOrEqual(r.median);
  });
});

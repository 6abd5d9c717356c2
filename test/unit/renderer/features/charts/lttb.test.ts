import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lttb, lttbIndices } from '../../../../../renderer/features/charts/lttb.ts';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('lttbIndices', () => {
  it('returns every index when the series is already small enough or the threshold is < 3', () => {
    expect(lttbIndices([1, 2, 3], [4, 5, 6], 3)).toEqual([0, 1, 2]);
    expect(lttbIndices([1, 2, 3, 4], [4, 5, 6, 7], 10)).toEqual([0, 1, 2, 3]);
    expect(lttbIndices(range(100), range(100), 2)).toHaveLength(100);
    expect(lttbIndices([], [], 10)).toEqual([]);
  });

  it('keeps a lone spike in flat data (the point of LTTB over plain decimation)', () => {
    const xs = range(10_000);
    const ys = xs.map((i) => (i === 4321 ? 500 : 1));
    const idx = lttbIndices(xs, ys, 100);
    expect(idx).toHaveLength(100);
    expect(idx).toContain(4321);
  });

  it('picks the hand-computed point of each bucket on a small example', () => {
    // n = 7, threshold 4: every = 2.5; buckets [1,3) and [3,6); next-bucket averages of [3,6) and [6,7).
    const xs = [0, 1, 2, 3, 4, 5, 6];
    const ys = [0, 0, 9, 0, 0, -7, 0];
    expect(lttbIndices(xs, ys, 4)).toEqual([0, 2, 5, 6]);
  });

  it('property: exactly `threshold` strictly increasing indices, first and last kept', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 3, maxLength: 3000 }), fc.integer({ min: 3, max: 1200 }), (ys, threshold) => {
        const xs = ys.map((_, i) => i * 5000);
        const idx = lttbIndices(xs, ys, threshold);
        expect(idx.length).toBe(Math.min(threshold, ys.length));
        expect(idx[0]).toBe(0);
        expect(idx.at(-1)).toBe(ys.length - 1);
        for (let i = 1; i < idx.length; i++) expect(idx[i]!).toBeGreaterThan(idx[i - 1]!);
      }),
      { numRuns: 200 },
    );
  });
});

describe('lttb', () => {
  it('skips NaN gaps and returns points drawn from the input', () => {
    const xs = range(5000);
    const ys = Float32Array.from(xs, (i) => (i % 7 === 0 ? NaN : Math.sin(i / 50)));
    const pts = lttb(xs, ys, 1000);
    expect(pts).toHaveLength(1000);
    for (const p of pts) {
      expect(Number.isFinite(p.y)).toBe(true);
      expect(p.x % 7).not.toBe(0);
      expect(p.y).toBeCloseTo(ys[p.x]!, 6);
    }
  });

  it('downsamples 24 h of 5 s samples (17 280) to at most 1000 points', () => {
    const xs = range(17_280).map((i) => 1_700_000_000_000 + i * 5000);
    const ys = xs.map((_, i) => (i * 7919) % 101);
    expect(lttb(xs, ys, 1000)).toHaveLength(1000);
  });
});

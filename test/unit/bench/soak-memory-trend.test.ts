import { describe, expect, it } from 'vitest';
import { memoryTrend } from '../../bench/lab/support/soak.ts';

const MB = 1048576;

describe('memoryTrend (the soak bench)', () => {
  it('gives the least-squares slope per hour and the medians of the first and last thirds', () => {
    // 10 MB + 0.5 MB a minute, with an alternating ±3 MB swing that a single point would mistake for growth
    const pts = Array.from({ length: 30 }, (_, i) => ({ minute: i, value: (10 + 0.5 * i + (i % 2 ? 3 : -3)) * MB }));
    const t = memoryTrend(pts)!;
    expect(t.slopeMBPerHour).toBeGreaterThan(29);
    expect(t.slopeMBPerHour).toBeLessThan(31.5);
    expect(t.firstMedianMB).toBeCloseTo(12.25, 5); // minutes 0..9: values 7,13.5,8,14.5,… median of 10
    expect(t.lastMedianMB).toBeCloseTo(22.25, 5);
  });

  it('a flat series with one spike has a slope near 0', () => {
    const pts = Array.from({ length: 21 }, (_, i) => ({ minute: i, value: (i === 10 ? 140 : 110) * MB }));
    const t = memoryTrend(pts)!;
    expect(Math.abs(t.slopeMBPerHour)).toBeLessThan(0.01);
    expect(t.firstMedianMB).toBe(110);
    expect(t.lastMedianMB).toBe(110);
  });

  it('says nothing from fewer than 6 samples', () => {
    expect(memoryTrend([1, 2, 3, 4, 5].map((m) => ({ minute: m, value: m * MB })))).toBeUndefined();
  });
});

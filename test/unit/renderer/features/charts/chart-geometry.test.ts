import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linear, nearestIndex, niceMax, pathData, yTicks } from '../../../../../renderer/features/charts/chart-geometry.ts';

describe('chart geometry', () => {
  it('rounds the axis maximum up to 1/2/2.5/5 × 10^k', () => {
    expect([0, -3, 0.7, 1, 3, 7, 11, 24, 26, 99, 101, 4800].map(niceMax)).toEqual([1, 1, 1, 1, 5, 10, 20, 25, 50, 100, 200, 5000]);
    fc.assert(fc.property(fc.double({ min: 1e-6, max: 1e9, noNaN: true }), (v) => niceMax(v) >= v && niceMax(v) <= 2.5 * v + 1e-9));
  });

  it('maps linearly, including an inverted pixel range', () => {
    const m = linear(0, 10, 200, 0);
    expect(m(0)).toBe(200);
    expect(m(10)).toBe(0);
    expect(m(2.5)).toBe(150);
  });

  it('builds SVG path data through the points', () => {
    expect(pathData([{ x: 0, y: 0 }, { x: 5, y: 10 }], linear(0, 10, 0, 100), linear(0, 10, 50, 0))).toBe('M0.0 50.0L50.0 0.0');
    expect(pathData([], (v) => v, (v) => v)).toBe('');
  });

  it('puts about five round ticks from 0 to the axis maximum', () => {
    expect(yTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(yTicks(25)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(yTicks(1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(yTicks(2.5)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(yTicks(50)).toEqual([0, 10, 20, 30, 40, 50]);
  });

  it('finds the nearest point to a time', () => {
    const pts = [0, 10, 20, 30].map((x) => ({ x, y: x }));
    expect(nearestIndex(pts, -5)).toBe(0);
    expect(nearestIndex(pts, 14)).toBe(1);
    expect(nearestIndex(pts, 15)).toBe(1);
    expect(nearestIndex(pts, 16)).toBe(2);
    expect(nearestIndex(pts, 99)).toBe(3);
    expect(nearestIndex([], 1)).toBe(-1);
  });
});

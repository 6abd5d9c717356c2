import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayCapacity, MetricRing } from '../../../../../renderer/features/charts/metric-ring.ts';

describe('MetricRing', () => {
  it('keeps samples in order and overwrites the oldest when full', () => {
    const r = new MetricRing(3);
    for (let t = 1; t <= 5; t++) expect(r.push(t, { a: t * 10 })).toBe(true);
    expect(r.size).toBe(3);
    const w = r.window();
    expect([...w.times]).toEqual([3, 4, 5]);
    expect([...w.columns.get('a')!]).toEqual([30, 40, 50]);
    expect(r.firstTime).toBe(3);
    expect(r.lastTime).toBe(5);
  });

  it('drops samples that are not newer than the newest (replays, overlaps)', () => {
    const r = new MetricRing(4);
    r.push(10, { a: 1 });
    expect(r.push(10, { a: 2 })).toBe(false);
    expect(r.push(9, { a: 3 })).toBe(false);
    expect(r.push(NaN, { a: 3 })).toBe(false);
    expect([...r.window().columns.get('a')!]).toEqual([1]);
  });

  it('fills NaN for columns missing from a sample and for a new column before it appeared', () => {
    const r = new MetricRing(4);
    r.push(1, { a: 1 });
    r.push(2, { a: 2, b: 20 });
    r.push(3, { b: 30 });
    const w = r.window();
    expect([...w.columns.get('a')!]).toEqual([1, 2, NaN]);
    expect([...w.columns.get('b')!]).toEqual([NaN, 20, 30]);
  });

  it('window(from) returns the samples with time ≥ from, across the wrap point', () => {
    const r = new MetricRing(5);
    for (let t = 1; t <= 8; t++) r.push(t * 100, { a: t });
    expect([...r.window(550).times]).toEqual([600, 700, 800]);
    expect([...r.window(400).times]).toEqual([400, 500, 600, 700, 800]);
    expect(r.window(9999).times.length).toBe(0);
  });

  it('copies only the requested columns', () => {
    const r = new MetricRing(4);
    r.push(1, { a: 1, b: 2, c: 3 });
    expect([...r.window(-Infinity, ['c', 'a']).columns.keys()].sort()).toEqual(['a', 'c']);
  });

  it('allocates once: byteLength does not grow with more samples', () => {
    const r = new MetricRing(100);
    r.push(1, { a: 1, b: 2 });
    const bytes = r.byteLength;
    expect(bytes).toBe(100 * 8 + 2 * 100 * 4);
    for (let t = 2; t < 1000; t++) r.push(t, { a: t, b: t });
    expect(r.byteLength).toBe(bytes);
  });

  it('property: the window equals the last `capacity` pushed samples', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 200 }), (cap, vals) => {
        const r = new MetricRing(cap);
        vals.forEach((v, i) => r.push(i + 1, { v }));
        const w = r.window();
        expect([...w.times]).toEqual(vals.map((_, i) => i + 1).slice(-cap));
        if (vals.length) expect([...w.columns.get('v')!]).toEqual(vals.slice(-cap));
      }),
    );
  });

  it('sizes a day of samples at the interval', () => {
    expect(dayCapacity(5)).toBe(17_281);
    expect(dayCapacity(1)).toBe(86_401);
    expect(() => new MetricRing(0)).toThrow(RangeError);
  });
});

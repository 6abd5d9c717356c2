/**
 * SampleHistory: the main process's bounded, tiered metrics history (pure). Found by the reliability soak: keeping
 * every 1 s sample of 50 realservers for 24 h as objects grows the main process by ≈ 22 MB an hour (≈ 545 MB a day).
 */
import { describe, expect, it } from 'vitest';
import { SampleHistory } from '../../../../electron/app/sample-history.ts';

const T0 = Date.UTC(2026, 0, 1);
const sample = (t: number, conns: (i: number) => number, n = 3, load?: number) => ({
  clusterId: 'lab',
  time: t,
  realservers: Array.from({ length: n }, (_, i) => ({ address: `10.0.0.${11 + i}`, name: `rs${i + 1}`, activeConns: conns(i), inactiveConns: 0, cps: 0, ...(load !== undefined ? { load1: load } : {}) })),
});

describe('SampleHistory', () => {
  it('holds a day of 1 s samples in ≈ 2,100 samples: every one of the last 5 min, 10 s buckets to 1 h, 1 min buckets to 24 h', () => {
    const h = new SampleHistory();
    const end = T0 + 25 * 3600_000;
    for (let t = T0; t <= end; t += 1000) h.add(sample(t, () => 1));
    expect(h.size).toBeLessThanOrEqual(301 + 361 + 1441);
    const all = h.window(end - 24 * 3600_000);
    // chronological, no duplicates
    for (let i = 1; i < all.length; i++) expect(all[i]!.time).toBeGreaterThan(all[i - 1]!.time);
    // the last 5 minutes at full resolution
    expect(h.window(end - 5 * 60_000 + 1).length).toBe(300);
    // the rest of the last hour (55 min) in 10 s steps
    const hour = h.window(end - 3600_000).filter((s) => s.time <= end - 5 * 60_000);
    expect(hour.length).toBeGreaterThanOrEqual(329);
    expect(hour.length).toBeLessThanOrEqual(332);
    // reaches back 24 h (1 min steps), and not beyond
    expect(all[0]!.time - (end - 24 * 3600_000)).toBeLessThan(60_000);
    expect(h.window(T0).length).toBe(h.size);
    expect(h.window(T0)[0]!.time).toBeGreaterThanOrEqual(end - 24 * 3600_000 - 60_000);
  });

  it('a folded bucket keeps the peak connections of each realserver and its latest load; a realserver seen once in the bucket is in it', () => {
    const h = new SampleHistory({ rawMs: 10_000, tiers: [{ bucketMs: 60_000, spanMs: 3600_000 }] });
    for (let t = 0; t < 60; t++) h.add(sample(T0 + t * 1000, (i) => (i === 1 && t === 17 ? 40 : i), t === 30 ? 4 : 3, t / 100));
    h.add(sample(T0 + 120_000, () => 0));
    const [bucket] = h.window(T0);
    expect(bucket!.time).toBe(T0 + 59_000);
    const by = new Map(bucket!.realservers.map((r) => [r.name, r]));
    expect(by.get('rs2')!.activeConns).toBe(40);
    expect(by.get('rs1')!.activeConns).toBe(0);
    expect(by.get('rs1')!.load1).toBeCloseTo(0.59);
    expect(by.get('rs4')!.activeConns).toBe(3);
  });

  it('a bucket keeps the highest CPS known: none where no sample had one (not NaN), the peak where some had one', () => {
    const h = new SampleHistory({ rawMs: 10_000, tiers: [{ bucketMs: 60_000, spanMs: 3600_000 }] });
    const noCps = (t: number) => ({ ...sample(t, () => 1), realservers: sample(t, () => 1).realservers.map(({ cps: _cps, ...r }) => r) });
    for (let t = 0; t < 60; t++) {
      const s = noCps(T0 + t * 1000);
      if (t === 20) s.realservers[1] = { ...s.realservers[1]!, cps: 2.5 } as (typeof s.realservers)[number];
      if (t === 40) s.realservers[1] = { ...s.realservers[1]!, cps: 0.5 } as (typeof s.realservers)[number];
      h.add(s);
    }
    h.add(sample(T0 + 120_000, () => 0));
    const by = new Map(h.window(T0)[0]!.realservers.map((r) => [r.name, r]));
    expect(by.get('rs1')!.cps).toBeUndefined();
    expect(by.get('rs2')!.cps).toBe(2.5);
  });

  it('ignores a sample that is not newer than the newest held', () => {
    const h = new SampleHistory();
    h.add(sample(T0 + 2000, () => 1));
    h.add(sample(T0 + 2000, () => 9));
    h.add(sample(T0 + 1000, () => 9));
    expect(h.window(0).map((s) => s.realservers[0]!.activeConns)).toEqual([1]);
  });
});

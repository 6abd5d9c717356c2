import { describe, expect, it } from 'vitest';
import { MetricsHistory, type Sample } from '../../../../../renderer/features/charts/metrics-history.ts';
import { csvField, toCsv } from '../../../../../renderer/features/charts/csv.ts';

const sample = (time: number, n: number, f = (i: number) => i): Sample => ({
  clusterId: 'lab',
  time,
  realservers: Array.from({ length: n }, (_, i) => ({ address: `10.0.0.${i + 2}`, name: `rs${i + 1}`, activeConns: f(i), inactiveConns: 1, cps: f(i) / 2, load1: 0.5 })),
});

describe('MetricsHistory', () => {
  it('turns samples into one downsampled series per realserver and metric', () => {
    const h = new MetricsHistory(5);
    for (let i = 0; i < 3000; i++) h.push(sample(1_000_000 + i * 5000, 3, (r) => r * 10 + (i % 5)));
    const s = h.seriesSet(['active', 'cps', 'load'], -Infinity, 500);
    expect(s.active.map((x) => x.name)).toEqual(['rs1', 'rs2', 'rs3']);
    expect(s.active[1]!.points).toHaveLength(500);
    expect(s.active[1]!.points[0]).toEqual({ x: 1_000_000, y: 10 });
    expect(s.cps[2]!.points.at(-1)!.x).toBe(1_000_000 + 2999 * 5000);
    expect(s.load[0]!.points.every((p) => p.y === 0.5)).toBe(true);
  });

  it('limits series to the requested window and reports the latest values', () => {
    const h = new MetricsHistory(1);
    for (let t = 0; t < 600; t++) h.push(sample(t * 1000, 2, () => t));
    const last5min = h.series('active', 599_000 - 300_000, 1000);
    expect(last5min[0]!.points).toHaveLength(301);
    expect(h.latest().get('10.0.0.3')).toMatchObject({ name: 'rs2', activeConns: 599 });
    expect(h.push(sample(599_000, 2))).toBe(false);
  });

  it('exports CSV with a column per realserver and metric and an ISO time', () => {
    const h = new MetricsHistory(5);
    h.push(sample(Date.UTC(2026, 0, 1), 1, () => 3));
    h.push({ clusterId: 'lab', time: Date.UTC(2026, 0, 1, 0, 0, 5), realservers: [{ address: '10.0.0.2', name: 'rs1', activeConns: 4, inactiveConns: 0, cps: 1 }] });
    expect(h.toCsv().split('\r\n')).toEqual([
      'time,rs1 (10.0.0.2) active,rs1 (10.0.0.2) inactive,rs1 (10.0.0.2) cps,rs1 (10.0.0.2) load',
      '2026-01-01T00:00:00.000Z,3,1,1.5,0.5',
      '2026-01-01T00:00:05.000Z,4,0,1,',
      '',
    ]);
  });
});

describe('csv', () => {
  it('quotes separators and quotes, and defuses formulas', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-3)).toBe('-3');
    expect(csvField('-3')).toBe('-3'); // a number as text stays a number
    expect(csvField('-1+cmd')).toBe("'-1+cmd");
    expect(csvField('@x')).toBe("'@x");
    expect(csvField(NaN)).toBe('');
    expect(toCsv(['a', 'b'], [[1, 'x\ny']])).toBe('a,b\r\n1,"x\ny"\r\n');
  });
});

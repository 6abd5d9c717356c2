/**
 * The renderer's in-memory metrics history for one cluster: `cluster.sample` payloads stored in a bounded MetricRing
 * (24 h at the sample interval), turned into downsampled chart series per realserver and into CSV.
 */
import type { EventPayload } from '../../../shared/api/contract.ts';
import { toCsv } from './csv.ts';
import { lttb, type XY } from './lttb.ts';
import { dayCapacity, MetricRing } from './metric-ring.ts';

/** One sample as pushed by the main side. */
export type Sample = EventPayload<'cluster.sample'>;
/** The metrics a chart can show. */
export type MetricName = 'active' | 'inactive' | 'cps' | 'load';
/** All metrics, in CSV column order. */
export const METRICS: readonly MetricName[] = ['active', 'inactive', 'cps', 'load'];

/** One line on a chart: a realserver's downsampled points (x = epoch ms). */
export interface ChartSeries {
  key: string;
  name: string;
  points: XY[];
}

/** Latest values of one realserver. */
export interface LatestValues {
  name: string;
  activeConns: number;
  inactiveConns: number;
  cps?: number;
  load1?: number;
}

const col = (address: string, m: MetricName) => `${address}|${m}`;

/** Bounded history of one cluster's samples. */
export class MetricsHistory {
  private readonly ring: MetricRing;
  /** address → display name, in order of first appearance. */
  private readonly names = new Map<string, string>();
  private latestSample: Sample | undefined;

  constructor(sampleIntervalSec: number) {
    this.ring = new MetricRing(dayCapacity(sampleIntervalSec));
  }

  /** How many samples are held. */
  get size(): number {
    return this.ring.size;
  }

  /** Bytes held by the ring's typed arrays. */
  get byteLength(): number {
    return this.ring.byteLength;
  }

  /** Stores a sample; returns false if it is not newer than the newest one held (duplicates, replays). */
  push(s: Sample): boolean {
    const values: Record<string, number> = {};
    for (const r of s.realservers) {
      if (!this.names.has(r.address) || this.names.get(r.address) !== r.name) this.names.set(r.address, r.name);
      values[col(r.address, 'active')] = r.activeConns;
      values[col(r.address, 'inactive')] = r.inactiveConns;
      if (r.cps !== undefined) values[col(r.address, 'cps')] = r.cps;
      if (r.load1 !== undefined) values[col(r.address, 'load')] = r.load1;
    }
    const stored = this.ring.push(s.time, values);
    if (stored) this.latestSample = s;
    return stored;
  }

  /** The newest values per realserver address. */
  latest(): Map<string, LatestValues> {
    const m = new Map<string, LatestValues>();
    for (const r of this.latestSample?.realservers ?? []) m.set(r.address, { ...r });
    return m;
  }

  /** Time of the newest sample (epoch ms), or undefined when empty. */
  get lastTime(): number | undefined {
    return this.ring.size ? this.ring.lastTime : undefined;
  }

  /** Per-realserver series of one metric over [from, ∞), each downsampled to at most `maxPoints` with LTTB. */
  series(metric: MetricName, from: number, maxPoints: number): ChartSeries[] {
    return this.seriesSet([metric], from, maxPoints)[metric];
  }

  /** Like series() for several metrics at once (one copy of the ring window). */
  seriesSet<M extends MetricName>(metrics: readonly M[], from: number, maxPoints: number): Record<M, ChartSeries[]> {
    const w = this.ring.window(
      from,
      [...this.names.keys()].flatMap((a) => metrics.map((m) => col(a, m))),
    );
    const out = {} as Record<M, ChartSeries[]>;
    for (const m of metrics) {
      out[m] = [];
      for (const [address, name] of this.names) {
        const ys = w.columns.get(col(address, m));
        if (!ys) continue;
        const points = lttb(w.times, ys, maxPoints);
        if (points.length) out[m].push({ key: address, name, points });
      }
    }
    return out;
  }

  /** The whole history (or from `from`) as CSV: ISO time, then active/inactive/cps/load per realserver. */
  toCsv(from = -Infinity): string {
    const w = this.ring.window(from);
    const addrs = [...this.names.keys()];
    const header = ['time'];
    for (const a of addrs) for (const m of METRICS) header.push(`${this.names.get(a)} (${a}) ${m}`);
    const cols = addrs.flatMap((a) => METRICS.map((m) => w.columns.get(col(a, m))));
    const rows = function* () {
      for (let i = 0; i < w.times.length; i++) {
        yield [new Date(w.times[i]!).toISOString(), ...cols.map((c) => (c ? c[i]! : NaN))];
      }
    };
    return toCsv(header, rows());
  }
}

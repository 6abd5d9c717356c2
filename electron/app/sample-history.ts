/**
 * The main process's metrics history of one cluster, bounded in memory whatever the sample interval: every sample of the
 * last 5 minutes, then one per 10 s for the last hour, then one per minute for 24 h (at most ≈ 2,100 samples, where
 * keeping every 1 s sample of 50 realservers for 24 h as objects held ≈ 545 MB). An older sample is folded into its
 * bucket as it ages out of a finer tier: per realserver the highest active and inactive connection counts and CPS of the
 * bucket (a chart over an hour or a day shows the peaks, not an average that hides them; CPS where one is known) and its
 * latest load. Address and name strings are shared between samples. Pure.
 */
import type { EventPayload } from '../../shared/api/contract.ts';

type Sample = EventPayload<'cluster.sample'>;
type Rs = Sample['realservers'][number];

/** A coarser tier: samples folded into buckets of `bucketMs`, kept for `spanMs`. */
export interface HistoryTier {
  bucketMs: number;
  spanMs: number;
}

/** The default tiers: every sample for 5 min, 10 s buckets for 1 h, 1 min buckets for 24 h. */
export const DEFAULT_TIERS = { rawMs: 5 * 60_000, tiers: [{ bucketMs: 10_000, spanMs: 3600_000 }, { bucketMs: 60_000, spanMs: 24 * 3600_000 }] } as const;

/** One bucket being (or done being) folded: its key, and the sample that holds its aggregate. */
interface Bucket {
  key: number;
  sample: Sample;
  /** address → index in sample.realservers, while the bucket is open (dropped when the next one opens). */
  at?: Map<string, number>;
}

/** Bounded, tiered history of one cluster's samples (see the file comment). */
export class SampleHistory {
  private readonly raw: Sample[] = [];
  private readonly tiers: { tier: HistoryTier; buckets: Bucket[] }[];
  private readonly rawMs: number;
  private readonly strings = new Map<string, string>();

  constructor(opts: { rawMs: number; tiers: readonly HistoryTier[] } = DEFAULT_TIERS) {
    this.rawMs = opts.rawMs;
    this.tiers = opts.tiers.map((tier) => ({ tier, buckets: [] }));
  }

  /** How many samples are held, over all tiers. */
  get size(): number {
    return this.raw.length + this.tiers.reduce((n, t) => n + t.buckets.length, 0);
  }

  /** Adds a sample (ignored unless newer than the newest held); folds what aged out of each tier into the next. */
  add(s: Sample): void {
    const last = this.raw[this.raw.length - 1];
    if (last && !(s.time > last.time)) return;
    this.raw.push(this.own(s));
    const now = s.time;
    let aged = 0;
    while (aged < this.raw.length && this.raw[aged]!.time < now - this.rawMs) aged++;
    const out = this.raw.splice(0, aged);
    this.fold(0, out, now);
  }

  /** The samples with time ≥ `from`, oldest first (coarser tiers first: they are older). */
  window(from: number): Sample[] {
    const out: Sample[] = [];
    for (let i = this.tiers.length - 1; i >= 0; i--) for (const b of this.tiers[i]!.buckets) if (b.sample.time >= from) out.push(b.sample);
    for (const s of this.raw) if (s.time >= from) out.push(s);
    return out;
  }

  /** Folds `samples` (oldest first) into tier `i`, then what ages out of it into the next one; beyond the last, dropped. */
  private fold(i: number, samples: Sample[], now: number): void {
    const t = this.tiers[i];
    if (!t || samples.length === 0) return;
    for (const s of samples) {
      const key = Math.floor(s.time / t.tier.bucketMs);
      let b = t.buckets[t.buckets.length - 1];
      if (!b || b.key !== key) {
        if (b) delete b.at;
        b = { key, sample: { clusterId: s.clusterId, time: s.time, realservers: [] }, at: new Map() };
        t.buckets.push(b);
      }
      merge(b, s);
    }
    let aged = 0;
    // The newest bucket stays open (more samples may land in it); older ones age out by their end.
    while (aged < t.buckets.length - 1 && (t.buckets[aged]!.key + 1) * t.tier.bucketMs <= now - t.tier.spanMs) aged++;
    this.fold(i + 1, t.buckets.splice(0, aged).map((b) => b.sample), now);
  }

  /** The sample with its strings shared with earlier samples. */
  private own(s: Sample): Sample {
    return { clusterId: this.str(s.clusterId), time: s.time, realservers: s.realservers.map((r) => ({ ...r, address: this.str(r.address), name: this.str(r.name) })) };
  }

  private str(x: string): string {
    const v = this.strings.get(x);
    if (v !== undefined) return v;
    this.strings.set(x, x);
    return x;
  }
}

/** Folds one sample into a bucket: the bucket's time becomes the sample's; per realserver the peaks and the latest load. */
function merge(b: Bucket, s: Sample): void {
  b.sample.time = s.time;
  b.at ??= new Map(b.sample.realservers.map((r, i) => [r.address, i]));
  for (const r of s.realservers) {
    const i = b.at.get(r.address);
    if (i === undefined) {
      b.at.set(r.address, b.sample.realservers.length);
      b.sample.realservers.push({ ...r });
      continue;
    }
    const a: Rs = b.sample.realservers[i]!;
    a.name = r.name;
    a.activeConns = Math.max(a.activeConns, r.activeConns);
    a.inactiveConns = Math.max(a.inactiveConns, r.inactiveConns);
    // CPS may be absent (the first sample, a destination re-added): the bucket keeps the highest one known.
    if (r.cps !== undefined) a.cps = a.cps === undefined ? r.cps : Math.max(a.cps, r.cps);
    if (r.load1 !== undefined) a.load1 = r.load1;
  }
}

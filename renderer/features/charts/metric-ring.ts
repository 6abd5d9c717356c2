/**
 * A bounded, columnar ring buffer of metric samples: one Float64Array of times and one Float32Array per column (e.g.
 * "10.0.0.2|active"), all of the same fixed capacity. Memory is allocated once per column and never grows afterwards, so
 * a day of samples costs capacity × (8 + 4 × columns) bytes and pushing more samples overwrites the oldest.
 */

/** Samples in chronological order: times and one array per column (NaN where a column had no value). */
export interface RingWindow {
  times: Float64Array;
  columns: Map<string, Float32Array>;
}

/** The fixed-capacity columnar ring. */
export class MetricRing {
  readonly capacity: number;
  private readonly times: Float64Array;
  private readonly cols = new Map<string, Float32Array>();
  /** Index where the next sample goes. */
  private head = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
  }

  /** Number of samples held (≤ capacity). */
  get size(): number {
    return this.count;
  }

  /** Time of the newest sample, or -Infinity when empty. */
  get lastTime(): number {
    return this.count === 0 ? -Infinity : this.times[(this.head - 1 + this.capacity) % this.capacity]!;
  }

  /** Time of the oldest sample held, or +Infinity when empty. */
  get firstTime(): number {
    return this.count === 0 ? Infinity : this.times[(this.head - this.count + this.capacity) % this.capacity]!;
  }

  /** Column names seen so far, in order of first appearance. */
  columnNames(): string[] {
    return [...this.cols.keys()];
  }

  /** Bytes held by the typed arrays (what the ring costs, whatever its fill level). */
  get byteLength(): number {
    let b = this.times.byteLength;
    for (const c of this.cols.values()) b += c.byteLength;
    return b;
  }

  /**
   * Appends one sample. Columns missing from `values` get NaN; a new column starts as NaN for older samples.
   * Returns false (and stores nothing) when `time` is not after the newest sample, so replays and overlaps are dropped.
   */
  push(time: number, values: Readonly<Record<string, number>>): boolean {
    if (!(time > this.lastTime)) return false;
    for (const name of Object.keys(values)) {
      if (!this.cols.has(name)) this.cols.set(name, new Float32Array(this.capacity).fill(NaN));
    }
    const i = this.head;
    this.times[i] = time;
    for (const [name, col] of this.cols) {
      const v = values[name];
      col[i] = v === undefined ? NaN : v;
    }
    this.head = (i + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    return true;
  }

  /** Copies the samples with time ≥ `from` (all when omitted) in chronological order; only the `only` columns if given. */
  window(from = -Infinity, only?: readonly string[]): RingWindow {
    const start = (this.head - this.count + this.capacity) % this.capacity;
    // Times are increasing, so binary-search the first index ≥ from in logical order.
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[(start + mid) % this.capacity]! < from) lo = mid + 1;
      else hi = mid;
    }
    const n = this.count - lo;
    const first = (start + lo) % this.capacity;
    const times = new Float64Array(n);
    copyCircular(this.times, first, n, times);
    const columns = new Map<string, Float32Array>();
    for (const [name, col] of this.cols) {
      if (only && !only.includes(name)) continue;
      const out = new Float32Array(n);
      copyCircular(col, first, n, out);
      columns.set(name, out);
    }
    return { times, columns };
  }
}

function copyCircular(src: Float64Array | Float32Array, first: number, n: number, dst: Float64Array | Float32Array): void {
  const tail = Math.min(n, src.length - first);
  dst.set(src.subarray(first, first + tail), 0);
  if (tail < n) dst.set(src.subarray(0, n - tail), tail);
}

/** Ring capacity that holds 24 h of samples at the given interval (plus one, so the window's both ends fit). */
export function dayCapacity(sampleIntervalSec: number): number {
  return Math.ceil(86_400 / Math.max(1, sampleIntervalSec)) + 1;
}

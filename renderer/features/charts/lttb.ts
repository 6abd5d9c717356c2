/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013): keeps the first and last point and, from each of
 * `threshold - 2` equal buckets in between, the point forming the largest triangle with the previously kept point and the
 * average of the next bucket. Peaks survive, flat stretches collapse. Pure; used so a 24 h series of 5 s samples (17 280
 * points) is drawn with ≤ ~1000 points.
 */

/**
 * Returns the indices (strictly increasing) of the points LTTB keeps from (xs[i], ys[i]), i < n.
 * With n ≤ threshold (or threshold < 3) every index is returned. Points must be sorted by x and finite.
 */
export function lttbIndices(xs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number): number[] {
  const n = Math.min(xs.length, ys.length);
  if (threshold >= n || threshold < 3) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [0];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    // Average of the next bucket (the last bucket's "next" is the final point).
    const avgStart = Math.floor((i + 1) * every) + 1;
    const avgEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = avgStart; j < avgEnd; j++) {
      avgX += xs[j]!;
      avgY += ys[j]!;
    }
    const avgLen = avgEnd - avgStart;
    avgX /= avgLen;
    avgY /= avgLen;
    // The current bucket.
    const from = Math.floor(i * every) + 1;
    const to = Math.floor((i + 1) * every) + 1;
    const ax = xs[a]!;
    const ay = ys[a]!;
    let maxArea = -1;
    let chosen = from;
    for (let j = from; j < to; j++) {
      const area = Math.abs((ax - avgX) * (ys[j]! - ay) - (ax - xs[j]!) * (avgY - ay));
      if (area > maxArea) {
        maxArea = area;
        chosen = j;
      }
    }
    out.push(chosen);
    a = chosen;
  }
  out.push(n - 1);
  return out;
}

/** A chart point. */
export interface XY {
  x: number;
  y: number;
}

/** LTTB over parallel arrays, skipping non-finite y values (gaps), returning at most `threshold` points. */
export function lttb(xs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number): XY[] {
  const n = Math.min(xs.length, ys.length);
  let gaps = false;
  for (let i = 0; i < n && !gaps; i++) gaps = !Number.isFinite(ys[i]!);
  // Without gaps, work on the arrays as they are (no copy).
  if (!gaps) return lttbIndices(xs, ys, threshold).map((i) => ({ x: xs[i]!, y: ys[i]! }));
  const fx: number[] = [];
  const fy: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = ys[i]!;
    if (Number.isFinite(y)) {
      fx.push(xs[i]!);
      fy.push(y);
    }
  }
  return lttbIndices(fx, fy, threshold).map((i) => ({ x: fx[i]!, y: fy[i]! }));
}

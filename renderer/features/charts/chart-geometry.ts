/** Pure geometry for the charts: a round axis maximum, SVG path data from points, and the nearest point to a time. */
import type { XY } from './lttb.ts';

/** The smallest 1 / 2 / 2.5 / 5 × 10^k that is ≥ v (1 for v ≤ 0), so the y axis ends on a round number. */
export function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** A linear map from [d0, d1] to [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** SVG path data "M x y L x y …" (0.1 px precision) through the points. */
export function pathData(points: readonly XY[], mapX: (v: number) => number, mapY: (v: number) => number): string {
  let d = '';
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    d += `${i === 0 ? 'M' : 'L'}${mapX(p.x).toFixed(1)} ${mapY(p.y).toFixed(1)}`;
  }
  return d;
}

/** Index of the point whose x is nearest to x (points sorted by x), or -1 when empty. */
export function nearestIndex(points: readonly XY[], x: number): number {
  if (points.length === 0) return -1;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.x < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(points[lo - 1]!.x - x) <= Math.abs(points[lo]!.x - x)) return lo - 1;
  return lo;
}

/** Round y-axis ticks from 0 to max (max from niceMax): about five steps of a 1/2/2.5/5 × 10^k size. */
export function yTicks(max: number): number[] {
  const step = niceMax(max / 5);
  const out: number[] = [];
  for (let i = 0; i * step <= max * (1 + 1e-9); i++) out.push(Number((i * step).toPrecision(12)));
  return out;
}

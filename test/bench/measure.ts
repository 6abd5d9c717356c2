import { performance } from 'node:perf_hooks';

/** A benchmark's figures in milliseconds: the median and the fastest run, and how many runs they come from. */
export interface Figures {
  median: number;
  min: number;
  runs: number;
}

/**
 * The true median: the middle sample, or the mean of the two middle ones for an even count (the upper middle alone,
 * as it was, made the "median" of 2 samples the slower one).
 */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('median of no samples');
  const t = [...samples].sort((a, b) => a - b);
  const m = Math.floor(t.length / 2);
  return t.length % 2 === 1 ? t[m]! : (t[m - 1]! + t[m]!) / 2;
}

/**
 * Runs fn `warmup` times untimed, then `runs` times timed; `prepare` (optional) runs before EVERY run, warm-ups
 * included, outside the timing (e.g. putting the table back so each run does the same work). Compare two things only
 * with the same runs and warm-up.
 */
export async function measure(fn: () => unknown, runs = 15, warmup = 3, prepare?: () => unknown): Promise<Figures> {
  const t: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    if (prepare) await prepare();
    const s = performance.now();
    await fn();
    const d = performance.now() - s;
    if (i >= warmup) t.push(d);
  }
  return { median: median(t), min: Math.min(...t), runs };
}

/** Milliseconds with the precision they deserve: 3 significant digits below 1 ms, 2 decimals above. */
function ms(x: number): string {
  return x >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

/** Prints one benchmark line: name, median, min, the number of runs and the goal (as information, not a verdict). */
export function report(name: string, r: { median: number; min: number; runs?: number }, goalMs?: number): void {
  const goal = goalMs === undefined ? '' : `  (goal ≤ ${goalMs} ms: ${r.median <= goalMs ? 'met' : 'NOT met'} on this run)`;
  const n = r.runs === undefined ? '' : `  (${r.runs} runs)`;
  console.log(`${name.padEnd(58)} median ${ms(r.median).padStart(9)} ms  min ${ms(r.min).padStart(9)} ms${n}${goal}`);
}

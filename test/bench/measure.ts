import { performance } from 'node:perf_hooks';

/** Runs fn `runs` times after `warmup` runs and returns the median and min in milliseconds. */
export async function measure(fn: () => unknown, runs = 15, warmup = 3): Promise<{ median: number; min: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)]!, min: t[0]! };
}

/** Prints one benchmark line: name, median, min and the goal (as information, not a verdict). */
export function report(name: string, r: { median: number; min: number }, goalMs?: number): void {
  const goal = goalMs === undefined ? '' : `  (goal ≤ ${goalMs} ms: ${r.median <= goalMs ? 'met' : 'NOT met'} on this run)`;
  console.log(`${name.padEnd(58)} median ${r.median.toFixed(2).padStart(9)} ms  min ${r.min.toFixed(2).padStart(9)} ms${goal}`);
}

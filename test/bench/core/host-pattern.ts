/**
 * known_hosts host patterns on pathological input: `*a*a…*a*b` (k stars) against a name of n 'a's, which almost
 * matches. The matcher (electron/ssh/known-hosts.ts wildcardMatch: one remembered star, O(k·n)) side by side with the
 * regex it replaced (`^.*a.*a….*b$`, which backtracks through every way of placing the stars: about C(n, k) steps).
 * The regex only gets sizes it finishes in seconds. Figures, not verdicts.
 */
import { wildcardMatch } from '../../../electron/ssh/known-hosts.ts';
import { measure, report, type Figures } from '../measure.ts';

/** The matcher as it was before (a regex built from the pattern). */
function regexMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

/** Calls fn n times. */
function repeat(n: number, fn: () => unknown): void {
  for (let i = 0; i < n; i++) fn();
}

/** A measurement of n calls as the time of one. */
function perCall(r: Figures, n: number): Figures {
  return { ...r, median: r.median / n, min: r.min / n };
}

/** Prints the figures. */
export default async function bench(): Promise<void> {
  for (const [k, n] of [
    [4, 24],
    [6, 24],
    [8, 24],
    [10, 24],
  ] as const) {
    const pattern = `${'*a'.repeat(k)}*b`;
    const name = 'a'.repeat(n);
    if (wildcardMatch(pattern, name) !== regexMatch(pattern, name)) throw new Error(`matchers disagree on ${pattern}`);
    // 1,000 calls per sample for the fast matcher (one call is below the timer's resolution), one for the regex
    const ours = perCall(await measure(() => repeat(1000, () => wildcardMatch(pattern, name)), 9, 3), 1000);
    const old = await measure(() => regexMatch(pattern, name), 9, 3);
    report(`wildcardMatch, ${k} stars, name of ${n} (per call)`, ours);
    report(`  the old regex, same input (per call)`, old);
    console.log(`  ratio old regex / wildcardMatch: ${(old.median / ours.median).toFixed(0)}×`);
  }
  for (const [k, n] of [
    [40, 5000],
    [400, 50_000],
  ] as const) {
    const pattern = `${'*a'.repeat(k)}*b`;
    const name = 'a'.repeat(n);
    report(`wildcardMatch, ${k} stars, name of ${n.toLocaleString('en')} (the regex: out of reach)`, await measure(() => wildcardMatch(pattern, name), 9, 3));
  }
}

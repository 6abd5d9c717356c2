/**
 * Counters as `ipvsadm -L -n --stats/--rate` prints them. From ipvsadm 1.31 ipvsadm.c print_largenum():
 *
 *   with --exact:  printf("%*llu", len <= 8 ? 9 : len + 1, i)      (always the exact value)
 *   otherwise:     i < 100000000            printf("%9llu",  i)                 (< 100 million: exact)
 *                  i < 1000000000           printf("%8lluK", i / 1000)          (< 1 billion)
 *                  i < 100000000000         printf("%8lluM", i / 1000000)       (< 100 billion)
 *                  i < 100000000000000      printf("%8lluG", i / 1000000000)    (< 100 trillion)
 *                  else                     printf("%8lluT", i / 1000000000000)
 *
 * The suffixes are decimal (K = 1000) and the division truncates, so "830843K" means 830,843,000 ≤ i < 830,844,000.
 * Values are JavaScript numbers: exact up to 2^53; a 64-bit counter above that (9 PB) loses its last digits.
 */

/** One parsed counter: the value (the lower bound for a suffixed one) and whether it was printed exactly. */
export interface LargeNum {
  value: number;
  exact: boolean;
}

const SCALE: Record<string, number> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
/** The range each suffix is used for, [min, max): a suffixed value outside it is not something ipvsadm prints. */
const RANGE: Record<string, [number, number]> = { K: [1e8, 1e9], M: [1e9, 1e11], G: [1e11, 1e14], T: [1e14, Infinity] };

/** Parses one printed counter ("12345", "830843K", "1135M"); null if it is not in print_largenum's form. */
export function parseLargeNum(token: string): LargeNum | null {
  const n = token.length;
  if (n === 0 || n > 21) return null;
  const last = token[n - 1]!;
  const scale = SCALE[last];
  const digits = scale === undefined ? token : token.slice(0, -1);
  if (digits.length === 0 || (digits.length > 1 && digits.charCodeAt(0) === 48)) return null;
  let v = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  if (scale === undefined) return { value: v, exact: true };
  const value = v * scale;
  const [min, max] = RANGE[last]!;
  if (value < min || value >= max) return null;
  return { value, exact: false };
}

/**
 * Splits the counter columns of a line into printed numbers. Normally one field is one number; "%8lluT" has no leading
 * blank once the value reaches 10,000,000T, so a field like "18446744T5" is two numbers, cut after the suffix.
 */
export function splitCounterFields(fs: string[]): string[] {
  const out: string[] = [];
  for (const f of fs) {
    let start = 0;
    for (let i = 0; i < f.length; i++) {
      const c = f[i]!;
      if (c === 'K' || c === 'M' || c === 'G' || c === 'T') {
        out.push(f.slice(start, i + 1));
        start = i + 1;
      }
    }
    if (start < f.length) out.push(f.slice(start));
  }
  return out;
}

/** The text print_largenum writes for a value (without its leading padding), e.g. 830843123 → "830843K". */
export function formatLargeNum(value: number, exact = false): string {
  if (exact || value < 1e8) return String(value);
  if (value < 1e9) return `${Math.floor(value / 1e3)}K`;
  if (value < 1e11) return `${Math.floor(value / 1e6)}M`;
  if (value < 1e14) return `${Math.floor(value / 1e9)}G`;
  return `${Math.floor(value / 1e12)}T`;
}

/** print_largenum's full output including padding: "%9llu" / "%8lluK" …, or with --exact "%*llu" (width ≥ 9). */
export function printLargeNum(value: number, exact = false): string {
  const s = formatLargeNum(value, exact);
  if (exact) return s.padStart(s.length <= 8 ? 9 : s.length + 1);
  return s.padStart(9);
}

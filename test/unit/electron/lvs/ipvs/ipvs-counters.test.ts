import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatLargeNum, parseLargeNum, printLargeNum, splitCounterFields } from '../../../../../electron/lvs/ipvs/ipvs-counters.ts';

describe('print_largenum (ipvsadm.c) and its inverse', () => {
  it('switches unit exactly at ipvsadm’s thresholds (decimal, truncating)', () => {
    expect([99_999_999, 100_000_000, 999_999_999, 1e9, 99_999_999_999, 1e11, 99_999_999_999_999, 1e14].map((v) => formatLargeNum(v))).toEqual([
      '99999999',
      '100000K',
      '999999K',
      '1000M',
      '99999M',
      '100G',
      '99999G',
      '100T',
    ]);
    expect(formatLargeNum(830_843_999)).toBe('830843K');
  });

  it('pads like %9llu / %8lluK, and with --exact like %*llu (width ≥ 9, always one blank before)', () => {
    expect(printLargeNum(353)).toBe('      353');
    expect(printLargeNum(830_843_000)).toBe('  830843K');
    expect(printLargeNum(353, true)).toBe('      353');
    expect(printLargeNum(123_456_789_012, true)).toBe(' 123456789012');
  });

  it('parses captured values: 830843K, 1135M, 2938M', () => {
    expect(parseLargeNum('830843K')).toEqual({ value: 830_843_000, exact: false });
    expect(parseLargeNum('1135M')).toEqual({ value: 1_135_000_000, exact: false });
    expect(parseLargeNum('2938M')).toEqual({ value: 2_938_000_000, exact: false });
    expect(parseLargeNum('4218283')).toEqual({ value: 4_218_283, exact: true });
  });

  it('rejects what print_largenum never prints', () => {
    for (const t of ['', 'K', '99999K', '1000000K', '999M', '100000M', '99G', '99T', '-1', '01', '1.5M', '12k', '1 2']) expect(parseLargeNum(t), t).toBeNull();
  });

  it('property: the parsed value is the printed one rounded down to its unit, exact below 100 million', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(200_000_000), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })), (v) => {
        const p = parseLargeNum(formatLargeNum(v))!;
        const unit = v < 1e8 ? 1 : v < 1e9 ? 1e3 : v < 1e11 ? 1e6 : v < 1e14 ? 1e9 : 1e12;
        expect(p.exact).toBe(v < 1e8);
        expect(p.value).toBeLessThanOrEqual(v);
        expect(v - p.value).toBeLessThan(unit);
        expect(parseLargeNum(formatLargeNum(v, true))).toEqual({ value: v, exact: true });
      }),
      { numRuns: 2000 },
    );
  });

  it('splits fields glued after a T suffix, and leaves normal fields alone', () => {
    expect(splitCounterFields(['1', '18446744T18446744T', '5'])).toEqual(['1', '18446744T', '18446744T', '5']);
    expect(splitCounterFields(['830843K', '1135M'])).toEqual(['830843K', '1135M']);
  });
});

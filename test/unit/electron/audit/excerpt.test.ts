import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXCERPT_MAX_BYTES, excerpt, utf8Head, utf8Tail } from '../../../../electron/audit/excerpt.ts';

describe('excerpt', () => {
  it('keeps short output as is', () => {
    expect(excerpt('IP Virtual Server version 1.2.1')).toBe('IP Virtual Server version 1.2.1');
  });

  it('keeps the head and the tail of long output and says how much was cut', () => {
    const text = 'A'.repeat(3000) + 'END';
    const e = excerpt(text);
    expect(Buffer.byteLength(e)).toBeLessThanOrEqual(EXCERPT_MAX_BYTES);
    expect(e.startsWith('AAAA')).toBe(true);
    expect(e.endsWith('END')).toBe(true);
    const cut = Number(/\[… (\d+) bytes cut …\]/.exec(e)![1]);
    const kept = Buffer.byteLength(e) - Buffer.byteLength(`\n[… ${cut} bytes cut …]\n`);
    expect(kept + cut).toBe(3003);
  });

  it('is always ≤ 2 KB of UTF-8 and never splits a character (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 3000 }), (s) => {
        const e = excerpt(s);
        expect(Buffer.byteLength(e, 'utf8')).toBeLessThanOrEqual(EXCERPT_MAX_BYTES);
        expect(e.includes('\uFFFD') && !s.includes('\uFFFD')).toBe(false);
        expect(Buffer.from(e, 'utf8').toString('utf8')).toBe(e);
      }),
    );
  });

  it('utf8Head / utf8Tail count bytes, not UTF-16 units', () => {
    expect(utf8Head('ééé', 5)).toBe('éé');
    expect(utf8Tail('a😀b', 5)).toBe('😀b');
    expect(utf8Tail('a😀b', 4)).toBe('b');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from '../../../../electron/audit/csv.ts';
import { parseCsv } from './parse-csv.ts';

describe('CSV (RFC 4180)', () => {
  it('quotes only fields that need it and doubles quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(0)).toBe('0');
  });

  it('ends every record with CRLF', () => {
    expect(toCsv(['a', 'b'], [[1, 'x']])).toBe('a,b\r\n1,x\r\n');
  });

  it('neutralises cells a spreadsheet would run as a formula (OWASP: a leading \'), numbers stay numbers', () => {
    for (const cell of ['=1+1', '+1+2', '-2+3', '@SUM(A1:A9)', '\t=1', '\r=1', '=HYPERLINK("http://x","y")', "-A -t 10.0.0.100:23 -s rr", '=cmd|\' /C calc\'!A0']) {
      const [[read]] = parseCsv(toCsv(['c'], [[cell]])).slice(1) as [[string]];
      expect(read, JSON.stringify(cell)).toBe(`'${cell}`);
    }
    expect(csvField(-3)).toBe('-3');
    expect(csvField(1.5)).toBe('1.5');
    expect(csvField('-3')).toBe('-3');
    expect(csvField('+1.5e3')).toBe('+1.5e3');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField('a=1')).toBe('a=1');
  });

  it('the audit export neutralises a remote command\'s output that starts like a formula', () => {
    const text = toCsv(['time', 'host', 'argv', 'code', 'durationMs', 'output'], [[1, 'director', 'ipvsadm -S -n', 0, -1, '=2+5+cmd|\' /C calc\'!A0']]);
    expect(parseCsv(text)[1]).toEqual(['1', 'director', 'ipvsadm -S -n', '0', '-1', "'=2+5+cmd|' /C calc'!A0"]);
  });

  it('reads back exactly what was written, with a \' before a formula-like cell (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string(), { minLength: 3, maxLength: 3 }), { maxLength: 20 }), (rows) => {
        const expected = rows.map((r) => r.map((c) => (/^[=+\-@\t\r]/.test(c) && !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(c) ? `'${c}` : c)));
        expect(parseCsv(toCsv(['x', 'y', 'z'], rows))).toEqual([['x', 'y', 'z'], ...expected]);
      }),
    );
  });
});

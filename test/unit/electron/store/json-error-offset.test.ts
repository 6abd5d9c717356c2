import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, lineColAt } from '../../../../electron/store/json-error-offset.ts';

describe('jsonErrorOffset', () => {
  it.each([
    ['{\n  "a": 1,\n  "b": tru\n}\n', '3:11'],
    ['{\n "a": 1\n "b": 2}', '3:2'],
    ['{"a":}', '1:6'],
    ['[1,2', '1:5'],
    ['', '1:1'],
    ['{"a": 01}', '1:8'],
    ['{"a": "x\ny"}', '1:9'],
    ['{"a": 1} x', '1:10'],
    ['{"a": "\\q"}', '1:9'],
  ])('locates the error in %j at %s', (text, where) => {
    const off = jsonErrorOffset(text);
    expect(off).toBeDefined();
    expect(lineColAt(text, off!)).toBe(where);
  });

  it('agrees with JSON.parse on what is valid', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(jsonErrorOffset(JSON.stringify(v, null, 2))).toBeUndefined();
      }),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        let valid = true;
        try {
          JSON.parse(s);
        } catch {
          valid = false;
        }
        expect(jsonErrorOffset(s) === undefined).toBe(valid);
      }),
    );
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { confJson, confVariables, parseLvsConf } from '../../../../../electron/lvs/conf/conf-parse.ts';
import { importText } from '../../../../../electron/lvs/conf/conf-text.ts';
import { doubleQuote, formatConfValue, setConfVariable, writeLvsConf } from '../../../../../electron/lvs/conf/conf-write.ts';
import { AppError } from '../../../../../shared/result.ts';

const fixture = (name: string) => readFileSync(new URL(`../../../../fixtures/lvs-conf/${name}`, import.meta.url), 'utf8');
const set = (text: string, name: string, value: string | string[]) => writeLvsConf(setConfVariable(parseLvsConf(text, 'f'), name, value));

/** Lines of b that differ from a (same length assumed), as [index, line]. */
function changedLines(a: string, b: string): [number, string][] {
  const al = a.split('\n');
  return b
    .split('\n')
    .map((l, i) => [i, l] as [number, string])
    .filter(([i, l]) => al[i] !== l);
}

describe('formatConfValue', () => {
  it('writes short lists double-quoted on one line', () => {
    expect(formatConfValue('TPORTS', ['telnet', '22'])).toBe('"telnet 22"');
    expect(formatConfValue('RIPS', ['a', 'b', 'c'])).toBe('"a b c"');
    expect(formatConfValue('RIPS', [])).toBe('""');
  });

  it("writes RIPS with more than 3 items in the seed's continuation layout", () => {
    expect(formatConfValue('RIPS', ['a', 'b', 'c', 'd'])).toBe('"a \\\nb \\\nc \\\nd \\\n"');
  });

  it('keeps the old quoting style when it can', () => {
    expect(formatConfValue('VIP', '10.0.0.1', 'bare')).toBe('10.0.0.1');
    expect(formatConfValue('VIP', '10.0.0.1', 'single')).toBe("'10.0.0.1'");
    expect(formatConfValue('VIP', '10.0.0.1', 'double')).toBe('"10.0.0.1"');
    expect(formatConfValue('X', 'a b', 'bare')).toBe('"a b"');
    expect(formatConfValue('X', "it's", 'single')).toBe(`"it's"`);
  });

  it('escapes what double quotes need', () => {
    expect(doubleQuote('a"b\\c$d`e')).toBe('"a\\"b\\\\c\\$d\\`e"');
  });
});

describe('writeLvsConf', () => {
  it('writes LF: a CRLF file is refused by the parser and converted by the import first', () => {
    expect(() => parseLvsConf('A=1\r\n# c\r\n\r\n', 'f')).toThrow(/^f:1:4: CRLF line end/);
    expect(writeLvsConf(parseLvsConf(importText('A=1\r\n# c\r\n\r\n', 'f').text, 'f'))).toBe('A=1\n# c\n\n');
  });
});

describe('setConfVariable', () => {
  it('rewrites only the value, keeping indentation, export and the trailing comment', () => {
    expect(set('# head\n  export VIP="1.1.1.1"   # the VIP\nX=1\n', 'VIP', '10.0.0.9')).toBe('# head\n  export VIP="10.0.0.9"   # the VIP\nX=1\n');
  });

  it('changes only the lines it must in the seed fixture', () => {
    const text = fixture('seed-style.conf');
    const out = set(text, 'VIP', '10.1.2.3');
    expect(changedLines(text, out)).toEqual([[text.split('\n').indexOf('VIP=epsg9008'), 'VIP=10.1.2.3']]);
  });

  it('rewrites a multi-line RIPS in place and leaves the rest alone', () => {
    const text = fixture('seed-style.conf');
    const out = set(text, 'RIPS', ['rs1', 'rs2']);
    const start = text.indexOf('RIPS="');
    expect(out.slice(0, start)).toBe(text.slice(0, start));
    expect(out.slice(start)).toBe('RIPS="rs1 rs2"\n');
    expect(confJson(confVariables(parseLvsConf(out, 'f'))).RIPS).toEqual(['rs1', 'rs2']);
  });

  it('appends a new variable at the end (adding the missing final newline first)', () => {
    expect(set('# c\nA=1', 'RIPS', ['a', 'b', 'c', 'd', 'e'])).toBe('# c\nA=1\nRIPS="a \\\nb \\\nc \\\nd \\\ne \\\n"\n');
    expect(set('', 'VIP', '10.0.0.1')).toBe('VIP=10.0.0.1\n');
    expect(set('A=1\n', 'B', 'two words')).toBe('A=1\nB="two words"\n');
  });

  it('edits the assignment in effect (the last one)', () => {
    expect(set('A=1\nA=2\n', 'A', '3')).toBe('A=1\nA=3\n');
  });

  it('returns the same document when the value is unchanged', () => {
    const doc = parseLvsConf("TPORTS='telnet   ssh'\nVIP=x\n", 'f');
    expect(setConfVariable(doc, 'TPORTS', ['telnet', 'ssh'])).toBe(doc);
    expect(setConfVariable(doc, 'VIP', 'x')).toBe(doc);
  });

  it('writes values with quotes, $ and backslashes so that they read back exactly', () => {
    const value = 'say "hi" to $USER `now` \\o/';
    const out = set('M=old\n', 'M', value);
    expect(out).toBe('M="say \\"hi\\" to \\$USER \\`now\\` \\\\o/"\n');
    expect(confVariables(parseLvsConf(out, 'f')).get('M')!.value).toBe(value);
  });

  it('edits a CRLF document once the import has converted it to LF', () => {
    const text = fixture('crlf.conf');
    const out = set(importText(text, 'crlf.conf').text, 'UPORTS', ['xdmcp', '177']);
    expect(out).not.toContain('\r');
    expect(out).toBe(text.replace(/\r\n/g, '\n').replace('UPORTS="xdmcp"', 'UPORTS="xdmcp 177"'));
  });

  it.each([
    ['a bad name', '1A', 'x', 'cannot set 1A: not a valid variable name'],
    ['a control character', 'A', 'x\u0001', 'cannot set A: the value contains a control character'],
    ['a CR', 'A', 'x\r', 'cannot set A: the value contains a control character'],
    ['a C1 control character', 'A', 'x\u0085', 'cannot set A: the value contains a control character'],
    ['U+FFFD', 'A', 'x\ufffd', 'cannot set A: the value contains a control character'],
    ['an unpaired surrogate', 'A', 'x\ud800', 'cannot set A: the value contains a control character'],
    ['PATH', 'PATH', '/bin', "cannot set PATH: a reserved name: it changes where the director's root script finds the programs and directories it runs"],
    ['LD_PRELOAD', 'LD_PRELOAD', '/x.so', 'cannot set LD_PRELOAD: a reserved name: the dynamic loader'],
    ['a list item with a space', 'RIPS', ['a b'], 'cannot set RIPS: list item "a b" is empty or contains whitespace'],
    ['an empty list item', 'RIPS', [''], 'cannot set RIPS: list item "" is empty or contains whitespace'],
  ])('rejects %s', (_what, name, value, message) => {
    const doc = parseLvsConf('A=1\n', 'f');
    expect(() => setConfVariable(doc, name, value)).toThrow(AppError);
    expect(() => setConfVariable(doc, name, value)).toThrow(message);
  });
});

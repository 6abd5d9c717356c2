/**
 * Property tests for lvs.conf: random valid documents (built together with the values sh would assign) must round-trip
 * byte for byte, read back the generated values, agree with what /bin/sh assigns when it sources them, and survive
 * setConfVariable with only the edited statement changed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { realProofSkip } from '../../../../support/require-real.ts';
import { confVariables, parseLvsConf } from '../../../../../electron/lvs/conf/conf-parse.ts';
import { importText } from '../../../../../electron/lvs/conf/conf-text.ts';
import { setConfVariable, writeLvsConf } from '../../../../../electron/lvs/conf/conf-write.ts';

/** A piece of shell text and the characters it contributes to the value. */
type Piece = { text: string; value: string };

const chars = (s: string) => fc.constantFrom(...Array.from(s));
const BARE = 'abcXYZ019_.,:/@%+=-#*?[]{}!^é';
const PRINTABLE = `${BARE} '"\\$\`;&|<>()~\té中`;
const blanks = fc.string({ unit: chars(' \t'), maxLength: 3 });

const barePiece: fc.Arbitrary<Piece> = fc.string({ unit: chars(BARE), minLength: 1, maxLength: 6 }).map((s) => ({ text: s, value: s }));
// `\c` outside quotes is c; `\`-newline is a continuation and adds nothing.
const escapePiece: fc.Arbitrary<Piece> = fc.oneof(
  chars(PRINTABLE).map((c) => ({ text: `\\${c}`, value: c })),
  fc.constant({ text: '\\\n', value: '' }),
);
const singlePiece: fc.Arbitrary<Piece> = fc
  .string({ unit: fc.oneof(chars(PRINTABLE.replace("'", '')), fc.constant('\n')), maxLength: 8 })
  .map((s) => ({ text: `'${s}'`, value: s }));
const doubleUnit: fc.Arbitrary<Piece> = fc.oneof(
  chars(PRINTABLE.replace(/["\\$`]/g, '')).map((c) => ({ text: c, value: c })),
  fc.constant({ text: '\n', value: '\n' }),
  chars('"\\$`').map((c) => ({ text: `\\${c}`, value: c })),
  fc.constant({ text: '\\\n', value: '' }),
  // a backslash before any other character stays
  chars('abn \'#;').map((c) => ({ text: `\\${c}`, value: `\\${c}` })),
);
const doublePiece: fc.Arbitrary<Piece> = fc
  .array(doubleUnit, { maxLength: 6 })
  .map((us) => ({ text: `"${us.map((u) => u.text).join('')}"`, value: us.map((u) => u.value).join('') }));
const word: fc.Arbitrary<Piece> = fc
  .array(fc.oneof(barePiece, escapePiece, singlePiece, doublePiece), { maxLength: 4 })
  // Two bare pieces side by side are one bare piece; a word never ends with a lone continuation that would glue lines.
  .map((ps) => ({ text: ps.map((p) => p.text).join(''), value: ps.map((p) => p.value).join('') }));

/** Names that cannot change how sh itself behaves (no IFS, PATH, PS1 …). */
const name = fc.oneof(fc.constantFrom('VIP', 'VIP_IF', 'LVS_IF', 'TPORTS', 'UPORTS', 'RIPS'), fc.stringMatching(/^V_[a-z0-9_]{1,4}$/));
const comment = fc.string({ unit: chars(PRINTABLE), maxLength: 12 }).map((s) => `#${s}`);

type Stmt = { text: string; assign?: { name: string; value: string } };
const assignment: fc.Arbitrary<Stmt> = fc
  .record({ indent: blanks, exp: fc.boolean(), name, word, trailer: fc.oneof(fc.constant(''), blanks, fc.tuple(blanks.filter((b) => b !== ''), comment).map(([b, c]) => b + c)) })
  .filter((r) => !r.word.text.endsWith('\\\n') || r.trailer === '')
  // `export NAME=` takes no unquoted * ? [ { (some shells expand them there); the generator avoids them altogether
  .filter((r) => !r.exp || !/[*?[{]/.test(r.word.text))
  .map((r) => ({ text: `${r.indent}${r.exp ? 'export ' : ''}${r.name}=${r.word.text}${r.trailer}`, assign: { name: r.name, value: r.word.value } }));
const statement: fc.Arbitrary<Stmt> = fc.oneof(
  { weight: 4, arbitrary: assignment },
  { weight: 1, arbitrary: blanks.map((b) => ({ text: b })) },
  { weight: 2, arbitrary: fc.tuple(blanks, comment).map(([b, c]) => ({ text: b + c })) },
  { weight: 1, arbitrary: fc.array(name, { minLength: 1, maxLength: 3 }).map((ns) => ({ text: `export ${ns.join(' ')}` })) },
);
/** A valid document: its LF text and the values the shell would end up with. */
const validDoc = fc.record({ stmts: fc.array(statement, { maxLength: 12 }), finalNewline: fc.boolean() }).map(({ stmts, finalNewline }) => {
  const text = stmts.map((s) => s.text).join('\n') + (finalNewline && stmts.length > 0 ? '\n' : '');
  const expected = new Map<string, string>();
  for (const s of stmts) if (s.assign) expected.set(s.assign.name, s.assign.value);
  return { text, expected };
});

const valuesOf = (text: string) => new Map([...confVariables(parseLvsConf(text, 'p.conf'))].map(([k, v]) => [k, v.value]));

describe('lvs.conf properties', () => {
  it('valid documents round-trip byte for byte and read back the generated values (CRLF: refused, then as LF once imported)', () => {
    fc.assert(
      fc.property(validDoc, fc.boolean(), ({ text, expected }, crlf) => {
        const input = crlf ? text.replace(/\n/g, '\r\n') : text;
        // /bin/sh keeps each CR in its line, so the parser refuses CRLF; the import converts it to LF first.
        if (input.includes('\r')) expect(() => parseLvsConf(input, 'p.conf')).toThrow(/^p\.conf:\d+:\d+: CRLF line end/);
        const lf = importText(input, 'p.conf').text;
        const doc = parseLvsConf(lf, 'p.conf');
        expect(writeLvsConf(doc)).toBe(text);
        expect([...valuesOf(lf)]).toEqual([...expected]);
      }),
      { numRuns: 1500 },
    );
  });

  it('set then write then parse gives the set value, and only the edited statement changes', () => {
    const scalar = fc.string({ unit: fc.oneof(chars(PRINTABLE), fc.constant('\n')), maxLength: 12 });
    const list = fc.array(fc.string({ unit: chars(BARE + '"\\$`\';&|<>()~'), minLength: 1, maxLength: 6 }), { maxLength: 7 });
    fc.assert(
      fc.property(validDoc, name, fc.oneof(scalar, list), ({ text }, n, value) => {
        const doc = parseLvsConf(text, 'p.conf');
        const out = writeLvsConf(setConfVariable(doc, n, value));
        const back = confVariables(parseLvsConf(out, 'p.conf')).get(n)!;
        if (typeof value === 'string') expect(back.value).toBe(value);
        else expect(back.items.map((i) => i.text)).toEqual(value);
        const before = doc.statements.map((s) => s.raw);
        const after = parseLvsConf(out, 'p.conf').statements.map((s) => s.raw);
        const edited = before.reduce((last, s, k) => (doc.statements[k]!.kind === 'assign' && (doc.statements[k] as { name: string }).name === n ? k : last), -1);
        if (edited < 0) expect(after.slice(0, before.length)).toEqual(before);
        else {
          expect(after.slice(0, edited)).toEqual(before.slice(0, edited));
          expect(after.slice(edited + 1)).toEqual(before.slice(edited + 1));
        }
      }),
      { numRuns: 1000 },
    );
  });

  // The reference: what the seed's script really gets when it sources the file. Only where /bin/sh exists.
  const hasSh = !realProofSkip(existsSync('/bin/sh') && spawnSync('/bin/sh', ['-c', 'exit 0']).status === 0 ? undefined : 'no working /bin/sh', 'the /bin/sh reference test');
  const dir = hasSh ? mkdtempSync(join(tmpdir(), 'lvs-conf-sh-')) : '';
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  /** Sources the text with /bin/sh and returns NAME → value for the names asked (unset ones omitted). */
  function sourced(text: string, names: string[]): Map<string, string> {
    const file = join(dir, 'lvs.conf');
    writeFileSync(file, text);
    // For each name: "S<value>\0" if set, "U\0" if not. Names are [A-Z_][A-Z0-9_]* from the generator.
    const script = '. "$1"; shift; for n; do eval "if [ \\"\\${$n+x}\\" = x ]; then printf \'S%s\\\\0\' \\"\\$$n\\"; else printf \'U\\\\0\'; fi"; done';
    const r = spawnSync('/bin/sh', ['-c', script, 'sh', file, ...names], { encoding: 'utf8', env: {} });
    expect(r.status, r.stderr).toBe(0);
    const parts = r.stdout.split('\0').slice(0, names.length);
    const out = new Map<string, string>();
    parts.forEach((p, k) => {
      if (p.startsWith('S')) out.set(names[k]!, p.slice(1));
    });
    return out;
  }

  it.skipIf(!hasSh)('values agree with what /bin/sh assigns when it sources the file (before and after an edit)', () => {
    fc.assert(
      fc.property(validDoc, name, fc.array(fc.string({ unit: chars(BARE + '"$`\\'), minLength: 1, maxLength: 5 }), { maxLength: 5 }), ({ text, expected }, n, list) => {
        const names = [...expected.keys()];
        expect(sourced(text, names)).toEqual(valuesOf(text));
        const edited = writeLvsConf(setConfVariable(parseLvsConf(text, 'p.conf'), n, list));
        const values = valuesOf(edited);
        expect(sourced(edited, [...values.keys()])).toEqual(values);
      }),
      { numRuns: 150 },
    );
  });
});

/**
 * Fuzzing the lvs.conf reader: random strings and mutated fixtures must give either a full parse (which writes back the
 * input exactly; a CR is always refused) or an AppError('INVALID_INPUT') whose message is `FILE:LINE:COL: …` pointing inside the
 * text. Never another exception, never a partial document. Parsed documents also go through confToCluster and
 * checkConfValues, which may only answer with a profile or an INVALID_INPUT AppError.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkConfValues, CHECK_BASE, confToCluster } from '../../../../../electron/lvs/conf/conf-model.ts';
import { confJson, confVariables, parseLvsConf } from '../../../../../electron/lvs/conf/conf-parse.ts';
import { writeLvsConf } from '../../../../../electron/lvs/conf/conf-write.ts';
import { AppError } from '../../../../../shared/result.ts';

const fixtures = ['seed-style.conf', 'crlf.conf', 'unknown-and-exports.conf'].map((f) =>
  readFileSync(new URL(`../../../../fixtures/lvs-conf/${f}`, import.meta.url), 'utf8'),
);

/** What the contract allows: a full parse that writes back the input, or a located INVALID_INPUT error. */
function checkContract(input: string): 'parsed' | 'rejected' {
  let doc;
  try {
    doc = parseLvsConf(input, 'fuzz.conf');
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    const err = e as AppError;
    expect(err.code).toBe('INVALID_INPUT');
    const m = /^fuzz\.conf:(\d+):(\d+): \S/.exec(err.message);
    expect(m, err.message).not.toBeNull();
    const lines = input.split('\n');
    const line = Number(m![1]);
    expect(line).toBeGreaterThanOrEqual(1);
    expect(line).toBeLessThanOrEqual(lines.length);
    expect(Number(m![2])).toBeGreaterThanOrEqual(1);
    expect(Number(m![2])).toBeLessThanOrEqual(Array.from(lines[line - 1]!).length + 1);
    return 'rejected';
  }
  expect(input).not.toContain('\r');
  expect(writeLvsConf(doc)).toBe(input);
  const vars = confVariables(doc);
  expect(Object.keys(confJson(vars))).toEqual([...vars.keys()]);
  for (const fn of [() => confToCluster(vars, CHECK_BASE), () => checkConfValues(doc)]) {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('INVALID_INPUT');
      for (const l of (e as AppError).message.split('\n')) expect(l).toMatch(/^fuzz\.conf:\d+:\d+: \S/);
    }
  }
  return 'parsed';
}

/** Characters that matter to sh, plus enough letters and '=' to make assignments likely. */
const SHELLISH = Array.from('VIPRS_ab1 =\t\n\r\'"\\$`#;&|<>()~{}*!-:.\u0000\u0007\ufeffé😀');
const shellish = fc.string({ unit: fc.constantFrom(...SHELLISH), maxLength: 80 });
const linesOfAssignments = fc
  .array(fc.tuple(fc.constantFrom('VIP', 'RIPS', 'export TPORTS', ' X'), fc.constantFrom('=', ' =', '+='), shellish), { maxLength: 6 })
  .map((ls) => ls.map(([n, eq, v]) => n + eq + v).join('\n'));

type Mutation = { at: number; kind: 'insert' | 'delete' | 'duplicate' | 'swap'; text: string; len: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('insert', 'delete', 'duplicate', 'swap'),
  text: fc.string({ unit: fc.constantFrom(...SHELLISH), minLength: 1, maxLength: 4 }),
  len: fc.integer({ min: 1, max: 12 }),
});
function mutate(text: string, ms: Mutation[]): string {
  let t = text;
  for (const m of ms) {
    const at = t.length === 0 ? 0 : m.at % t.length;
    if (m.kind === 'insert') t = t.slice(0, at) + m.text + t.slice(at);
    else if (m.kind === 'delete') t = t.slice(0, at) + t.slice(at + m.len);
    else if (m.kind === 'duplicate') t = t.slice(0, at) + t.slice(at, at + m.len) + t.slice(at);
    else {
      const lines = t.split('\n');
      const i = at % lines.length;
      const j = (at + m.len) % lines.length;
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      t = lines.join('\n');
    }
  }
  return t;
}

describe('lvs.conf fuzzing', () => {
  it('random shell-heavy strings: a full parse or a located INVALID_INPUT', () => {
    const seen = { parsed: 0, rejected: 0 };
    fc.assert(
      fc.property(fc.oneof(shellish, linesOfAssignments), (s) => {
        seen[checkContract(s)]++;
      }),
      { numRuns: 3000 },
    );
    // Both outcomes must really be exercised, or the fuzzer is not testing much.
    expect(seen.parsed).toBeGreaterThan(50);
    expect(seen.rejected).toBeGreaterThan(500);
  });

  it('arbitrary Unicode strings: a full parse or a located INVALID_INPUT', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (s) => {
        checkContract(s);
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated fixtures: a full parse or a located INVALID_INPUT', () => {
    const seen = { parsed: 0, rejected: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...fixtures), fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, ms) => {
        seen[checkContract(mutate(text, ms))]++;
      }),
      { numRuns: 3000 },
    );
    expect(seen.parsed).toBeGreaterThan(300);
    expect(seen.rejected).toBeGreaterThan(300);
  });
});

/**
 * Fuzzing every IPVS parser with random text and with mutated fixtures: each input must either parse completely (every
 * non-blank line accounted for in the result) or throw the typed AppError('PARSE_ERROR') naming a line that exists.
 * Any other exception, or a result that silently lost a line, fails.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AppError } from '../../../../../shared/result.ts';
import { parseIpvsadmList } from '../../../../../electron/lvs/ipvs/ipvsadm-list-parse.ts';
import { parseIpvsadmConnections } from '../../../../../electron/lvs/ipvs/ipvsadm-conn-parse.ts';
import { parseIpvsadmSave } from '../../../../../electron/lvs/ipvs/ipvsadm-save-parse.ts';
import { parseIpvsadmTimeout } from '../../../../../electron/lvs/ipvs/ipvsadm-timeout-parse.ts';
import { parseProcIpVs } from '../../../../../electron/lvs/ipvs/proc-ip-vs-parse.ts';
import { parseIpvsOutput, type IpvsParsed } from '../../../../../electron/lvs/ipvs/ipvs-detect.ts';
import { allFixtures, fixture } from './ipvs-fixtures.ts';

const RUNS = 3000;
const FIXTURES = allFixtures()
  .filter((n) => !n.includes('1000-realservers'))
  .map((n) => ({ name: n, text: fixture(n) }));

/** The lines a parse must account for: everything between the first and last non-blank line. */
function contentLines(text: string): string[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const blank = (l: string) => /^[ \t]*$/.test(l);
  let a = 0;
  while (a < lines.length && blank(lines[a]!)) a++;
  let b = lines.length;
  while (b > a && blank(lines[b - 1]!)) b--;
  return lines.slice(a, b);
}

/** How many content lines a result accounts for. */
function accounted(r: IpvsParsed, content: string[]): number {
  const rows = (ss: { destinations: unknown[] }[]) => ss.reduce((n, s) => n + 1 + s.destinations.length, 0);
  switch (r.kind) {
    case 'list':
      return (r.ipvsVersion !== undefined ? 1 : 0) + 2 + rows(r.services);
    case 'proc':
      return 3 + rows(r.services);
    case 'save':
      return rows(r.services);
    case 'timeout':
      return 1;
    case 'connections':
      return (content[0]?.trim() === 'IPVS connection entries' ? 1 : 0) + 1 + r.connections.length;
  }
}

/** The property every parser must hold for one input; returns whether it parsed. */
function check(parse: (t: string) => IpvsParsed, text: string): boolean {
  let result: IpvsParsed;
  try {
    result = parse(text);
  } catch (e) {
    if (!(e instanceof AppError)) throw new Error(`not an AppError: ${String(e)}\ninput: ${JSON.stringify(text.slice(0, 400))}`);
    expect(e.code).toBe('PARSE_ERROR');
    const m = /^line (\d+): /.exec(e.message);
    expect(m, e.message).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(1);
    expect(Number(m![1])).toBeLessThanOrEqual(text.split('\n').length + 1);
    return false;
  }
  const content = contentLines(text);
  expect(accounted(result, content), JSON.stringify(text.slice(0, 400))).toBe(content.length);
  return true;
}

const CHARS = [' ', ' ', '\t', '\n', '\n', '\r', ':', ':', '.', '[', ']', '-', '>', '(', ')', ',', 'K', 'M', 'T', '0', '1', '9', 'A', 'F', 'a', 'x', 'é', '\u0000'];
const TOKENS = ['TCP', 'UDP', 'FWM', 'SCTP', '->', 'Masq', 'Route', 'Tunnel', 'Local', 'rr', 'wlc', 'persistent', 'mask', 'ops', 'IPv6', '-A', '-a', '-t', '-u', '-f', '-r', '-m', '-g', '-i', '-w', '-p', '-M', '-6', '10.0.0.1:80', '[2001:db8::1]:80', 'C0A80A64:0050', '00:59', 'NONE', '999999999999', '18446744T', '(sh-port)'];

/** Random text from characters and tokens that matter to these formats. */
const arbRandom = fc.oneof(
  fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 200 }),
  fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.constantFrom(' ', '  ', '\n')), { maxLength: 60 }).map((a) => a.join('')),
  fc.string({ unit: 'binary', maxLength: 100 }),
);

type Mutation = (lines: string[], rnd: number[]) => string[];
const pick = <T>(a: T[], r: number): T => a[Math.floor(r * a.length) % Math.max(a.length, 1)]!;
const MUTATIONS: Mutation[] = [
  (l, r) => l.filter((_, i) => i !== Math.floor(r[0]! * l.length)), // delete a line
  (l, r) => {
    const i = Math.floor(r[0]! * l.length);
    return [...l.slice(0, i), l[i] ?? '', ...l.slice(i)]; // duplicate a line
  },
  (l, r) => {
    const i = Math.floor(r[0]! * l.length);
    const j = Math.floor(r[1]! * l.length);
    const c = [...l];
    [c[i], c[j]] = [c[j]!, c[i]!]; // swap two lines
    return c;
  },
  (l, r) => {
    const i = Math.floor(r[0]! * l.length);
    const s = l[i] ?? '';
    const p = Math.floor(r[1]! * (s.length + 1));
    return l.map((x, k) => (k === i ? s.slice(0, p) + pick(CHARS, r[2]!) + s.slice(p) : x)); // insert a character
  },
  (l, r) => {
    const i = Math.floor(r[0]! * l.length);
    const s = l[i] ?? '';
    const p = Math.floor(r[1]! * s.length);
    return l.map((x, k) => (k === i ? s.slice(0, p) + s.slice(p + 1) : x)); // delete a character
  },
  (l, r) => {
    const i = Math.floor(r[0]! * l.length);
    const f = (l[i] ?? '').split(' ');
    const j = Math.floor(r[1]! * f.length);
    f[j] = pick(TOKENS, r[2]!);
    return l.map((x, k) => (k === i ? f.join(' ') : x)); // replace a field with a token
  },
  (l, r) => l.slice(0, Math.floor(r[0]! * (l.length + 1))), // truncate
  (l, r) => {
    const i = Math.floor(r[0]! * l.length);
    return l.map((x, k) => (k === i ? x.toLowerCase() : x)); // case change
  },
];

/** A fixture (of the given names) with 1–4 random mutations. */
function arbMutated(names: { name: string; text: string }[]): fc.Arbitrary<string> {
  return fc
    .record({
      f: fc.nat(names.length - 1),
      ops: fc.array(fc.record({ m: fc.nat(MUTATIONS.length - 1), r: fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 3, maxLength: 3 }) }), { minLength: 1, maxLength: 4 }),
    })
    .map(({ f, ops }) => {
      let lines = names[f]!.text.split('\n');
      for (const o of ops) lines = MUTATIONS[o.m]!(lines, o.r).map((x) => x ?? '');
      return lines.join('\n');
    });
}

const only = (prefix: RegExp) => FIXTURES.filter((f) => prefix.test(f.name.split('/').pop()!));

const PARSERS: { name: string; parse: (t: string) => IpvsParsed; own: { name: string; text: string }[] }[] = [
  { name: 'parseIpvsadmList', parse: parseIpvsadmList, own: only(/^L-(n|stats)(?!-c)/) },
  { name: 'parseIpvsadmConnections', parse: parseIpvsadmConnections, own: only(/^L-n-c/) },
  { name: 'parseIpvsadmSave', parse: parseIpvsadmSave, own: only(/^S/) },
  { name: 'parseIpvsadmTimeout', parse: parseIpvsadmTimeout, own: only(/^L-timeout/) },
  { name: 'parseProcIpVs', parse: (t) => parseProcIpVs(t, { hz: 100 }), own: only(/^proc-/) },
  { name: 'parseIpvsOutput (detect)', parse: (t) => parseIpvsOutput(t, { hz: 100 }), own: FIXTURES },
];

describe('fuzz: typed error or complete parse, never a crash or a partial result', () => {
  for (const p of PARSERS) {
    it(`${p.name}: ${RUNS} random and mutated inputs`, () => {
      expect(p.own.length).toBeGreaterThan(0);
      const seen = { parsed: 0, rejected: 0 };
      fc.assert(
        fc.property(fc.oneof({ arbitrary: arbRandom, weight: 1 }, { arbitrary: arbMutated(p.own), weight: 3 }, { arbitrary: arbMutated(FIXTURES), weight: 1 }), (text) => {
          if (check(p.parse, text)) seen.parsed++;
          else seen.rejected++;
        }),
        { numRuns: RUNS },
      );
      // the inputs must exercise both outcomes, or the fuzz proves nothing
      expect(seen.parsed).toBeGreaterThan(RUNS / 100);
      expect(seen.rejected).toBeGreaterThan(RUNS / 10);
    });
  }

  it('the unmutated fixtures of each parser parse completely (the fuzz starts from valid input)', () => {
    for (const p of PARSERS.slice(0, 5)) {
      for (const f of p.own) {
        if (/names|fullnat/.test(f.name)) continue;
        check(p.parse, f.text);
        expect(() => p.parse(f.text), f.name).not.toThrow();
      }
    }
  });
});

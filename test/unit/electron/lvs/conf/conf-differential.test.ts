/**
 * Differential test of the lvs.conf parser against the shells that really read the file (the director's script sources
 * it with /bin/sh): dash and busybox sh. The rule, for every file: if the parser ACCEPTS it, both shells run it without
 * executing anything but its assignments and exports (traced with set -x), with status 0, leaving exactly the parser's
 * variables, values and exports and no other change; if the parser REJECTS it, the message is FILE:LINE:COL inside the
 * file. Inputs: a hand-written corpus (fixtures, the seed's layout, Windows-edited files, the constructs that once
 * disagreed) and ≥ 20,000 generated files (conf-generator.ts; LVS_CONF_DIFF_RUNS and LVS_CONF_DIFF_SEED override the
 * count and the seed). Each shell gets one process per batch of files (sh-oracle.ts).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disagreements, lenientText, namesOf, parserVerdict, rejectionProblem, type Verdict } from './conf-diff-compare.ts';
import { corpus } from './conf-corpus.ts';
import { importText } from '../../../../../electron/lvs/conf/conf-text.ts';
import { lvsConfFile, SPECIAL_NAMES } from './conf-generator.ts';
import { availableShells, Sandbox, type FileRun } from './sh-oracle.ts';

const shells = availableShells();
const RUNS = Number(process.env.LVS_CONF_DIFF_RUNS ?? 20_000);
const SEED = Number(process.env.LVS_CONF_DIFF_SEED ?? 8_2002);
const BATCH = 1000;

interface Input {
  name: string;
  bytes: Buffer;
}
interface Failure {
  name: string;
  text: string;
  shell: string;
  problems: string[];
  classes: string[];
}

/** What kind of construct a disagreeing file has, for the report. */
function classesOf(bytes: Buffer, v: Verdict): string[] {
  const text = lenientText(bytes);
  const out: string[] = [];
  if (bytes.includes(0x0d)) out.push('CR');
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    out.push('not UTF-8');
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) out.push('BOM');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text)) out.push('control character');
  if (/[A-Za-z0-9_]\\\n/.test(text)) out.push('continuation after a name or keyword');
  if (v.accepted && [...v.values.keys(), ...v.exported].some((n) => SPECIAL_NAMES.includes(n) || /^(LD_|LC_|BASH)/.test(n))) out.push('special variable');
  if (v.accepted && [...v.values.keys()].some((n) => n in Object.prototype)) out.push('Object.prototype name');
  if (/export [A-Za-z_][A-Za-z0-9_]*=[^\n]*[*?[{]/.test(text)) out.push('glob/brace after export');
  return out.length ? out : ['other'];
}

/** Runs the rule over `inputs`; returns the failures and counts. */
async function differential(sandbox: Sandbox, inputs: Input[]) {
  const parsed = inputs.map((f) => {
    const text = lenientText(f.bytes);
    return { ...f, text, v: parserVerdict(text) };
  });
  const badRejections: string[] = [];
  for (const p of parsed) {
    if (p.v.accepted) continue;
    const why = rejectionProblem(p.v, p.text);
    if (why) badRejections.push(`${p.name} ${JSON.stringify(p.text)}: ${why}`);
  }
  const accepted = parsed.filter((p) => p.v.accepted);
  const failures: Failure[] = [];
  await Promise.all(
    shells.map(async (shell) => {
      for (let k = 0; k < accepted.length; k += BATCH) {
        const batch = accepted.slice(k, k + BATCH);
        const runs = await sandbox.run(shell, [Buffer.alloc(0), ...batch.map((p) => p.bytes)], [[], ...batch.map((p) => namesOf(p.text, p.v))]);
        const baseline: FileRun = runs[0]!;
        expect(baseline.completed && baseline.trace.length === 0 && baseline.status === 0, `${shell.name}: the empty file must run cleanly`).toBe(true);
        batch.forEach((p, i) => {
          const problems = disagreements(p.v as Extract<Verdict, { accepted: true }>, runs[i + 1]!, baseline, shell.name);
          if (problems.length) failures.push({ name: p.name, text: p.text, shell: shell.name, problems, classes: classesOf(p.bytes, p.v) });
        });
      }
    }),
  );
  return { failures, badRejections, accepted: accepted.length, rejected: parsed.length - accepted.length };
}

/** A short report: failures by construct class and problem kind, with the shortest examples. */
function report(failures: Failure[]): string {
  const groups = new Map<string, Failure[]>();
  for (const f of failures) {
    const key = `${f.classes.join('+')} | ${f.problems.map((p) => p.slice(0, p.indexOf(':'))).join('+')} | ${f.shell}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([key, fs]) => {
      const ex = fs.sort((a, b) => a.text.length - b.text.length).slice(0, 2);
      return `${fs.length} × ${key}\n${ex.map((e) => `    ${JSON.stringify(e.text)}\n      ${e.problems.join('\n      ')}`).join('\n')}`;
    })
    .join('\n');
}

describe.skipIf(shells.length < 2)('lvs.conf differential: the parser against dash and busybox sh', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = new Sandbox();
  });
  afterAll(() => sandbox?.dispose());

  it('the harness sees anything a file executes or changes besides its assignments (canaries, per shell)', async () => {
    // Each file is claimed "accepted, assigns X=1 (or nothing)"; each does one more thing the oracle must notice.
    const none: Verdict = { accepted: true, values: new Map(), exported: new Set(), trace: [] };
    const x1: Verdict = { accepted: true, values: new Map([['X', '1']]), exported: new Set(), trace: [{ kind: 'assign', name: 'X', value: '1', exported: false }] };
    const canaries: [string, Verdict][] = [
      [':\n', none],
      ['true\n', none],
      ['lvscanary\n', none],
      ['X=1 lvscanary\n', none],
      ['X=1\ncd /\n', x1],
      ['X=1\nset -e\n', x1],
      ['X=1\nset -- a\n', x1],
      ['X=1\ntrap : EXIT\n', x1],
      ['X=1 >lvscanary.out\n', x1],
      ['X=1\neval Y=2\n', x1],
      ['X=1\n. /dev/null\n', x1],
      ['X=1\nreturn\n', x1],
      ['X=1\nexit 0\n', x1],
      ['X=1\nexec 3>&1\n', x1],
      ['X=1\nalias a=b\n', x1],
      ['X=1\numask 077\n', x1],
      ['X=1\nunset PWD\n', x1],
      ['X=1\nreadonly X\n', x1],
      ['X=1\nexport X\n', x1],
      ['X=2\n', x1],
      ['X=1\nY=2\n', x1],
      ['X=1\r\n', x1],
      ['X=1\nf() { :; }\n', x1],
      ['X=$(lvscanary)\n', none],
    ];
    for (const shell of shells) {
      const runs = await sandbox.run(shell, [Buffer.alloc(0), ...canaries.map(([t]) => Buffer.from(t))], [[], ...canaries.map(([t]) => namesOf(t, x1))]);
      canaries.forEach(([text, v], i) => {
        expect(disagreements(v as Extract<Verdict, { accepted: true }>, runs[i + 1]!, runs[0]!, shell.name), `${shell.name} ${JSON.stringify(text)}`).not.toEqual([]);
      });
      // And a file that does only what the verdict says passes.
      const ok = await sandbox.run(shell, [Buffer.alloc(0), Buffer.from("X=1\nexport Y='a b'\nexport Z\n")], [[], ['X', 'Y', 'Z']]);
      const v: Verdict = {
        accepted: true,
        values: new Map([['X', '1'], ['Y', 'a b']]),
        exported: new Set(['Y', 'Z']),
        trace: [
          { kind: 'assign', name: 'X', value: '1', exported: false },
          { kind: 'assign', name: 'Y', value: 'a b', exported: true },
          { kind: 'export', names: ['Z'] },
        ],
      };
      expect(disagreements(v as Extract<Verdict, { accepted: true }>, ok[1]!, ok[0]!, shell.name)).toEqual([]);
    }
  });

  it('agrees with both shells on the hand-written corpus', async () => {
    const files = corpus();
    const r = await differential(sandbox, files);
    console.log(`corpus: ${files.length} files, ${r.accepted} accepted, ${r.rejected} rejected`);
    expect(r.badRejections).toEqual([]);
    expect(r.failures, report(r.failures)).toEqual([]);
    expect(r.accepted).toBeGreaterThan(20);
  });

  it(`agrees with both shells on ${RUNS} generated files (seed ${SEED})`, { timeout: 600_000 }, async () => {
    const files = fc.sample(lvsConfFile, { numRuns: RUNS, seed: SEED }).map((f, i) => ({ name: `#${i} (${f.kind})`, bytes: f.bytes }));
    // What the import makes of every file with CRLF or a BOM must agree with the shells too.
    for (const f of [...files]) {
      const text = lenientText(f.bytes);
      const imported = importText(text, 'f.conf').text;
      if (imported !== text) files.push({ name: `${f.name} (imported)`, bytes: Buffer.from(imported, 'utf8') });
    }
    const r = await differential(sandbox, files);
    const byKind = new Map<string, number>();
    for (const f of files) byKind.set(f.name.replace(/^#\d+ /, ''), (byKind.get(f.name.replace(/^#\d+ /, '')) ?? 0) + 1);
    console.log(`generated: ${files.length} files (${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ')}), ${r.accepted} accepted, ${r.rejected} rejected, ${r.failures.length} disagreements`);
    expect(r.badRejections.slice(0, 20)).toEqual([]);
    expect(r.failures.length, report(r.failures)).toBe(0);
    // The generator must exercise both outcomes in volume, or the rule is not tested much.
    expect(r.accepted).toBeGreaterThan(files.length * 0.3);
    expect(r.rejected).toBeGreaterThan(files.length * 0.2);
  });
});

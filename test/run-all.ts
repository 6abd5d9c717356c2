/**
 * `npm test`: every check, in order, each one run even if an earlier one failed, then ONE closing line
 * "tests: N passed, N failed, N skipped" (CI reads it). Stages: typecheck, lint, vitest (unit + lab; the lab tests skip
 * with a reason when not root on Linux), the browser e2e (Chromium against the web host and the lab).
 * Exit code: 0 only when every stage passed.
 *
 * LVS_REQUIRE_REAL=1 (.ci/run sets it): a skipped test is a FAILURE, listed per test file. The real proofs (lab, real
 * sshd, Chromium, runuser…) skip with a reason where they cannot run; in CI that would make a green run that proved less
 * than it claims. Their skip conditions throw too (test/support/require-real.ts); this catches every other skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failedLines, skippedPerFile, type JsonReport } from './support/skip-report.ts';

const OUT = 'out/test-results';
mkdirSync(OUT, { recursive: true });
const only = process.argv.slice(2);

interface Stage {
  name: string;
  cmd: string[];
  report?: string;
}

const stages: Stage[] = [
  { name: 'typecheck', cmd: ['npx', 'tsc', '-p', 'tsconfig.json', '--noEmit'] },
  { name: 'lint', cmd: ['npx', 'eslint', '.'] },
  { name: 'vitest', cmd: ['npx', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${OUT}/vitest.json`], report: `${OUT}/vitest.json` },
  { name: 'e2e', cmd: ['npm', 'run', '-s', 'test:e2e', '--', '--reporter=default', '--reporter=json', `--outputFile.json=${OUT}/e2e.json`], report: `${OUT}/e2e.json` },
].filter((s) => only.length === 0 || only.includes(s.name));

const requireReal = process.env.LVS_REQUIRE_REAL === '1';

let passed = 0;
let failed = 0;
let skipped = 0;
const lines: string[] = [];
const failures: string[] = [];
for (const s of stages) {
  const t0 = Date.now();
  console.log(`\n=== ${s.name}: ${s.cmd.join(' ')}`);
  const r = spawnSync(s.cmd[0]!, s.cmd.slice(1), { stdio: 'inherit' });
  let ok = r.status === 0;
  let counts = '';
  if (s.report && existsSync(s.report)) {
    const j = JSON.parse(readFileSync(s.report, 'utf8')) as JsonReport;
    passed += j.numPassedTests;
    failed += j.numFailedTests;
    skipped += j.numPendingTests + j.numTodoTests;
    counts = ` (${j.numPassedTests} passed, ${j.numFailedTests} failed, ${j.numPendingTests + j.numTodoTests} skipped)`;
    if (!ok && j.numFailedTests === 0) failed++; // the runner failed outside any test (a suite that could not load)
    failures.push(...failedLines(j).map((l) => `${s.name}: ${l}`));
    const skips = skippedPerFile(j);
    if (requireReal && skips.size > 0) {
      // every skipped test counts as a failure: CI must not be green with a proof left out
      const n = [...skips.values()].reduce((a, x) => a + x.length, 0);
      failed += n;
      skipped -= n;
      ok = false;
      console.log(`\n${s.name}: LVS_REQUIRE_REAL=1 and ${n} test(s) skipped, each counted as a failure:`);
      for (const [file, names] of skips) console.log(`  ${file}: ${names.length} skipped\n${names.map((x) => `    - ${x}`).join('\n')}`);
      counts += `, ${n} skipped test(s) counted as failed (LVS_REQUIRE_REAL=1)`;
    }
  } else if (!ok) failed++;
  else passed++;
  lines.push(`${s.name.padEnd(10)} ${ok ? 'ok    ' : 'FAILED'} ${((Date.now() - t0) / 1000).toFixed(0).padStart(5)} s${counts}`);
}
// What failed, by name, just above the closing lines: CI's record keeps only the tail of the output.
if (failures.length) console.log(`\nfailed:\n${failures.map((l) => `  ${l}`).join('\n')}`);
const summary = `${lines.join('\n')}\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`;
writeFileSync(join(OUT, 'summary.txt'), `${summary}\n`);
console.log(`\n${summary}`);
process.exitCode = failed > 0 ? 1 : 0;

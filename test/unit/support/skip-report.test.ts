/**
 * run-all's reading of skipped and failed tests, on a real vitest JSON report: vitest run on one test file with a name filter
 * (the filtered-out tests are reported as skipped, as a skipIf'd real proof is).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { failedLines, skippedPerFile, type JsonReport } from '../../support/skip-report.ts';

describe('skippedPerFile', () => {
  it('lists the skipped tests of a real vitest JSON report per file', { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'skip-report-'));
    try {
      const out = join(dir, 'r.json');
      const r = spawnSync('npx', ['vitest', 'run', 'test/unit/electron/audit/csv.test.ts', '-t', 'ends every record', '--reporter=json', `--outputFile.json=${out}`], { encoding: 'utf8', env: { ...process.env, LVS_REQUIRE_REAL: '' } });
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
      const skips = skippedPerFile(report);
      expect([...skips.keys()]).toEqual(['test/unit/electron/audit/csv.test.ts']);
      expect(skips.get('test/unit/electron/audit/csv.test.ts')!.length).toBe(report.numPendingTests);
      expect(skips.get('test/unit/electron/audit/csv.test.ts')).toContain('CSV (RFC 4180) quotes only fields that need it and doubles quotes');
      expect(skips.get('test/unit/electron/audit/csv.test.ts')).not.toContain('CSV (RFC 4180) ends every record with CRLF');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('failedLines', () => {
  it('names each failed test of a real vitest JSON report with the first line of its failure', { timeout: 60_000 }, () => {
    // A throwaway test file under out/ (outside the unit suite's include), one passing and one failing test.
    mkdirSync('out', { recursive: true });
    const dir = mkdtempSync(join(resolve('out'), 'failed-lines-'));
    try {
      writeFileSync(join(dir, 'vitest.config.mjs'), "export default { test: { include: ['*.test.ts'] } };\n");
      writeFileSync(join(dir, 'two.test.ts'), "import { expect, it } from 'vitest';\nit('passes', () => expect(1).toBe(1));\nit('fails here', () => expect('left').toBe('right'));\n");
      const out = join(dir, 'r.json');
      const r = spawnSync('npx', ['vitest', 'run', '--reporter=json', `--outputFile.json=${out}`], { cwd: dir, encoding: 'utf8' });
      expect(r.status).toBe(1);
      const lines = failedLines(JSON.parse(readFileSync(out, 'utf8')) as JsonReport, dir);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^two\.test\.ts > fails here \(\d+ ms\): AssertionError: expected 'left' to be 'right'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

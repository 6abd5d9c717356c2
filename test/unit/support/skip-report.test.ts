/**
 * run-all's reading of skipped tests, on a real vitest JSON report: vitest run on one test file with a name filter
 * (the filtered-out tests are reported as skipped, as a skipIf'd real proof is).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { skippedPerFile, type JsonReport } from '../../support/skip-report.ts';

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

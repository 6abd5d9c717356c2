/** Reading a vitest JSON report (the jest-compatible `--reporter=json` output) for test/run-all.ts. */

/** The parts of a vitest JSON report run-all reads. */
export interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults?: Array<{ name: string; assertionResults: Array<{ status: string; fullName: string }> }>;
}

/** The skipped (and todo) tests of a report, per test file (paths relative to `cwd`), files without skips left out. */
export function skippedPerFile(j: JsonReport, cwd = process.cwd()): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of j.testResults ?? []) {
    const names = f.assertionResults.filter((a) => a.status === 'skipped' || a.status === 'pending' || a.status === 'todo').map((a) => a.fullName);
    if (names.length) out.set(f.name.startsWith(`${cwd}/`) ? f.name.slice(cwd.length + 1) : f.name, names);
  }
  return out;
}

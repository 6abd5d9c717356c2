/** Reading a vitest JSON report (the jest-compatible `--reporter=json` output) for test/run-all.ts. */

/** The parts of a vitest JSON report run-all reads. */
export interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults?: Array<{ name: string; status?: string; message?: string; assertionResults: Array<{ status: string; fullName: string; failureMessages?: string[]; duration?: number | null }> }>;
}

/**
 * The failed tests of a report, one line each: "FILE > NAME: first line of the failure", and a file that failed
 * outside any test (it could not load, a hook threw) with its message. CI prints these last, where its tail is read.
 */
export function failedLines(j: JsonReport, cwd = process.cwd()): string[] {
  const out: string[] = [];
  for (const f of j.testResults ?? []) {
    const file = f.name.startsWith(`${cwd}/`) ? f.name.slice(cwd.length + 1) : f.name;
    const failed = f.assertionResults.filter((a) => a.status === 'failed');
    for (const a of failed) {
      const first = (a.failureMessages?.[0] ?? '').split('\n').find((l) => l.trim()) ?? '';
      // A time-out's message is only "STACK_TRACE_ERROR" and a stack: the duration says what happened.
      out.push(`${file} > ${a.fullName}${typeof a.duration === 'number' ? ` (${Math.round(a.duration)} ms)` : ''}: ${first.trim().slice(0, 300)}`);
    }
    if (failed.length === 0 && f.status === 'failed') out.push(`${file}: ${(f.message ?? 'failed outside any test').split('\n')[0]!.slice(0, 300)}`);
  }
  return out;
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

/**
 * Reads what `keepalived -t -f FILE` (keepalived 2.2.7's config test) says. In test mode every configuration problem is
 * printed on stderr, one per line (parser.c report_config_error), as
 *   (FILE: Line N) message        when the file name is known (several files, e.g. -f with includes)
 *   (Line N) message              while reading a file
 *   message                       after reading (checks of the whole config, e.g. check_data.c's quorum warning)
 * and the exit code is 0 only when nothing was reported (seen: 5 for an unknown keyword, a missing brace, a number out
 * of range, and for the quorum warning alike; keepalived(8) lists 3 and 4 too). keepalived prints some lines twice
 * (once per subsystem that reads the file): duplicates are folded.
 */

/** One line of keepalived -t's report. */
export interface ConfigTestMessage {
  line?: number;
  file?: string;
  message: string;
}

/** The verdict on a config test run: ok, or the problems (expected warnings removed). */
export interface ConfigTestResult {
  ok: boolean;
  /** Problems other than the expected warnings, each once, in order. */
  problems: ConfigTestMessage[];
  /** Expected warnings that were seen (e.g. the quorum warning of an all-drained service). */
  warnings: string[];
}

/** Parses keepalived -t's stderr into messages (each once, in order of first appearance). */
export function parseConfigTestOutput(stderr: string): ConfigTestMessage[] {
  const seen = new Set<string>();
  const out: ConfigTestMessage[] = [];
  for (const raw of stderr.split('\n')) {
    const text = raw.trimEnd();
    if (!text.trim() || seen.has(text)) continue;
    seen.add(text);
    // (FILE: Line N) message  |  (Line N) message  |  message
    const m = /^\((?:(.+?): )?Line (\d+)\) (.*)$/.exec(text);
    if (m) out.push({ ...(m[1] !== undefined ? { file: m[1] } : {}), line: Number(m[2]), message: m[3]! });
    else out.push({ message: text.trim() });
  }
  return out;
}

/**
 * Judges a config test: ok when keepalived exited 0 with nothing to say, or when every line it printed is one of
 * `expectedWarnings` (KeepalivedConfig.expectedWarnings: the compiler knows which warnings its file causes).
 */
export function judgeConfigTest(exitCode: number, stderr: string, expectedWarnings: readonly string[] = []): ConfigTestResult {
  const messages = parseConfigTestOutput(stderr);
  const expected = new Set(expectedWarnings);
  const problems = messages.filter((m) => m.line !== undefined || !expected.has(m.message));
  const warnings = messages.filter((m) => m.line === undefined && expected.has(m.message)).map((m) => m.message);
  const ok = problems.length === 0 && (exitCode === 0 || warnings.length > 0);
  if (!ok && problems.length === 0) problems.push({ message: `keepalived -t exited ${exitCode} without saying why` });
  return { ok, problems, warnings };
}

/** "keepalived.conf line 12: Unknown keyword 'foo'"-style text for one problem (for errors naming file and line). */
export function describeConfigProblem(p: ConfigTestMessage, file = 'keepalived.conf'): string {
  return p.line !== undefined ? `${file} line ${p.line}: ${p.message}` : `${file}: ${p.message}`;
}

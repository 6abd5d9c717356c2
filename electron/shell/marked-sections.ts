/**
 * Marked sections: how one remote script returns several command outputs in one round trip. The shell side is the
 * constant SECTION_FUNCTION (`sec NAME CMD ARGS…`); the parser turns its stdout and stderr back into {stdout, stderr, rc}
 * per name. No subshell per section (each costs a fork, which is slow on small directors): stderr goes straight to the
 * exec's stderr, preceded there by the section's marker so it can be attributed.
 */
import { AppError } from '../../shared/result.ts';

/** The marker every section line starts with (no command the scripts run prints it). */
export const MARK = '@@lvs-console';

/**
 * POSIX sh function: `sec NAME CMD ARGS…` runs CMD (a program or a shell function) and marks its output:
 *   stdout: @@lvs-console begin NAME\n OUT \n@@lvs-console end NAME RC\n
 *   stderr: @@lvs-console begin NAME\n ERR
 * The newline before the end marker is always added, so the parser removes exactly one and OUT comes back as it was.
 */
export const SECTION_FUNCTION = [
  'sec() { n=$1; shift; echo "@@lvs-console begin $n"; echo "@@lvs-console begin $n" >&2',
  '  "$@"; r=$?; printf \'\\n@@lvs-console end %s %s\\n\' "$n" "$r"; }',
].join('\n');

/** One command's output as a section carried it. */
export interface Section {
  stdout: string;
  /** What the command printed on stderr (trimmed of the final newline); '' when nothing. */
  stderr: string;
  /** Exit status of the command. */
  rc: number;
}

// "@@lvs-console begin NAME" | "@@lvs-console end NAME RC"
const MARKER = /^@@lvs-console (begin|end) ([a-z][a-z0-9-]*)(?: (\d{1,3}))?$/;

/** Splits stderr at the begin markers: name → text (lines before the first marker are dropped: not from a section). */
function stderrBySection(stderr: string): Map<string, string> {
  const out = new Map<string, string>();
  let cur: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (cur !== undefined) out.set(cur, lines.join('\n').replace(/\n+$/, ''));
  };
  for (const line of stderr.split('\n')) {
    const m = /^@@lvs-console begin ([a-z][a-z0-9-]*)$/.exec(line);
    if (m) {
      flush();
      cur = m[1]!;
      lines = [];
    } else if (cur !== undefined) lines.push(line);
  }
  flush();
  return out;
}

/**
 * Parses the stdout (and stderr) of a script made of `sec` calls. Lines of stdout outside sections are an error unless
 * `allowOutside` says which ones to keep (returned as `outside`). Throws PARSE_ERROR naming the line for anything else,
 * and for a section that never ended (the output was cut).
 */
export function parseSections(stdout: string, stderr = '', allowOutside?: (line: string) => boolean): { sections: Map<string, Section>; outside: string[] } {
  const sections = new Map<string, Section>();
  const errs = stderrBySection(stderr);
  const outside: string[] = [];
  const lines = stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let cur: { name: string; out: string[]; line: number } | undefined;
  lines.forEach((line, i) => {
    const m = line.startsWith(MARK) ? MARKER.exec(line) : null;
    if (line.startsWith(MARK) && !m) throw new AppError('PARSE_ERROR', `section output: line ${i + 1}: unknown marker "${line.slice(0, 80)}"`);
    if (!m) {
      if (cur) cur.out.push(line);
      else if (allowOutside?.(line)) outside.push(line);
      else throw new AppError('PARSE_ERROR', `section output: line ${i + 1}: text outside any section "${line.slice(0, 80)}"`);
      return;
    }
    const [, kind, name, rc] = m;
    if (kind === 'begin') {
      if (cur) throw new AppError('PARSE_ERROR', `section output: line ${i + 1}: section ${name} begins inside ${cur.name}`);
      if (sections.has(name!)) throw new AppError('PARSE_ERROR', `section output: line ${i + 1}: section ${name} given twice`);
      cur = { name: name!, out: [], line: i + 1 };
      return;
    }
    if (!cur || cur.name !== name) throw new AppError('PARSE_ERROR', `section output: line ${i + 1}: end of section ${name}, which did not begin here`);
    if (rc === undefined) throw new AppError('PARSE_ERROR', `section output: line ${i + 1}: end of ${name} without an exit status`);
    // The text before the end marker is lines.join('\n') + '\n', and that last '\n' is the one the script added.
    sections.set(name!, { stdout: cur.out.join('\n'), stderr: errs.get(name!) ?? '', rc: Number(rc) });
    cur = undefined;
  });
  if (cur) throw new AppError('PARSE_ERROR', `section output: section ${cur.name} (line ${cur.line}) never ended: the output was cut`);
  return { sections, outside };
}

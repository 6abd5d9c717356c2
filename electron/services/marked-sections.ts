/**
 * Marked sections: how one remote script returns several command outputs in one round trip. The shell side is the
 * constant SECTION_FUNCTION (`sec NAME CMD ARGS…`); the parser turns its output back into {stdout, stderr, rc} per name.
 */
import { AppError } from '../../shared/result.ts';

/** The marker every section line starts with (no command the scripts run prints it). */
export const MARK = '@@lvs-console';

/**
 * POSIX sh function: `sec NAME CMD ARGS…` runs CMD with its stdout passed through and its stderr captured, then prints
 * the markers. Output, for stdout OUT and stderr ERR (the stderr part only when ERR is not empty):
 *   @@lvs-console begin NAME\n OUT \n@@lvs-console stderr NAME\n ERR \n@@lvs-console end NAME RC\n
 * The newline before each closing marker is always added, so the parser removes exactly one and OUT/ERR come back as
 * they were (ERR loses trailing newlines, as every $(…) does).
 */
export const SECTION_FUNCTION = [
  'sec() { n=$1; shift; echo "@@lvs-console begin $n"',
  '  { e=$( { "$@"; } 2>&1 1>&3 3>&- ); } 3>&1; r=$?',
  '  if [ -n "$e" ]; then printf \'\\n@@lvs-console stderr %s\\n%s\' "$n" "$e"; fi',
  '  printf \'\\n@@lvs-console end %s %s\\n\' "$n" "$r"; }',
].join('\n');

/** One command's output as a section carried it. */
export interface Section {
  stdout: string;
  stderr: string;
  /** Exit status of the command. */
  rc: number;
}

// "@@lvs-console begin NAME" | "@@lvs-console stderr NAME" | "@@lvs-console end NAME RC"
const MARKER = /^@@lvs-console (begin|stderr|end) ([a-z][a-z0-9-]*)(?: (\d{1,3}))?$/;

/**
 * The text of a section's lines without the one newline the shell side adds before the closing marker: the text before
 * the marker is lines.join('\n') + '\n', and that last '\n' is the added one.
 */
function dropAddedNewline(lines: string[]): string {
  return lines.join('\n');
}

/**
 * Parses the output of a script made of `sec` calls. Lines outside sections are an error unless `allowOutside` says
 * which ones to keep (returned as `outside`). Throws PARSE_ERROR naming the line for anything else, and for a section
 * that never ended (the output was cut).
 */
export function parseSections(text: string, allowOutside?: (line: string) => boolean): { sections: Map<string, Section>; outside: string[] } {
  const sections = new Map<string, Section>();
  const outside: string[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let cur: { name: string; out: string[]; err: string[]; inErr: boolean; line: number } | undefined;
  lines.forEach((line, i) => {
    const m = line.startsWith(MARK) ? MARKER.exec(line) : null;
    if (line.startsWith(MARK) && !m) throw new AppError('PARSE_ERROR', `section output: line ${i + 1}: unknown marker "${line.slice(0, 80)}"`);
    if (!m) {
      if (cur) (cur.inErr ? cur.err : cur.out).push(line);
      else if (allowOutside?.(line)) outside.push(line);
      else throw new AppError('PARSE_ERROR', `section output: line ${i + 1}: text outside any section "${line.slice(0, 80)}"`);
      return;
    }
    const [, kind, name, rc] = m;
    if (kind === 'begin') {
      if (cur) throw new AppError('PARSE_ERROR', `section output: line ${i + 1}: section ${name} begins inside ${cur.name}`);
      if (sections.has(name!)) throw new AppError('PARSE_ERROR', `section output: line ${i + 1}: section ${name} given twice`);
      cur = { name: name!, out: [], err: [], inErr: false, line: i + 1 };
      return;
    }
    if (!cur || cur.name !== name) throw new AppError('PARSE_ERROR', `section output: line ${i + 1}: ${kind} of section ${name}, which did not begin here`);
    if (kind === 'stderr') {
      if (cur.inErr) throw new AppError('PARSE_ERROR', `section output: line ${i + 1}: second stderr marker in ${name}`);
      cur.inErr = true;
      return;
    }
    if (rc === undefined) throw new AppError('PARSE_ERROR', `section output: line ${i + 1}: end of ${name} without an exit status`);
    const stdout = dropAddedNewline(cur.out);
    sections.set(name!, { stdout, stderr: cur.inErr ? dropAddedNewline(cur.err) : '', rc: Number(rc) });
    cur = undefined;
  });
  if (cur) throw new AppError('PARSE_ERROR', `section output: section ${cur.name} (line ${cur.line}) never ended: the output was cut`);
  return { sections, outside };
}

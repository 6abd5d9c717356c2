/**
 * Line and token helpers shared by the ipvsadm / /proc/net/ip_vs parsers: split the text once, split each line on runs
 * of blanks without regexes (the connection table can have 100,000 lines), and build the one error every parser throws.
 */
import { AppError } from '../../../shared/result.ts';

/** The input's lines without their "\n" / "\r\n" terminators (a final newline does not make an extra line). */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/**
 * The first `count` lines from the first non-blank one on (fewer at the end of the text), and that line's 1-based
 * number; without splitting the rest of a possibly large text. Empty `lines` when the text is blank.
 */
export function headLines(text: string, count: number): { lines: string[]; firstLineNo: number } {
  const lines: string[] = [];
  let pos = 0;
  let lineNo = 0;
  let firstLineNo = 0;
  while (pos < text.length && lines.length < count) {
    let e = text.indexOf('\n', pos);
    if (e < 0) e = text.length;
    let line = text.slice(pos, e);
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    pos = e + 1;
    lineNo++;
    if (lines.length === 0 && isBlank(line)) continue;
    if (lines.length === 0) firstLineNo = lineNo;
    lines.push(line);
  }
  return { lines, firstLineNo };
}

/** True for a line of only blanks (space, tab). */
export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/** The line's fields: runs of characters other than space and tab. */
export function fields(line: string): string[] {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    while (i < n && (c === 32 || c === 9)) c = line.charCodeAt(++i);
    if (i >= n) break;
    const start = i;
    while (i < n && c !== 32 && c !== 9) c = line.charCodeAt(++i);
    out.push(line.slice(start, i));
  }
  return out;
}

/** Index of the first and one past the last non-blank line: parsers allow blank lines only around the output. */
export function contentRange(lines: string[]): { first: number; end: number } {
  let first = 0;
  while (first < lines.length && isBlank(lines[first]!)) first++;
  let end = lines.length;
  while (end > first && isBlank(lines[end - 1]!)) end--;
  return { first, end };
}

/** A short, quoted excerpt of a line for error messages. */
export function excerpt(line: string): string {
  return JSON.stringify(line.length > 100 ? `${line.slice(0, 100)}…` : line);
}

/** The error every parser throws for a line it does not understand: PARSE_ERROR, message "line N: what: "text"". */
export function lineError(lineNo: number, what: string, line?: string): AppError {
  return new AppError('PARSE_ERROR', line === undefined ? `line ${lineNo}: ${what}` : `line ${lineNo}: ${what}: ${excerpt(line)}`, {
    detail: { line: lineNo },
  });
}

/**
 * A decimal unsigned integer as C's %u/%d prints it (no sign, no leading zeros), at most `max`; NaN if it is not one.
 * Hand-written so the hot paths stay regex-free.
 */
export function parseUint(s: string, max = 0xffffffff): number {
  const n = s.length;
  if (n === 0 || n > 20 || (n > 1 && s.charCodeAt(0) === 48)) return NaN;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v <= max ? v : NaN;
}

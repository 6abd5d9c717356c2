/**
 * Text printed for a shell as a comment (a plan's header, each step's `# why`, notes): whatever it holds, it stays ONE
 * comment line. A newline in a cluster name or a why would otherwise end the comment and make the rest a command for
 * whoever pastes or pipes the printed plan into sh.
 */
import { CONTROL_CHARS } from '../../shared/model/validators.ts';

const CONTROL_ALL = new RegExp(CONTROL_CHARS.source, 'g');

/**
 * `text` with every control character (shared/model/validators.ts CONTROL_CHARS: C0, DEL, C1, bidi marks, overrides and
 * isolates, line/paragraph separators) shown as an escape: \n \r \t, \xHH below U+0100, \uHHHH above. Pure.
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROL_ALL, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const n = c.codePointAt(0)!;
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** One shell comment line: "# " + text with its control characters escaped (see escapeControls). No trailing newline. */
export function shellComment(text: string): string {
  return `# ${escapeControls(text)}`;
}

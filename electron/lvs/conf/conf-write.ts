/**
 * Edits and writes lvs.conf documents. An edit rewrites only the value of the assignment in effect (the last one for
 * that name), keeping its indentation, `export`, trailing blanks and comment; a new variable is appended. Every edit
 * re-parses the result, so a document returned from here is always one parseLvsConf accepts. Output is always LF (the parser refuses CR).
 */
import { AppError } from '../../../shared/result.ts';
import { reservedNameReason } from './conf-names.ts';
import { CONF_NAME, parseLvsConf, type ConfAssignment, type LvsConfDoc } from './conf-parse.ts';

/** Lists longer than this are written one item per line (the seed's RIPS layout). */
export const LONG_LIST_ITEMS = 3;

/** Characters that can stay unquoted in a bare value (the same set shellQuote leaves bare). */
const BARE_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** Characters the parser refuses in a value (C0 but tab/newline, DEL, C1, U+FFFD, unpaired surrogates), with newline. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\ufffd]|[\ud800-\udfff]/u;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_NEWLINE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]|[\ud800-\udfff]/u;

/** The text of a document: every statement as written, joined with LF. */
export function writeLvsConf(doc: LvsConfDoc): string {
  return doc.statements.map((s) => s.raw).join('\n') + (doc.finalNewline && doc.statements.length > 0 ? '\n' : '');
}

/** Double-quoted sh text for a value: `\`, `"`, `$` and backquote are escaped. */
export function doubleQuote(value: string): string {
  return `"${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

/**
 * How a value is written. A list is always double-quoted; RIPS with more than LONG_LIST_ITEMS items gets one item per
 * line, each followed by ` \` and the closing quote on its own line (the seed's layout). A string keeps the quoting
 * style the old value used when it can (bare only if every character is safe, single only without a ').
 */
export function formatConfValue(name: string, value: string | readonly string[], style: ConfAssignment['quoting'] = 'bare'): string {
  if (typeof value !== 'string') {
    if (name === 'RIPS' && value.length > LONG_LIST_ITEMS) return `"${value.map((v) => `${doubleQuote(v).slice(1, -1)} \\\n`).join('')}"`;
    return doubleQuote(value.join(' '));
  }
  if (style === 'bare' && BARE_SAFE.test(value)) return value;
  if (style === 'single' && !value.includes("'")) return `'${value}'`;
  return doubleQuote(value);
}

function invalid(name: string, message: string): AppError {
  return new AppError('INVALID_INPUT', `cannot set ${name}: ${message}`);
}

/**
 * Returns a new document with NAME set to `value` (a string, or a list written as a whitespace list). The assignment in
 * effect is rewritten in place; a missing variable is appended at the end. Setting the value it already has returns
 * the document unchanged. Throws AppError('INVALID_INPUT') for a bad name, a control character, or a list item that is
 * empty or contains whitespace, a reserved name (PATH, IFS…: conf-names.ts).
 */
export function setConfVariable(doc: LvsConfDoc, name: string, value: string | readonly string[]): LvsConfDoc {
  if (!CONF_NAME.test(name)) throw invalid(name, 'not a valid variable name');
  const reserved = reservedNameReason(name);
  if (reserved) throw invalid(name, `a reserved name: ${reserved}`);
  if (typeof value === 'string') {
    if (CONTROL_BUT_NEWLINE.test(value)) throw invalid(name, 'the value contains a control character');
  } else {
    for (const item of value) {
      if (item === '' || /[\s]/.test(item)) throw invalid(name, `list item ${JSON.stringify(item)} is empty or contains whitespace`);
      if (CONTROL.test(item)) throw invalid(name, 'a list item contains a control character');
    }
  }
  let index = -1;
  doc.statements.forEach((s, k) => {
    if (s.kind === 'assign' && s.name === name) index = k;
  });
  const raws = doc.statements.map((s) => s.raw);
  let finalNewline = doc.finalNewline;
  if (index >= 0) {
    const old = doc.statements[index] as ConfAssignment;
    const same = typeof value === 'string' ? old.value === value : old.items.length === value.length && old.items.every((it, k) => it.text === value[k]);
    if (same) return doc;
    raws[index] = old.raw.slice(0, old.valueStart) + formatConfValue(name, value, old.quoting) + old.raw.slice(old.valueEnd);
  } else {
    raws.push(`${name}=${formatConfValue(name, value)}`);
    finalNewline = true;
  }
  return parseLvsConf(raws.join('\n') + (finalNewline ? '\n' : ''), doc.file);
}

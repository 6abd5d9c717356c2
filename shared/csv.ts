/**
 * CSV for exports (the audit log, the charts' samples): RFC 4180 (CRLF record ends; a field holding `,` `"` CR or LF is
 * quoted with its quotes doubled) and safe to open in a spreadsheet: a text cell that starts with `=` `+` `-` `@`, TAB
 * or CR would be read as a formula (OWASP "CSV Injection"), so it gets a leading `'`, which shows it as text. Numbers
 * stay numbers: a number, or text that is exactly a decimal number ("-3", "+1.5e3"), is written as is.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** One field: null/undefined and non-finite numbers empty, numbers as is, text neutralised and quoted when needed. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const s = FORMULA_START.test(value) && !DECIMAL.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A whole document: the header row, then the rows, every record (the last one too) ending with CRLF. */
export function toCsv(header: readonly string[], rows: Iterable<ReadonlyArray<string | number | null | undefined>>): string {
  const lines = [header.map(csvField).join(',')];
  for (const r of rows) lines.push(r.map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

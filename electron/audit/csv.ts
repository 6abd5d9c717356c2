/** CSV per RFC 4180: CRLF line ends; a field with a comma, a double quote, CR or LF is quoted and its quotes doubled. */

/** Quotes one field when RFC 4180 requires it. */
export function csvField(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Renders a header and rows as RFC 4180 CSV (every record, the last one too, ends with CRLF). */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',') + '\r\n').join('');
}

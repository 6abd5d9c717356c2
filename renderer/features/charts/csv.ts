/** CSV writing (RFC 4180) for exports: quotes fields with `,` `"` or line breaks, and defuses spreadsheet formulas. */

/** One CSV field: numbers as-is (NaN/Infinity empty), text quoted when needed and prefixed with ' if it starts like a formula. */
export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A whole CSV document with a header row, CRLF line ends as RFC 4180 says. */
export function toCsv(header: readonly string[], rows: Iterable<readonly (string | number | null | undefined)[]>): string {
  const lines = [header.map(csvField).join(',')];
  for (const r of rows) lines.push(r.map(csvField).join(','));
  return lines.join('\r\n') + '\r\n';
}

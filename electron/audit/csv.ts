/** CSV for the audit export: shared/csv.ts (RFC 4180, formula-like cells neutralised the OWASP way, numbers as is). */
export { csvField, toCsv } from '../../shared/csv.ts';

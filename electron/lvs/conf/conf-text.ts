/**
 * The text of an lvs.conf before it is parsed: bytes from a disk or a director must be UTF-8 (the shell keeps any other
 * bytes as they are, while a lenient decoder would turn them into U+FFFD), and a file being imported may come from a
 * Windows editor (CRLF line ends, a byte-order mark), which the import converts, saying so.
 */
import { confError } from './conf-parse.ts';

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence, or -1 (RFC 3629: no surrogates, ≤ U+10FFFF, shortest form). */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

/**
 * Decodes an lvs.conf read as bytes. Throws AppError('INVALID_INPUT', 'FILE:LINE:COL: …') at the first byte that is not
 * UTF-8 (columns count characters, as the parser's do). A byte-order mark is kept (the parser refuses it: the shell
 * would read it as part of the first command).
 */
export function decodeLvsConf(bytes: Uint8Array, file: string): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad < 0) return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  const lineStart = bytes.lastIndexOf(0x0a, bad - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
  const col = Array.from(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(lineStart, bad))).length + 1;
  throw confError(file, { line, col }, `byte 0x${bytes[bad]!.toString(16).toUpperCase().padStart(2, '0')} is not UTF-8: /bin/sh would read the raw bytes, the console cannot show them as they are; save the file as UTF-8`);
}

/**
 * What an import does to a file a Windows editor saved: every CRLF becomes LF and a leading byte-order mark is dropped,
 * each with a warning naming the file (the console writes the profile back as LF without BOM). A lone CR is left for
 * the parser to refuse with its position. Returns the text unchanged (and no warning) when there is nothing to convert.
 */
export function importText(text: string, file: string): { text: string; warnings: string[] } {
  const warnings: string[] = [];
  let t = text;
  if (t.charCodeAt(0) === 0xfeff) {
    t = t.slice(1);
    warnings.push(`${file}: removed the UTF-8 byte-order mark (on the director /bin/sh would read it as part of the first line)`);
  }
  const crlf = t.split('\r\n').length - 1;
  if (crlf > 0) {
    t = t.replace(/\r\n/g, '\n');
    warnings.push(`${file}: converted ${crlf} CRLF line end${crlf === 1 ? '' : 's'} to LF (a Windows editor's; on the director /bin/sh would read each CR as part of its line)`);
  }
  return { text: t, warnings };
}

/** Bounded output excerpts for the audit log: at most 2 KB of UTF-8, keeping the start and the end of long output. */

/** The largest excerpt kept per command, in UTF-8 bytes. */
export const EXCERPT_MAX_BYTES = 2048;

/** The longest prefix of `s` that is at most `maxBytes` of UTF-8 (never splits a character). */
export function utf8Head(s: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > maxBytes) break;
    bytes += n;
    end += ch.length;
  }
  return s.slice(0, end);
}

/** The longest suffix of `s` that is at most `maxBytes` of UTF-8. */
export function utf8Tail(s: string, maxBytes: number): string {
  const chars = Array.from(s);
  let bytes = 0;
  let i = chars.length;
  while (i > 0) {
    const n = Buffer.byteLength(chars[i - 1]!, 'utf8');
    if (bytes + n > maxBytes) break;
    bytes += n;
    i--;
  }
  return chars.slice(i).join('');
}

/** `text` when it fits in maxBytes, else its head and tail around a "[… N bytes cut …]" marker, all within maxBytes. */
export function excerpt(text: string, maxBytes: number = EXCERPT_MAX_BYTES): string {
  const total = Buffer.byteLength(text, 'utf8');
  if (total <= maxBytes) return text;
  const marker = (cut: number) => `\n[… ${cut} bytes cut …]\n`;
  const room = maxBytes - Buffer.byteLength(marker(total), 'utf8');
  const head = utf8Head(text, Math.floor(room / 2));
  const tail = utf8Tail(text, room - Buffer.byteLength(head, 'utf8'));
  const cut = total - Buffer.byteLength(head, 'utf8') - Buffer.byteLength(tail, 'utf8');
  return head + marker(cut) + tail;
}

import { z } from 'zod';

/** Characters a POSIX shell treats specially; never allowed in any profile field, even though commands are quoted. */
export const SHELL_META = /[\s;&|`$<>(){}[\]*?!#~'"\\]/;

/**
 * Characters no name or free-text field may hold: C0 controls (NUL, TAB, LF, CR, ESC…), DEL, C1 controls (U+0080–009F),
 * the bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E–200F, U+202A–202E, U+2066–2069) that make
 * text display in another order than it is, and the Unicode line/paragraph separators (U+2028–2029). They can rewrite a
 * terminal, hide text in a log or a printed plan, or turn one line into two.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** U+XXXX of the first control character in `s` (see CONTROL_CHARS), or undefined when there is none. */
export function firstControlChar(s: string): string | undefined {
  const m = CONTROL_CHARS.exec(s);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

/** A string check refusing control characters, its message naming the field ("cluster name contains …"). */
export function noControlChars(field: string) {
  return (s: string, ctx: z.RefinementCtx) => {
    const c = firstControlChar(s);
    if (c) ctx.addIssue({ code: 'custom', message: `${field} contains the control character ${c} (control characters and bidirectional overrides are not allowed)` });
  };
}

/** A free-text field: any text but control characters (see CONTROL_CHARS). */
export function plainText(field: string) {
  return z.string().superRefine(noControlChars(field));
}

const HOSTNAME_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** True for a dotted-quad IPv4 address without leading zeros. */
export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

/** True for an RFC 4291 IPv6 address (with optional embedded IPv4 tail), no zone id. */
export function isIPv6(s: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || !s.includes(':')) return false;
  let head = s;
  let v4groups = 0;
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return false;
    head = s.slice(0, lastColon + 1) + '0:0';
    v4groups = 0;
  }
  const dbl = head.split('::');
  if (dbl.length > 2) return false;
  const groups = (x: string) => (x === '' ? [] : x.split(':'));
  const left = groups(dbl[0]!);
  const right = dbl.length === 2 ? groups(dbl[1]!) : [];
  const all = [...left, ...right];
  if (!all.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const n = all.length + v4groups;
  return dbl.length === 2 ? n <= 7 : n === 8;
}

/** True for an RFC 1123 host name (labels of letters, digits, hyphens; not all-numeric TLD). */
export function isHostname(s: string): boolean {
  if (s.length < 1 || s.length > 253) return false;
  const name = s.endsWith('.') ? s.slice(0, -1) : s;
  const labels = name.split('.');
  if (!labels.every((l) => HOSTNAME_LABEL.test(l))) return false;
  return !/^[0-9]+$/.test(labels[labels.length - 1]!);
}

/** A host name, IPv4 or IPv6 address: the only things accepted where a host is expected. */
export const hostSchema = z
  .string()
  .min(1, 'host is empty')
  .refine((s) => !SHELL_META.test(s), 'host contains a shell metacharacter or space')
  .refine((s) => isIPv4(s) || isIPv6(s) || isHostname(s), 'not a host name, IPv4 or IPv6 address');

/** An IPv4 or IPv6 address literal (no names). */
export const ipSchema = z
  .string()
  .refine((s) => isIPv4(s) || isIPv6(s), 'not an IPv4 or IPv6 address');

/**
 * A Linux interface name: 1–15 bytes, no '/', ':' or whitespace, not '.' or '..' (dev_valid_name in net/core/dev.c).
 * We also refuse anything outside [A-Za-z0-9_.-@] so it can never matter to a shell.
 */
export const ifNameSchema = z
  .string()
  .min(1, 'interface name is empty')
  .max(15, 'interface name is longer than 15 characters (IFNAMSIZ)')
  .refine((s) => s !== '.' && s !== '..', 'interface name cannot be "." or ".."')
  .refine((s) => /^[A-Za-z0-9_.@-]+$/.test(s), 'interface name may only hold letters, digits, "_", ".", "-", "@"');

/** An alias interface label in the seed's form `eth0:110`: a valid interface, ':' and a label; 15 bytes in all. */
export const aliasIfSchema = z
  .string()
  .max(15, 'alias label is longer than 15 characters (IFNAMSIZ)')
  .refine((s) => /^[A-Za-z0-9_.@-]+:[A-Za-z0-9_-]+$/.test(s), 'expected an alias such as eth0:110 (interface, ":", label)')
  .refine((s) => ifNameSchema.safeParse(s.split(':')[0]).success, 'the part before ":" is not a valid interface name');

/** A port number 1–65535. */
export const portNumberSchema = z.number().int('port must be a whole number').min(1, 'port must be 1–65535').max(65535, 'port must be 1–65535');

/**
 * Removes known secret values (from the SecretStore) from what the audit log keeps. Values of 3+ characters are masked
 * wherever they occur; shorter ones (pathological, but possible) only where they are a whole argv element or a whole
 * whitespace-separated token, so a 1-character password does not mask every letter of the output.
 */

/** What replaces a secret. */
export const MASK = '********';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Masks every known secret in `text`. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...new Set(secrets)].filter((v) => v.length > 0).sort((a, b) => b.length - a.length)) {
    if (s.length >= 3) out = out.split(s).join(MASK);
    else out = out.replace(new RegExp(`(^|\\s)${escapeRe(s)}(?=\\s|$)`, 'g'), `$1${MASK}`);
  }
  return out;
}

/** Masks known secrets in each argv element. */
export function scrubArgv(argv: readonly string[], secrets: readonly string[]): string[] {
  return argv.map((a) => (secrets.includes(a) && a.length > 0 ? MASK : scrubText(a, secrets)));
}

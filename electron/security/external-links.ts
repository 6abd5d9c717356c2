/**
 * The only URLs the app hands to the OS browser (shell.openExternal): https pages on an explicit allowlist of hosts.
 * Everything else a page tries to open is denied.
 */

/** Hosts whose https pages may be opened in the user's browser. */
export const EXTERNAL_HOST_ALLOWLIST: readonly string[] = ['www.linuxvirtualserver.org', 'linuxvirtualserver.org'];

/** True for an https URL on an allowlisted host, without credentials or an explicit non-default port. */
export function isAllowedExternalUrl(url: string, allowlist: readonly string[] = EXTERNAL_HOST_ALLOWLIST): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:') return false;
  if (u.username !== '' || u.password !== '' || u.port !== '') return false;
  return allowlist.includes(u.hostname.toLowerCase());
}

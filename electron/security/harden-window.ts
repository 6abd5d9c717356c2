/**
 * Applies the security checklist to a window's webContents and session: navigation and new windows denied (allowlisted
 * https links go to the OS browser), <webview> refused, every permission denied, the CSP header set on every response,
 * and every request outside the app's own origins cancelled. Electron objects are passed in (duck-typed) so tests use fakes.
 */
import { withCsp } from './csp.ts';
import { isAllowedExternalUrl } from './external-links.ts';
import { isAllowedRequestUrl, isTrustedUrl, type TrustedOrigins } from './trusted-origins.ts';

/** The parts of Electron's WebContents the guard uses. */
export interface GuardedWebContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** The parts of Electron's Session the guard uses. */
export interface GuardedSession {
  setPermissionRequestHandler(handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (wc: unknown, permission: string) => boolean): void;
  setDevicePermissionHandler?(handler: (details: unknown) => boolean): void;
  webRequest: {
    onHeadersReceived(listener: (details: { responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders: Record<string, string[]> }) => void) => void): void;
    onBeforeRequest(listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void): void;
  };
}

/** Options for the guards. */
export interface GuardOptions {
  origins: TrustedOrigins;
  /** shell.openExternal; called only for allowlisted https URLs. */
  openExternal(url: string): unknown;
  /** Where refusals are reported (the app log); never given page content. */
  log?(message: string): void;
}

/** Denies navigation away from the app, new windows, and <webview>; allowlisted links open in the OS browser. */
export function guardWebContents(wc: GuardedWebContents, opts: GuardOptions): void {
  const refuseNavigation = (event: { preventDefault(): void }, url: string) => {
    if (isTrustedUrl(url, opts.origins)) return;
    event.preventDefault();
    opts.log?.(`navigation to ${url} refused`);
  };
  wc.on('will-navigate', refuseNavigation);
  wc.on('will-redirect', refuseNavigation);
  wc.on('will-attach-webview', (event) => {
    event.preventDefault();
    opts.log?.('<webview> refused');
  });
  wc.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void Promise.resolve(opts.openExternal(url)).catch(() => opts.log?.(`could not open ${url}`));
    else opts.log?.(`window.open(${url}) refused`);
    return { action: 'deny' };
  });
}

/** Denies every permission, sets the CSP on every response and cancels requests outside the app's origins. */
export function hardenSession(session: GuardedSession, opts: { origins: TrustedOrigins; csp: string; log?(message: string): void }): void {
  session.setPermissionRequestHandler((_wc, permission, callback) => {
    opts.log?.(`permission ${permission} refused`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler?.(() => false);
  session.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withCsp(details.responseHeaders, opts.csp) }));
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequestUrl(details.url, opts.origins);
    if (!allowed) opts.log?.(`request to ${details.url} cancelled (no remote content)`);
    callback({ cancel: !allowed });
  });
}

import { describe, expect, it, vi } from 'vitest';
import { guardWebContents, hardenSession, type GuardedSession, type GuardedWebContents } from '../../../../electron/security/harden-window.ts';

const origins = { appOrigin: 'app://lvs-console' };

function fakeWebContents() {
  const listeners = new Map<string, (...a: unknown[]) => void>();
  let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
  const wc: GuardedWebContents = {
    on: ((event: string, l: (...a: unknown[]) => void) => void listeners.set(event, l)) as GuardedWebContents['on'],
    setWindowOpenHandler: (h) => void (openHandler = h),
  };
  const fire = (event: string, url?: string) => {
    const preventDefault = vi.fn();
    listeners.get(event)!({ preventDefault }, url);
    return preventDefault.mock.calls.length > 0;
  };
  return { wc, fire, open: (url: string) => openHandler!({ url }) };
}

describe('guardWebContents', () => {
  it('refuses navigation and redirects away from the app, allows the app itself', () => {
    const f = fakeWebContents();
    guardWebContents(f.wc, { origins, openExternal: vi.fn() });
    expect(f.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(f.fire('will-redirect', 'http://10.0.0.1/')).toBe(true);
    expect(f.fire('will-navigate', 'app://lvs-console/index.html')).toBe(false);
    expect(f.fire('will-attach-webview')).toBe(true);
  });

  it('denies every new window; only allowlisted https links reach the OS browser', () => {
    const f = fakeWebContents();
    const openExternal = vi.fn(async () => {});
    guardWebContents(f.wc, { origins, openExternal });
    expect(f.open('https://www.linuxvirtualserver.org/')).toEqual({ action: 'deny' });
    expect(f.open('https://evil.example/')).toEqual({ action: 'deny' });
    expect(f.open('file:///C:/Windows/System32/calc.exe')).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://www.linuxvirtualserver.org/']]);
  });
});

describe('hardenSession', () => {
  function fakeSession() {
    const s = {
      request: undefined as undefined | ((wc: unknown, p: string, cb: (g: boolean) => void) => void),
      check: undefined as undefined | ((wc: unknown, p: string) => boolean),
      device: undefined as undefined | ((d: unknown) => boolean),
      headers: undefined as undefined | Parameters<GuardedSession['webRequest']['onHeadersReceived']>[0],
      before: undefined as undefined | Parameters<GuardedSession['webRequest']['onBeforeRequest']>[0],
    };
    const session: GuardedSession = {
      setPermissionRequestHandler: (h) => void (s.request = h),
      setPermissionCheckHandler: (h) => void (s.check = h),
      setDevicePermissionHandler: (h) => void (s.device = h),
      webRequest: { onHeadersReceived: (l) => void (s.headers = l), onBeforeRequest: (l) => void (s.before = l) },
    };
    return { s, session };
  }

  it('denies every permission request and check', () => {
    const { s, session } = fakeSession();
    hardenSession(session, { origins, csp: "default-src 'self'" });
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const cb = vi.fn();
      s.request!(null, p, cb);
      expect(cb).toHaveBeenCalledWith(false);
      expect(s.check!(null, p)).toBe(false);
    }
    expect(s.device!({})).toBe(false);
  });

  it('sets the CSP on every response and cancels remote requests', () => {
    const { s, session } = fakeSession();
    hardenSession(session, { origins, csp: "default-src 'self'" });
    const cb = vi.fn();
    s.headers!({ responseHeaders: { 'Content-Security-Policy': ['default-src *'] } }, cb);
    expect(cb).toHaveBeenCalledWith({ responseHeaders: { 'Content-Security-Policy': ["default-src 'self'"] } });
    const before = vi.fn();
    s.before!({ url: 'https://cdn.example/x.js' }, before);
    s.before!({ url: 'app://lvs-console/assets/x.js' }, before);
    expect(before.mock.calls).toEqual([[{ cancel: true }], [{ cancel: false }]]);
  });
});

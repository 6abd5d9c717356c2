import { describe, expect, it } from 'vitest';
import { isAllowedRequestUrl, isTrustedUrl } from '../../../../electron/security/trusted-origins.ts';

const prod = { appOrigin: 'app://lvs-console' };
const dev = { appOrigin: 'app://lvs-console', devServerUrl: 'http://localhost:5173' };

describe('isTrustedUrl', () => {
  it('trusts the app origin and, when running it, the dev server origin', () => {
    expect(isTrustedUrl('app://lvs-console/index.html', prod)).toBe(true);
    expect(isTrustedUrl('http://localhost:5173/', prod)).toBe(false);
    expect(isTrustedUrl('http://localhost:5173/src/main.tsx', dev)).toBe(true);
  });

  it.each([
    'app://lvs-console.evil.example/index.html',
    'app://user:pw@lvs-console/index.html',
    'https://lvs-console/index.html',
    'http://localhost:5174/',
    'http://127.0.0.1:5173/',
    'javascript:alert(1)',
    'about:blank',
    '',
  ])('does not trust %s', (url) => {
    expect(isTrustedUrl(url, dev)).toBe(false);
  });

  it('trusts file:// only inside the configured folder', () => {
    const o = { ...prod, fileRoot: '/opt/lvs/out/renderer' };
    expect(isTrustedUrl('file:///opt/lvs/out/renderer/index.html', o)).toBe(true);
    expect(isTrustedUrl('file:///opt/lvs/out/renderer/../../../etc/passwd', o)).toBe(false);
    expect(isTrustedUrl('file:///opt/lvs/out/renderer-evil/index.html', o)).toBe(false);
    expect(isTrustedUrl('file:///opt/lvs/out/renderer/index.html', prod)).toBe(false);
  });
});

describe('isAllowedRequestUrl (no remote content)', () => {
  it('lets the app, data:/blob: and DevTools load, and refuses the network', () => {
    expect(isAllowedRequestUrl('app://lvs-console/assets/x.js', prod)).toBe(true);
    expect(isAllowedRequestUrl('data:image/png;base64,AAAA', prod)).toBe(true);
    expect(isAllowedRequestUrl('devtools://devtools/bundled/inspector.html', prod)).toBe(true);
    expect(isAllowedRequestUrl('https://fonts.googleapis.com/css', prod)).toBe(false);
    expect(isAllowedRequestUrl('http://10.77.0.100/', prod)).toBe(false);
    expect(isAllowedRequestUrl('ws://localhost:5173/', prod)).toBe(false);
  });

  it('allows the dev server and its HMR websocket only in dev', () => {
    expect(isAllowedRequestUrl('ws://localhost:5173/?token=x', dev)).toBe(true);
    expect(isAllowedRequestUrl('ws://localhost:9999/', dev)).toBe(false);
  });
});

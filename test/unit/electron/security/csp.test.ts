import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, withCsp } from '../../../../electron/security/csp.ts';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));
}

describe('contentSecurityPolicy', () => {
  it('allows only the app itself in production: no remote hosts, no inline or eval scripts, no objects or frames', () => {
    const d = directives(contentSecurityPolicy());
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('frame-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    const all = [...d.values()].flat();
    expect(all.some((s) => /^https?:/.test(s) || s === '*' || s === "'unsafe-eval'")).toBe(false);
    expect(d.get('script-src')).not.toContain("'unsafe-inline'");
  });

  it('adds the dev server (http and its HMR websocket) only when given', () => {
    const d = directives(contentSecurityPolicy({ devServerOrigin: 'http://localhost:5173' }));
    expect(d.get('script-src')).toEqual(["'self'", "'unsafe-inline'", 'http://localhost:5173']);
    expect(d.get('connect-src')).toEqual(["'self'", 'http://localhost:5173', 'ws://localhost:5173']);
  });
});

describe('withCsp', () => {
  it('replaces any CSP header whatever its case and keeps the others', () => {
    const h = withCsp({ 'content-security-policy': ['default-src *'], 'Content-Type': 'text/html' }, "default-src 'self'");
    expect(h).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': ["default-src 'self'"] });
  });
});

/**
 * The Content-Security-Policy of the app's pages. Scripts only from the app itself; no remote content of any kind.
 * Inline style attributes are allowed (React and recharts set element styles); inline scripts are not.
 */

/** Builds the CSP header value. `devServerOrigin` (http://localhost:5173 during `electron-vite dev`) adds HMR's needs. */
export function contentSecurityPolicy(opts: { devServerOrigin?: string } = {}): string {
  const dev = opts.devServerOrigin;
  const wsDev = dev ? dev.replace(/^http/, 'ws') : undefined;
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'self'"]],
    // Dev only: @vitejs/plugin-react's dev server injects an inline React Refresh preamble. Production stays 'self'.
    ['script-src', dev ? ["'self'", "'unsafe-inline'", dev] : ["'self'"]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['font-src', ["'self'"]],
    ['connect-src', dev && wsDev ? ["'self'", dev, wsDev] : ["'self'"]],
    ['worker-src', ["'self'"]],
    ['object-src', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}

/** Returns response headers with the CSP set (replacing any CSP the response carried, whatever its case). */
export function withCsp(headers: Record<string, string[] | string> | undefined, csp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() === 'content-security-policy') continue;
    out[k] = Array.isArray(v) ? v : [v];
  }
  out['Content-Security-Policy'] = [csp];
  return out;
}

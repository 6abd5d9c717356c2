/**
 * Serves the built renderer (out/renderer) to the browser: GET/HEAD only, no directory traversal (decoded paths must stay
 * inside the root, no NUL, no dot-files), a MIME type per extension, and strict security headers including the CSP.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

/** Content types of the files a Vite build emits. */
export const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** The Content-Security-Policy the web host sends with every response (the page may only talk to this host). */
export function contentSecurityPolicy(ownHost: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ws://${ownHost}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers on every response. */
export function securityHeaders(ownHost: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(ownHost),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

/**
 * Maps a request path to a file under root, or undefined when it must be refused (traversal, NUL, dot-files,
 * undecodable). "/" is index.html.
 */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  if (!decoded.startsWith('/')) return undefined;
  const segments = decoded.split('/').filter(Boolean);
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return undefined;
  const rootAbs = resolve(root);
  const file = resolve(rootAbs, ...(segments.length ? segments : ['index.html']));
  if (file !== rootAbs && !file.startsWith(rootAbs + sep)) return undefined;
  return file;
}

/** Answers one static-file request (the caller has already checked the Host header). */
export async function serveStatic(root: string, ownHost: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers = securityHeaders(ownHost);
  const send = (code: number, text: string) => {
    res.writeHead(code, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(405, 'method not allowed\n');
  }
  let file = resolveStaticPath(root, req.url ?? '/');
  if (!file) return send(400, 'bad path\n');
  let st = await stat(file).catch(() => undefined);
  if (st?.isDirectory()) {
    file = resolve(file, 'index.html');
    st = await stat(file).catch(() => undefined);
  }
  if (!st?.isFile()) return send(404, 'not found\n');
  const type = MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': String(st.size) });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

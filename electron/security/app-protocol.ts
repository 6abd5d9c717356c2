/**
 * The app serves its own pages from a privileged custom scheme (app://lvs-console/…) instead of file://, as Electron's
 * security guide recommends: with the GrantFileProtocolExtraPrivileges fuse off, file:// pages get no special powers, and
 * a custom scheme gives the renderer a real origin for CSP 'self' and the IPC sender check. Pure path mapping here.
 */
import path from 'node:path';

/** The scheme the renderer is served from. */
export const APP_SCHEME = 'app';
/** The host part of every app URL. */
export const APP_HOST = 'lvs-console';
/** The app's origin, as a frame URL reports it. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The URL the main window loads. */
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * Maps an app:// request URL to a file under rootDir, or undefined when the URL is not the app's (other host, other
 * scheme) or tries to leave rootDir (../, encoded separators, absolute paths, NUL).
 */
export function resolveAppFile(rootDir: string, requestUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (rel.includes('\0') || rel.includes('\\')) return undefined;
  if (rel === '/' || rel === '') rel = '/index.html';
  const root = path.resolve(rootDir);
  const file = path.resolve(root, '.' + path.posix.normalize(rel));
  if (file !== root && !file.startsWith(root + path.sep)) return undefined;
  return file;
}

/** A Content-Type for the files the renderer build produces. */
export function contentTypeFor(file: string): string {
  const ext = path.extname(file).toLowerCase();
  const types: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.mjs': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.json': 'application/json',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
    '.woff2': 'font/woff2',
    '.woff': 'font/woff',
    '.map': 'application/json',
  };
  return types[ext] ?? 'application/octet-stream';
}

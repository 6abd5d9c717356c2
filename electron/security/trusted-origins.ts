/**
 * Which page URLs are the app's own: the app:// origin in production, the dev server's origin during `electron-vite dev`,
 * and optionally a file:// renderer folder. Used by the IPC sender check and the navigation guard.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the app's pages may come from. */
export interface TrustedOrigins {
  /** e.g. app://lvs-console */
  appOrigin: string;
  /** e.g. http://localhost:5173 (only when running the dev server). */
  devServerUrl?: string;
  /** A folder whose file:// pages are trusted (only if the app ever loads from file://). */
  fileRoot?: string;
}

/** True when `url` is one of the app's own pages. Anything unparsable, remote or outside fileRoot is false. */
export function isTrustedUrl(url: string, origins: TrustedOrigins): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'file:') {
    if (!origins.fileRoot) return false;
    let file: string;
    try {
      file = fileURLToPath(u);
    } catch {
      return false;
    }
    const root = path.resolve(origins.fileRoot);
    return path.resolve(file).startsWith(root + path.sep);
  }
  // Custom schemes have URL.origin "null" in WHATWG URL, so compare scheme + host ourselves.
  const app = new URL(origins.appOrigin);
  if (u.protocol === app.protocol && u.host === app.host && u.username === '' && u.password === '') return true;
  if (origins.devServerUrl) {
    const dev = new URL(origins.devServerUrl);
    if (u.origin === dev.origin) return true;
  }
  return false;
}

/**
 * True for a URL the app's pages may load at all ("no remote content"): the app's own pages and assets, the dev server
 * (+ its HMR websocket), DevTools, and data:/blob: URLs the page made itself. Every http(s) URL elsewhere is refused.
 */
export function isAllowedRequestUrl(url: string, origins: TrustedOrigins): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'devtools:') return true;
  if (isTrustedUrl(url, origins)) return true;
  if (origins.devServerUrl && (u.protocol === 'ws:' || u.protocol === 'wss:')) {
    const dev = new URL(origins.devServerUrl);
    return u.host === dev.host;
  }
  return false;
}

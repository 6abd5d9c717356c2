/**
 * The plain-Node backend for `lvsctl` and the web host: JSON files in one folder (default: defaultConfigDir()), written
 * atomically; secrets in memory only (see memory-secrets.ts). Same interfaces as the app's electron-store backend.
 */
import path from 'node:path';
import { createAppStores } from './app-stores.ts';
import { defaultConfigDir } from './config-dir.ts';
import { jsonFileBackend } from './json-file-backend.ts';
import { memorySecrets } from './memory-secrets.ts';
import type { AppStores } from './types.ts';

/** The document's file name (the same name the electron-store backend uses). */
export const STORE_FILE = 'lvs-console.json';

/** Opens the stores in `dir` (created on first write). */
export function openNodeStores(opts: { dir?: string; onProblem?(message: string): void } = {}): AppStores {
  const dir = path.resolve(opts.dir ?? defaultConfigDir());
  return createAppStores(jsonFileBackend(path.join(dir, STORE_FILE)), memorySecrets(), { location: dir, onProblem: opts.onProblem });
}

/**
 * The app's stores: electron-store documents in Electron's userData folder, secrets encrypted with safeStorage.
 * Electron objects are passed in by main.ts (no electron import here), so tests inject fakes.
 */
import path from 'node:path';
import { createAppStores } from './app-stores.ts';
import { electronStoreBackend } from './electron-store-backend.ts';
import { STORE_FILE } from './node-stores.ts';
import { safeStorageSecrets, type SafeStorageLike } from './safe-storage-secrets.ts';
import type { AppStores } from './types.ts';

/** Opens the app's stores in `userDataDir` (app.getPath('userData')). */
export function openElectronStores(opts: {
  userDataDir: string;
  safeStorage: SafeStorageLike;
  platform?: NodeJS.Platform;
  onProblem?(message: string): void;
}): AppStores {
  const name = path.basename(STORE_FILE, '.json');
  const doc = electronStoreBackend({ cwd: opts.userDataDir, name });
  const secrets = safeStorageSecrets(electronStoreBackend({ cwd: opts.userDataDir, name: `${name}-secrets` }), opts.safeStorage, opts.platform);
  return createAppStores(doc, secrets, { location: opts.userDataDir, onProblem: opts.onProblem });
}

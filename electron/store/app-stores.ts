/** Assembles AppStores from a document backend and a secret store (shared by the Electron and the Node backends). */
import type { DocumentBackend } from './document-backend.ts';
import { openDocAccess } from './doc-access.ts';
import { createHostKeyStore } from './host-key-store.ts';
import { createProfileStore } from './profile-store.ts';
import { createSettingsStore } from './settings-store.ts';
import type { AppStores, SecretStore } from './types.ts';
import { createWindowStateStore } from './window-state-store.ts';

/** Options for createAppStores. */
export interface AppStoresOptions {
  /** Folder shown to the user as "where the data lives". */
  location: string;
  /** Hears settings values that were reset to defaults because they no longer validate. */
  onProblem?(message: string): void;
  now?(): number;
}

/** Opens (and migrates) the document and builds every store on it. */
export function createAppStores(backend: DocumentBackend, secrets: SecretStore, opts: AppStoresOptions): AppStores {
  const doc = openDocAccess(backend);
  return {
    profiles: createProfileStore(doc),
    settings: createSettingsStore(doc, { onProblem: opts.onProblem }),
    windowState: createWindowStateStore(doc),
    hostKeys: createHostKeyStore(doc, { now: opts.now }),
    secrets,
    location: opts.location,
  };
}

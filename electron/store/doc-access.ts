/**
 * Read-modify-write access to the store document. Every read loads the file again (it is small) so the app, the CLI and
 * the web host never act on a stale copy; every update saves the whole document atomically.
 */
import type { DocumentBackend } from './document-backend.ts';
import { migrateStoreDoc, type StoreDoc } from './store-document.ts';

/** Reads and updates the current-version document. */
export interface DocAccess {
  read(): StoreDoc;
  update<T>(fn: (doc: StoreDoc) => T): T;
  readonly location: string;
}

/** Wraps a backend; migrates an older document on open and saves it once, so migration errors show at startup. */
export function openDocAccess(backend: DocumentBackend): DocAccess {
  const first = migrateStoreDoc(backend.load(), backend.location);
  if (first.migrated) backend.save(first.doc);
  const read = () => migrateStoreDoc(backend.load(), backend.location).doc;
  return {
    location: backend.location,
    read,
    update(fn) {
      const doc = read();
      const result = fn(doc);
      backend.save(doc);
      return result;
    },
  };
}

/**
 * A DocumentBackend on electron-store (the app's backend; the only file that imports electron-store). electron-store
 * writes atomically itself. A corrupt file is reported with its path and never cleared.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ElectronStore from 'electron-store';
import { AppError } from '../../shared/result.ts';
import type { DocumentBackend } from './document-backend.ts';
import { jsonErrorOffset, lineColAt } from './json-error-offset.ts';

/** A DocumentBackend on the electron-store file `<cwd>/<name>.json`. */
export function electronStoreBackend(opts: { cwd: string; name: string }): DocumentBackend {
  const file = path.join(opts.cwd, `${opts.name}.json`);
  const parseError = (e: unknown): AppError => {
    let where = file;
    try {
      const text = readFileSync(file, 'utf8');
      const offset = jsonErrorOffset(text);
      if (offset !== undefined) where = `${file}:${lineColAt(text, offset)}`;
    } catch {
      // unreadable: the path alone must do
    }
    return new AppError('PARSE_ERROR', `${where}: ${e instanceof SyntaxError ? 'not valid JSON' : (e as Error).message}`, { step: 'load settings' });
  };
  let store: ElectronStore<Record<string, unknown>>;
  try {
    store = new ElectronStore<Record<string, unknown>>({
      cwd: opts.cwd,
      name: opts.name,
      clearInvalidConfig: false,
      accessPropertiesByDotNotation: false,
      configFileMode: 0o600,
    });
  } catch (e) {
    throw parseError(e);
  }
  return {
    location: store.path,
    load() {
      let data: Record<string, unknown>;
      try {
        data = store.store;
      } catch (e) {
        throw parseError(e);
      }
      return Object.keys(data).length === 0 ? undefined : { ...data };
    },
    save(doc) {
      store.store = doc as Record<string, unknown>;
    },
  };
}

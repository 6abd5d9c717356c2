/**
 * A DocumentBackend on a plain JSON file, for the CLI and the web host. Writes go to a temp file in the same folder,
 * are flushed, then renamed over the target (atomic on POSIX and NTFS). Files are created 0600, folders 0700.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../shared/result.ts';
import type { DocumentBackend } from './document-backend.ts';
import { jsonErrorOffset, lineColAt } from './json-error-offset.ts';

/** Parses JSON text, throwing AppError('PARSE_ERROR') with file:line:col on a syntax error. */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const offset = jsonErrorOffset(text);
    const where = offset === undefined ? file : `${file}:${lineColAt(text, offset)}`;
    throw new AppError('PARSE_ERROR', `${where}: not valid JSON`, { step: 'load settings' });
  }
}

/** Writes `data` to `file` atomically (temp file + fsync + rename). */
export function writeFileAtomic(file: string, data: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** A DocumentBackend on `file`. */
export function jsonFileBackend(file: string): DocumentBackend {
  return {
    location: file,
    load() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new AppError('INTERNAL', `${file}: cannot read (${(e as Error).message})`, { step: 'load settings' });
      }
      if (text.trim() === '') return undefined;
      return parseJsonFile(text, file);
    },
    save(doc) {
      writeFileAtomic(file, JSON.stringify(doc, null, 2) + '\n');
    },
  };
}

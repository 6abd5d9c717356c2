import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonFileBackend, writeFileAtomic } from '../../../../electron/store/json-file-backend.ts';
import { tempDir } from './helpers.ts';

describe('jsonFileBackend', () => {
  it('reads undefined for a missing or empty file and round-trips a document', () => {
    const dir = tempDir();
    const file = path.join(dir, 'sub', 'doc.json');
    const b = jsonFileBackend(file);
    expect(b.load()).toBeUndefined();
    b.save({ a: 1, nested: { b: [1, 2] } });
    expect(b.load()).toEqual({ a: 1, nested: { b: [1, 2] } });
    writeFileSync(file, '  \n');
    expect(b.load()).toBeUndefined();
  });

  it('writes via a temp file + rename (no temp left) with owner-only permissions', () => {
    const dir = tempDir();
    const file = path.join(dir, 'doc.json');
    for (let i = 0; i < 5; i++) writeFileAtomic(file, JSON.stringify({ i }));
    expect(readdirSync(dir)).toEqual(['doc.json']);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('names the file, line and column of a JSON syntax error', () => {
    const dir = tempDir();
    const file = path.join(dir, 'doc.json');
    writeFileSync(file, '{\n  "a": 1,\n  "b": tru\n}\n');
    expect(() => jsonFileBackend(file).load()).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:11: not valid JSON`));
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonFileBackend } from '../../../../electron/store/json-file-backend.ts';
import { safeStorageSecrets, type SafeStorageLike } from '../../../../electron/store/safe-storage-secrets.ts';
import { tempDir } from './helpers.ts';

/** A stand-in for safeStorage: reversible, tagged, and obviously not the plaintext. */
function fakeSafeStorage(opts: { available?: boolean; backend?: string } = {}): SafeStorageLike & { calls: number } {
  const s = {
    calls: 0,
    isEncryptionAvailable: () => opts.available ?? true,
    encryptString(t: string) {
      s.calls++;
      return Buffer.concat([Buffer.from('v10'), Buffer.from(t, 'utf8').map((b) => b ^ 0x5a)]);
    },
    decryptString(b: Buffer) {
      if (b.subarray(0, 3).toString() !== 'v10') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(b.subarray(3).map((x) => x ^ 0x5a)).toString('utf8');
    },
    getSelectedStorageBackend: () => opts.backend ?? 'gnome_libsecret',
  };
  return s;
}

describe('safeStorageSecrets', () => {
  it('stores base64 ciphertext only, decrypts on get, and remembers revealed values for scrubbing', async () => {
    const file = path.join(tempDir(), 'secrets.json');
    const safe = fakeSafeStorage();
    const s = safeStorageSecrets(jsonFileBackend(file), safe, 'linux');
    s.set('lab.sudo', 'p@ss word');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('p@ss');
    const stored = JSON.parse(text).secrets['lab.sudo'];
    expect(Buffer.from(stored, 'base64').subarray(0, 3).toString()).toBe('v10');
    expect(s.has('lab.sudo')).toBe(true);
    const again = safeStorageSecrets(jsonFileBackend(file), safe, 'linux');
    expect(again.knownValues()).toEqual([]);
    expect(await again.get('lab.sudo')).toBe('p@ss word');
    expect(again.knownValues()).toEqual(['p@ss word']);
    expect(await again.get('missing')).toBeUndefined();
    expect(again.delete('lab.sudo')).toBe(true);
    expect(again.has('lab.sudo')).toBe(false);
  });

  it('refuses to store when the OS cannot encrypt, or only obfuscates (Linux basic_text)', () => {
    const dir = tempDir();
    const off = safeStorageSecrets(jsonFileBackend(path.join(dir, 'a.json')), fakeSafeStorage({ available: false }), 'win32');
    expect(() => off.set('x', 'secret')).toThrow(/cannot store secret "x": the operating system offers no encryption/);
    const basic = safeStorageSecrets(jsonFileBackend(path.join(dir, 'b.json')), fakeSafeStorage({ backend: 'basic_text' }), 'linux');
    expect(() => basic.set('x', 'secret')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(basic.has('x')).toBe(false);
  });

  it('reports a secret this user cannot decrypt as AUTH_FAILED asking to enter it again', async () => {
    const file = path.join(tempDir(), 'secrets.json');
    jsonFileBackend(file).save({ schemaVersion: 1, secrets: { old: Buffer.from('garbage').toString('base64') } });
    const s = safeStorageSecrets(jsonFileBackend(file), fakeSafeStorage(), 'linux');
    await expect(s.get('old')).rejects.toMatchObject({ code: 'AUTH_FAILED', message: expect.stringContaining('enter it again') });
  });
});

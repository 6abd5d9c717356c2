import { describe, expect, it } from 'vitest';
import { algorithmsForKeyType, keyTypeOfBlob, sha256Fingerprint } from '../../../../electron/ssh/host-key.ts';
import { capturedKeys } from './fixtures.ts';

describe('host key fingerprint', () => {
  const keys = capturedKeys();
  it('matches `ssh-keygen -lf` for every captured key (ed25519 and rsa)', () => {
    expect(keys.size).toBe(6);
    for (const [, k] of keys) {
      const blob = Buffer.from(k.base64, 'base64');
      expect(sha256Fingerprint(blob)).toBe(k.fingerprint);
      expect(keyTypeOfBlob(blob)).toBe(k.type);
    }
  });
  it('has no base64 padding', () => {
    for (const [, k] of keys) expect(sha256Fingerprint(Buffer.from(k.base64, 'base64'))).not.toMatch(/=$/);
  });
  it('rejects blobs without a readable type', () => {
    expect(() => keyTypeOfBlob(Buffer.from([0, 0]))).toThrow(/shorter than 4 bytes/);
    expect(() => keyTypeOfBlob(Buffer.from([0, 0, 0, 200, 1, 2]))).toThrow(/bad type length/);
    expect(() => keyTypeOfBlob(Buffer.from([0, 0, 0, 2, 0x41, 0x0a]))).toThrow(/unreadable key type/);
  });
  it('maps ssh-rsa keys to the rsa-sha2 algorithms as well', () => {
    expect(algorithmsForKeyType('ssh-rsa')).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(algorithmsForKeyType('ssh-ed25519')).toEqual(['ssh-ed25519']);
  });
});

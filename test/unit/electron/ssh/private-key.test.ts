import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { realProofSkip } from '../../../support/require-real.ts';
import { loadPrivateKey, parsePrivateKey } from '../../../../electron/ssh/private-key.ts';
import { AppError } from '../../../../shared/result.ts';
import { generateKey, hasPuttygen } from '../../../support/sshd.ts';

const haveKeygen = !realProofSkip(existsSync('/usr/bin/ssh-keygen') ? undefined : '/usr/bin/ssh-keygen missing (apt-get install openssh-client)', 'the ssh-keygen key tests');
const havePuttygen = !realProofSkip(hasPuttygen() ? undefined : 'puttygen missing (apt-get install putty-tools)', 'the PuTTY .ppk tests');
const dir = mkdtempSync(join(tmpdir(), 'lvs-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const err = (f: () => unknown): AppError => {
  try {
    f();
  } catch (e) {
    return e as AppError;
  }
  throw new Error('did not throw');
};

describe.skipIf(!haveKeygen)('loadPrivateKey (keys made by ssh-keygen; skipped without openssh-client)', () => {
  it('reads OpenSSH ed25519 and PEM RSA keys, encrypted ones with their passphrase', () => {
    expect(loadPrivateKey(generateKey(dir, 'ed', { type: 'ed25519' }).privatePath).type).toBe('ssh-ed25519');
    expect(loadPrivateKey(generateKey(dir, 'rsa', { type: 'rsa', pem: true }).privatePath).type).toBe('ssh-rsa');
    expect(loadPrivateKey(generateKey(dir, 'ed-enc', { type: 'ed25519', passphrase: 'open sesame' }).privatePath, 'open sesame').type).toBe('ssh-ed25519');
  });
  it('a missing or wrong passphrase is AUTH_FAILED without echoing it', () => {
    const p = generateKey(dir, 'rsa-enc', { type: 'rsa', pem: true, passphrase: 'right-one' }).privatePath;
    const missing = err(() => loadPrivateKey(p));
    expect(missing.code).toBe('AUTH_FAILED');
    expect(missing.message).toBe(`${p}: the key is encrypted and no passphrase is set for it`);
    const wrong = err(() => loadPrivateKey(p, 'wrong-one'));
    expect(wrong.code).toBe('AUTH_FAILED');
    expect(wrong.message).toMatch(/could not decrypt the key \(wrong passphrase\?\)/);
    expect(wrong.message).not.toContain('wrong-one');
  });
  it('a public key, garbage and a missing file are clear errors', () => {
    const k = generateKey(dir, 'pubonly', { type: 'ed25519' });
    expect(err(() => loadPrivateKey(`${k.privatePath}.pub`)).message).toMatch(/this is a public key/);
    expect(err(() => parsePrivateKey('hello', 'x.key')).code).toBe('INVALID_INPUT');
    expect(err(() => loadPrivateKey(join(dir, 'nope'))).code).toBe('NOT_FOUND');
  });
});

describe.skipIf(!haveKeygen || !havePuttygen)('PuTTY .ppk keys (puttygen; skipped without putty-tools)', () => {
  const puttygen = (src: string, out: string, version: 2 | 3) => {
    execFileSync('puttygen', [src, '-O', 'private', '-o', out, '--ppk-param', `version=${version}`], { stdio: 'ignore' });
    return out;
  };
  it('reads a .ppk v2 RSA key', () => {
    const rsa = generateKey(dir, 'for-ppk', { type: 'rsa' });
    const key = loadPrivateKey(puttygen(rsa.privatePath, join(dir, 'k2.ppk'), 2));
    expect(key.type).toBe('ssh-rsa');
    expect(key.getPublicSSH().toString('base64')).toBe(rsa.base64);
  });
  it('.ppk v3 is UNSUPPORTED with the puttygen / PuTTYgen conversion', () => {
    const rsa = generateKey(dir, 'for-ppk3', { type: 'rsa' });
    const path = puttygen(rsa.privatePath, join(dir, 'k3.ppk'), 3);
    const e = err(() => loadPrivateKey(path));
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.message).toContain(`puttygen ${path} -O private-openssh -o KEYFILE`);
    expect(e.message).toContain('Export OpenSSH key');
  });
  it('.ppk v2 ed25519 (which ssh2 cannot read) is UNSUPPORTED with the same hint', () => {
    const ed = generateKey(dir, 'for-ppk-ed', { type: 'ed25519' });
    const e = err(() => loadPrivateKey(puttygen(ed.privatePath, join(dir, 'ked.ppk'), 2)));
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.message).toMatch(/only ssh-rsa and ssh-dss.*private-openssh/);
  });
});

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultTrustStorePath, FileTrustStore } from '../../../../electron/ssh/file-trust-store.ts';
import { capturedKeys } from './fixtures.ts';

const k = capturedKeys();
const A = k.get('key-a')!.base64;
const B = k.get('key-b')!.base64;
const dirs: string[] = [];
const store = () => {
  const d = mkdtempSync(join(tmpdir(), 'lvs-trust-'));
  dirs.push(d);
  return new FileTrustStore(join(d, 'sub', 'trusted-host-keys.json'));
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('FileTrustStore', () => {
  it('defaults to $XDG_CONFIG_HOME/lvs-console/trusted-host-keys.json', () => {
    expect(defaultTrustStorePath({ XDG_CONFIG_HOME: '/x/cfg' })).toBe('/x/cfg/lvs-console/trusted-host-keys.json');
    expect(defaultTrustStorePath({})).toMatch(/\.config\/lvs-console\/trusted-host-keys\.json$/);
  });
  it('unknown until trusted, then trusted; a different key of the same type is changed', () => {
    const s = store();
    expect(s.check('10.0.0.1', 22, 'ssh-ed25519', A)).toBe('unknown');
    s.trust('10.0.0.1', 22, 'ssh-ed25519', A);
    expect(s.check('10.0.0.1', 22, 'ssh-ed25519', A)).toBe('trusted');
    expect(s.check('10.0.0.1', 22, 'ssh-ed25519', B)).toBe('changed');
    expect(s.check('10.0.0.1', 2222, 'ssh-ed25519', B)).toBe('unknown');
    expect(s.knownKeyTypes('10.0.0.1', 22)).toEqual(['ssh-ed25519']);
  });
  it('persists as JSON with mode 0600 and is read back by a second instance', () => {
    const s = store();
    s.trust('Director.Lab', 22, 'ssh-ed25519', A);
    const again = new FileTrustStore(s.path);
    expect(again.check('director.lab', 22, 'ssh-ed25519', A)).toBe('trusted');
    expect(JSON.parse(readFileSync(s.path, 'utf8')).keys[0]).toMatchObject({ host: 'director.lab', port: 22, keyType: 'ssh-ed25519', key: A });
    expect(statSync(s.path).mode & 0o777).toBe(0o600);
  });
  it('refuses to replace a trusted key with trust(); forget() removes it first', () => {
    const s = store();
    s.trust('h', 22, 'ssh-ed25519', A);
    expect(() => s.trust('h', 22, 'ssh-ed25519', B)).toThrow(/a different ssh-ed25519 key is already trusted/);
    expect(s.forget('h', 22)).toBe(1);
    s.trust('h', 22, 'ssh-ed25519', B);
    expect(s.check('h', 22, 'ssh-ed25519', B)).toBe('trusted');
  });
  it('a corrupt file is a PARSE_ERROR naming the file', () => {
    const s = store();
    s.trust('h', 22, 'ssh-ed25519', A);
    writeFileSync(s.path, '{"version":1,"keys":[{"host":"h"}]}');
    expect(() => s.check('h', 22, 'ssh-ed25519', A)).toThrow(new RegExp(`^${s.path.replace(/[.]/g, '\\.')}: keys\\.0\\.port`));
  });
});

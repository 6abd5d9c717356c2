import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LayeredTrust } from '../../../../electron/ssh/layered-trust.ts';
import { capturedKeys, fixturePath } from './fixtures.ts';
import { hostKeyStoreIn } from './support.ts';

const k = capturedKeys();
const key = (c: string) => k.get(c)!.base64;
const dir = mkdtempSync(join(tmpdir(), 'lvs-layered-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LayeredTrust', () => {
  const store = hostKeyStoreIn(dir);
  const trust = new LayeredTrust({
    store,
    knownHostsFiles: [fixturePath('known_hosts-openssh-9.2.txt'), join(dir, 'missing')],
    extraLines: { source: 'profile lab knownHosts', lines: [`[10.77.0.1]:22022 ssh-ed25519 ${key('key-e')}`] },
  });
  it('honours known_hosts files (hashed entries too) and profile lines, read-only', async () => {
    expect(await trust.check('10.0.0.3', 22, 'ssh-ed25519', key('key-c'))).toBe('trusted');
    expect(await trust.check('10.77.0.1', 22022, 'ssh-ed25519', key('key-e'))).toBe('trusted');
    expect(await trust.check('10.0.0.1', 22, 'ssh-ed25519', key('key-b'))).toBe('changed');
    expect(await trust.check('10.9.9.9', 22, 'ssh-ed25519', key('key-b'))).toBe('unknown');
  });
  it('new trust goes to the store; a revoked key stays refused even if the store trusts it', async () => {
    await trust.trust('10.9.9.9', 22, 'ssh-ed25519', key('key-b'));
    expect(store.check('10.9.9.9', 22, 'ssh-ed25519', key('key-b'))).toBe('trusted');
    expect(await trust.check('10.9.9.9', 22, 'ssh-ed25519', key('key-b'))).toBe('trusted');
    await trust.trust('10.9.9.8', 22, 'ssh-ed25519', key('key-revoked'));
    expect(await trust.check('10.9.9.8', 22, 'ssh-ed25519', key('key-revoked'))).toBe('changed');
  });
  it('combines known key types from files and store', async () => {
    await trust.trust('rs1.lab', 22, 'ssh-ed25519', key('key-a'));
    expect((await trust.knownKeyTypes('rs1.lab', 22)).sort()).toEqual(['ssh-ed25519', 'ssh-rsa']);
  });
  it('a bad line in a known_hosts file is a PARSE_ERROR naming file:line', () => {
    const bad = join(dir, 'bad_known_hosts');
    writeFileSync(bad, `# x\nh ssh-ed25519 ${key('key-a')}\ngarbage\n`);
    expect(() => new LayeredTrust({ store, knownHostsFiles: [bad] })).toThrow(new RegExp(`bad_known_hosts:3: `));
  });
});

describe('LayeredTrust: a changed key stays refused whatever another source says', () => {
  // The app's store holds key-a for 10.0.0.50 (trusted earlier); the host now presents key-b.
  const held = async () => {
    const s = hostKeyStoreIn(dir);
    await s.trust('10.0.0.50', 22, 'ssh-ed25519', key('key-a'));
    return s;
  };
  it('a profile knownHosts line (a wildcard, a plain name, [host]:port) listing the new key does not override the store', async () => {
    for (const line of [`* ssh-ed25519 ${key('key-b')}`, `10.0.0.50 ssh-ed25519 ${key('key-b')}`, `10.0.0.5?,!10.0.0.51 ssh-ed25519 ${key('key-b')}`]) {
      const t = new LayeredTrust({ store: await held(), knownHostsFiles: [], extraLines: { source: 'profile x knownHosts', lines: [line] } });
      expect(await t.check('10.0.0.50', 22, 'ssh-ed25519', key('key-b')), line).toBe('changed');
      // the sources disagree about this host: neither key is trusted until one of them is corrected
      expect(await t.check('10.0.0.50', 22, 'ssh-ed25519', key('key-a')), line).toBe('changed');
    }
    const port = new LayeredTrust({ store: await held(), knownHostsFiles: [], extraLines: { source: 'p', lines: [`[10.0.0.50]:2222 ssh-ed25519 ${key('key-b')}`] } });
    await port.trust('10.0.0.50', 2222, 'ssh-ed25519', key('key-a'));
    expect(await port.check('10.0.0.50', 2222, 'ssh-ed25519', key('key-b'))).toBe('changed');
  });
  it('a known_hosts file that lists the old key is not overridden by a profile line or the store listing the new one', async () => {
    const file = join(dir, 'old_known_hosts');
    writeFileSync(file, `10.0.0.60 ssh-ed25519 ${key('key-a')}\n`);
    const fromProfile = new LayeredTrust({ store: hostKeyStoreIn(dir), knownHostsFiles: [file], extraLines: { source: 'p', lines: [`10.0.0.6* ssh-ed25519 ${key('key-b')}`] } });
    expect(await fromProfile.check('10.0.0.60', 22, 'ssh-ed25519', key('key-b'))).toBe('changed');
    const store = hostKeyStoreIn(dir);
    await store.trust('10.0.0.60', 22, 'ssh-ed25519', key('key-b'));
    expect(await new LayeredTrust({ store, knownHostsFiles: [file] }).check('10.0.0.60', 22, 'ssh-ed25519', key('key-b'))).toBe('changed');
  });
  it('one source listing both keys of a host (a rotation in progress) still trusts either, as OpenSSH does within a file', async () => {
    const t = new LayeredTrust({ store: hostKeyStoreIn(dir), knownHostsFiles: [], extraLines: { source: 'p', lines: [`10.0.0.70 ssh-ed25519 ${key('key-a')}`, `10.0.0.70 ssh-ed25519 ${key('key-b')}`] } });
    expect(await t.check('10.0.0.70', 22, 'ssh-ed25519', key('key-b'))).toBe('trusted');
  });
});


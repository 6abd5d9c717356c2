import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProfile, nodeProfileCheckDeps } from '../../../../electron/app/profile-check.ts';
import { clusterSchema } from '../../../../shared/model/cluster.ts';

const dir = mkdtempSync(join(tmpdir(), 'profile-check-'));
const key = join(dir, 'id_ed25519');
writeFileSync(key, 'not really a key');
mkdirSync(join(dir, 'folder'));
const profile = (over: Record<string, unknown>) =>
  clusterSchema.parse({ id: 'c', name: 'C', director: { host: '127.0.0.1', user: 'root', auth: { method: 'key', keyPath: key } }, vip: '127.0.0.50', vipPrefix: 8, realservers: [{ host: 'localhost' }], ...over });

// This machine's own resolver and files (localhost and *.invalid, RFC 6761, behave the same everywhere).
describe('clusters.check on this machine', () => {
  it('finds nothing wrong in a profile whose names resolve, whose key file is there and whose VIP is on the subnet', async () => {
    expect(await checkProfile(profile({}))).toEqual([]);
  });

  it('names each failing check by profile path', async () => {
    const c = profile({
      director: { host: '127.0.0.1', user: 'root', auth: { method: 'key', keyPath: join(dir, 'nope') } },
      vip: '192.168.5.100',
      vipPrefix: 24,
      realservers: [{ host: 'localhost' }, { host: 'rs9.invalid', ssh: { auth: { method: 'key', keyPath: join(dir, 'folder') } } }],
    });
    const problems = await checkProfile(c, nodeProfileCheckDeps);
    expect(problems.map((p) => [p.path.join('.'), p.check])).toEqual([
      ['realservers.1.host', 'resolve'],
      ['director.auth.keyPath', 'key-file'],
      ['realservers.1.ssh.auth.keyPath', 'key-file'],
      ['vip', 'vip-subnet'],
    ]);
    expect(problems[0]!.message).toMatch(/^rs9\.invalid does not resolve on this computer \(no such name\)/);
    expect(problems[1]!.message).toBe(`${join(dir, 'nope')} does not exist`);
    expect(problems[2]!.message).toBe(`${join(dir, 'folder')} is a folder, not a key file`);
    expect(problems[3]!.message).toMatch(/^VIP 192\.168\.5\.100 is not on the director's subnet 127\.0\.0\.0\/24/);
  });

  it('a relative key path and a lookup that never answers are said as such', async () => {
    const c = profile({ director: { host: 'slow.example', user: 'root', auth: { method: 'key', keyPath: 'id_rsa' } } });
    const problems = await checkProfile(c, { lookup: (n) => (n === 'slow.example' ? new Promise(() => {}) : Promise.resolve('127.0.0.1')), readable: async () => {}, lookupTimeoutMs: 20 });
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/^slow\.example does not resolve on this computer \(no answer in time\); this computer connects to it by name/), 'id_rsa is not a full path (write it from the drive or /)']);
  });
});

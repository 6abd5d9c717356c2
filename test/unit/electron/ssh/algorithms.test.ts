import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { algorithmsFor, LEGACY_ALGORITHMS } from '../../../../electron/ssh/algorithms.ts';
import { SessionPool } from '../../../../electron/ssh/session-pool.ts';
import { sshTargetSchema } from '../../../../shared/model/cluster.ts';
import { generateKey, sshdUnavailable, startSshd, type TestSshd } from '../../../support/sshd.ts';
import { rejection, secretsOf, trustWith } from './support.ts';

describe('algorithmsFor', () => {
  it('leaves ssh2 defaults alone when nothing is needed', () => {
    expect(algorithmsFor({ legacy: false })).toBeUndefined();
  });
  it('legacy switch appends exactly the documented algorithms (never diffie-hellman-group1-sha1)', () => {
    const a = algorithmsFor({ legacy: true })!;
    const names = (ops?: { append?: RegExp[] }) => (ops?.append ?? []).map((r) => r.source.replace(/^\^|\$$/g, '').replace(/\\/g, ''));
    expect(names(a.kex)).toEqual([...LEGACY_ALGORITHMS.kex]);
    expect(names(a.serverHostKey)).toEqual(['ssh-rsa', 'ssh-dss']);
    expect(names(a.cipher)).toEqual(['aes128-cbc', 'aes256-cbc', '3des-cbc']);
    expect(names(a.hmac)).toEqual(['hmac-sha1', 'hmac-md5']);
    expect(JSON.stringify(Object.values(a).flatMap((o) => (o.append ?? []).map(String)))).not.toContain('group1-sha1');
  });
  it('moves known host key types to the front (ssh-rsa keys as rsa-sha2-512/256 and ssh-rsa)', () => {
    const a = algorithmsFor({ legacy: false, knownKeyTypes: ['ssh-rsa'] })!;
    expect(a.serverHostKey!.remove).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(a.serverHostKey!.prepend!.map(String)).toEqual(['/^rsa-sha2-512$/', '/^rsa-sha2-256$/', '/^ssh-rsa$/']);
    expect(a.kex).toBeUndefined();
  });
  it('never enables ssh-dss just because a DSA key is known, unless legacy is on', () => {
    expect(algorithmsFor({ legacy: false, knownKeyTypes: ['ssh-dss'] })).toBeUndefined();
    const a = algorithmsFor({ legacy: true, knownKeyTypes: ['ssh-dss'] })!;
    expect(a.serverHostKey!.prepend!.map(String)).toEqual(['/^ssh-dss$/']);
    expect(a.serverHostKey!.append!.map(String)).toEqual(['/^ssh-rsa$/', '/^ssh-dss$/']);
  });
});

const skip = sshdUnavailable();
if (skip) console.warn(`legacy algorithm tests skipped: ${skip}`);

// Two sshds restricted to old algorithms only, the way an old HP-UX sshd offers them.
const OLD_SERVERS = [
  { name: 'group14-sha1 / aes128-cbc / hmac-md5 / ssh-rsa', kex: 'diffie-hellman-group14-sha1', cipher: 'aes128-cbc', mac: 'hmac-md5' },
  { name: 'group-exchange-sha1 / 3des-cbc / hmac-sha1 / ssh-rsa', kex: 'diffie-hellman-group-exchange-sha1', cipher: '3des-cbc', mac: 'hmac-sha1' },
] as const;

describe.skipIf(skip)('legacy algorithms switch against sshds that offer only old algorithms', { timeout: 90_000 }, () => {
  const servers: TestSshd[] = [];
  const pools: SessionPool[] = [];
  let keyPath = '';
  beforeAll(async () => {
    for (const o of OLD_SERVERS) {
      servers.push(
        await startSshd({
          hostKeyTypes: ['rsa'],
          logLevel: 'DEBUG1',
          extraConfig: [`KexAlgorithms ${o.kex}`, `Ciphers ${o.cipher}`, `MACs ${o.mac}`, 'HostKeyAlgorithms ssh-rsa'],
        }),
      );
    }
    const k = generateKey(servers[0]!.dir, 'client', { type: 'ed25519' });
    keyPath = k.privatePath;
    for (const s of servers) s.authorize('root', k.publicLine);
  });
  afterAll(async () => {
    for (const p of pools) await p.closeAll();
    for (const s of servers) await s.stop();
  });
  const exec = (s: TestSshd, legacyAlgorithms: boolean) => {
    const pool = new SessionPool({ trust: trustWith(s.dir, s.knownHostsLines()).trust, secrets: secretsOf({}) });
    pools.push(pool);
    return pool.session({ label: 'hpux1', target: sshTargetSchema.parse({ host: '127.0.0.1', port: s.port, user: 'root', auth: { method: 'key', keyPath }, legacyAlgorithms }) }).exec(['echo', 'old']);
  };

  OLD_SERVERS.forEach((o, i) => {
    it(`${o.name}: refused without the switch (with a hint), works with it`, async () => {
      const s = servers[i]!;
      const e = await rejection(exec(s, false));
      expect(e.code).toBe('CONNECT_FAILED');
      expect(e.message).toMatch(/^hpux1: 127\.0\.0\.1:\d+: handshake failed: no matching .*"legacy algorithms" switch/);
      expect((await exec(s, true)).stdout).toBe('old\n');
      // sshd's DEBUG1 log names what was negotiated.
      expect(s.log()).toContain(`kex: algorithm: ${o.kex}`);
      expect(s.log()).toContain('kex: host key algorithm: ssh-rsa');
      expect(s.log()).toMatch(new RegExp(`kex: client->server cipher: ${o.cipher} MAC: ${o.mac}`));
    });
  });
});

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Fingerprint } from '../../../../electron/ssh/host-key.ts';
import type { HostKeyDetail } from '../../../../electron/ssh/host-verifier.ts';
import { SessionPool } from '../../../../electron/ssh/session-pool.ts';
import { sshTargetSchema } from '../../../../shared/model/cluster.ts';
import { generateKey, sshdUnavailable, startSshd, type TestSshd } from '../../../support/sshd.ts';
import { eventLog, rejection, secretsOf, trustWith, waitFor } from './support.ts';

const skip = sshdUnavailable();
if (skip) console.warn(`host key tests skipped: ${skip}`);

describe.skipIf(skip)('host key verification against a real sshd', { timeout: 90_000 }, () => {
  let sshd: TestSshd;
  const pools: SessionPool[] = [];
  const target = () => ({ label: 'rs1', target: sshTargetSchema.parse({ host: '127.0.0.1', port: sshd.port, user: 'root', auth: { method: 'key', keyPath: join(sshd.dir, 'client') } }) });
  const poolWith = (trust: ReturnType<typeof trustWith>['trust'], extra: { trustNew?: boolean; onEvent?: ReturnType<typeof eventLog>['onEvent'] } = {}) => {
    const p = new SessionPool({ trust, secrets: secretsOf({}), ...extra });
    pools.push(p);
    return p;
  };
  // `ssh-keygen -lf` of the server's host key: what an admin compares against.
  const keygenFingerprint = () => execFileSync('/usr/bin/ssh-keygen', ['-lf', join(sshd.dir, 'ssh_host_ed25519_key.pub')], { encoding: 'utf8' }).split(' ')[1]!;
  // sshd -e log lines of connections that reached user authentication (VERBOSE logs these per attempt).
  const authLines = () => sshd.log().split('\n').filter((l) => /authenticating user|Accepted |Failed |Postponed |Invalid user/.test(l));

  beforeAll(async () => {
    sshd = await startSshd({ hostKeyTypes: ['ed25519', 'rsa'] });
    sshd.authorize('root', generateKey(sshd.dir, 'client', { type: 'ed25519' }).publicLine);
  });
  afterAll(async () => {
    for (const p of pools) await p.closeAll();
    await sshd?.stop();
  });

  it('refuses an unknown key BEFORE any authentication, with the fingerprint ssh-keygen -lf prints', async () => {
    const { trust } = trustWith(sshd.dir);
    const { events, onEvent } = eventLog();
    const before = sshd.connectionCount();
    const e = await rejection(poolWith(trust, { onEvent }).session(target()).exec(['true']));
    expect(e.code).toBe('HOST_KEY_UNKNOWN');
    const fp = keygenFingerprint();
    expect(e.message).toContain(fp);
    expect(e.message).toMatch(/^rs1: host key of 127\.0\.0\.1:\d+ is not trusted yet: ssh-ed25519 SHA256:/);
    const d = e.detail as HostKeyDetail;
    expect(d).toMatchObject({ host: '127.0.0.1', port: sshd.port, keyType: 'ssh-ed25519', fingerprint: fp });
    expect(sha256Fingerprint(Buffer.from(d.key, 'base64'))).toBe(fp);
    // The authHandler was never called, and sshd saw the connection but no authentication attempt.
    expect(events.filter((x) => x.type === 'auth')).toEqual([]);
    // ssh2 disconnects with reason 3 (SSH_DISCONNECT_KEY_EXCHANGE_FAILED) during key exchange, i.e. pre-auth, no user.
    await waitFor(() => /Disconnected from 127\.0\.0\.1 port \d+ \[preauth\]/.test(sshd.log()), 'sshd to log the refused connection');
    expect(sshd.connectionCount()).toBe(before + 1);
    expect(sshd.log()).toMatch(/Received disconnect from 127\.0\.0\.1 port \d+:3: .*\[preauth\]/);
    expect(authLines()).toEqual([]);
  });

  it('trustNew trusts an unknown key on first sight and stores it; the next pool trusts it without the flag', async () => {
    const { trust, store } = trustWith(sshd.dir);
    const { events, onEvent } = eventLog();
    expect((await poolWith(trust, { trustNew: true, onEvent }).session(target()).exec(['echo', 'ok'])).stdout).toBe('ok\n');
    expect(events.find((x) => x.type === 'host-key')).toMatchObject({ verdict: 'trusted-new', fingerprint: keygenFingerprint() });
    expect(store.list()).toHaveLength(1);
    expect((await poolWith(trust).session(target()).exec(['echo', 'again'])).stdout).toBe('again\n');
  });

  it('refuses a changed key loudly with the new fingerprint, even with trustNew', async () => {
    const other = generateKey(sshd.dir, 'impostor', { type: 'ed25519' });
    const { trust } = trustWith(sshd.dir, [`[127.0.0.1]:${sshd.port} ssh-ed25519 ${other.base64}`]);
    const e = await rejection(poolWith(trust, { trustNew: true }).session(target()).exec(['true']));
    expect(e.code).toBe('HOST_KEY_CHANGED');
    expect(e.message).toContain('HOST KEY CHANGED');
    expect(e.message).toContain(keygenFingerprint());
    expect(e.step).toBe('host key');
  });

  it('a server whose host keys were regenerated is refused with the new fingerprint', async () => {
    const { trust } = trustWith(sshd.dir);
    await poolWith(trust, { trustNew: true }).session(target()).exec(['true']);
    await sshd.regenerateHostKeys();
    sshd.authorize('root', generateKey(sshd.dir, 'client2', { type: 'ed25519' }).publicLine);
    const e = await rejection(poolWith(trust).session(target()).exec(['true']));
    expect(e.code).toBe('HOST_KEY_CHANGED');
    expect(e.message).toContain(keygenFingerprint());
  });

  it('honours known_hosts files: plain [host]:port and hashed (ssh-keygen -H) entries', async () => {
    const plain = join(sshd.dir, 'known_hosts_plain');
    writeFileSync(plain, `${sshd.knownHostsLines().join('\n')}\n`);
    const hashed = join(sshd.dir, 'known_hosts_hashed');
    writeFileSync(hashed, `${sshd.knownHostsLines().join('\n')}\n`);
    execFileSync('/usr/bin/ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' });
    for (const file of [plain, hashed]) {
      const { trust } = trustWith(sshd.dir, [], [file]);
      expect((await poolWith(trust).session(target()).exec(['echo', 'kh'])).stdout).toBe('kh\n');
    }
  });

  it('prefers a key type already trusted: only the RSA host key known → connects with it (not "unknown ed25519")', async () => {
    const rsa = sshd.hostKeys.find((k) => k.type === 'ssh-rsa')!;
    const { trust } = trustWith(sshd.dir, [`[127.0.0.1]:${sshd.port} ssh-rsa ${rsa.base64}`]);
    const { events, onEvent } = eventLog();
    expect((await poolWith(trust, { onEvent }).session(target()).exec(['echo', 'rsa'])).stdout).toBe('rsa\n');
    expect(events.find((x) => x.type === 'host-key')).toMatchObject({ keyType: 'ssh-rsa', verdict: 'trusted' });
  });
});

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realProofSkip } from '../../../support/require-real.ts';
import { sha256Fingerprint } from '../../../../electron/ssh/host-key.ts';
import { SessionPool } from '../../../../electron/ssh/session-pool.ts';
import { sshTargetSchema, type Auth } from '../../../../shared/model/cluster.ts';
import { ensureTestUser, generateKey, hasPuttygen, sshdUnavailable, startAgent, startSshd, TEST_USER, type TestAgent, type TestSshd } from '../../../support/sshd.ts';
import { eventLog, rejection, secretsOf, trustWith, waitFor } from './support.ts';

const skip = sshdUnavailable();
if (skip) console.warn(`auth tests skipped: ${skip}`);

// Uses the local user lvs-ssh-test (created if missing, fresh random password per run: see test/support/sshd.ts).
describe.skipIf(skip)('authentication against a real sshd', { timeout: 90_000 }, () => {
  let sshd: TestSshd;
  let password: string;
  let agent: TestAgent | undefined;
  const pools: SessionPool[] = [];
  const run = async (user: string, auth: Auth, opts: { agentSocket?: string; secrets?: Record<string, string>; onEvent?: ReturnType<typeof eventLog>['onEvent'] } = {}) => {
    const pool = new SessionPool({
      trust: trustWith(sshd.dir, sshd.knownHostsLines()).trust,
      secrets: secretsOf(opts.secrets ?? { pw: password }),
      agent: opts.agentSocket ? { override: opts.agentSocket } : { env: {} },
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
    pools.push(pool);
    return pool.session({ label: 'rs2', target: sshTargetSchema.parse({ host: '127.0.0.1', port: sshd.port, user, auth }) }).exec(['id', '-un']);
  };
  // sshd's own record of how each login succeeded ("Accepted password for lvs-ssh-test from …").
  const accepted = (what: RegExp) => waitFor(() => what.test(sshd.log()), `sshd to log ${what}`);
  // "Accepted publickey for root from 127.0.0.1 port N ssh2: ED25519 SHA256:…" for exactly this key.
  const acceptedKey = (k: { base64: string }) => accepted(new RegExp(`Accepted publickey for root .* ${sha256Fingerprint(Buffer.from(k.base64, 'base64')).replace(/[+/]/g, '\\$&')}`));

  beforeAll(async () => {
    sshd = await startSshd();
    password = ensureTestUser();
  });
  afterAll(async () => {
    for (const p of pools) await p.closeAll();
    agent?.stop();
    await sshd?.stop();
  });

  it('private key: ed25519 in OpenSSH format', async () => {
    const k = generateKey(sshd.dir, 'id_ed25519', { type: 'ed25519' });
    sshd.authorize('root', k.publicLine);
    expect((await run('root', { method: 'key', keyPath: k.privatePath })).stdout).toBe('root\n');
    await acceptedKey(k);
  });

  it('private key: RSA in PEM format, encrypted, passphrase from the secret store', async () => {
    const k = generateKey(sshd.dir, 'id_rsa_pem', { type: 'rsa', pem: true, passphrase: 'pem-pass' });
    sshd.authorize('root', k.publicLine);
    expect((await run('root', { method: 'key', keyPath: k.privatePath, passphraseRef: 'kp' }, { secrets: { kp: 'pem-pass' } })).stdout).toBe('root\n');
    await acceptedKey(k);
  });

  it.skipIf(!!realProofSkip(hasPuttygen() ? undefined : 'puttygen missing (apt-get install putty-tools)', 'the PuTTY login test'))('private key: PuTTY .ppk v2 (RSA) logs in; .ppk v3 fails before connecting, saying how to convert', async () => {
    const k = generateKey(sshd.dir, 'for_ppk', { type: 'rsa' });
    sshd.authorize('root', k.publicLine);
    const v2 = join(sshd.dir, 'k2.ppk');
    const v3 = join(sshd.dir, 'k3.ppk');
    execFileSync('puttygen', [k.privatePath, '-O', 'private', '-o', v2, '--ppk-param', 'version=2'], { stdio: 'ignore' });
    execFileSync('puttygen', [k.privatePath, '-O', 'private', '-o', v3], { stdio: 'ignore' });
    expect((await run('root', { method: 'key', keyPath: v2 })).stdout).toBe('root\n');
    await acceptedKey(k);
    const before = sshd.connectionCount();
    const e = await rejection(run('root', { method: 'key', keyPath: v3 }));
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.message).toContain('-O private-openssh');
    expect(sshd.connectionCount()).toBe(before);
  });

  it('password', async () => {
    const { events, onEvent } = eventLog();
    expect((await run(TEST_USER, { method: 'password', secretRef: 'pw' }, { onEvent })).stdout).toBe(`${TEST_USER}\n`);
    expect(events.filter((e) => e.type === 'auth').map((e) => (e as { method: string }).method)).toEqual(['password']);
    await accepted(new RegExp(`Accepted password for ${TEST_USER} `));
  });

  it('keyboard-interactive (PAM asks for the password)', async () => {
    expect((await run(TEST_USER, { method: 'keyboard-interactive', secretRef: 'pw' })).stdout).toBe(`${TEST_USER}\n`);
    await accepted(new RegExp(`Accepted keyboard-interactive/pam for ${TEST_USER} `));
  });

  it('a wrong password is AUTH_FAILED naming the host and the methods tried, never the password', async () => {
    const e = await rejection(run(TEST_USER, { method: 'password', secretRef: 'pw' }, { secrets: { pw: 'Wrong-Pa55word' } }));
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.message).toMatch(/^rs2: authentication failed \(methods tried: password; server accepts: .*publickey/);
    expect(JSON.stringify({ m: e.message, d: e.detail })).not.toContain('Wrong-Pa55word');
    const noSecret = await rejection(run(TEST_USER, { method: 'password', secretRef: 'missing' }));
    expect(noSecret.message).toBe('rs2: no password stored (secret "missing")');
  });

  it('agent: a real ssh-agent holding the key', async () => {
    agent = startAgent();
    const k = generateKey(sshd.dir, 'agent_key', { type: 'ed25519' });
    sshd.authorize('root', k.publicLine);
    agent.add(k.privatePath);
    expect((await run('root', { method: 'agent' }, { agentSocket: agent.socket })).stdout).toBe('root\n');
    await acceptedKey(k);
  });

  it('agent method without any agent: AUTH_FAILED saying so, before connecting', async () => {
    const before = sshd.connectionCount();
    const e = await rejection(run('root', { method: 'agent' }));
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.message).toMatch(/no SSH agent available/);
    expect(sshd.connectionCount()).toBe(before);
  });
});

import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realProofSkip } from '../../../support/require-real.ts';
import { newSudoMarker, sudoArgv, sudoFailure, SudoPromptFilter } from '../../../../electron/ssh/sudo.ts';
import { SessionPool } from '../../../../electron/ssh/session-pool.ts';
import type { AuditEntry } from '../../../../electron/ssh/types.ts';
import { sshTargetSchema } from '../../../../shared/model/cluster.ts';
import { ensureTestUser, hasSudo, sshdUnavailable, startSshd, TEST_USER, type TestSshd } from '../../../support/sshd.ts';
import { rejection, secretsOf, trustWith } from './support.ts';

describe('sudoArgv', () => {
  it('with a password: -k -S and the marker prompt, argv after --; without: -n', () => {
    expect(sudoArgv(['ipvsadm', '-S', '-n'], { marker: '[m]' })).toEqual(['sudo', '-k', '-S', '-p', '[m]', '--', 'ipvsadm', '-S', '-n']);
    expect(sudoArgv(['ipvsadm', '-C'], undefined)).toEqual(['sudo', '-n', '--', 'ipvsadm', '-C']);
  });
  it('markers are unique and contain no % (sudo expands %-escapes in -p)', () => {
    const a = newSudoMarker();
    expect(a).not.toBe(newSudoMarker());
    expect(a).not.toContain('%');
  });
});

describe('SudoPromptFilter', () => {
  it('removes every marker and counts prompts, however the stream is chunked', () => {
    const marker = '[lvs-sudo-0123456789abcdef]';
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(marker), fc.string({ maxLength: 12 }).filter((s) => !s.includes('['))), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
        (parts, cuts) => {
          const text = parts.join('');
          const f = new SudoPromptFilter(marker);
          let out = '';
          let i = 0;
          let c = 0;
          while (i < text.length) {
            const n = cuts[c++ % cuts.length]!;
            out += f.push(text.slice(i, i + n)).text;
            i += n;
          }
          out += f.flush();
          expect(out).toBe(parts.filter((p) => p !== marker).join(''));
          expect(f.prompts).toBe(parts.filter((p) => p === marker).length);
        },
      ),
    );
  });
  it('passes text that only looks like the start of a marker through at the end', () => {
    const f = new SudoPromptFilter('[abc]');
    expect(f.push('x[ab').text).toBe('x');
    expect(f.flush()).toBe('[ab');
  });
});

describe('sudoFailure', () => {
  it('AUTH_FAILED step sudo for sudo refusals, undefined for the command\'s own exit', () => {
    expect(sudoFailure('rs1', 1, 'sudo: a password is required\n', 0)?.message).toBe('rs1: sudo: a password is required');
    expect(sudoFailure('rs1', 1, 'Sorry, try again.\nsudo: 1 incorrect password attempt\n', 2)?.message).toBe('rs1: sudo: incorrect sudo password');
    expect(sudoFailure('rs1', 1, 'bob is not in the sudoers file.  This incident will be reported.\n', 1)?.code).toBe('AUTH_FAILED');
    expect(sudoFailure('rs1', 1, 'sudo: a password is required\n', 0)?.step).toBe('sudo');
    expect(sudoFailure('rs1', 1, 'grep: nothing\n', 1)).toBeUndefined();
    expect(sudoFailure('rs1', 2, 'sudo: a password is required\n', 0)).toBeUndefined();
  });
});

// ---- against a real sshd + sudo, as the local user lvs-ssh-test (member of group sudo; see test/support/sshd.ts) ----

const skipReal = sshdUnavailable() ?? realProofSkip(hasSudo() ? undefined : 'sudo not installed (apt-get install sudo)', 'the real sudo tests');
if (skipReal) console.warn(`real sudo tests skipped: ${skipReal}`);

describe.skipIf(skipReal)('sudo through a real sshd', { timeout: 90_000 }, () => {
  let sshd: TestSshd;
  let password: string;
  const audit: AuditEntry[] = [];
  const pools: SessionPool[] = [];
  const session = (sudo: { secretRef?: string } | undefined, secrets: Record<string, string>) => {
    const pool = new SessionPool({ trust: trustWith(sshd.dir, sshd.knownHostsLines()).trust, secrets: secretsOf(secrets), audit: (e) => audit.push(e) });
    pools.push(pool);
    return pool.session({
      label: 'rs3',
      target: sshTargetSchema.parse({ host: '127.0.0.1', port: sshd.port, user: TEST_USER, auth: { method: 'password', secretRef: 'login' }, ...(sudo ? { sudo } : {}) }),
    });
  };

  beforeAll(async () => {
    sshd = await startSshd();
    password = ensureTestUser();
  });
  afterAll(async () => {
    for (const p of pools) await p.closeAll();
    await sshd?.stop();
  });

  it('runs as root with the password fed on sudo\'s prompt; the caller\'s stdin reaches the command, the password does not', async () => {
    const s = session({ secretRef: 'sudo' }, { login: password, sudo: password });
    const id = await s.exec(['id', '-u'], { sudo: true });
    expect(id.stdout).toBe('0\n');
    expect(id.stderr).not.toMatch(/lvs-sudo-/);
    const cat = await s.exec(['cat'], { sudo: true, stdin: 'table data\n' });
    expect(cat.stdout).toBe('table data\n');
    expect(cat.stdout + cat.stderr).not.toContain(password);
    // Without sudo the same session runs as the login user.
    expect((await s.exec(['id', '-un'])).stdout).toBe(`${TEST_USER}\n`);
  });

  it('a wrong sudo password is AUTH_FAILED at step sudo (the command never runs)', async () => {
    const s = session({ secretRef: 'sudo' }, { login: password, sudo: 'not-the-password' });
    const marker = join(sshd.dir, 'sudo-ran');
    const e = await rejection(s.exec(['touch', marker], { sudo: true }));
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.step).toBe('sudo');
    expect(e.message).toBe('rs3: sudo: incorrect sudo password');
    expect(existsSync(marker)).toBe(false);
  });

  it('sudo without a stored password runs sudo -n and fails fast: "a password is required"', async () => {
    const e = await rejection(session(undefined, { login: password }).exec(['id', '-u'], { sudo: true }));
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.message).toBe('rs3: sudo: a password is required');
  });

  it('shared (the held shell): with a sudo password the command goes on a channel of its own; without, sudo -n runs in the shell and its refusal is the same error', async () => {
    const s = session({ secretRef: 'sudo' }, { login: password, sudo: password });
    expect((await s.exec(['id', '-u'], { sudo: true, shared: true })).stdout).toBe('0\n');
    expect(s.sharedRuns).toBe(0);
    expect((await s.exec(['id', '-un'], { shared: true })).stdout).toBe(`${TEST_USER}\n`);
    expect(s.sharedRuns).toBe(1);
    const n = session(undefined, { login: password });
    const e = await rejection(n.exec(['id', '-u'], { sudo: true, shared: true }));
    expect(n.sharedRuns).toBe(1);
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.message).toBe('rs3: sudo: a password is required');
  });

  it('the command\'s own failure under sudo is a normal result', async () => {
    const r = await session({ secretRef: 'sudo' }, { login: password, sudo: password }).exec(['sh', '-c', 'echo nope >&2; exit 5'], { sudo: true });
    expect(r).toMatchObject({ code: 5, stderr: 'nope\n' });
  });

  it('no password in the audit log or sshd\'s log', async () => {
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.some((a) => a.argv[0] === 'sudo')).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(password);
    expect(sshd.log()).not.toContain(password);
  });
});

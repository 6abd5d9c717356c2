import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPidPrologue } from '../../../../electron/ssh/exec.ts';
import { heldShellLine, StreamSearch } from '../../../../electron/ssh/held-shell.ts';
import { shellQuote } from '../../../../electron/shell/shell-quote.ts';
import { SessionPool } from '../../../../electron/ssh/session-pool.ts';
import type { SshSession } from '../../../../electron/ssh/ssh-session.ts';
import type { ExecResult } from '../../../../electron/ssh/types.ts';
import { sshTargetSchema } from '../../../../shared/model/cluster.ts';
import { generateKey, killPid, sshdUnavailable, startSshd, type TestSshd } from '../../../support/sshd.ts';
import { alive, rejection, secretsOf, trustWith, waitFor } from './support.ts';

describe('heldShellLine', () => {
  it('is the quoted pid-prologue command, stdin from /dev/null, then the two trailers; a bad nonce is refused', () => {
    const argv = ['printf', '%s', "it's"];
    const line = heldShellLine(argv, 'ab'.repeat(16));
    expect(line).toBe(`${shellQuote(withPidPrologue(argv))} </dev/null; echo "${'ab'.repeat(16)}:$?"; echo ${'ab'.repeat(16)} >&2\n`);
    expect(() => heldShellLine(['true'], '$(reboot)')).toThrow('bad nonce');
  });
});

describe('StreamSearch', () => {
  it('finds the first needle wherever the chunks cut it, as indexOf on the whole stream does (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), fc.boolean(), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }), (before, after, withNeedle, cuts) => {
        const needle = Buffer.from('0123456789abcdef0123456789abcdef:');
        const whole = Buffer.concat([Buffer.from(before), ...(withNeedle ? [needle] : []), Buffer.from(after)]);
        const f = new StreamSearch(needle);
        for (let i = 0, c = 0; i < whole.length; i += cuts[c++ % cuts.length]!) f.push(whole.subarray(i, i + cuts[c % cuts.length]!));
        const expected = whole.indexOf(needle);
        expect(f.at).toBe(expected < 0 ? undefined : expected);
      }),
    );
  });
});

const skip = sshdUnavailable();
if (skip) console.warn(`held-shell tests skipped: ${skip}`);

const strip = (r: ExecResult) => ({ code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr });

describe.skipIf(skip)('the held shell (ExecOptions.shared) against a real OpenSSH sshd', { timeout: 90_000 }, () => {
  let sshd: TestSshd;
  let pool: SessionPool;
  const session = (): SshSession =>
    pool.session({ label: 'test-host', target: sshTargetSchema.parse({ host: '127.0.0.1', port: sshd.port, user: 'root', auth: { method: 'key', keyPath: join(sshd.dir, 'client') } }) });

  // a second pool, for a session of its own (its connection's sshd pid told apart from the first's)
  let other: SessionPool;
  let before: Set<number>;
  const fresh = (): SshSession => {
    before = new Set(sshd.connectionPids());
    other = new SessionPool({ trust: trustWith(sshd.dir, sshd.knownHostsLines()).trust, secrets: secretsOf({}) });
    return other.session({ label: 'test-host-2', target: sshTargetSchema.parse({ host: '127.0.0.1', port: sshd.port, user: 'root', auth: { method: 'key', keyPath: join(sshd.dir, 'client') } }) });
  };

  beforeAll(async () => {
    sshd = await startSshd();
    sshd.authorize('root', generateKey(sshd.dir, 'client', { type: 'ed25519' }).publicLine);
    pool = new SessionPool({ trust: trustWith(sshd.dir, sshd.knownHostsLines()).trust, secrets: secretsOf({}), backoffMs: [100, 300, 1000] });
  });
  afterAll(async () => {
    await pool?.closeAll();
    await sshd?.stop();
  });

  it('gives the same code, stdout and stderr as a channel of its own, for commands of every shape', async () => {
    const cases: string[][] = [
      ['sh', '-c', 'echo out; echo err >&2; exit 3'],
      ['printf', '%s|', 'a b', "it's", '$HOME', '`id`', '', '*', 'x;y|z', 'ünï'],
      ['printf', 'no newline at the end'],
      ['sh', '-c', 'printf "no newline on stderr" >&2'],
      ['sh', '-c', 'head -c 3000000 /dev/zero | tr "\\0" x; echo; seq 1 20000 >&2'],
      ['sh', '-c', 'printf "%s\\n" "$@"', 'sh', 'a:0', 'looks like: 12', '\n'],
      ['cat'],
      ['sh', '-c', 'exit 255'],
      ['false'],
      ['/nonexistent/program'],
    ];
    const s = session();
    for (const argv of cases) {
      const own = await s.exec(argv, { timeoutMs: 20_000 });
      const before = s.sharedRuns;
      const shared = await s.exec(argv, { shared: true, timeoutMs: 20_000 });
      expect(s.sharedRuns, argv.join(' ')).toBe(before + 1);
      expect(strip(shared), argv.join(' ')).toEqual(strip(own));
    }
  });

  it('runs every shared command in one long-lived shell (the same sh is the parent each time); own channels come from sshd', async () => {
    const s = session();
    const parent = async (shared: boolean) => (await s.exec(['sh', '-c', 'echo "$PPID $(cat /proc/$PPID/comm)"'], { shared })).stdout.trim();
    const sharedParents = new Set([await parent(true), await parent(true), await parent(true)]);
    expect(sharedParents.size).toBe(1);
    expect([...sharedParents][0]).toMatch(/^\d+ sh$/);
    expect(await parent(false)).toMatch(/^\d+ sshd/);
  });

  it('a command reading stdin sees EOF and cannot eat the next command', async () => {
    const s = session();
    expect((await s.exec(['sh', '-c', 'cat; read x; echo "read:$x:$?"'], { shared: true })).stdout).toBe('read::1\n');
    expect((await s.exec(['echo', 'next'], { shared: true })).stdout).toBe('next\n');
  });

  it('two at once: one runs in the shell, the other on a channel of its own; both right', async () => {
    const s = session();
    const before = s.sharedRuns;
    const [a, b] = await Promise.all([s.exec(['sh', '-c', 'sleep 0.3; echo a'], { shared: true }), s.exec(['sh', '-c', 'sleep 0.3; echo b'], { shared: true })]);
    expect([a.stdout, b.stdout]).toEqual(['a\n', 'b\n']);
    expect(s.sharedRuns).toBe(before + 1);
  });

  it('stdin or streaming go on a channel of their own', async () => {
    const s = session();
    const before = s.sharedRuns;
    expect((await s.exec(['cat'], { shared: true, stdin: 'in' })).stdout).toBe('in');
    const chunks: string[] = [];
    expect((await s.exec(['echo', 'streamed'], { shared: true, onStdout: (c) => chunks.push(c) })).stdout).toBe('streamed\n');
    expect(chunks.join('')).toBe('streamed\n');
    expect(s.sharedRuns).toBe(before);
  });

  it('timeout rejects with TIMEOUT, kills the command and ends that shell; the next shared command gets a new one', async () => {
    const s = session();
    const parent = (await s.exec(['sh', '-c', 'echo $PPID'], { shared: true })).stdout;
    const pidFile = join(sshd.dir, 'held-timeout.pid');
    const e = await rejection(s.exec(['sh', '-c', `echo $$ > ${pidFile}; exec sleep 60`], { shared: true, timeoutMs: 500, step: 'sleep' }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toBe('test-host: sleep: no result within 500 ms');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !alive(pid), `remote sleep ${pid} to end`);
    const old = Number(parent.trim());
    await waitFor(() => !alive(old), `the old held shell ${old} to end`);
    const next = await s.exec(['sh', '-c', 'echo $PPID'], { shared: true });
    expect(next.stdout).not.toBe(parent);
  });

  it('cancel rejects with CANCELLED and kills the command', async () => {
    const s = session();
    const pidFile = join(sshd.dir, 'held-cancel.pid');
    const ac = new AbortController();
    const p = s.exec(['sh', '-c', `echo $$ > ${pidFile}; exec sleep 60`], { shared: true, signal: ac.signal });
    await waitFor(() => {
      try {
        return readFileSync(pidFile, 'utf8').trim() !== '';
      } catch {
        return false;
      }
    }, 'the command to start');
    ac.abort();
    expect((await rejection(p)).code).toBe('CANCELLED');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !alive(pid), `remote sleep ${pid} to end`);
    expect((await s.exec(['echo', 'after'], { shared: true })).stdout).toBe('after\n');
  });

  it('output over the cap stops the command with the same clear error as a channel of its own', async () => {
    const s = session();
    const pidFile = join(sshd.dir, 'held-flood.pid');
    const e = await rejection(s.exec(['sh', '-c', `echo $$ > ${pidFile}; exec yes`], { shared: true, maxOutputBytes: 65_536, step: 'flood' }));
    expect(e.message).toBe('test-host: flood: output exceeded 65536 bytes; the command was stopped');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !alive(pid), `remote command ${pid} to be stopped`);
    const err = await rejection(s.exec(['sh', '-c', "head -c 2000000 /dev/zero | tr '\\0' y >&2"], { shared: true, maxOutputBytes: 65_536, step: 'flood stderr' }));
    expect(err.message).toBe('test-host: flood stderr: output exceeded 65536 bytes on stderr; the command was stopped');
    expect((await s.exec(['echo', 'still fine'], { shared: true })).stdout).toBe('still fine\n');
  });

  it('a pool without held shells (heldShells: false) gives every shared command a channel of its own', async () => {
    const plain = new SessionPool({ trust: trustWith(sshd.dir, sshd.knownHostsLines()).trust, secrets: secretsOf({}), heldShells: false });
    try {
      const s = plain.session({ label: 'test-host', target: sshTargetSchema.parse({ host: '127.0.0.1', port: sshd.port, user: 'root', auth: { method: 'key', keyPath: join(sshd.dir, 'client') } }) });
      expect((await s.exec(['sh', '-c', 'cat /proc/$PPID/comm'], { shared: true })).stdout).toMatch(/^sshd/);
      expect(s.sharedRuns).toBe(0);
    } finally {
      await plain.closeAll();
    }
  });

  it('opening the shell on a connection that died silently ends at the command\'s timeout, not at the keepalive\'s', async () => {
    const s = fresh();
    try {
      await s.exec(['true']);
      const [pid] = sshd.connectionPids().filter((p) => !before.has(p));
      expect(pid).toBeDefined();
      process.kill(pid!, 'SIGSTOP');
      try {
        const e = await rejection(s.exec(['true'], { shared: true, timeoutMs: 800, step: 'silent' }));
        expect(e.code).toBe('TIMEOUT');
        expect(e.message).toBe('test-host-2: silent: no result within 800 ms');
      } finally {
        process.kill(pid!, 'SIGCONT');
      }
    } finally {
      await other.closeAll();
    }
  });

  it('a connection cut while a shared command runs rejects CONNECT_FAILED "outcome unknown"; the next one reconnects', async () => {
    const s = session();
    await s.exec(['true'], { shared: true });
    const p = s.exec(['sh', '-c', 'sleep 60'], { shared: true, step: 'long' });
    await new Promise((r) => setTimeout(r, 300));
    for (const pid of sshd.connectionPids()) killPid(pid);
    const e = await rejection(p);
    expect(e.code).toBe('CONNECT_FAILED');
    expect(e.message).toBe('test-host: long: connection lost while the command ran (its outcome is unknown)');
    expect((await s.exec(['echo', 'up'], { shared: true })).stdout).toBe('up\n');
  });
});

describe.skipIf(skip)('the held shell on servers that allow few sessions', { timeout: 90_000 }, () => {
  const started: TestSshd[] = [];
  const start = async (maxSessions: number) => {
    const sshd = await startSshd({ extraConfig: [`MaxSessions ${maxSessions}`] });
    started.push(sshd);
    sshd.authorize('root', generateKey(sshd.dir, 'client', { type: 'ed25519' }).publicLine);
    const pool = new SessionPool({ trust: trustWith(sshd.dir, sshd.knownHostsLines()).trust, secrets: secretsOf({}) });
    const session = () => pool.session({ label: 'tight-host', target: sshTargetSchema.parse({ host: '127.0.0.1', port: sshd.port, user: 'root', auth: { method: 'key', keyPath: join(sshd.dir, 'client') } }) });
    return { sshd, pool, session };
  };
  afterAll(async () => {
    for (const s of started) await s.stop();
  });

  it('MaxSessions 1: the idle held shell gives its session back when a command needs a channel of its own', async () => {
    const { pool, session } = await start(1);
    try {
      expect((await session().exec(['echo', 'in the shell'], { shared: true })).stdout).toBe('in the shell\n');
      expect(session().sharedRuns).toBe(1);
      // stdin needs a channel of its own: the server allows only one session, the shell's
      expect((await session().exec(['cat'], { stdin: 'own channel' })).stdout).toBe('own channel');
      // and for a while shared commands take channels of their own too (no shell to fight over the one session)
      expect((await session().exec(['echo', 'again'], { shared: true })).stdout).toBe('again\n');
      expect(session().sharedRuns).toBe(1);
    } finally {
      await pool.closeAll();
    }
  });

  it('MaxSessions 0: a shared command fails as a command on its own channel does (refused, the connection kept)', async () => {
    const { sshd, pool, session } = await start(0);
    try {
      const e = await rejection(session().exec(['echo', 'x'], { shared: true, step: 'probe' }));
      expect(e.code).toBe('CONNECT_FAILED');
      expect(e.detail).toMatchObject({ channelNotOpened: true, channelRefused: true });
      expect(session().sharedRuns).toBe(0);
      expect(sshd.connectionCount()).toBe(1);
    } finally {
      await pool.closeAll();
    }
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionPool } from '../../../../electron/ssh/session-pool.ts';
import { MAX_REMOTE_FILE_BYTES, readRemoteFile } from '../../../../electron/services/conf-remote.ts';
import { DEFAULT_MAX_OUTPUT_BYTES, type AuditEntry } from '../../../../electron/ssh/types.ts';
import { sshTargetSchema } from '../../../../shared/model/cluster.ts';
import { generateKey, killPid, sshdUnavailable, startSshd, type TestSshd } from '../../../support/sshd.ts';
import { alive, rejection, secretsOf, trustWith, waitFor } from './support.ts';

const skip = sshdUnavailable();
if (skip) console.warn(`ssh-session tests skipped: ${skip}`);

describe.skipIf(skip)('SshSession against a real OpenSSH sshd', { timeout: 90_000 }, () => {
  let sshd: TestSshd;
  let pool: SessionPool;
  const audit: AuditEntry[] = [];
  const session = () =>
    pool.session({ label: 'test-host', target: sshTargetSchema.parse({ host: '127.0.0.1', port: sshd.port, user: 'root', auth: { method: 'key', keyPath: join(sshd.dir, 'client') } }) });

  beforeAll(async () => {
    sshd = await startSshd();
    sshd.authorize('root', generateKey(sshd.dir, 'client', { type: 'ed25519' }).publicLine);
    pool = new SessionPool({ trust: trustWith(sshd.dir, sshd.knownHostsLines()).trust, secrets: secretsOf({}), audit: (e) => audit.push(e), backoffMs: [100, 300, 1000] });
  });
  afterAll(async () => {
    await pool?.closeAll();
    await sshd?.stop();
  });

  it('resolves exit code, stdout and stderr; a non-zero exit is a result, not an error', async () => {
    const r = await session().exec(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toMatchObject({ code: 3, signal: null, stdout: 'out\n', stderr: 'err\n' });
    expect(r.durationMs).toBeGreaterThan(0);
  });

  it('passes every argument verbatim (quoting by shellQuote only)', async () => {
    const args = ['a b', "it's", '$HOME', '`id`', '', '*', 'x;y|z', 'ünï'];
    const r = await session().exec(['printf', '%s|', ...args]);
    expect(r.stdout).toBe(`${args.join('|')}|`);
  });

  it('feeds stdin and closes it; without stdin a reader sees EOF', async () => {
    expect((await session().exec(['cat'], { stdin: 'hello\nworld' })).stdout).toBe('hello\nworld');
    expect((await session().exec(['cat'])).stdout).toBe('');
  });

  it('streams output as it arrives (the chunks add up to stdout)', async () => {
    const chunks: string[] = [];
    const r = await session().exec(['sh', '-c', 'for i in 1 2 3; do echo line$i; sleep 0.05; done'], { onStdout: (c) => chunks.push(c) });
    expect(chunks.join('')).toBe(r.stdout);
    expect(r.stdout).toBe('line1\nline2\nline3\n');
  });

  it('reports a signal death as code null + signal name', async () => {
    const r = await session().exec(['sh', '-c', 'kill -TERM $$']);
    expect(r.code).toBeNull();
    expect(r.signal).toBe('TERM');
  });

  it('timeout rejects with TIMEOUT and the remote command is killed', async () => {
    const pidFile = join(sshd.dir, 'timeout.pid');
    const e = await rejection(session().exec(['sh', '-c', `echo $$ > ${pidFile}; exec sleep 60`], { timeoutMs: 500, step: 'sleep' }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toBe('test-host: sleep: no result within 500 ms');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !alive(pid), `remote sleep ${pid} to end`);
  });

  it('cancel (AbortSignal) rejects with CANCELLED and kills the remote command', async () => {
    const pidFile = join(sshd.dir, 'cancel.pid');
    const ac = new AbortController();
    const p = session().exec(['sh', '-c', `echo $$ > ${pidFile}; echo started; exec sleep 60`], { signal: ac.signal, onStdout: (c) => c.includes('started') && ac.abort() });
    const e = await rejection(p);
    expect(e.code).toBe('CANCELLED');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !alive(pid), `remote sleep ${pid} to end`);
  });

  it('an already-aborted signal never runs the command', async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await rejection(session().exec(['touch', join(sshd.dir, 'never')], { signal: ac.signal }))).code).toBe('CANCELLED');
    expect((await session().exec(['test', '-e', join(sshd.dir, 'never')])).code).toBe(1);
  });

  it('reuses one connection for many commands, also 25 at once (more than sshd\'s MaxSessions 10)', async () => {
    const before = sshd.connectionCount();
    for (let i = 0; i < 10; i++) expect((await session().exec(['echo', String(i)])).stdout).toBe(`${i}\n`);
    const many = await Promise.all(Array.from({ length: 25 }, (_, i) => session().exec(['echo', `n${i}`])));
    expect(many.map((r) => r.stdout)).toEqual(Array.from({ length: 25 }, (_, i) => `n${i}\n`));
    expect(sshd.connectionCount()).toBe(before);
    expect(sshd.connectionCount()).toBe(1);
    expect(session().connectCount).toBe(1);
  });

  it('reconnects on the next exec after the connection was killed', async () => {
    await session().exec(['true']);
    const pids = sshd.connectionPids();
    expect(pids.length).toBe(1);
    killPid(pids[0]!);
    await waitFor(() => !session().connected, 'the session to notice the drop');
    const r = await session().exec(['echo', 'back']);
    expect(r.stdout).toBe('back\n');
    expect(sshd.connectionCount()).toBe(2);
    expect(session().connectCount).toBe(2);
  });

  it('a connection cut while a command runs rejects CONNECT_FAILED "outcome unknown"; the next exec reconnects', async () => {
    const count = sshd.connectionCount();
    const p = session().exec(['sh', '-c', 'echo started; exec sleep 60'], {
      step: 'long',
      onStdout: (c) => {
        if (c.includes('started')) killPid(sshd.connectionPids()[0]!);
      },
    });
    const e = await rejection(p);
    expect(e.code).toBe('CONNECT_FAILED');
    expect(e.message).toBe('test-host: long: connection lost while the command ran (its outcome is unknown)');
    expect(e.detail).toMatchObject({ connectionLost: true, stdout: 'started\n' });
    expect((await session().exec(['echo', 'up'])).stdout).toBe('up\n');
    expect(sshd.connectionCount()).toBe(count + 1);
  });

  it('output beyond the per-call cap stops the remote command with a clear error', { timeout: 120_000 }, async () => {
    const pidFile = join(sshd.dir, 'cap.pid');
    // 200,000 bytes, then the command would sleep for a minute: the cap must stop it, not wait for it
    const e = await rejection(session().exec(['sh', '-c', `echo $$ > ${pidFile}; head -c 200000 /dev/zero | tr '\\0' y; exec sleep 60`], { maxOutputBytes: 65_536, step: 'flood' }));
    expect(e.code).toBe('COMMAND_FAILED');
    expect(e.message).toBe('test-host: flood: output exceeded 65536 bytes; the command was stopped');
    expect(e.detail).toMatchObject({ outputLimit: 65_536, stream: 'stdout' });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !alive(pid), `remote command ${pid} to be stopped`);
    // stderr has its own cap
    const err = await rejection(session().exec(['sh', '-c', "head -c 200000 /dev/zero | tr '\\0' y >&2"], { maxOutputBytes: 65_536, step: 'flood stderr' }));
    expect(err.message).toBe('test-host: flood stderr: output exceeded 65536 bytes on stderr; the command was stopped');
    expect((await session().exec(['echo', 'still fine'])).stdout).toBe('still fine\n');
  });

  it(`the default cap is ${DEFAULT_MAX_OUTPUT_BYTES} bytes of stdout; a call that expects more says so`, { timeout: 60_000 }, async () => {
    const big = DEFAULT_MAX_OUTPUT_BYTES + 1000;
    const e = await rejection(session().exec(['head', '-c', String(big), '/dev/zero'], { step: 'big' }));
    expect(e.message).toBe(`test-host: big: output exceeded ${DEFAULT_MAX_OUTPUT_BYTES} bytes; the command was stopped`);
    const r = await session().exec(['head', '-c', String(big), '/dev/zero'], { maxOutputBytes: 2 * DEFAULT_MAX_OUTPUT_BYTES });
    expect(r.stdout.length).toBe(big);
  });

  it('conf pull (readRemoteFile) of a file over 1 MiB is stopped with the same clear error', async () => {
    const f = join(sshd.dir, 'huge.conf');
    writeFileSync(f, `VIP=10.0.0.1\n${'# padding\n'.repeat(120_000)}`);
    const e = await rejection(readRemoteFile(session(), f));
    expect(e.message).toBe(`test-host: cat ${f}: output exceeded ${MAX_REMOTE_FILE_BYTES} bytes; the command was stopped`);
    writeFileSync(f, 'VIP=10.0.0.1\n');
    expect(await readRemoteFile(session(), f)).toBe('VIP=10.0.0.1\n');
  });

  it('audits every command without stdin content', async () => {
    audit.length = 0;
    await session().exec(['sh', '-c', 'cat >/dev/null'], { stdin: 'top-secret-stdin' });
    await session().exec(['sh', '-c', 'exit 4']);
    expect(audit.map((a) => [a.host, a.argv, a.code])).toEqual([
      ['test-host', ['sh', '-c', 'cat >/dev/null'], 0],
      ['test-host', ['sh', '-c', 'exit 4'], 4],
    ]);
    expect(JSON.stringify(audit)).not.toContain('top-secret-stdin');
  });

  it('closeAll ends every session; a later exec connects again', async () => {
    await session().exec(['true']);
    await pool.closeAll();
    expect(pool.size).toBe(0);
    const count = sshd.connectionCount();
    expect((await session().exec(['echo', 'again'])).stdout).toBe('again\n');
    expect(sshd.connectionCount()).toBe(count + 1);
  });
});

describe.skipIf(skip)('SshSession against an sshd that refuses channels (MaxSessions)', { timeout: 90_000 }, () => {
  const tight: TestSshd[] = [];
  let pool: SessionPool;
  const start = async (maxSessions: number) => {
    const sshd = await startSshd({ extraConfig: [`MaxSessions ${maxSessions}`] });
    sshd.authorize('root', generateKey(sshd.dir, 'client', { type: 'ed25519' }).publicLine);
    tight.push(sshd);
    pool = new SessionPool({ trust: trustWith(sshd.dir, sshd.knownHostsLines()).trust, secrets: secretsOf({}), backoffMs: [100, 300, 1000] });
    return { sshd, session: () => pool.session({ label: 'tight-host', target: sshTargetSchema.parse({ host: '127.0.0.1', port: sshd.port, user: 'root', auth: { method: 'key', keyPath: join(sshd.dir, 'client') } }) }) };
  };
  afterAll(async () => {
    await pool?.closeAll();
    for (const s of tight) await s.stop();
  });

  it('a channel refused while others run cuts neither them nor the connection: it waits for one to end, then runs', async () => {
    const { sshd, session } = await start(2);
    // Two commands hold sshd's two sessions; a third is refused ("no more sessions") and must wait its turn.
    const holders = [1, 2].map((i) => session().exec(['sh', '-c', `sleep 2; echo held${i}`]));
    await waitFor(() => (sshd.log().match(/Starting session: command/g) ?? []).length >= 2, 'both holders to start');
    const third = await session().exec(['echo', 'third']);
    expect(third).toMatchObject({ code: 0, stdout: 'third\n' });
    expect(sshd.log()).toMatch(/no more sessions/);
    expect((await Promise.all(holders)).map((r) => [r.code, r.stdout])).toEqual([
      [0, 'held1\n'],
      [0, 'held2\n'],
    ]);
    // Then it keeps to what the server allows: more commands than that, on the same connection, all run.
    const runs = await Promise.all(Array.from({ length: 7 }, (_, i) => session().exec(['echo', `n${i}`])));
    expect(runs.map((r) => r.stdout)).toEqual(Array.from({ length: 7 }, (_, i) => `n${i}\n`));
    // Idle in between: the next burst asks for the configured number again, is refused again, and still all run.
    const refusedBefore = (sshd.log().match(/no more sessions/g) ?? []).length;
    const again = await Promise.all(Array.from({ length: 5 }, (_, i) => session().exec(['sh', '-c', `sleep 0.3; echo m${i}`])));
    expect(again.map((r) => r.stdout)).toEqual(Array.from({ length: 5 }, (_, i) => `m${i}\n`));
    expect((sshd.log().match(/no more sessions/g) ?? []).length).toBeGreaterThan(refusedBefore);
    expect(session().connectCount).toBe(1);
    expect(sshd.connectionCount()).toBe(1);
  });

  it('a server that refuses every channel (MaxSessions 0): asked again on the same connection, then the refusal is the error', async () => {
    const { sshd, session } = await start(0);
    const e = await rejection(session().exec(['echo', 'x'], { step: 'probe' }));
    expect(e.code).toBe('CONNECT_FAILED');
    expect(e.message).toBe('tight-host: probe: cannot open a channel ((SSH) Channel open failure: open failed)');
    expect(e.detail).toMatchObject({ channelNotOpened: true, channelRefused: true });
    expect(session().connectCount).toBe(1);
    expect(sshd.connectionCount()).toBe(1);
  });
});

/**
 * `npm run web` stops on SIGTERM and on Ctrl+C (SIGINT) while it holds SSH sessions: it closes them (a graceful SSH
 * disconnect, seen in a REAL sshd's log) and exits with code 0. The web host runs as its own process exactly as `npm run
 * web` starts it (tsx electron/web/main.ts), on the built renderer, with a fresh $LVS_CONSOLE_HOME; a page-like
 * WebSocket client saves a profile for the test sshd and reads the director's status, which opens the session.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { generateKey, sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.ts';
import { ensureRendererBuilt } from './harness.ts';

const skip = sshdUnavailable();
if (skip) console.log(`web exit e2e skipped: ${skip}`);
const REPO = resolve(import.meta.dirname, '../..');

/** Starts `tsx electron/web/main.ts` in its own process group; resolves with the page URL it printed. */
function startWeb(home: string): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/web/main.ts'], { cwd: REPO, env: { ...process.env, LVS_CONSOLE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => void (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => void (out += d.toString()));
  return new Promise((res, rej) => {
    const t = setInterval(() => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(out);
      if (m) {
        clearInterval(t);
        res({ child, url: m[1]!, out: () => out });
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(t);
      rej(new Error(`web host exited (${code}) before printing its URL:\n${out}`));
    });
  });
}

/** A page-like client: calls contract methods over the web host's WebSocket. */
async function client(url: string) {
  const u = new URL(url);
  const token = u.hash.replace('#token=', '');
  const ws = new WebSocket(`ws://${u.host}/api?token=${token}`, { origin: u.origin });
  await new Promise((res, rej) => (ws.once('open', res), ws.once('error', rej)));
  let id = 0;
  const call = (method: string, input: unknown) =>
    new Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>((res) => {
      const mine = ++id;
      const onMessage = (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as { id?: number; result?: never };
        if (frame.id === mine) {
          ws.off('message', onMessage);
          res(frame.result!);
        }
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id: mine, method, input }));
    });
  return { ws, call };
}

/** Resolves with the exit code, or undefined if the process is still running after `boundMs` (a hang, not a timing). */
function exitOf(child: ChildProcess, boundMs: number): Promise<number | null | undefined> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((res) => {
    const t = setTimeout(() => res(undefined), boundMs);
    child.once('exit', (code) => (clearTimeout(t), res(code)));
  });
}

describe.skipIf(skip !== undefined)('npm run web stops while SSH sessions are open', { timeout: 120_000 }, () => {
  let sshd: TestSshd;
  let keyPath: string;
  const homes: string[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    ensureRendererBuilt();
    sshd = await startSshd({ logLevel: 'VERBOSE' });
    const k = generateKey(sshd.dir, 'client', { type: 'ed25519' });
    keyPath = k.privatePath;
    sshd.authorize('root', k.publicLine);
  });
  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode === null && c.pid) {
        try {
          process.kill(-c.pid, 'SIGKILL'); // its own group, by id: only what this test started
        } catch {
          // gone
        }
      }
    }
    await sshd?.stop();
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: closes the SSH session (graceful disconnect) and exits 0`, async () => {
      const home = mkdtempSync(join(tmpdir(), 'lvs-web-exit-'));
      homes.push(home);
      const web = await startWeb(home);
      children.push(web.child);
      const { ws, call } = await client(web.url);
      const cluster = { id: 'exit', name: 'Exit test', director: { host: '127.0.0.1', port: sshd.port, user: 'root', auth: { method: 'key', keyPath } }, vip: '10.123.0.50', knownHosts: sshd.knownHostsLines() };
      expect((await call('clusters.save', { cluster })).ok).toBe(true);
      const before = sshd.connectionCount();
      // The status opens the director's session (whatever the answer: ipvsadm may be missing on this machine).
      await call('director.status', { clusterId: 'exit' });
      expect(sshd.connectionCount()).toBe(before + 1);
      const disconnects = () => (sshd.log().match(/Received disconnect from 127\.0\.0\.1/g) ?? []).length;
      const gracefulBefore = disconnects();

      process.kill(web.child.pid!, signal);
      const code = await exitOf(web.child, 60_000);
      ws.terminate();
      expect(code, `the web host did not exit after ${signal}; it printed:\n${web.out()}`).toBe(0);
      expect(web.out()).toContain('SSH sessions closed; stopped.');
      await expect.poll(disconnects, { timeout: 10_000 }).toBe(gracefulBefore + 1);
    });
  }
});

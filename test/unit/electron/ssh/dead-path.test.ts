/**
 * A connection whose peer stops answering mid-command (what a route fix does to the desktop's own SSH path to a
 * realserver when the director does not forward yet): the command times out, and closing the session must really close
 * the connection, so the process can exit. Before the fix, ssh2's destroy() did nothing after end() and lvsctl stayed
 * alive for ~15 minutes (issue 9 §3). Real sshd behind a TCP relay that can be switched to "black hole": it keeps both
 * sockets open but drops everything, like a path whose replies are routed away.
 */
import { spawn } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionPool } from '../../../../electron/ssh/session-pool.ts';
import { sshTargetSchema } from '../../../../shared/model/cluster.ts';
import { generateKey, sshdUnavailable, startSshd, type TestSshd } from '../../../support/sshd.ts';
import { rejection, secretsOf, trustWith } from './support.ts';

const skip = sshdUnavailable();
if (skip) console.warn(`dead-path tests skipped: ${skip}`);

/** A relay 127.0.0.1:port → target; `hole()` makes it drop every byte both ways from then on (sockets stay open). */
async function relay(targetPort: number): Promise<{ port: number; hole(): void; close(): void }> {
  let black = false;
  const clients: Socket[] = [];
  // allowHalfOpen: a FIN from the client is not answered (a black-holed peer never answers anything).
  const srv: Server = createServer({ allowHalfOpen: true }, (c) => {
    const up = createConnection(targetPort, '127.0.0.1');
    clients.push(c, up);
    c.on('data', (d) => void (black || up.write(d)));
    up.on('data', (d) => void (black || c.write(d)));
    c.on('error', () => undefined);
    up.on('error', () => undefined);
    // No end() forwarding: a black-holed peer never answers a FIN either.
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  return {
    port,
    hole: () => void (black = true),
    close: () => {
      for (const c of clients) c.destroy();
      srv.close();
    },
  };
}

describe.skipIf(skip)('a connection whose peer stops answering', { timeout: 90_000 }, () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    sshd = await startSshd();
    sshd.authorize('root', generateKey(sshd.dir, 'client', { type: 'ed25519' }).publicLine);
  });
  afterAll(async () => {
    await sshd?.stop();
  });
  // The host key as seen through the relay's port.
  const linesFor = (port: number) => sshd.knownHostsLines().map((l) => l.replace(`]:${sshd.port} `, `]:${port} `));

  it('times out, and closeAll really closes its socket (no TCP handle of it left in this process)', async () => {
    const r = await relay(sshd.port);
    try {
      const pool = new SessionPool({ trust: trustWith(sshd.dir, linesFor(r.port)).trust, secrets: secretsOf({}) });
      const s = pool.session({ label: 'rs1', target: sshTargetSchema.parse({ host: '127.0.0.1', port: r.port, user: 'root', auth: { method: 'key', keyPath: join(sshd.dir, 'client') } }) });
      expect((await s.exec(['echo', 'ok'])).stdout).toBe('ok\n');
      r.hole();
      const e = await rejection(s.exec(['sleep', '5'], { timeoutMs: 1000 }));
      expect(e.code).toBe('TIMEOUT');
      // This process holds the client's socket and the relay's two (client side, sshd side).
      const tcpHandles = () => process.getActiveResourcesInfo().filter((x) => x === 'TCPSocketWrap').length;
      const before = tcpHandles();
      await pool.closeAll();
      await new Promise((res) => setTimeout(res, 100));
      expect(tcpHandles()).toBe(before - 1);
      expect(s.connected).toBe(false);
    } finally {
      r.close();
    }
  });

  it('a process that timed out on such a connection exits after closing its sessions', async () => {
    const r = await relay(sshd.port);
    try {
      const script = join(__dirname, 'dead-path-child.ts');
      const child = spawn(process.execPath, ['--import', 'tsx', script, String(r.port), sshd.dir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEAD_PATH_KNOWN: linesFor(r.port).join('\n') } });
      let out = '';
      child.stdout.on('data', (d) => {
        out += String(d);
        if (out.includes('connected')) r.hole();
      });
      child.stderr.on('data', (d) => void (out += String(d)));
      // A hang detector, not a timing assertion: the child needs ~1 s timeout + 3 s grace; it used to live ~15 min.
      const code = await new Promise<number | null | 'hung'>((res) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          res('hung');
        }, 45_000);
        child.on('exit', (c) => {
          clearTimeout(t);
          res(c);
        });
      });
      expect(out).toContain('TIMEOUT');
      expect(code, out).toBe(0);
    } finally {
      r.close();
    }
  });
});

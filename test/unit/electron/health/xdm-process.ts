/**
 * A real Debian xdm answering XDMCP on 127.0.0.1:PORT for a test, configured like the lab's realservers
 * (test/lab/lab.sh rs_config: XDMCP on, Xaccess `*`, no local X servers), everything under a temp folder.
 * Needs /usr/bin/xdm (test/lab/install-deps.sh installs it) and root (xdm refuses otherwise).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether a real xdm can run here. */
export const canRunXdm = existsSync('/usr/bin/xdm') && existsSync('/etc/X11/xdm/xdm-config') && process.getuid?.() === 0;

/** A free UDP port on 127.0.0.1 (bound then released). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/** Starts xdm with requestPort `port`; resolves once it answers a Query. `stop()` kills it and removes its files. */
export async function startXdm(port: number): Promise<{ stop: () => Promise<void> }> {
  const d = mkdtempSync(join(tmpdir(), 'xdm-test-'));
  mkdirSync(join(d, 'auth'));
  writeFileSync(join(d, 'Xservers'), '');
  writeFileSync(join(d, 'Xaccess'), '*\n');
  const conf = readFileSync('/etc/X11/xdm/xdm-config', 'utf8')
    .replace(/^DisplayManager\.authDir:.*$/m, `DisplayManager.authDir:\t${d}/auth`)
    .replace(/^DisplayManager\.errorLogFile:.*$/m, `DisplayManager.errorLogFile:\t${d}/xdm.log`)
    .replace(/^DisplayManager\.pidFile:.*$/m, `DisplayManager.pidFile:\t${d}/xdm.pid`)
    .replace(/^DisplayManager\.servers:.*$/m, `DisplayManager.servers:\t${d}/Xservers`)
    .replace(/^DisplayManager\.accessFile:.*$/m, `DisplayManager.accessFile:\t${d}/Xaccess`)
    .replace(/^DisplayManager\.requestPort:.*$/m, `DisplayManager.requestPort:\t${port}`);
  writeFileSync(join(d, 'xdm-config'), conf);
  const child: ChildProcess = spawn('/usr/bin/xdm', ['-config', join(d, 'xdm-config'), '-nodaemon'], { stdio: 'ignore' });
  const stop = async () => {
    if (child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    rmSync(d, { recursive: true, force: true });
  };
  for (let i = 0; i < 50; i++) {
    if (await answers(port)) return { stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  const log = existsSync(join(d, 'xdm.log')) ? readFileSync(join(d, 'xdm.log'), 'utf8') : '';
  await stop();
  throw new Error(`xdm did not answer on 127.0.0.1:${port} within 5 s: ${log}`);
}

async function answers(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  return new Promise((resolve) => {
    const done = (v: boolean) => {
      clearTimeout(t);
      s.close();
      resolve(v);
    };
    const t = setTimeout(() => done(false), 300);
    s.on('message', () => done(true));
    s.on('error', () => done(false));
    s.send(Buffer.from([0, 1, 0, 2, 0, 1, 0]), port, '127.0.0.1');
  });
}

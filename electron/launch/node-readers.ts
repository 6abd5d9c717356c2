/** The real DetectReaders and display check for this process (fs, env, reg.exe on Windows, a loopback port probe). */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { linuxDisplayTaken } from './display.ts';
import type { DetectReaders, LaunchPlatform } from './types.ts';
import { regExeReader } from './windows-registry.ts';

/** This machine's platform as Connect me sees it (other POSIX systems are treated like Linux). */
export function currentLaunchPlatform(platform: NodeJS.Platform = process.platform): LaunchPlatform {
  return platform === 'win32' ? 'win32' : 'linux';
}

/** DetectReaders backed by the real file system, environment and (on Windows) registry. */
export function nodeDetectReaders(env: NodeJS.ProcessEnv = process.env): DetectReaders {
  const platform = currentLaunchPlatform();
  const readers: DetectReaders = { platform, env, exists: (p) => existsSync(p) };
  if (platform === 'win32') {
    const system32 = `${env['SystemRoot'] ?? 'C:\\Windows'}\\System32\\reg.exe`;
    readers.registry = regExeReader(
      (file, args) =>
        new Promise((resolve) => {
          execFile(file, args, { windowsHide: true, timeout: 5000 }, (err, stdout) => {
            const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
            resolve({ code, stdout: String(stdout) });
          });
        }),
      env,
      system32,
    );
  }
  return readers;
}

/** True when something accepts TCP connections on 127.0.0.1:port (used for Windows X displays: 6000 + n). */
export function loopbackPortInUse(port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** The display-taken check for this platform. */
export function nodeDisplayTaken(platform: LaunchPlatform = currentLaunchPlatform()): (n: number) => Promise<boolean> {
  if (platform === 'win32') return (n) => loopbackPortInUse(6000 + n);
  return linuxDisplayTaken((p) => existsSync(p));
}

/**
 * Starts a launcher: argv array, no shell, detached (it outlives the app and, on Windows, gets its own console window
 * for console programs such as telnet.exe), window not hidden, stdio ignored. Resolves once the OS has started it.
 */
import { spawn as nodeSpawn, type SpawnOptions } from 'node:child_process';
import { AppError } from '../../shared/result.ts';

/** The part of a ChildProcess used here. */
export interface SpawnedChild {
  readonly pid?: number | undefined;
  once(event: 'spawn', listener: () => void): unknown;
  once(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
  unref(): void;
}

/** child_process.spawn's shape (injected in tests). */
export type SpawnFn = (file: string, args: readonly string[], options: SpawnOptions) => SpawnedChild;

/** The options every launcher is spawned with. */
export const LAUNCH_SPAWN_OPTIONS: Readonly<SpawnOptions> = Object.freeze({ shell: false, detached: true, windowsHide: false, stdio: 'ignore' });

/** Spawns `file args…` detached; resolves the pid, or rejects with AppError NOT_FOUND / UNSUPPORTED / INTERNAL. */
export function spawnDetached(file: string, args: readonly string[], spawnFn: SpawnFn = nodeSpawn as unknown as SpawnFn): Promise<{ pid: number }> {
  return new Promise((resolve, reject) => {
    let child: SpawnedChild;
    try {
      child = spawnFn(file, args, { ...LAUNCH_SPAWN_OPTIONS });
    } catch (e) {
      reject(new AppError('UNSUPPORTED', `cannot start ${file}: ${(e as Error).message}`, { step: 'start launcher' }));
      return;
    }
    child.once('error', (err) => {
      const code = err.code;
      if (code === 'ENOENT') reject(new AppError('NOT_FOUND', `${file} was not found (is it installed? check the path in Settings)`, { step: 'start launcher' }));
      else if (code === 'EACCES' || code === 'EPERM') reject(new AppError('UNSUPPORTED', `${file} is not executable (${code})`, { step: 'start launcher' }));
      else reject(new AppError('INTERNAL', `cannot start ${file}: ${err.message}`, { step: 'start launcher' }));
    });
    child.once('spawn', () => {
      child.unref();
      if (child.pid === undefined) reject(new AppError('INTERNAL', `${file} started without a pid`, { step: 'start launcher' }));
      else resolve({ pid: child.pid });
    });
  });
}

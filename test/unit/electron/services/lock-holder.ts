/**
 * Holders of the director's lock (electron/shell/director-lock.ts) for unit tests: a real process on this machine (a
 * `sleep`) whose token is written as the lock, exactly as lock_take writes it (PID:START:BOOT:SINCE:WHO), or the token
 * of a process that no longer runs, of another boot, or of a reused pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_NAME } from '../../../../electron/shell/director-lock.ts';

/** This machine's boot id (what lock_boot prints). */
export function bootId(): string {
  return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
}

/** A process's start time in clock ticks (field 22 of /proc/PID/stat, what lock_pstart prints). */
export function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[19]!;
}

/** A token as lock_take writes it. */
export function token(pid: number, who: string, opts: { start?: string; boot?: string; since?: number } = {}): string {
  return `${pid}:${opts.start ?? startTime(pid)}:${opts.boot ?? bootId()}:${opts.since ?? Math.floor(Date.now() / 1000)}:${who}`;
}

/** A live holder: a `sleep` process whose token is the lock in `dir`. release() removes the lock as lock_release does. */
export interface Holder {
  pid: number;
  token: string;
  path: string;
  release(): void;
  kill(): Promise<void>;
}

/** Makes a live `sleep 300` hold the lock in `dir` as `who`. */
export async function holdLock(dir: string, who: string): Promise<Holder> {
  const child: ChildProcess = spawn('sleep', ['300'], { stdio: 'ignore' });
  await new Promise<void>((r) => child.once('spawn', () => r()));
  const pid = child.pid!;
  const t = token(pid, who);
  const path = join(dir, LOCK_NAME);
  symlinkSync(t, path);
  return {
    pid,
    token: t,
    path,
    release: () => rmSync(path, { force: true }),
    kill: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null || child.signalCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGKILL');
      }),
  };
}

/** The token of a process that ran and is gone (its pid and start time were real). */
export async function deadToken(who: string): Promise<string> {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  await new Promise<void>((r) => child.once('spawn', () => r()));
  const t = token(child.pid!, who);
  await new Promise<void>((r) => {
    child.once('exit', () => r());
    child.kill('SIGKILL');
  });
  return t;
}

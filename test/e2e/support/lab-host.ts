/**
 * What the lab e2e needs from the lab outside the browser: whether it can run here, waiting until no other lab user is
 * active, the lab's own host-key fingerprints (to compare with the trust dialog), client telnet sessions through the VIP
 * (each in its own process group so it is ended by id), and which realserver's xdm manages a desktop display.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { labExec, labUnavailable, REPO } from '../../lab/support/remote-lab.ts';
import { realProofSkip } from '../../support/require-real.ts';

/** Why the lab e2e cannot run here (undefined when it can): not Linux/root, or no qemu to boot the director. */
export function labE2eSkipReason(): string | undefined {
  const base = labUnavailable();
  if (base) return base;
  return realProofSkip(labE2eMissing(), 'the lab e2e (real services, the lab and Chromium)');
}

function labE2eMissing(): string | undefined {
  if (spawnSync('sh', ['-c', 'command -v qemu-system-x86_64'], { encoding: 'utf8' }).status !== 0) return 'qemu-system-x86_64 is not installed (bash test/lab/install-deps.sh), so the lab director cannot boot';
  if (!existsSync('/usr/bin/chromium') && !process.env.CHROMIUM_PATH) return '/usr/bin/chromium is missing (apt-get install chromium)';
  return undefined;
}

/** Command lines of other processes using the lab (lab vitest files, bench:lab), excluding this process. */
export function otherLabUsers(): string[] {
  const found: string[] = [];
  for (const pattern of ['vitest.*(test/lab|remote-verbs)', 'bench/run.ts lab']) {
    const r = spawnSync('pgrep', ['-af', pattern], { encoding: 'utf8' });
    for (const line of (r.stdout ?? '').split('\n')) {
      const pid = Number(line.split(' ')[0]);
      if (line.trim() && pid !== process.pid && pid !== process.ppid) found.push(line.trim());
    }
  }
  return found;
}

/** Waits (re-checking every 60 s, at most maxMs) until no other lab user is active; throws naming them otherwise. */
export async function waitForLabFree(maxMs: number, log: (line: string) => void = console.log): Promise<void> {
  const until = Date.now() + maxMs;
  for (;;) {
    const users = otherLabUsers();
    if (users.length === 0) return;
    if (Date.now() > until) throw new Error(`the lab is still in use by another process after ${Math.round(maxMs / 1000)} s:\n${users.join('\n')}`);
    log(`lab e2e: waiting for other lab users to finish:\n  ${users.join('\n  ')}`);
    await new Promise((r) => setTimeout(r, 60_000));
  }
}

/** host → SHA256 fingerprint of the keys the lab generated, from `ssh-keygen -lf .lab/known_hosts`. */
export function labFingerprints(): Map<string, string> {
  const file = join(REPO, '.lab', 'known_hosts');
  const r = spawnSync('ssh-keygen', ['-lf', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen -lf ${file} failed: ${r.stderr}`);
  const out = new Map<string, string>();
  // "256 SHA256:xdznfvmVB+trAoQLx4yqop8HKkmG3nsyLf38dvRX2BU 10.77.0.1 (ED25519)"
  const line = /^\d+ (SHA256:\S+) (\S+) \(\w+\)$/;
  r.stdout.split('\n').forEach((l, i) => {
    if (!l.trim()) return;
    const m = line.exec(l.trim());
    if (!m) throw new Error(`${file}: ssh-keygen -lf line ${i + 1} not understood: ${l}`);
    out.set(m[2]!, m[1]!);
  });
  return out;
}

/** The director's fingerprint straight from its host key file (`ssh-keygen -lf .lab/keys/director_host_ed25519_key.pub`). */
export function directorFingerprint(): string {
  const file = join(REPO, '.lab', 'keys', 'director_host_ed25519_key.pub');
  const r = spawnSync('ssh-keygen', ['-lf', file], { encoding: 'utf8' });
  const fp = /(SHA256:\S+)/.exec(r.stdout ?? '')?.[1];
  if (r.status !== 0 || !fp) throw new Error(`ssh-keygen -lf ${file} failed: ${r.stderr}`);
  return fp;
}

/**
 * Starts `n` long-lived telnet sessions from the client namespace to vip:23 (stdin held open by `sleep seconds`), each
 * in its own session/process group; returns the group ids (client namespace pids) for endClientSessions.
 */
export function startClientTelnets(vip: string, n: number, seconds: number): number[] {
  const line = Array.from({ length: n }, () => `setsid sh -c 'sleep ${seconds} | telnet ${vip} 23' </dev/null >/dev/null 2>&1 & echo $!`).join('; ');
  const r = labExec('client', line);
  if (r.code !== 0) throw new Error(`starting telnet sessions in the client failed (exit ${r.code}): ${r.stderr}`);
  const pids = r.stdout.split('\n').filter(Boolean).map(Number);
  if (pids.length !== n || pids.some((p) => !Number.isInteger(p) || p <= 1)) throw new Error(`unexpected pids from the client: ${r.stdout}`);
  return pids;
}

/** Ends the telnet sessions startClientTelnets started (their process groups, by id). */
export function endClientSessions(pgids: readonly number[]): void {
  if (pgids.length) labExec('client', pgids.map((p) => `kill -- -${p} 2>/dev/null`).join('; ') + '; true');
}

/**
 * The realservers whose xdm manages display `:n` of the desktop (an xdm child named "-10.77.0.60:N" / "-desktop:N",
 * as smoke.sh looks for the client's).
 */
export function realserversManaging(names: readonly string[], desktop: { ip: string; name: string }, display: number): string[] {
  return names.filter((rs) => {
    const r = labExec(rs, 'ps', '-eo', 'args');
    return r.stdout.split('\n').some((a) => a.startsWith(`-${desktop.ip}:${display}`) || a.startsWith(`-${desktop.name}:${display}`));
  });
}

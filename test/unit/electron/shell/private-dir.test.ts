/**
 * The transaction's files live in a private directory (electron/shell/private-dir.ts): proven with the real scripts run
 * by a real sh as root, against directories another local user (nobody, through runuser) controls or links elsewhere.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newTxid } from '../../../../electron/services/txid.ts';
import { buildTransaction, parseTxOutput } from '../../../../electron/lvs/plan/transaction.ts';
import { waitArgv } from '../../../../electron/shell/transaction-script.ts';
import { assertPlainDir, PRIVATE_DIR_FN } from '../../../../electron/shell/private-dir.ts';
import { directorSysctls, planStart, type DirectorObserved } from '../../../../electron/lvs/plan/director-plan.ts';
import { profileResolver } from '../../../../electron/lvs/plan/desired-table.ts';
import { localDirector, privateTestBase, type LocalDirector, standInCluster } from '../services/local-director.ts';
import { realProofSkip } from '../../../support/require-real.ts';

const cluster = standInCluster;
const resolve = profileResolver(cluster);
const empty: DirectorObserved = { table: { services: [] }, addresses: [], sysctls: Object.fromEntries(directorSysctls(cluster).map((s) => [s.key, s.value])) };

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const skip = realProofSkip(
  process.platform !== 'linux' ? 'needs Linux' : !asRoot ? 'needs root (to act as root and as nobody, like a director and a local user on it)' : !existsSync('/usr/sbin/runuser') ? 'runuser missing (util-linux)' : undefined,
  'private transaction directory tests',
);

/** Runs a shell command as the unprivileged user nobody (a local user on the director); returns its stdout. */
function asNobody(cmd: string): string {
  return execFileSync('/usr/sbin/runuser', ['-u', 'nobody', '--', 'sh', '-c', cmd], { encoding: 'utf8', cwd: '/' }).trim();
}

let ld: LocalDirector | undefined;
const made: string[] = [];
afterEach(() => {
  ld?.cleanup();
  ld = undefined;
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A file only root may touch, with known content: what an attacker would like root to truncate. */
function victim(): string {
  const d = mkdtempSync(join(privateTestBase(), 'victim-'));
  made.push(d);
  const f = join(d, 'precious');
  writeFileSync(f, 'precious\n');
  return f;
}

/** A directory nobody owns (in /tmp, where any local user can make one). */
function nobodysDir(): string {
  const d = asNobody('mktemp -d /tmp/lvs-evil.XXXXXX');
  made.push(d);
  return d;
}

/** Uploads (when the transaction has an upload) and runs the transaction; returns the upload's exit code and the verdict. */
async function run(l: LocalDirector, tx: ReturnType<typeof buildTransaction>): Promise<{ upload: number | null; stdout: string; stderr: string }> {
  let upload: number | null = 0;
  let stderr = '';
  if (tx.upload) {
    const u = await l.exec.exec(tx.upload.argv, { stdin: tx.upload.stdin ?? '' });
    upload = u.code;
    stderr += u.stderr;
  }
  const r = await l.exec.exec(tx.argv);
  return { upload, stdout: r.stdout, stderr: stderr + r.stderr };
}

describe.skipIf(!!skip)(`the transaction refuses a directory that is not private${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  it('a symlink another user planted at a transaction file does not make root write through it: refused, nothing changed', async () => {
    ld = localDirector();
    ld.setTable('-A -t 10.0.0.100:80 -s rr\n');
    const target = victim();
    const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), nobodysDir());
    // nobody knows (or watches for) the transaction's names and links them to a file only root may write
    for (const suffix of ['log', 'started', 'snap', 'batch', 'result.tmp']) asNobody(`ln -s '${target}' '${tx.prefix}.${suffix}'`);
    const r = await run(ld, tx);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(ld.table()).toBe('-A -t 10.0.0.100:80 -s rr\n');
    expect(r.upload).toBe(15);
    expect(r.stderr).toMatch(/is owned by uid 65534/);
    expect(parseTxOutput(r.stdout)?.verdict).toEqual({ kind: 'refused', why: expect.stringMatching(/^private-dir .*is owned by uid 65534/) });
  });

  it('a batch another user could rewrite between the snapshot and ipvsadm -R is never used: refused', async () => {
    ld = localDirector();
    const dir = nobodysDir();
    const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), dir);
    // nobody makes the batch file in advance, world-writable, ready to swap its lines
    asNobody(`umask 000; : > '${tx.prefix}.batch'; : > '${tx.prefix}.upload'`);
    const r = await run(ld, tx);
    expect(parseTxOutput(r.stdout)?.verdict.kind).toBe('refused');
    expect(ld.table()).toBe('');
    expect(readFileSync(`${tx.prefix}.batch`, 'utf8')).toBe('');
  });

  it('refuses a symlink to a private directory, a directory under a user-owned parent, a group/world-writable one', async () => {
    ld = localDirector();
    const base = mkdtempSync(join(privateTestBase(), 'dirs-'));
    made.push(base);
    // a symlink (made by root, to a perfectly private directory) is still refused: the path must be the directory
    const real = join(base, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, join(base, 'link'));
    // a private directory inside a directory nobody owns (nobody could rename it away and put their own in its place)
    const owned = nobodysDir();
    const inner = join(owned, 'tx');
    mkdirSync(inner, { mode: 0o700 });
    // a directory others may write into
    const open = join(base, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const loose = join(base, 'loose');
    mkdirSync(loose);
    chmodSync(loose, 0o755);
    const cases: Array<[string, RegExp]> = [
      [join(base, 'link'), /link is a symbolic link/],
      [inner, /lvs-evil\.\w+ is owned by uid 65534/],
      [open, /open has mode drwxrwxrwx/],
      [loose, /loose has mode drwxr-xr-x, not drwx------/],
      [join(open, 'sub'), /open has mode drwxrwxrwx/], // created (it did not exist), then its parent refused
      ['/tmp', /\/tmp has mode drwxrwxrwt/],
    ];
    for (const [dir, why] of cases) {
      const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), dir);
      const r = await ld.exec.exec(tx.argv);
      expect(parseTxOutput(r.stdout)?.verdict, dir).toEqual({ kind: 'refused', why: expect.stringMatching(why) });
      const w = await ld.exec.exec(waitArgv(tx.prefix, 1));
      expect(parseTxOutput(w.stdout)?.verdict, `wait in ${dir}`).toEqual({ kind: 'refused', why: expect.stringMatching(why) });
    }
    expect(readdirSync(real)).toEqual([]);
    expect(readdirSync(inner)).toEqual([]);
    expect(ld.table()).toBe('');
  });

  it('the wait after a cut connection does not believe a verdict another user planted', async () => {
    ld = localDirector();
    const dir = nobodysDir();
    const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), dir);
    asNobody(`echo applied > '${tx.prefix}.result'; : > '${tx.prefix}.started'`);
    const w = await ld.exec.exec(waitArgv(tx.prefix, 1));
    expect(parseTxOutput(w.stdout)?.verdict.kind).toBe('refused');
  });

  it('creates a missing private directory 0700 (its parents 0755) and applies there', async () => {
    ld = localDirector();
    const base = mkdtempSync(join(privateTestBase(), 'fresh-'));
    made.push(base);
    const dir = join(base, 'lvs-console', 'tx');
    const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), dir);
    const r = await run(ld, tx);
    expect(r.upload).toBe(0);
    expect(parseTxOutput(r.stdout)?.verdict).toEqual({ kind: 'applied' });
    expect(lstatSync(dir).mode & 0o7777).toBe(0o700);
    expect(lstatSync(join(base, 'lvs-console')).mode & 0o7777).toBe(0o755);
    expect(ld.table()).toBe(tx.want);
  });
});

describe('private_dir in dash and busybox sh (the director runs busybox: its own ls, id, mkdir applets)', () => {
  const shells: Array<[string, string[]]> = [
    ['dash', ['/bin/sh', '-c']],
    ['busybox sh', ['busybox', 'sh', '-c']],
  ];
  /** Runs `private_dir DIR` in a shell; its exit code and what it said. */
  function check(shell: string[], dir: string): { code: number; out: string } {
    try {
      return { code: 0, out: execFileSync(shell[0]!, [...shell.slice(1), `${PRIVATE_DIR_FN}\nprivate_dir "$1"`, 'pd', dir], { encoding: 'utf8' }).trim() };
    } catch (e) {
      const x = e as { status: number; stdout: string };
      return { code: x.status, out: x.stdout.trim() };
    }
  }

  it.each(shells)('%s: accepts a private directory (making it when missing), refuses links, loose modes and relative paths', (_name, shell) => {
    const base = mkdtempSync(join(privateTestBase(), 'sh-'));
    made.push(base);
    const fresh = join(base, 'a', 'b');
    expect(check(shell, fresh)).toEqual({ code: 0, out: '' });
    expect(lstatSync(fresh).mode & 0o7777).toBe(0o700);
    expect(check(shell, fresh)).toEqual({ code: 0, out: '' }); // again: it exists now
    symlinkSync(fresh, join(base, 'link'));
    expect(check(shell, join(base, 'link'))).toEqual({ code: 1, out: `${join(base, 'link')} is a symbolic link` });
    chmodSync(join(base, 'a'), 0o775);
    expect(check(shell, fresh)).toEqual({ code: 1, out: `${join(base, 'a')} has mode drwxrwxr-x: others than its owner may change it` });
    chmodSync(join(base, 'a'), 0o755);
    chmodSync(fresh, 0o711);
    expect(check(shell, fresh)).toEqual({ code: 1, out: `${fresh} has mode drwx--x--x, not drwx------` });
    writeFileSync(join(base, 'file'), '');
    expect(check(shell, join(base, 'file'))).toEqual({ code: 1, out: `${join(base, 'file')} is not a directory` });
    expect(check(shell, 'relative/dir')).toEqual({ code: 1, out: 'relative/dir is not an absolute path' });
    expect(check(shell, '/tmp').out).toMatch(/^\/tmp (has mode drwxrwxrwt, not drwx------|is owned by uid 0, not by uid \d+ who runs the transaction)$/);
  });

  it('the prefix must be a plain absolute path', () => {
    expect(assertPlainDir('/var/lib/lvs-console/tx')).toBe('/var/lib/lvs-console/tx');
    for (const bad of ['var/lib', '/var/../tmp', '/var/./lib', '/var//lib', '/var/lib/', '/', "/var/l'b", '/var/lib dir']) expect(() => assertPlainDir(bad), bad).toThrow(/not a plain absolute directory path/);
  });
});

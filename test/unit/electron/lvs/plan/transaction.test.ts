import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan, PlanStep } from '../../../../../shared/model/plan.ts';
import { crondReloadStep, installStep, linkStep, removeStep } from '../../../../../electron/lvs/plan/runtime-steps.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterSchema } from '../../../../../shared/model/cluster.ts';
import { newTxid } from '../../../../../electron/services/txid.ts';
import { buildTransaction, parseTxOutput } from '../../../../../electron/lvs/plan/transaction.ts';
import { TCMP_FN, TX_SCRIPT, waitArgv, WAIT_SCRIPT } from '../../../../../electron/shell/transaction-script.ts';
import { planReload, planStart, planStop, planUpdate, directorSysctls, type DirectorObserved } from '../../../../../electron/lvs/plan/director-plan.ts';
import { LOCK_NAME } from '../../../../../electron/shell/director-lock.ts';
import { deadToken, holdLock, token, type Holder } from '../../services/lock-holder.ts';
import { desiredTable, profileResolver } from '../../../../../electron/lvs/plan/desired-table.ts';
import { formatSaveLines } from '../../../../../electron/lvs/ipvs/ipvs-rules.ts';
import { parseIpAddr } from '../../../../../electron/lvs/ipvs/ip-addr-parse.ts';
import { localDirector, type LocalDirector, standInCluster } from '../../services/local-director.ts';

const cluster = standInCluster;
const resolve = profileResolver(cluster);
const sysctlsOk = Object.fromEntries(directorSysctls(cluster).map((s) => [s.key, s.value]));
const empty: DirectorObserved = { table: { services: [] }, addresses: [], sysctls: sysctlsOk };

let ld: LocalDirector | undefined;
afterEach(() => ld?.cleanup());

/** True when PATH exists as anything, a dangling symlink too. */
function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs a transaction on the local director: uploads (as the real apply does), then the transaction itself. */
async function runTx(l: LocalDirector, tx: ReturnType<typeof buildTransaction>, argv = tx.argv): Promise<{ code: number | null; stdout: string }> {
  for (const up of [...(tx.upload ? [tx.upload] : []), ...tx.files.map((f) => f.upload)]) {
    const u = await l.exec.exec(up.argv, { stdin: up.stdin ?? '' });
    expect(u.code).toBe(0);
  }
  const r = await l.exec.exec(argv);
  return { code: r.code, stdout: r.stdout };
}

describe('buildTransaction (pure)', () => {
  it('turns start into clear, vip-add, restore with the whole table as one batch and the same text as the wanted table', () => {
    const plan = planStart(cluster, empty, resolve);
    const tx = buildTransaction(plan, 'aaaaaaaaaaaaaaaa');
    expect(tx.ops).toEqual(['clear', 'vip-add 10.0.0.100/24 eth0 eth0:110', 'restore']);
    expect(tx.batch).toBe(formatSaveLines(desiredTable(cluster, resolve)));
    expect(tx.want).toBe(tx.batch);
    expect(tx.vip).toEqual({ address: '10.0.0.100', dev: 'eth0', up: true });
    expect(tx.argv.slice(0, 4)).toEqual(['sh', '-c', TX_SCRIPT, 'lvs-console-tx']);
    expect(tx.argv.slice(4, 7)).toEqual(['/var/lib/lvs-console/tx/lvs-console.aaaaaaaaaaaaaaaa', String(Buffer.byteLength(tx.upload!.stdin!)), 'check']);
    // The scripts are constants: no address, path or id of this plan is inside them.
    for (const s of [TX_SCRIPT, WAIT_SCRIPT]) expect(s).not.toMatch(/10\.0\.0|aaaaaaaa/);
  });

  it('turns stop into clear and vip-del, with an empty wanted table and no batch lines', () => {
    const up: DirectorObserved = { ...empty, addresses: parseIpAddr('2: eth0    inet 10.0.0.100/24 scope global secondary eth0:110\\       valid_lft forever preferred_lft forever\n') };
    const tx = buildTransaction(planStop(cluster, up, resolve), 'bbbbbbbbbbbbbbbb');
    expect(tx.ops).toEqual(['clear', 'vip-del 10.0.0.100/24 eth0']);
    expect(tx.batch).toBe('');
    expect(tx.want).toBe('');
    expect(tx.upload?.stdin).toBe('@@lvs-console want\n');
  });

  it('batches update steps (-d/-a) as -R lines in plan order under one restore op', () => {
    const live = desiredTable(cluster, resolve);
    const plan = planUpdate(cluster, { ...empty, table: live }, new Set(['10.0.0.11']), resolve);
    const tx = buildTransaction(plan, 'cccccccccccccccc');
    expect(tx.ops).toEqual(['restore']);
    expect(tx.batch).toBe('-d -t 10.0.0.100:23 -r 10.0.0.12:23\n-d -u 10.0.0.100:177 -r 10.0.0.12:177\n');
    expect(tx.want).toBe(formatSaveLines(plan.desired!));
  });

  it('refuses steps it cannot run inside the transaction, naming them', () => {
    expect(() => buildTransaction({ verb: 'start', steps: [{ host: 'director', argv: ['rm', '-rf', '/'], why: 'x' }] }, 'dddddddddddddddd')).toThrow(/rm -rf \/: this step cannot run inside/);
    expect(() => buildTransaction({ verb: 'start', steps: [] }, 'not-hex')).toThrow(/bad transaction id/);
  });
});

describe('the runtime in the same transaction: files, links, removals (real sh, files in a temp folder)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
  });
  const etc = () => {
    const d = mkdtempSync(join(tmpdir(), 'tx-etc-'));
    dirs.push(d);
    return d;
  };
  const withRuntime = (plan: Plan, steps: PlanStep[]): Plan => ({ ...plan, steps: [...plan.steps, ...steps] });

  it('maps install, rm, ln and the crond reload to ops; each installed file is its own upload', () => {
    const plan = withRuntime(planStart(cluster, empty, resolve), [
      installStep('/etc/lvs.conf', 'VIP=10.0.0.100\n', '644', 'the config', { check: 'sh' }),
      linkStep('/etc/init.d/lvs-director', '/etc/rc.d/rc3.d/S99lvs-director', 'boot'),
      removeStep('/etc/rc.d/rc3.d/S50keepalived', 'not at boot'),
      crondReloadStep('/var/spool/cron/crontabs', 'root', 'cron'),
    ]);
    const tx = buildTransaction(plan, 'aaaaaaaaaaaaaaaa');
    expect(tx.ops.slice(-4)).toEqual(['install 1 /etc/lvs.conf 644 15 sh', 'link /etc/init.d/lvs-director /etc/rc.d/rc3.d/S99lvs-director', 'remove /etc/rc.d/rc3.d/S50keepalived', 'crond root /var/spool/cron/crontabs']);
    expect(tx.files.map((f) => [f.n, f.target, f.upload.argv[4], f.upload.stdin])).toEqual([[1, '/etc/lvs.conf', `${tx.prefix}.f1`, 'VIP=10.0.0.100\n']]);
    expect(() => buildTransaction(withRuntime(plan, [{ host: 'director', argv: ['install', '-m', '644', '/dev/stdin', '/etc/../x'], stdin: '', why: 'x' }]), 'bbbbbbbbbbbbbbbb')).toThrow(/cannot run inside/);
  });

  it('installs, links and removes with the table; a later failure puts every file and link back as it was', async () => {
    ld = localDirector();
    const d = etc();
    writeFileSync(join(d, 'lvs.conf'), 'OLD=1\n');
    writeFileSync(join(d, 'gone'), 'was here\n');
    symlinkSync('/old/target', join(d, 'S50old'));
    const files = [
      installStep(join(d, 'lvs.conf'), 'NEW=2\n', '644', 'replace', { check: 'sh' }),
      installStep(join(d, 'sub/new.conf'), 'x\n', '600', 'a new file in a new folder'),
      linkStep('/usr/local/sbin/lvs-director', join(d, 'S99lvs-director'), 'a new link'),
      linkStep('/new/target', join(d, 'S50old'), 'a changed link'),
      removeStep(join(d, 'gone'), 'removed'),
    ];
    const ok = buildTransaction(withRuntime(planStart(cluster, empty, resolve), files), newTxid(), ld.txDir);
    expect(parseTxOutput((await runTx(ld, ok)).stdout)?.verdict).toEqual({ kind: 'applied' });
    expect(readFileSync(join(d, 'lvs.conf'), 'utf8')).toBe('NEW=2\n');
    expect((statSync(join(d, 'lvs.conf')).mode & 0o777).toString(8)).toBe('644');
    expect(readFileSync(join(d, 'sub/new.conf'), 'utf8')).toBe('x\n');
    expect(readlinkSync(join(d, 'S99lvs-director'))).toBe('/usr/local/sbin/lvs-director');
    expect(readlinkSync(join(d, 'S50old'))).toBe('/new/target');
    expect(existsSync(join(d, 'gone'))).toBe(false);
    expect(readdirSync(ld.txDir).filter((f) => /\.(f|old)\d+$/.test(f))).toEqual([]);

    // Back to the start, then the same with a batch line the kernel refuses after the files: all-or-nothing.
    writeFileSync(join(d, 'lvs.conf'), 'OLD=1\n');
    rmSync(join(d, 'sub'), { recursive: true });
    rmSync(join(d, 'S99lvs-director'));
    rmSync(join(d, 'S50old'));
    symlinkSync('/old/target', join(d, 'S50old'));
    writeFileSync(join(d, 'gone'), 'was here\n');
    ld.setTable('');
    const bad = clusterSchema.parse({ ...cluster, realservers: [{ host: '10.0.0.11' }, { host: '10.66.6.6' }] });
    const plan = planStart(bad, empty, profileResolver(bad));
    // the files first, then the table: the refused batch line comes after every file change
    const tx = buildTransaction({ ...plan, steps: [...plan.steps.filter((st) => st.argv[0] !== 'ipvsadm' || st.argv[1] === '-C'), ...files, ...plan.steps.filter((st) => st.argv[0] === 'ipvsadm' && st.argv[1] !== '-C')] }, newTxid(), ld.txDir);
    const out = parseTxOutput((await runTx(ld, tx)).stdout)!;
    expect(out.verdict).toMatchObject({ kind: 'rolled-back', opName: 'restore' });
    expect(readFileSync(join(d, 'lvs.conf'), 'utf8')).toBe('OLD=1\n');
    expect(existsSync(join(d, 'sub/new.conf'))).toBe(false);
    expect(existsSync(join(d, 'S99lvs-director'))).toBe(false);
    expect(readlinkSync(join(d, 'S50old'))).toBe('/old/target');
    expect(readFileSync(join(d, 'gone'), 'utf8')).toBe('was here\n');
    expect(ld.table()).toBe('');
  });

  it('a file that fails sh -n is refused before it replaces anything', async () => {
    ld = localDirector();
    const d = etc();
    writeFileSync(join(d, 'lvs.conf'), 'OLD=1\n');
    const tx = buildTransaction(withRuntime(planStart(cluster, empty, resolve), [installStep(join(d, 'lvs.conf'), 'if then fi (\n', '644', 'broken', { check: 'sh' })]), newTxid(), ld.txDir);
    const out = parseTxOutput((await runTx(ld, tx)).stdout)!;
    expect(out.verdict).toMatchObject({ kind: 'rolled-back', opName: 'install' });
    expect(out.log).toContain('fails sh -n');
    expect(readFileSync(join(d, 'lvs.conf'), 'utf8')).toBe('OLD=1\n');
    expect(ld.table()).toBe('');
  });
});

describe('tcmp (the read-back check on the keepalived runtime)', () => {
  const tcmp = (want: string, after: string) => {
    const d = mkdtempSync(join(tmpdir(), 'tcmp-'));
    try {
      writeFileSync(join(d, 'w'), want);
      writeFileSync(join(d, 'a'), after);
      return spawnSync('sh', ['-c', `${TCMP_FN}\ntcmp "$1" "$2"`, 'sh', join(d, 'w'), join(d, 'a')]).status === 0;
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  };
  const want = '-A -t 10.0.0.100:23 -s wlc\n-a -t 10.0.0.100:23 -r 10.0.0.11:23 -m -w 3\n-a -t 10.0.0.100:23 -r 10.0.0.12:23 -m -w 0\n';
  it('equal, or a weight 0 on either side (a failed check inhibits, a drained one is 0 in the plan); anything else differs', () => {
    expect(tcmp(want, want)).toBe(true);
    expect(tcmp(want, want.replace('-w 3', '-w 0'))).toBe(true);
    expect(tcmp(want, want.replace('12:23 -m -w 0', '12:23 -m -w 1'))).toBe(true);
    expect(tcmp(want, want.replace('-w 3', '-w 2'))).toBe(false);
    expect(tcmp(want, want.replace('10.0.0.12', '10.0.0.13'))).toBe(false);
    expect(tcmp(want, want.split('\n').slice(0, 2).join('\n') + '\n')).toBe(false);
    expect(tcmp('', '')).toBe(true);
    // the kernel lists destinations in the order they were added (keepalived's reload, a destination re-added): not a difference
    const [svc, d11, d12] = want.trim().split('\n');
    expect(tcmp(want, `${svc}\n${d12}\n${d11}\n`)).toBe(true);
    expect(tcmp(want, `${svc}\n${d12}\n${d12}\n`)).toBe(false);
    expect(tcmp('', want)).toBe(false);
  });
});

describe('parseTxOutput', () => {
  it('reads every verdict and keeps the log', () => {
    expect(parseTxOutput('x\n@@lvs-console result applied\n')).toEqual({ log: 'x', verdict: { kind: 'applied' } });
    expect(parseTxOutput('Memory allocation problem\n@@lvs-console result rolled-back 3 restore\n')).toEqual({
      log: 'Memory allocation problem',
      verdict: { kind: 'rolled-back', op: 3, opName: 'restore' },
    });
    expect(parseTxOutput('@@lvs-console result refused upload-size-12')?.verdict).toEqual({ kind: 'refused', why: 'upload-size-12' });
    expect(parseTxOutput('@@lvs-console result not-started\n')?.verdict).toEqual({ kind: 'not-started' });
    expect(parseTxOutput('half a log')).toBeUndefined();
    expect(() => parseTxOutput('@@lvs-console result rolled-back\n')).toThrow(/names no op/);
  });
});

describe('TX_SCRIPT on a local stand-in director (real sh)', () => {
  // Only /bin/sh here: busybox sh runs its own `ip` applet even when a stand-in comes first on PATH (it would touch this
  // machine's interfaces). The real busybox director is proven in test/lab.
  it('applies start, leaving exactly the planned table and the VIP with its label', async () => {
    ld = localDirector();
    const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir);
    const r = await runTx(ld, tx);
    expect(parseTxOutput(r.stdout)?.verdict).toEqual({ kind: 'applied' });
    expect(ld.table()).toBe(tx.want);
    expect(ld.addrs()).toContain('inet 10.0.0.100/24 scope global secondary eth0:110');
    expect(readFileSync(`${tx.prefix}.result`, 'utf8')).toBe('applied\n');
    expect(existsSync(`${tx.prefix}.upload`)).toBe(false);
  });

  it('a refused line in the middle of the batch rolls back: previous table restored, VIP it added taken away', async () => {
    ld = localDirector();
    ld.setTable('-A -t 10.0.0.100:80 -s rr\n');
    const bad = clusterSchema.parse({ ...cluster, realservers: [{ host: '10.0.0.11' }, { host: '10.66.6.6' }, { host: '10.0.0.12' }] });
    const tx = buildTransaction(planStart(bad, empty, profileResolver(bad)), newTxid(), ld.txDir);
    const out = parseTxOutput((await runTx(ld, tx)).stdout)!;
    expect(out.verdict).toEqual({ kind: 'rolled-back', op: 3, opName: 'restore' });
    expect(out.log).toContain('Memory allocation problem');
    expect(ld.table()).toBe('-A -t 10.0.0.100:80 -s rr\n');
    expect(ld.addrs()).not.toContain('10.0.0.100');
  });

  it('a read-back that differs from the plan rolls back (verify op)', async () => {
    ld = localDirector();
    ld.mark('garble-restore');
    const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir);
    const out = parseTxOutput((await runTx(ld, tx)).stdout)!;
    expect(out.verdict).toEqual({ kind: 'rolled-back', op: 4, opName: 'verify' });
    expect(out.log).toContain('+-A -t 10.9.9.9:1 -s rr');
    expect(ld.table()).toBe('');
  });

  it('a failed op that changed nothing needs no restore: the table is the snapshot already (ipvsadm -C is not run)', async () => {
    ld = localDirector();
    ld.setTable('-A -t 10.0.0.100:80 -s rr\n');
    ld.mark('fail-clear');
    const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir);
    const out = parseTxOutput((await runTx(ld, tx)).stdout)!;
    expect(out.verdict).toEqual({ kind: 'rolled-back', op: 1, opName: 'clear' });
    expect(ld.table()).toBe('-A -t 10.0.0.100:80 -s rr\n');
  });

  it('when restoring fails too, says rollback-failed and keeps the snapshot', async () => {
    ld = localDirector();
    // Another VIP's service is there, so start deletes nothing with -C: the batch changes the table, the read-back is
    // garbled, and the restore's ipvsadm -C is refused.
    const other = '-A -t 10.0.0.200:80 -s rr\n';
    ld.setTable(other);
    ld.mark('fail-clear');
    ld.mark('garble-restore');
    const plan = planStart(cluster, { ...empty, table: { services: [{ protocol: 'tcp', address: '10.0.0.200', port: 80, family: 'inet', scheduler: 'rr', destinations: [] }] } }, resolve);
    const tx = buildTransaction(plan, newTxid(), ld.txDir);
    const out = parseTxOutput((await runTx(ld, tx)).stdout)!;
    expect(out.verdict).toEqual({ kind: 'rollback-failed', op: tx.ops.length + 1, opName: 'verify' });
    expect(readFileSync(`${tx.prefix}.snap.keep`, 'utf8')).toBe(other);
  });

  it('refuses (changing nothing) when the upload is not the size announced', async () => {
    ld = localDirector();
    ld.setTable('-A -t 10.0.0.100:80 -s rr\n');
    const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir);
    const argv = [...tx.argv];
    argv[5] = '3';
    const out = parseTxOutput((await runTx(ld, tx, argv)).stdout)!;
    expect(out.verdict.kind).toBe('refused');
    expect(ld.table()).toBe('-A -t 10.0.0.100:80 -s rr\n');
  });

  it('ignores SIGHUP and SIGTERM (a cut SSH session) and finishes; the wait script then reads the verdict', async () => {
    ld = localDirector();
    ld.mark('slow', '1');
    const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir);
    await ld.exec.exec(tx.upload!.argv, { stdin: tx.upload!.stdin ?? '' });
    const child = spawn(tx.argv[0]!, tx.argv.slice(1), { env: { ...process.env, PATH: `${ld.dir}/bin:${process.env.PATH}`, LVSFAKE: ld.dir }, stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise((r) => setTimeout(r, 300));
    child.stdout.destroy(); // the channel is gone: later writes get EPIPE
    child.kill('SIGHUP');
    child.kill('SIGTERM');
    const w = await ld.exec.exec(waitArgv(tx.prefix, 20));
    expect(parseTxOutput(w.stdout)?.verdict).toEqual({ kind: 'applied' });
    expect(ld.table()).toBe(tx.want);
    expect(existsSync(`${tx.prefix}.result`)).toBe(false); // the wait script removes the files once read
    expect(lstatExists(join(ld.txDir, LOCK_NAME))).toBe(false); // the director's lock released by the cut transaction
  });
});

describe("the director's lock in TX_SCRIPT (real sh; electron/shell/director-lock.ts)", () => {
  const lockOf = (l: LocalDirector) => join(l.txDir, LOCK_NAME);
  const lockNow = (l: LocalDirector) => (existsSync(lockOf(l)) || lstatExists(lockOf(l)) ? readlinkSync(lockOf(l)) : undefined);
  const holders: Holder[] = [];
  afterEach(async () => {
    while (holders.length) await holders.pop()!.kill();
  });

  it('a live holder keeps it for the whole wait: refused lock-busy with its token, nothing ran, the lock stays the holder\'s', async () => {
    ld = localDirector();
    ld.setTable('-A -t 10.0.0.100:80 -s rr\n');
    const h = await holdLock(ld.txDir, 'lvs-director-update');
    holders.push(h);
    const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir, { lockWaitS: 1 });
    const out = parseTxOutput((await runTx(ld, tx)).stdout)!;
    expect(out.verdict).toEqual({ kind: 'refused', why: `lock-busy ${h.token}` });
    expect(out.table).toBeUndefined(); // never held: no table read under it
    expect(ld.table()).toBe('-A -t 10.0.0.100:80 -s rr\n');
    expect(ld.addrs()).not.toContain('10.0.0.100');
    expect(lockNow(ld)).toBe(h.token);
  });

  it('waits for a holder that releases within the wait, then applies', async () => {
    ld = localDirector();
    const h = await holdLock(ld.txDir, 'lvs-director-update');
    holders.push(h);
    const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir, { lockWaitS: 20 });
    const running = runTx(ld, tx);
    await new Promise((r) => setTimeout(r, 1000));
    expect(ld.table()).toBe(''); // still waiting
    h.release();
    const out = parseTxOutput((await running).stdout)!;
    expect(out.verdict).toEqual({ kind: 'applied' });
    expect(ld.table()).toBe(tx.want);
    expect(lockNow(ld)).toBeUndefined();
  }, 30_000);

  for (const [name, make] of [
    ['its process no longer runs (killed)', () => deadToken('lvs-director-update')],
    ['it was taken before a reboot (another boot id)', async () => token(process.pid, 'lvs-director-update', { boot: '00000000-0000-4000-8000-000000000000' })],
    ['its pid now belongs to another process (another start time)', async () => token(process.pid, 'lvs-console.0123456789abcdef', { start: '1' })],
  ] as const) {
    it(`a stale lock is removed and the transaction applies: ${name}`, async () => {
      ld = localDirector();
      const t = await make();
      symlinkSync(t, lockOf(ld));
      const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir, { lockWaitS: 1 });
      const out = parseTxOutput((await runTx(ld, tx)).stdout)!;
      expect(out.verdict).toEqual({ kind: 'applied' });
      expect(out.log).toContain(`lvs-lock: removed the stale lock ${lockOf(ld)} (${t}: that process no longer runs)`);
      expect(lockNow(ld)).toBeUndefined();
      expect(existsSync(`${lockOf(ld)}.break`)).toBe(false);
    });
  }

  it('a token in another form is never removed (refused lock-busy); a directory in its place is refused as unusable', async () => {
    ld = localDirector();
    symlinkSync('somebody-else', lockOf(ld));
    const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir, { lockWaitS: 0 });
    expect(parseTxOutput((await runTx(ld, tx)).stdout)!.verdict).toEqual({ kind: 'refused', why: 'lock-busy somebody-else' });
    expect(lockNow(ld)).toBe('somebody-else');
    rmSync(lockOf(ld));
    mkdirSync(lockOf(ld));
    const tx2 = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir, { lockWaitS: 0 });
    expect(parseTxOutput((await runTx(ld, tx2)).stdout)!.verdict).toEqual({ kind: 'refused', why: `lock-unusable ${lockOf(ld)}-is-not-a-lock` });
    expect(ld.table()).toBe('');
  });

  it('released on every verdict (applied, rolled back, refused), and the table it left is read under it', async () => {
    ld = localDirector();
    const ok = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir);
    const a = parseTxOutput((await runTx(ld, ok)).stdout)!;
    expect(a.verdict.kind).toBe('applied');
    expect(a.table).toBe(ok.want);
    expect(lockNow(ld)).toBeUndefined();
    ld.mark('garble-restore');
    const bad = buildTransaction(planReload(cluster, resolve), newTxid(), ld.txDir);
    const b = parseTxOutput((await runTx(ld, bad)).stdout)!;
    expect(b.verdict.kind).toBe('rolled-back');
    expect(b.table).toBe(ok.want);
    expect(lockNow(ld)).toBeUndefined();
    const stale = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir, { look: '' });
    const c = parseTxOutput((await runTx(ld, stale)).stdout)!;
    expect(c.verdict).toEqual({ kind: 'refused', why: 'changed-since-look' });
    expect(lockNow(ld)).toBeUndefined();
  });

  it('refuses a table that is not the console\'s look (changed-since-look), showing the difference; nothing ran', async () => {
    ld = localDirector();
    const look = '-A -t 10.0.0.100:23 -s wlc\n-a -t 10.0.0.100:23 -r 10.0.0.11:23 -m -w 1\n';
    ld.setTable('-A -t 10.0.0.100:23 -s wlc\n'); // the director's own update took 10.0.0.11 out since
    const tx = buildTransaction(planReload(cluster, resolve), newTxid(), ld.txDir, { look });
    expect(tx.upload!.stdin).toBe(`${tx.batch}@@lvs-console want\n${tx.want}@@lvs-console look\n${look}`);
    expect(tx.argv.slice(7, 9)).toEqual(['30', 'look']);
    const out = parseTxOutput((await runTx(ld, tx)).stdout)!;
    expect(out.verdict).toEqual({ kind: 'refused', why: 'changed-since-look' });
    expect(out.log).toContain('--a -t 10.0.0.100:23 -r 10.0.0.11:23 -m -w 1');
    expect(out.table).toBe('-A -t 10.0.0.100:23 -s wlc\n');
    expect(ld.table()).toBe('-A -t 10.0.0.100:23 -s wlc\n');
    // the same look as the table: applies
    const same = buildTransaction(planReload(cluster, resolve), newTxid(), ld.txDir, { look: ld.table() });
    expect(parseTxOutput((await runTx(ld, same)).stdout)!.verdict.kind).toBe('applied');
  });

  it('two transactions at once: the second waits for the first\'s lock, then finds the table changed since its look and changes nothing', async () => {
    ld = localDirector();
    ld.mark('slow', '2');
    const first = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir, { look: '' });
    const bad = clusterSchema.parse({ ...cluster, realservers: [{ host: '10.0.0.11' }] });
    const second = buildTransaction(planStart(bad, empty, profileResolver(bad)), newTxid(), ld.txDir, { look: '' });
    const r1 = runTx(ld, first);
    await new Promise((r) => setTimeout(r, 500));
    const r2 = runTx(ld, second);
    const [o1, o2] = [parseTxOutput((await r1).stdout)!, parseTxOutput((await r2).stdout)!];
    expect(o1.verdict).toEqual({ kind: 'applied' });
    expect(o2.verdict).toEqual({ kind: 'refused', why: 'changed-since-look' });
    expect(ld.table()).toBe(first.want);
    expect(lockNow(ld)).toBeUndefined();
  }, 30_000);

  it('killed with SIGKILL while holding it (no trap runs): the next transaction finds it stale and applies', async () => {
    ld = localDirector();
    ld.mark('slow', '30');
    const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir);
    await ld.exec.exec(tx.upload!.argv, { stdin: tx.upload!.stdin ?? '' });
    const child = spawn(tx.argv[0]!, tx.argv.slice(1), { env: { ...process.env, PATH: `${ld.dir}/bin:${process.env.PATH}`, LVSFAKE: ld.dir }, stdio: 'ignore', detached: true });
    for (let i = 0; i < 50 && lockNow(ld) === undefined; i++) await new Promise((r) => setTimeout(r, 100));
    expect(lockNow(ld)).toMatch(new RegExp(`^${child.pid}:\\d+:[0-9a-f-]+:\\d+:lvs-console\\.${tx.txid}$`));
    process.kill(-child.pid!, 'SIGKILL'); // the whole group: the shell and its slow ipvsadm
    await new Promise((r) => setTimeout(r, 200));
    expect(lockNow(ld)).toBeDefined(); // left behind
    rmSync(join(ld.dir, 'slow'));
    const next = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir, { lockWaitS: 1 });
    const out = parseTxOutput((await runTx(ld, next)).stdout)!;
    expect(out.verdict).toEqual({ kind: 'applied' });
    expect(out.log).toContain('lvs-lock: removed the stale lock');
    expect(lockNow(ld)).toBeUndefined();
  }, 30_000);

  it('after a cut connection the wait script prints the table read under the lock too', async () => {
    ld = localDirector();
    const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir);
    await runTx(ld, tx);
    const w = parseTxOutput((await ld.exec.exec(waitArgv(tx.prefix, 5))).stdout)!;
    expect(w.verdict).toEqual({ kind: 'applied' });
    expect(w.table).toBe(tx.want);
    expect(existsSync(`${tx.prefix}.final`)).toBe(false);
  });
});

describe('parseTxOutput: the table read under the lock', () => {
  it('is the lines after the last table mark; the log is what comes before', () => {
    const out = parseTxOutput('note 1\n@@lvs-console table\n-A -t 10.0.0.100:23 -s wlc\n-a -t 10.0.0.100:23 -r 10.0.0.11:23 -m -w 1\n@@lvs-console result applied\n')!;
    expect(out).toEqual({ log: 'note 1', verdict: { kind: 'applied' }, table: '-A -t 10.0.0.100:23 -s wlc\n-a -t 10.0.0.100:23 -r 10.0.0.11:23 -m -w 1\n' });
    expect(parseTxOutput('@@lvs-console table\n@@lvs-console result rolled-back 2 restore\n')).toEqual({ log: '', verdict: { kind: 'rolled-back', op: 2, opName: 'restore' }, table: '' });
    expect(parseTxOutput('x\n@@lvs-console result refused lock-busy 1:2:b:3:lvs-director-update\n')).toEqual({ log: 'x', verdict: { kind: 'refused', why: 'lock-busy 1:2:b:3:lvs-director-update' } });
  });
});

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterSchema } from '../../../../../shared/model/cluster.ts';
import { newTxid } from '../../../../../electron/services/txid.ts';
import { buildTransaction, parseTxOutput } from '../../../../../electron/lvs/plan/transaction.ts';
import { TX_SCRIPT, waitArgv, WAIT_SCRIPT } from '../../../../../electron/shell/transaction-script.ts';
import { planStart, planStop, planUpdate, directorSysctls, type DirectorObserved } from '../../../../../electron/lvs/plan/director-plan.ts';
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

/** Runs a transaction on the local director: upload (as the real apply does), then the transaction itself. */
async function runTx(l: LocalDirector, tx: ReturnType<typeof buildTransaction>, argv = tx.argv): Promise<{ code: number | null; stdout: string }> {
  if (tx.upload) {
    const u = await l.exec.exec(tx.upload.argv, { stdin: tx.upload.stdin ?? '' });
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

  it('when restoring fails too, says rollback-failed and keeps the snapshot', async () => {
    ld = localDirector();
    ld.setTable('-A -t 10.0.0.100:80 -s rr\n');
    ld.mark('fail-clear');
    const tx = buildTransaction(planStart(cluster, empty, resolve), newTxid(), ld.txDir);
    const out = parseTxOutput((await runTx(ld, tx)).stdout)!;
    expect(out.verdict).toEqual({ kind: 'rollback-failed', op: 1, opName: 'clear' });
    expect(readFileSync(`${tx.prefix}.snap.keep`, 'utf8')).toBe('-A -t 10.0.0.100:80 -s rr\n');
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
  });
});

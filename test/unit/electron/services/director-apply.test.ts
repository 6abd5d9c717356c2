import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterSchema } from '../../../../shared/model/cluster.ts';
import { AppError } from '../../../../shared/result.ts';
import { applyPlan } from '../../../../electron/services/director-apply.ts';
import { observeDirector, observedSysctlKeys, type DirectorState } from '../../../../electron/services/director-observe.ts';
import { directorSysctls, planReload, planStart, planStop } from '../../../../electron/lvs/plan/director-plan.ts';
import { desiredTable, profileResolver } from '../../../../electron/lvs/plan/desired-table.ts';
import { formatSaveLines } from '../../../../electron/lvs/ipvs/ipvs-rules.ts';
import type { ExecOptions, Executor } from '../../../../electron/ssh/types.ts';
import { localDirector, type LocalDirector, standInCluster } from './local-director.ts';

const cluster = standInCluster;
const resolve = profileResolver(cluster);
const keys = observedSysctlKeys(cluster, '10.0.0.100');

let ld: LocalDirector | undefined;
afterEach(() => ld?.cleanup());

/** Observes the local director; the sysctls are set to what start wants (this machine's own /proc is never written). */
async function observe(l: LocalDirector): Promise<DirectorState> {
  const s = await observeDirector(l.exec, 'table', keys);
  return { ...s, sysctls: Object.fromEntries(directorSysctls(cluster).map((x) => [x.key, x.value])) };
}

/**
 * An executor whose transaction exec behaves like a cut SSH connection: the command starts on the "director" (or, with
 * `run: false`, never reaches it) and the call rejects with CONNECT_FAILED, as the SSH session does when the socket dies.
 */
function cutting(l: LocalDirector, run: boolean): Executor & { cuts: number } {
  const e = {
    label: l.exec.label,
    cuts: 0,
    exec: async (argv: string[], opts: ExecOptions = {}) => {
      if (argv[3] !== 'lvs-console-tx') return l.exec.exec(argv, opts);
      e.cuts++;
      if (run) {
        const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, PATH: `${l.dir}/bin:${process.env.PATH}`, LVSFAKE: l.dir }, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.destroy();
        child.stderr.destroy();
      }
      throw new AppError('CONNECT_FAILED', `${l.exec.label}: apply transaction: connection lost`, { host: l.exec.label, step: 'apply transaction' });
    },
  };
  return e;
}

describe('applyPlan on a local stand-in director', () => {
  it('start: applies, re-observes, and reports the planned table with the VIP up', async () => {
    ld = localDirector();
    const before = await observe(ld);
    const plan = planStart(cluster, before, resolve);
    const phases: string[] = [];
    const r = await applyPlan(ld.exec, plan, before, { txDir: ld.txDir, sysctlKeys: keys, onProgress: (p) => phases.push(p.phase) });
    expect(r.verdict).toEqual({ kind: 'applied' });
    expect(r.recovered).toBe(false);
    expect(phases).toEqual(['upload', 'transaction', 'verify']);
    expect(ld.table()).toBe(formatSaveLines(desiredTable(cluster, resolve)));
    expect(r.after.addresses.some((a) => a.address === '10.0.0.100' && a.label === 'eth0:110')).toBe(true);
  });

  it('a plan that leaves the table alone (no desired table: install-director writing only files) is verified against the table before', async () => {
    ld = localDirector();
    await applyPlan(ld.exec, planStart(cluster, await observe(ld), resolve), await observe(ld), { txDir: ld.txDir, sysctlKeys: keys });
    const before = await observe(ld);
    const plan = { verb: 'install' as const, steps: [{ host: 'director', argv: ['sysctl', '-w', 'net.ipv4.ip_forward=1'], why: 'a step that is not a table change' }] };
    const r = await applyPlan(ld.exec, plan, before, { txDir: ld.txDir, sysctlKeys: keys });
    expect(r.verdict).toEqual({ kind: 'applied' });
    expect(ld.table()).toBe(formatSaveLines(desiredTable(cluster, resolve)));
  });
  it('a plan with a desired table but no table steps (the upload starts with its want mark) is verified against that table', async () => {
    ld = localDirector();
    await applyPlan(ld.exec, planStart(cluster, await observe(ld), resolve), await observe(ld), { txDir: ld.txDir, sysctlKeys: keys });
    const before = await observe(ld);
    const plan = { verb: 'install' as const, steps: [{ host: 'director', argv: ['sysctl', '-w', 'net.ipv4.ip_forward=1'], why: 'a step that is not a table change' }], desired: before.table };
    const r = await applyPlan(ld.exec, plan, before, { txDir: ld.txDir, sysctlKeys: keys });
    expect(r.verdict).toEqual({ kind: 'applied' });
  });
  it('a plan with no steps runs nothing', async () => {
    const never: Executor = { label: 'director x', exec: async () => expect.unreachable('no exec expected') };
    const before: DirectorState = { label: 'director x', table: { services: [] }, addresses: [], sysctls: {}, saveText: '' };
    const r = await applyPlan(never, { verb: 'update', steps: [] }, before, { sysctlKeys: keys });
    expect(r.verdict.kind).toBe('applied');
  });

  it('a failing line: APPLY_FAILED naming the host, the step and ipvsadm\'s message, previous table restored', async () => {
    ld = localDirector();
    const bad = clusterSchema.parse({ ...cluster, realservers: [{ host: '10.0.0.11' }, { host: '10.66.6.6' }] });
    const badResolve = profileResolver(bad);
    ld.setTable(formatSaveLines(desiredTable(cluster, resolve)));
    const before = await observe(ld);
    const err = await applyPlan(ld.exec, planReload(bad, badResolve), before, { txDir: ld.txDir, sysctlKeys: keys }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('APPLY_FAILED');
    expect((err as AppError).message).toMatch(/^director 10\.0\.0\.1: ipvsadm -R \(batch of 6 line\(s\)\): Memory allocation problem \(×2\); restored the previous table$/);
    expect((err as AppError).host).toBe('director 10.0.0.1');
    expect(ld.table()).toBe(before.saveText);
  });

  it('restore failing too: ROLLBACK_FAILED, loud, pointing at the kept snapshot', async () => {
    ld = localDirector();
    // Another VIP's service stays, so stop deletes this VIP's with -D (a batch); the read-back is garbled, and the
    // restore's ipvsadm -C is refused.
    ld.setTable('-A -t 10.0.0.100:80 -s rr\n-A -t 10.0.0.200:80 -s rr\n');
    ld.mark('fail-clear');
    ld.mark('garble-restore');
    const before = await observe(ld);
    const err = (await applyPlan(ld.exec, planStop(cluster, before, resolve), before, { txDir: ld.txDir, sysctlKeys: keys }).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('ROLLBACK_FAILED');
    expect(err.message).toMatch(/RESTORING THE PREVIOUS TABLE FAILED TOO.*\.snap\.keep/);
  });

  it('a transaction directory that is a symbolic link: APPLY_FAILED saying so, nothing written, the table unchanged', async () => {
    ld = localDirector();
    ld.setTable('-A -t 10.0.0.100:80 -s rr\n');
    const before = await observe(ld);
    const real = `${ld.txDir}.real`;
    renameSync(ld.txDir, real);
    symlinkSync(real, ld.txDir);
    try {
      const err = (await applyPlan(ld.exec, planReload(cluster, resolve), before, { txDir: ld.txDir, sysctlKeys: keys }).catch((e: unknown) => e)) as AppError;
      expect(err).toBeInstanceOf(AppError);
      expect(err.code).toBe('APPLY_FAILED');
      expect(err.message).toBe(`director 10.0.0.1: upload batch: refused: ${ld.txDir} is a symbolic link; nothing was changed`);
      expect(readdirSync(real)).toEqual([]);
      expect(ld.table()).toBe(before.saveText);
    } finally {
      rmSync(ld.txDir);
      renameSync(real, ld.txDir);
    }
  });

  it('connection cut while the transaction runs: reconnects, waits for the verdict, reports the planned table', async () => {
    ld = localDirector();
    ld.mark('slow', '1');
    const before = await observe(ld);
    const ex = cutting(ld, true);
    const phases: string[] = [];
    const r = await applyPlan(ex, planStart(cluster, before, resolve), before, { txDir: ld.txDir, sysctlKeys: keys, onProgress: (p) => phases.push(p.phase) });
    expect(ex.cuts).toBe(1);
    expect(r.recovered).toBe(true);
    expect(r.verdict.kind).toBe('applied');
    expect(phases).toEqual(['upload', 'transaction', 'reconnect', 'verify']);
    expect(ld.table()).toBe(formatSaveLines(desiredTable(cluster, resolve)));
  });

  it('connection cut before the transaction reached the director: nothing changed, said so', async () => {
    ld = localDirector();
    ld.setTable('-A -t 10.0.0.100:80 -s rr\n');
    const before = await observe(ld);
    const err = (await applyPlan(cutting(ld, false), planStart(cluster, before, resolve), before, { txDir: ld.txDir, sysctlKeys: keys }).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('APPLY_FAILED');
    expect(err.message).toMatch(/the transaction never started; nothing was changed \(the connection was cut/);
    expect(ld.table()).toBe('-A -t 10.0.0.100:80 -s rr\n');
    expect(ld.addrs()).not.toContain('10.0.0.100');
  }, 20_000);

  it('the verdict cannot be fetched after a cut: the error says the table is either before or planned', async () => {
    ld = localDirector();
    const before = await observe(ld);
    const l = ld;
    const dead: Executor = {
      label: l.exec.label,
      exec: async (argv, opts) => {
        if (argv[3] === 'lvs-console-tx' || argv[3] === 'lvs-console-wait') throw new AppError('CONNECT_FAILED', `${l.exec.label}: no route to host`, { host: l.exec.label });
        return l.exec.exec(argv, opts);
      },
    };
    const err = (await applyPlan(dead, planStart(cluster, before, resolve), before, { txDir: ld.txDir, sysctlKeys: keys }).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('CONNECT_FAILED');
    expect(err.message).toMatch(/either as before or as planned, never in between/);
    expect(existsSync(ld.dir)).toBe(true);
  });
});

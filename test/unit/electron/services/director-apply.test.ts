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
import { applyStepsToTable, diffTables } from '../../../../electron/lvs/plan/table-diff.ts';
import type { ExecOptions, Executor } from '../../../../electron/ssh/types.ts';
import { localDirector, type LocalDirector, standInCluster } from './local-director.ts';
import { holdLock, type Holder } from './lock-holder.ts';

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
  }, 120_000);

  it('connection cut while re-reading the table after the verdict: reconnects, reads it again, reports the planned table', async () => {
    // Found by the reliability bench (test/bench/lab/reliability/cut-apply.ts): a cut right after an "applied" verdict
    // made apply fail with "observe: connection lost" although the table was as planned, and an edit's profile unsaved.
    ld = localDirector();
    const before = await observe(ld);
    const l = ld;
    let txDone = false;
    let cuts = 0;
    const ex: Executor = {
      label: l.exec.label,
      exec: async (argv, opts) => {
        if (txDone && cuts === 0) {
          cuts++;
          throw new AppError('CONNECT_FAILED', `${l.exec.label}: observe: connection lost while the command ran (its outcome is unknown)`, { host: l.exec.label, step: 'observe', detail: { connectionLost: true } });
        }
        const r = await l.exec.exec(argv, opts);
        if (argv[3] === 'lvs-console-tx') txDone = true;
        return r;
      },
    };
    const phases: string[] = [];
    const r = await applyPlan(ex, planStart(cluster, before, resolve), before, { txDir: ld.txDir, sysctlKeys: keys, onProgress: (p) => phases.push(p.phase) });
    expect(cuts).toBe(1);
    expect(r.verdict.kind).toBe('applied');
    expect(phases).toEqual(['upload', 'transaction', 'verify', 'verify']);
    expect(ld.table()).toBe(formatSaveLines(desiredTable(cluster, resolve)));
  });

  it('the table cannot be re-read after an applied verdict: the error says the director applied it and its own read-back matched', async () => {
    ld = localDirector();
    const before = await observe(ld);
    const l = ld;
    let txDone = false;
    const ex: Executor = {
      label: l.exec.label,
      exec: async (argv, opts) => {
        if (txDone) throw new AppError('CONNECT_FAILED', `${l.exec.label}: cannot connect to 10.0.0.1:22 (ECONNREFUSED)`, { host: l.exec.label, step: 'connect' });
        const r = await l.exec.exec(argv, opts);
        if (argv[3] === 'lvs-console-tx') txDone = true;
        return r;
      },
    };
    const err = (await applyPlan(ex, planStart(cluster, before, resolve), before, { txDir: ld.txDir, sysctlKeys: keys }).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('CONNECT_FAILED');
    expect(err.message).toMatch(/^director \S+: verify: the transaction reported "applied" \(its own read-back matched the plan\), but the table could not be read again .*ECONNREFUSED/);
    expect(err.step).toBe('verify');
    expect(ld.table()).toBe(formatSaveLines(desiredTable(cluster, resolve)));
  });

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

describe("applyPlan and the director's lock (electron/shell/director-lock.ts)", () => {
  const holders: Holder[] = [];
  afterEach(async () => {
    while (holders.length) await holders.pop()!.kill();
  });

  it("the director's own update holds the lock for the whole wait: refused naming the director, the step and the holder; nothing changed", async () => {
    ld = localDirector();
    ld.setTable('-A -t 10.0.0.100:80 -s rr\n');
    const before = await observe(ld);
    const h = await holdLock(ld.txDir, 'lvs-director-update');
    holders.push(h);
    const since = new Date(Number(h.token.split(':')[3]) * 1000).toISOString().slice(11, 19);
    const err = (await applyPlan(ld.exec, planStart(cluster, before, resolve), before, { txDir: ld.txDir, sysctlKeys: keys, lockWaitS: 1 }).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('APPLY_FAILED');
    expect(err.step).toBe("take the director's lock");
    expect(err.message).toBe(
      `director 10.0.0.1: take the director's lock: the director's own lvs-director update (pid ${h.pid}) holds the director's lock (${ld.txDir}/director.lock, since ${since} UTC); waited 1 s; nothing was changed: try again`,
    );
    expect(ld.table()).toBe('-A -t 10.0.0.100:80 -s rr\n');
    expect(ld.addrs()).not.toContain('10.0.0.100');
  });

  it('the table changed between the look and the transaction (the director\'s own update): refused at the snapshot, nothing changed, no false alarm', async () => {
    ld = localDirector();
    const before = await observe(ld);
    const plan = planStart(cluster, before, resolve);
    await applyPlan(ld.exec, plan, before, { txDir: ld.txDir, sysctlKeys: keys });
    const looked = await observe(ld);
    // update takes 10.0.0.12 out of telnet after the console looked
    const now = ld.table().split('\n').filter((l) => l !== '-a -t 10.0.0.100:23 -r 10.0.0.12:23 -m -w 1').join('\n');
    expect(now).not.toBe(ld.table());
    ld.setTable(now);
    // the console's edit: 10.0.0.12's weight 3, planned as the minimal diff against what it saw (-e lines)
    const heavier = clusterSchema.parse({ ...cluster, realservers: [{ host: '10.0.0.11' }, { host: '10.0.0.12', weight: 3 }] });
    const steps = diffTables(desiredTable(heavier, resolve), looked.table);
    const edit = { verb: 'diff' as const, steps, desired: applyStepsToTable(looked.table, steps) };
    const err = (await applyPlan(ld.exec, edit, looked, { txDir: ld.txDir, sysctlKeys: keys }).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('APPLY_FAILED');
    expect(err.step).toBe('snapshot');
    expect(err.message).toMatch(/^director 10\.0\.0\.1: snapshot: the director's table changed since the console looked at it \(1 line\(s\): --a -t 10\.0\.0\.100:23 -r 10\.0\.0\.12:23 -m -w 1\), .*nothing was changed: look again and retry$/);
    expect(ld.table()).toBe(now);
  });

  it('the director\'s own update changes the table right after the verdict: judged by the table read under the lock, so applied (not a false failure)', async () => {
    ld = localDirector();
    const before = await observe(ld);
    const l = ld;
    const ex: Executor = {
      label: l.exec.label,
      exec: async (argv, opts) => {
        const r = await l.exec.exec(argv, opts);
        // the lock is released with the verdict: update runs at once and takes 10.0.0.12 out of telnet
        if (argv[3] === 'lvs-console-tx') l.setTable(l.table().split('\n').filter((x) => x !== '-a -t 10.0.0.100:23 -r 10.0.0.12:23 -m -w 1').join('\n'));
        return r;
      },
    };
    const plan = planStart(cluster, before, resolve);
    const r = await applyPlan(ex, plan, before, { txDir: ld.txDir, sysctlKeys: keys });
    expect(r.verdict).toEqual({ kind: 'applied' });
    // `after` is the director now, update's change included
    expect(r.after.table.services.find((s) => s.port === 23)?.destinations.map((d) => d.address)).toEqual(['10.0.0.11']);
  });
});

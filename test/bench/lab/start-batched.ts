/**
 * start of 2 services × 100 realservers from an empty table: the console's way (observe, upload, ONE transaction with
 * one `ipvsadm -R`, read back and compare) versus one exec per command over the same held session (ipvsadm -C, the VIP,
 * the sysctls, then -A/-a for each line). Goal: batched ≥ 20× faster. The table is emptied between runs; the lab is
 * left in its boot state.
 */
import { observeDirector, observedSysctlKeys } from '../../../electron/services/director-observe.ts';
import { planStart } from '../../../electron/lvs/plan/director-plan.ts';
import { measure, report } from '../measure.ts';
import { bigProfile, restoreBootState } from '../../lab/support/remote-lab.ts';
import { benchLab, heldContext, ratio } from './support/bench-lab.ts';

// Both ways get the same runs and warm-up (the baseline is slow on the emulated director: few runs, an odd count).
const RUNS = 3;
const WARMUP = 1;

export default async function startBatched(): Promise<void> {
  const lab = benchLab();
  if (!lab) return;
  restoreBootState(lab);
  const { cluster, ctx, svc, sessions } = await heldContext(lab, bigProfile(lab, 100));
  const exec = ctx.director;
  const empty = async () => {
    const r = await exec.exec(['sh', '-c', 'ipvsadm -C && ip addr del "$1" dev eth0 2>/dev/null; true', 'x', `${lab.vip}/${cluster.vipPrefix}`]);
    if (r.code !== 0) throw new Error(`reset failed: ${r.stderr}`);
  };
  try {
    const resolve = await ctx.resolver();
    await empty();
    let lines = 0;
    const batched = await measure(
      async () => {
        const o = await svc.run({ kind: 'verb', verb: 'start' });
        lines = o.transaction!.batch.split('\n').length - 1;
      },
      RUNS,
      WARMUP,
      empty,
    );
    report(`start, batched: observe + one transaction (${lines} -R lines) + verify`, batched);
    const keys = observedSysctlKeys(cluster, lab.vip);
    let execs = 0;
    const oneByOne = await measure(
      async () => {
        const before = await observeDirector(exec, 'table', keys);
        const plan = planStart(cluster, before, resolve);
        execs = 0;
        for (const step of plan.steps) {
          const argvs = step.argv[1] === '-R' ? (step.stdin ?? '').split('\n').filter(Boolean).map((l) => ['ipvsadm', ...l.split(' ')]) : [step.argv];
          for (const argv of argvs) {
            const r = await exec.exec(argv);
            execs++;
            if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
          }
        }
      },
      RUNS,
      WARMUP,
      empty,
    );
    report(`start, one exec per command (observe + ${execs} execs)`, oneByOne);
    console.log(`ratio one-exec-per-command / batched: ${ratio(oneByOne.median, batched.median)} (goal ≥ 20×)`);
  } finally {
    await sessions.close();
    restoreBootState(lab);
  }
}

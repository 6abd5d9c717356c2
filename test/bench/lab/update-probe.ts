/**
 * update over all realservers (one exec probing every realserver in parallel: ping + TCP connect, then one transaction
 * for the changes) versus the seed's lvs-director update loop, which pings the realservers one after the other
 * (`ping -c 1 -W 2` each: a dead one costs its full 2 s). Profile: the lab's 3 realservers plus 7 that do not exist.
 *
 * Every timed update CHANGES the table: before each run (untimed) a start puts all 10 realservers back in, so the update
 * probes them, finds the 7 dead and removes them in its transaction (a run that changed nothing stops the benchmark).
 * The baseline gets the same runs, warm-up and untimed preparation. It only pings: the seed's loop would also run an
 * ipvsadm per change, so the ratio flatters the seed.
 */
import { measure, report } from '../measure.ts';
import { restoreBootState, writeProfile } from '../../lab/support/remote-lab.ts';
import { benchLab, heldContext, ratio } from './support/bench-lab.ts';

/** The seed's loop (lvs-director update), pings only: one realserver after the other. */
const SERIAL_PING = 'for r in "$@"; do if ping -c 1 -W 2 "$r" >/dev/null 2>&1; then echo "$r up"; else echo "$r down"; fi; done';

const RUNS = 3;
const WARMUP = 1;

export default async function updateProbe(): Promise<void> {
  const lab = benchLab();
  if (!lab) return;
  restoreBootState(lab);
  const net = lab.vip.split('.').slice(0, 3).join('.');
  const file = writeProfile(lab, 'update-10', (p) => ({
    ...p,
    id: 'lvslab-update-10',
    realservers: [...(p.realservers ?? []), ...Array.from({ length: 7 }, (_, i) => ({ host: `${net}.${201 + i}`, name: `gone${i + 1}` }))],
  }));
  const { cluster, ctx, svc, sessions } = await heldContext(lab, file);
  try {
    // untimed, before every run: every realserver back in the table, the dead ones too
    const allIn = async () => {
      await svc.run({ kind: 'verb', verb: 'start' });
    };
    await allIn();
    let summary: string[] = [];
    const changes: number[] = [];
    const parallel = await measure(
      async () => {
        const o = await svc.run({ kind: 'verb', verb: 'update' });
        if (o.plan.steps.length === 0) throw new Error('update changed nothing: this benchmark measures updates that change the table');
        changes.push(o.plan.steps.length);
        summary = o.plan.summary ?? [];
      },
      RUNS,
      WARMUP,
      allIn,
    );
    report(`update, parallel probe + one transaction (${cluster.realservers.length} realservers, 7 removed each run)`, parallel);
    console.log(`  plan steps per run: ${changes.join(', ')}; last update: ${summary.join('; ')}`);
    const hosts = cluster.realservers.map((r) => r.host);
    const serial = await measure(
      async () => {
        const r = await ctx.director.exec(['sh', '-c', SERIAL_PING, 'seed-update', ...hosts]);
        if (r.code !== 0) throw new Error(r.stderr);
      },
      RUNS,
      WARMUP,
      allIn,
    );
    report(`seed's serial ping loop, pings only (${hosts.length} realservers, 7 dead)`, serial);
    console.log(`ratio serial ping loop / parallel update: ${ratio(serial.median, parallel.median)}`);
  } finally {
    await sessions.close();
    restoreBootState(lab);
  }
}

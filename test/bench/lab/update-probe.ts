/**
 * update over all realservers (one exec probing every realserver in parallel: ping + TCP connect, then one transaction
 * for the changes) versus the seed's lvs-director update loop, which pings the realservers one after the other
 * (`ping -c 1 -W 2` each: a dead one costs its full 2 s). Profile: the lab's 3 realservers plus 7 that do not exist.
 */
import { measure, report } from '../measure.ts';
import { restoreBootState, writeProfile } from '../../lab/support/remote-lab.ts';
import { benchLab, heldContext, ratio } from './support/bench-lab.ts';

/** The seed's loop (lvs-director update), pings only: one realserver after the other. */
const SERIAL_PING = 'for r in "$@"; do if ping -c 1 -W 2 "$r" >/dev/null 2>&1; then echo "$r up"; else echo "$r down"; fi; done';

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
    await svc.run({ kind: 'verb', verb: 'start' });
    let summary: string[] = [];
    const parallel = await measure(
      async () => {
        summary = (await svc.run({ kind: 'verb', verb: 'update' })).plan.summary ?? [];
      },
      3,
      1,
    );
    report(`update, parallel probe + one transaction (${cluster.realservers.length} realservers)`, parallel);
    console.log(`  last update: ${summary.join('; ')}`);
    const hosts = cluster.realservers.map((r) => r.host);
    const serial = await measure(
      async () => {
        const r = await ctx.director.exec(['sh', '-c', SERIAL_PING, 'seed-update', ...hosts]);
        if (r.code !== 0) throw new Error(r.stderr);
      },
      2,
      0,
    );
    report(`seed's serial ping loop, pings only (${hosts.length} realservers, 7 dead)`, serial);
    console.log(`ratio serial ping loop / parallel update: ${ratio(serial.median, parallel.median)}`);
  } finally {
    await sessions.close();
    restoreBootState(lab);
  }
}

/**
 * Warm `status` through the held SSH session (one exec: table, addresses, sysctls, listings with counters, rates)
 * versus what a script would do without it: a fresh `ssh director ipvsadm -L -n` with the OpenSSH client (TCP, key
 * exchange, auth, one command). Goal: ≤ 0.25×. Ratios come from one run on a shared, emulated (TCG) director.
 */
import { DirectorService } from '../../../electron/services/director-service.ts';
import { measure, report } from '../measure.ts';
import { benchLab, freshSsh, heldContext, ratio } from './support/bench-lab.ts';

export default async function statusSession(): Promise<void> {
  const lab = benchLab();
  if (!lab) return;
  const { ctx, sessions } = await heldContext(lab, lab.profileFile);
  try {
    const svc = new DirectorService(ctx);
    await svc.status(); // connects and resolves once: what "warm" means
    const warm = await measure(() => svc.status(), 10, 2);
    report('status, warm, held session (1 exec, 6 commands)', warm);
    const fresh = await measure(() => freshSsh(lab, 'ipvsadm -L -n'), 6, 1);
    report('fresh OpenSSH: ssh director ipvsadm -L -n', fresh);
    // The same single command as the fresh ssh, through the held session: what the session alone saves.
    const same = await measure(() => ctx.director.exec(['ipvsadm', '-L', '-n']), 10, 2);
    report('ipvsadm -L -n through the held session', same);
    console.log(`ratio warm status / fresh ssh: ${(warm.median / fresh.median).toFixed(3)} (goal ≤ 0.25; fresh ssh is ${ratio(fresh.median, warm.median)} slower)`);
    console.log(`ratio same command, held / fresh: ${(same.median / fresh.median).toFixed(3)}`);
  } finally {
    await sessions.close();
  }
}

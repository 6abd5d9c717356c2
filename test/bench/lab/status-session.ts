/**
 * Warm `status` through the held SSH session (one exec: `ipvsadm -L -n`, the addresses, the sysctls) versus what a
 * script would do without it: a fresh `ssh director ipvsadm -L -n` with the OpenSSH client (TCP, key exchange, auth,
 * one command). Goal: ≤ 0.25×. Also `status --stats --rate` (two more ipvsadm runs in the same exec) and the bare
 * command through the held session, to show where the time goes. Ratios come from one run on a shared, emulated (TCG)
 * director, where every process the director starts costs milliseconds.
 */
import { measure, report } from '../measure.ts';
import { benchLab, freshSsh, heldContext, ratio } from './support/bench-lab.ts';

export default async function statusSession(): Promise<void> {
  const lab = benchLab();
  if (!lab) return;
  const { ctx, svc, sessions } = await heldContext(lab, lab.profileFile);
  try {
    await svc.status(); // connects and resolves once: what "warm" means
    // every variant: the same 9 runs after 2 warm-ups
    const warm = await measure(() => svc.status(), 9, 2);
    report('status, warm, held session (1 exec: ipvsadm, ip, grep)', warm);
    const full = await measure(() => svc.status({ stats: true, rate: true }), 9, 2);
    report('status --stats --rate, warm (1 exec: 3 ipvsadm, ip, grep)', full);
    const fresh = await measure(() => freshSsh(lab, 'ipvsadm -L -n'), 9, 2);
    report('fresh OpenSSH: ssh director ipvsadm -L -n', fresh);
    // The same single command as the fresh ssh, through the held session: what the session alone saves.
    const same = await measure(() => ctx.director.exec(['ipvsadm', '-L', '-n']), 9, 2);
    report('ipvsadm -L -n through the held session', same);
    console.log(`ratio warm status / fresh ssh: ${(warm.median / fresh.median).toFixed(3)} (goal ≤ 0.25; fresh ssh is ${ratio(fresh.median, warm.median)} slower)`);
    console.log(`ratio warm status --stats --rate / fresh ssh: ${(full.median / fresh.median).toFixed(3)}`);
    console.log(`ratio same command, held / fresh: ${(same.median / fresh.median).toFixed(3)}`);
  } finally {
    await sessions.close();
  }
}

/**
 * The director script's `update` (run by cron every minute) at 50 and 100 realservers × 2 services: the script as it
 * is (one awk pass decides every destination) against the script as it was (a few processes per destination), side by
 * side in one run, with dash on this machine and the probe's answers given (test/fixtures/director-script/
 * update-harness.ts): this is the decision's own cost, which a slow director (the lab's one TCG vCPU) multiplies.
 * Half the realservers fail a check, so about half the destinations change.
 */
import { updateHarness, type UpdateCase } from '../../fixtures/director-script/update-harness.ts';
import { measure, report } from '../measure.ts';

const VIP = '10.77.0.100';

function bigCase(n: number): UpdateCase {
  const rips = Array.from({ length: n }, (_, i) => `10.77.${1 + (i >> 8)}.${i & 255}`);
  const live: string[] = [`-A -t ${VIP}:23 -s wlc`, `-A -u ${VIP}:177 -s wlc`];
  const probe: string[] = [];
  rips.forEach((r, i) => {
    live.push(`-a -t ${VIP}:23 -r ${r}:23 -m -w 1`);
    if (i % 3) live.push(`-a -u ${VIP}:177 -r ${r}:177 -m -w 1`);
    probe.push(`${r} icmp up`, `${r} tcp 23 ${i % 2 ? 'up' : 'down'}`, i % 2 ? `${r} udp 177 reply 000100050010000000000000` : `${r} udp 177 noreply`);
  });
  const conf = `VIP=${VIP}\nVIP_IF=eth0:110\nTPORTS="23"\nUPORTS="177"\nRIPS="${rips.join(' ')}"\nCHECKS="tcp/23=connect udp/177=xdmcp"\n`;
  return { conf, live: `${live.join('\n')}\n`, probe: `${probe.join('\n')}\n` };
}

export default async function directorUpdate(): Promise<void> {
  const h = updateHarness();
  try {
    for (const n of [50, 100]) {
      const c = bigCase(n);
      const same = JSON.stringify(h.run('before', c)) === JSON.stringify(h.run('now', c));
      const before = await measure(() => h.run('before', c), 5, 1);
      const now = await measure(() => h.run('now', c), 5, 1);
      report(`update, ${n} realservers × 2 services, per-destination processes (before)`, before);
      report(`update, ${n} realservers × 2 services, one awk pass (now)`, now);
      console.log(`ratio before / now: ${(before.median / now.median).toFixed(1)}×; same commands and log: ${same}`);
    }
  } finally {
    h.close();
  }
}

/**
 * The soak (issue 9 §4), the long run: 50 realservers (RELY_SOAK_RS), random realserver failures and recoveries, the
 * app's main process sampling at 1 Hz, the seed runtime's update every minute, for 30 minutes (RELY_SOAK_MIN). Prints the
 * memory series of the app's process and its growth after warm-up, and whether the final table is the desired one.
 * Environment: RELY_SOAK_MIN (default 30), RELY_SOAK_RS (default 50), RELY_SOAK_WARMUP_MIN (default 10), RELY_SEED,
 * RELY_SOAK_AUDIT_MAX (the app's audit log memory bound for the run, default 2,000: it fills within the warm-up). The CI short version is
 * test/lab/reliability.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT } from '../../../lab/support/remote-lab.ts';
import { benchLab } from '../support/bench-lab.ts';
import { runSoak, summarizeSoak } from '../support/soak.ts';

export default async function soak(): Promise<void> {
  process.env.LVSLAB_REALSERVERS = process.env.RELY_SOAK_RS ?? '50';
  const lab = benchLab();
  if (!lab) return;
  const r = await runSoak(lab, {
    minutes: Number(process.env.RELY_SOAK_MIN ?? 30),
    // The app's bounded buffers fill first (the audit log's 10,000 entries in memory: ~7 min at 50 realservers).
    warmupMin: Number(process.env.RELY_SOAK_WARMUP_MIN ?? 10),
    ...(process.env.RELY_SEED ? { seed: Number(process.env.RELY_SEED) } : {}),
    ...(process.env.RELY_SOAK_AUDIT_MAX ? { auditMax: Number(process.env.RELY_SOAK_AUDIT_MAX) } : {}),
    log: (l) => console.log(`  ${l}`),
  });
  const summary = summarizeSoak(r);
  console.log('');
  for (const l of summary) console.log(l);
  writeFileSync(join(OUT, 'reliability-soak.txt'), `${[...r.lines, '', ...summary].join('\n')}\n`);
  console.log(`(the whole run: ${join(OUT, 'reliability-soak.txt')})`);
}

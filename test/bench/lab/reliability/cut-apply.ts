/**
 * SSH cut at random points of an apply (issue 9 §4), the long run: ≥ 100 trials on 2 services × 100 realservers, each
 * cut at a random time in [0, T] of the run (T: the same operation uncut), plus trials cut at each phase boundary; every
 * one must end with the director exactly as before or exactly as planned. Prints every trial and the summary: the count,
 * the distribution of cut points, what the product said, and the runtime configuration against the table.
 * Environment: RELY_CUT_TRIALS (random-time trials, default 100), RELY_CUT_BOUNDARY (trials per boundary, default 4),
 * RELY_SEED (the random choices, printed either way). The CI short version is test/lab/reliability.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT } from '../../../lab/support/remote-lab.ts';
import { benchLab } from '../support/bench-lab.ts';
import { runCutTrials, summarize } from '../support/cut-trials.ts';

export default async function cutApply(): Promise<void> {
  const lab = benchLab();
  if (!lab) return;
  const randomTrials = Number(process.env.RELY_CUT_TRIALS ?? 100);
  const boundaryTrials = Number(process.env.RELY_CUT_BOUNDARY ?? 4);
  const r = await runCutTrials(lab, {
    randomTrials,
    boundaryTrials,
    ...(process.env.RELY_SEED ? { seed: Number(process.env.RELY_SEED) } : {}),
    log: (l) => console.log(`  ${l}`),
  });
  const summary = summarize(r);
  console.log('');
  for (const l of summary) console.log(l);
  writeFileSync(join(OUT, 'reliability-cuts.txt'), `${[...r.lines, '', ...summary].join('\n')}\n`);
  console.log(`(every trial: ${join(OUT, 'reliability-cuts.txt')})`);
}

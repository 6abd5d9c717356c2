/**
 * Reliability, the short version for CI (issue 9 §4; the long runs are `npm run bench:reliability`): on the real lab,
 * (1) the product's apply on 2 services × 100 realservers with its SSH connection cut at random times of the run and at
 * each phase boundary: every trial ends with the director exactly as before or exactly as planned, the product says
 * what happened, and the director's configuration agrees with its table (the saved profile; /etc/lvs.conf when installed); (2) a 2-minute soak
 * on 10 realservers with random cable pulls and telnet/xdm stops, the app's handlers sampling at 1 Hz in their own
 * process and the seed runtime's update run periodically: the final table is the desired one. Correctness only: nothing
 * here is asserted on time. Figures and every trial go to test/lab/out/reliability-*.txt.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCutTrials, summarize } from '../bench/lab/support/cut-trials.ts';
import { runSoak, summarizeSoak } from '../bench/lab/support/soak.ts';
import { labUnavailable, labUp, OUT, type Lab } from './support/remote-lab.ts';

const skip = labUnavailable();
if (skip) console.warn(`[lab] reliability tests skipped: ${skip}`);

let lab: Lab;
const note = (s: string) => console.log(`[reliability] ${s}`);

describe.skipIf(!!skip)(`reliability against the lab${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  beforeAll(() => {
    // 10 realservers for the soak; the next lab test file's lab:up goes back to its own number.
    process.env.LVSLAB_REALSERVERS = '10';
    lab = labUp();
  }, 20 * 60_000);

  it('an SSH connection cut at random points of an apply (2 services × 100 realservers) leaves the director as before or as planned, never in between', async () => {
    const r = await runCutTrials(lab, { randomTrials: 5, boundaryTrials: 1, uncutRounds: 1, log: note });
    const summary = summarize(r);
    writeFileSync(join(OUT, 'reliability-cuts.txt'), `${[...r.lines, '', ...summary].join('\n')}\n`);
    for (const l of summary) note(l);
    const cut = r.trials.filter((t) => !t.missed);
    expect(cut.length).toBeGreaterThanOrEqual(10);
    for (const t of cut) {
      expect(t.state, `trial #${t.n} ${t.op}: ${t.lie ?? ''}`).not.toBe('in between');
      expect(t.lie, `trial #${t.n} ${t.op}`).toBeUndefined();
      expect(t.config.kind, `trial #${t.n} ${t.op}: ${JSON.stringify(t.config)}`).not.toBe('inconsistent');
      expect(t.profile.kind, `trial #${t.n} ${t.op}: ${JSON.stringify(t.profile)}`).not.toBe('inconsistent');
    }
    // The cuts reached every stage that matters: before the transaction, and while it ran on the director.
    const stages = new Set(cut.flatMap((t) => t.cuts.map((c) => c.stage)));
    expect(stages.has('running'), [...stages].join(', ')).toBe(true);
  }, 600_000);

  it('a 2-minute soak on 10 realservers with random failures and recoveries ends with the desired table', async () => {
    const r = await runSoak(lab, { minutes: 2, updateEveryS: 20, faultEveryS: [3, 8], memEveryS: 30, log: note });
    const summary = summarizeSoak(r);
    writeFileSync(join(OUT, 'reliability-soak.txt'), `${[...r.lines, '', ...summary].join('\n')}\n`);
    for (const l of summary) note(l);
    expect(r.faults.link + r.faults.telnet + r.faults.xdm).toBeGreaterThan(0);
    expect(r.updates.failed).toBe(0);
    expect({ missing: r.missing, extra: r.extra }).toEqual({ missing: [], extra: [] });
    expect(r.tableIsDesired).toBe(true);
    // The app's process ran the whole time and sampled.
    expect(r.mem.slice(1).some((m) => m.samples > 0)).toBe(true);
  }, 600_000);
});

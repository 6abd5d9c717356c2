/**
 * The director's lock (electron/shell/director-lock.ts) on the real lab: the script runtime installed (the seed's
 * /etc/init.d/lvs-director with its cron `update`), the director's own `update` run again and again on the director while
 * a realserver's telnet goes down and up (so update really changes the table), and the console editing and reloading at
 * the same time. Without the lock the console's transaction sees the table change under it and rolls back, reporting a
 * false "CHECK THE DIRECTOR NOW" (ROLLBACK_FAILED), or its rollback undoes what update just did. With it: every console run
 * ends as planned or cleanly refused (nothing changed), and the final table is what the director's configuration says.
 * Then a lock held by a live holder refuses a console change by name, and the lock of a killed holder is removed.
 * Artifacts (each run's outcome, the director's update log) go to test/lab/out/director-lock.log.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desiredTable } from '../../electron/lvs/plan/desired-table.ts';
import { formatSaveLines } from '../../electron/lvs/ipvs/ipvs-rules.ts';
import { TX_DIR } from '../../electron/lvs/plan/transaction.ts';
import { clusterSchema } from '../../shared/model/cluster.ts';
import { labExec, labSh, labUnavailable, labUp, lvsctl, OUT, REPO, realservers, restoreBootState, writeProfile, type Lab } from './support/remote-lab.ts';
import { sleep, until } from './support/until.ts';

const skip = labUnavailable();
if (skip) console.warn(`[lab] director lock lab tests skipped: ${skip}`);

let lab: Lab;
let profile = '';
const log: string[] = [];
const note = (s: string) => {
  log.push(s);
  console.log(`[lab] ${s}`);
};
const LOOP_STOP = '/tmp/lock-race.stop';
const LOOP_LOG = '/tmp/lock-race.log';
const FLIP_STOP = join(REPO, '.lab', 'lock-race-flip.stop');

/** lvsctl --json with the test's copy of the lab profile (edits save it). */
async function ctl(...args: string[]): Promise<{ code: number; ok: boolean; error?: { code: string; message: string }; raw: string }> {
  const r = await lvsctl(['--profile', profile, '--known-hosts', lab.emptyKnownHosts, '--json', ...args]);
  const json = r.out.trim() ? (JSON.parse(r.out) as { ok: boolean; error?: { code: string; message: string } }) : undefined;
  return { code: r.code, ok: r.code === 0, ...(json?.error ? { error: json.error } : {}), raw: `${r.out}${r.err}` };
}

/** The director's table, sorted lines (`ipvsadm -S -n` over the lab's own ssh). */
const liveLines = () => labSh('director', 'ipvsadm -S -n').split('\n').filter(Boolean).sort();

/** What the director's own configuration says: `lvs-director rules` (the -R lines start/reload load), sorted. */
const confLines = () => labSh('director', '/etc/init.d/lvs-director rules').split('\n').filter(Boolean).sort();

/** A console refusal that changed nothing: the lock was busy, or the table changed since the console looked. */
const CLEAN_REFUSAL = /take the director's lock: .*nothing was changed|snapshot: the director's table changed since the console looked at it .*nothing was changed/;

function stopLoops(): void {
  labExec('director', `touch ${LOOP_STOP}`);
  writeFileSync(FLIP_STOP, '');
}

describe.skipIf(!!skip)(`the director's lock against the lab${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  beforeAll(() => {
    lab = labUp();
    restoreBootState(lab);
    profile = writeProfile(lab, 'director-lock', (p) => p);
  }, 20 * 60_000);

  afterAll(() => {
    if (!lab) return;
    stopLoops();
    const rs3 = realservers(lab)[2]!;
    spawn('bash', [join(REPO, 'test/lab/lab.sh'), 'service', rs3.name, 'telnet', 'start'], { stdio: 'ignore' });
    labExec('director', `[ -f /tmp/lock-holder.pid ] && kill -9 "$(cat /tmp/lock-holder.pid)"; rm -f /tmp/lock-holder.pid ${TX_DIR}/director.lock ${LOOP_LOG}; true`);
    restoreBootState(lab);
    rmSync(FLIP_STOP, { force: true });
    writeFileSync(join(OUT, 'director-lock.log'), `${log.join('\n')}\n`);
  }, 5 * 60_000);

  it("the director's own update (in a loop, a realserver's telnet flapping) and console edits/reloads overlap: no false ROLLBACK_FAILED, each run as planned or cleanly refused, the final table is the director's configuration", async () => {
    const [rs1, rs2, rs3] = realservers(lab) as [{ name: string; ip: string }, { name: string; ip: string }, { name: string; ip: string }];
    const inst = await ctl('install-director');
    expect(inst.code, inst.raw).toBe(0);
    const start = await ctl('start');
    expect(start.code, start.raw).toBe(0);
    expect(labSh('director', 'cat /etc/crontabs/root')).toContain('* * * * * /etc/init.d/lvs-director update');

    // the director's own update, again and again (cron also runs it every minute); its log says what it changed
    labSh('director', `rm -f ${LOOP_STOP} ${LOOP_LOG}; setsid sh -c 'while [ ! -f ${LOOP_STOP} ]; do echo "== update $(date +%s)"; /etc/init.d/lvs-director update; sleep 1; done' </dev/null >>${LOOP_LOG} 2>&1 &`);
    // rs3's telnet down 4 s, up 4 s, … so update takes it out of and back into TCP 23
    rmSync(FLIP_STOP, { force: true });
    const lab_sh = join(REPO, 'test/lab/lab.sh');
    const flipper = spawn('bash', ['-c', `while [ ! -f "$1" ]; do bash "$2" service "$3" telnet stop; sleep 4; bash "$2" service "$3" telnet start; sleep 4; done`, 'flip', FLIP_STOP, lab_sh, rs3.name], {
      cwd: REPO,
      stdio: 'ignore',
    });
    const flipperDone = new Promise<void>((r) => flipper.on('close', () => r()));

    const ops: string[][] = [
      ['realserver', 'weight', rs1.name, '2'],
      ['reload'],
      ['realserver', 'disable', rs2.name],
      ['realserver', 'weight', rs1.name, '3'],
      ['realserver', 'enable', rs2.name],
      ['reload'],
    ];
    const outcomes: { op: string; result: string }[] = [];
    try {
      for (let round = 0; round < 2; round++) {
        for (const op of ops) {
          const r = await ctl(...op);
          const result = r.ok ? 'applied' : `${r.error?.code ?? `exit ${r.code}`}: ${r.error?.message ?? r.raw.trim().slice(0, 400)}`;
          outcomes.push({ op: op.join(' '), result });
          note(`console ${op.join(' ')}: ${result}`);
        }
      }
    } finally {
      stopLoops();
      await Promise.race([flipperDone, sleep(30_000)]);
    }
    const updates = labSh('director', `cat ${LOOP_LOG}`);
    const runs = updates.split('\n').filter((l) => l.startsWith('== update')).length;
    const changes = updates.split('\n').filter((l) => /lvs-director: (removed|added) /.test(l));
    const skipped = updates.split('\n').filter((l) => l.includes('update skipped this minute'));
    note(`the director's update ran ${runs} times during the console's ${outcomes.length} runs, changed the table ${changes.length} times, skipped ${skipped.length} times; ` +
      `console: ${outcomes.filter((o) => o.result === 'applied').length} applied, ${outcomes.filter((o) => o.result !== 'applied').length} refused`);
    note(`update log:\n${updates}`);

    // the race was real: update changed the table while the console ran
    expect(changes.length, updates).toBeGreaterThanOrEqual(2);
    for (const o of outcomes) {
      expect(o.result, o.op).not.toMatch(/ROLLBACK_FAILED|CHECK THE DIRECTOR/);
      if (o.result !== 'applied') expect(o.result, o.op).toMatch(CLEAN_REFUSAL);
    }
    expect(outcomes.filter((o) => o.result === 'applied').length, outcomes.map((o) => `${o.op}: ${o.result}`).join('\n')).toBeGreaterThanOrEqual(1);

    // every realserver healthy again, one more update by hand: the table is exactly what the director's config says,
    // and that is the console's saved profile
    spawn('bash', [lab_sh, 'service', rs3.name, 'telnet', 'start'], { stdio: 'ignore' });
    await until(30_000, 1000, () => labExec(rs3.name, 'ss -ltn').stdout.includes(':23 '));
    const settled = await until(60_000, 2000, () => {
      labExec('director', '/etc/init.d/lvs-director update');
      const live = liveLines();
      return live.join('\n') === confLines().join('\n') ? live : undefined;
    });
    const saved = clusterSchema.parse(JSON.parse(readFileSync(profile, 'utf8')));
    const planned = formatSaveLines(desiredTable(saved, (h) => h)).split('\n').filter(Boolean).sort();
    note(`final table (${liveLines().length} lines) vs lvs-director rules: ${settled ? 'same' : 'DIFFERENT'}`);
    expect(liveLines()).toEqual(confLines());
    expect(liveLines()).toEqual(planned);
    expect(labExec('director', `ls ${TX_DIR}/director.lock`).code, 'no lock left behind').not.toBe(0);
  }, 15 * 60_000);

  it('a lock held by a live holder refuses a console change by name, changing nothing; once that holder is killed its lock is removed and the change applies', async () => {
    const rs1 = realservers(lab)[0]!;
    const before = liveLines();
    // the director's cron update (installed by the test before) may hold the lock this very second: wait for it (it
    // releases within seconds) rather than fail on "File exists" (the fresh-clone CI of 969f689 did, once)
    const holder = labSh(
      'director',
      `sleep 600 </dev/null >/dev/null 2>&1 & p=$!; echo $p > /tmp/lock-holder.pid; st=$(awk '{ sub(/^.*\\) /, ""); print $20 }' /proc/$p/stat); i=0; ` +
        `until ln -s "$p:$st:$(cat /proc/sys/kernel/random/boot_id):$(date +%s):lvs-director-update" ${TX_DIR}/director.lock 2>/dev/null; do ` +
        `i=$((i + 1)); if [ $i -ge 30 ]; then kill $p; ls -l ${TX_DIR}/director.lock; exit 1; fi; sleep 1; done; echo $p`,
    ).trim();
    const refused = await ctl('realserver', 'weight', rs1.name, '4');
    note(`lock held by pid ${holder}: ${refused.error?.code}: ${refused.error?.message}`);
    expect(refused.error?.code, refused.raw).toBe('APPLY_FAILED');
    expect(refused.error?.message).toMatch(
      new RegExp(
        `^director ${lab.cluster.director.host.replace(/\./g, '\\.')}: take the director's lock: the director's own lvs-director update \\(pid ${holder}\\) holds the director's lock \\(${TX_DIR}/director\\.lock, since \\d\\d:\\d\\d:\\d\\d UTC\\); waited 30 s; nothing was changed`,
      ),
    );
    expect(liveLines()).toEqual(before);
    labSh('director', `kill -9 ${holder}`);
    const applied = await ctl('realserver', 'weight', rs1.name, '4');
    note(`holder killed: ${applied.ok ? 'applied' : applied.raw}`);
    expect(applied.code, applied.raw).toBe(0);
    expect(liveLines().filter((l) => l.includes(`-r ${rs1.ip}:`)).every((l) => l.endsWith(' -w 4'))).toBe(true);
    expect(labExec('director', `ls ${TX_DIR}/director.lock`).code).not.toBe(0);
  }, 5 * 60_000);
});

/**
 * Issue 9 §1 and §2 against the real lab director (real kernel IPVS, real ipvsadm), through lvsctl in-process (the same
 * code as the binary; every verb goes through the cluster's ClusterService): a saved preview is refused when the table
 * changed by hand between the preview and the run; every edit changes only what it names (read back with ipvsadm on
 * the director, over the lab's own ssh); two profiles (two VIPs, the same realservers) on one director leave each
 * other's services alone, and `ipvsadm -C` runs only when the director holds nothing else. Artifacts in test/lab/out/.
 * Skips (saying why) without root/Linux; CI is root and runs it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterInput } from '../../shared/model/cluster.ts';
import { labSh, labUnavailable, labUp, lvsctl, OUT, realservers, restoreBootState, writeProfile, type Lab } from './support/remote-lab.ts';

const skip = labUnavailable();
if (skip) console.warn(`[lab] preview/ownership lab tests skipped: ${skip}`);

let lab: Lab;
const log: string[] = [];
const note = (s: string) => {
  log.push(s);
  console.log(`[lab] ${s}`);
};

/** The director's table as `ipvsadm -S -n` prints it, read over the lab's own ssh (independent of the product). */
const liveSave = () => labSh('director', 'ipvsadm -S -n');
/** Its lines as a set. */
const lines = () => new Set(liveSave().split('\n').filter(Boolean));
/** What changed between two line sets: removed (-) and added (+) lines, sorted. */
function changed(before: Set<string>, after: Set<string>): string[] {
  return [...[...before].filter((l) => !after.has(l)).map((l) => `- ${l}`), ...[...after].filter((l) => !before.has(l)).map((l) => `+ ${l}`)].sort();
}

let profileA: string;
let profileB: string;
let vipB: string;
/** lvsctl with a profile file and no ~/.ssh/known_hosts. */
const ctl = (profile: string, ...args: string[]) => lvsctl(['--profile', profile, '--known-hosts', lab.emptyKnownHosts, ...args]);
const ip = (name: string) => realservers(lab).find((r) => r.name === name)!.ip;

describe.skipIf(!!skip)(`the preview is the plan; a profile touches only its own services (lab)${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  beforeAll(() => {
    lab = labUp();
    restoreBootState(lab);
    // Copies: edits save the profile file they were given.
    profileA = writeProfile(lab, 'profile-a', (p) => p);
    vipB = `${lab.vip.split('.').slice(0, 3).join('.')}.101`;
    profileB = writeProfile(lab, 'profile-b', (p): ClusterInput => ({ ...p, id: 'lvslab-second', name: 'second cluster', vip: vipB, vipIf: 'eth0:111' }));
    note(`lab up: VIP A ${lab.vip}, VIP B ${vipB}`);
  }, 20 * 60_000);

  afterAll(() => {
    if (!lab) return;
    restoreBootState(lab);
    writeFileSync(join(OUT, 'preview-ownership.log'), `${log.join('\n')}\n`);
  }, 5 * 60_000);

  it('a saved preview is refused when the table was changed by hand before it ran, naming what changed; nothing runs', async () => {
    const start = await ctl(profileA, 'start');
    expect(start.code, start.err).toBe(0);
    const planFile = join(lab.home, 'weight-rs3.plan.json');
    const dry = await ctl(profileA, 'realserver', 'weight', 'rs3', '3', '--dry-run', '--save-plan', planFile);
    expect(dry.code, dry.err).toBe(0);
    note(`preview of "weight rs3 3":\n${dry.out}`);
    expect(dry.out).toContain(`ipvsadm -e -t ${lab.vip}:23 -r ${ip('rs3')}:23 -m -w 3`);
    // Another admin, between the preview and the run:
    labSh('director', `ipvsadm -e -t ${lab.vip}:23 -r ${ip('rs2')}:23 -m -w 5`);
    const byHand = liveSave();
    const run = await ctl(profileA, 'realserver', 'weight', 'rs3', '3', '--plan', planFile);
    note(`stale run: exit ${run.code}: ${run.err.trim()}`);
    expect(run.code).toBe(1);
    expect(run.err).toContain('changed since you looked: ');
    expect(run.err).toContain(`rs2 (${ip('rs2')}:23) in tcp ${lab.vip}:23: weight 1 → 5`);
    expect(run.out).toContain('# the fresh preview');
    expect(liveSave()).toBe(byHand);
    // Back as it was: the same saved preview runs.
    labSh('director', `ipvsadm -e -t ${lab.vip}:23 -r ${ip('rs2')}:23 -m -w 1`);
    const ok = await ctl(profileA, 'realserver', 'weight', 'rs3', '3', '--plan', planFile);
    expect(ok.code, ok.err).toBe(0);
    expect(liveSave()).toContain(`-r ${ip('rs3')}:23 -m -w 3`);
  }, 240_000);

  it('every edit changes only what it names (ipvsadm -S -n on the director before and after each)', async () => {
    const v = lab.vip;
    const step = async (args: string[], want: string[]) => {
      const before = lines();
      const r = await ctl(profileA, 'realserver', ...args);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(0);
      const diff = changed(before, lines());
      note(`realserver ${args.join(' ')}: ${diff.join(' | ') || 'no change'}`);
      expect(diff).toEqual([...want].sort());
    };
    await step(['weight', 'rs1', '2'], [
      `- -a -t ${v}:23 -r ${ip('rs1')}:23 -m -w 1`, `+ -a -t ${v}:23 -r ${ip('rs1')}:23 -m -w 2`,
      `- -a -u ${v}:177 -r ${ip('rs1')}:177 -m -w 1`, `+ -a -u ${v}:177 -r ${ip('rs1')}:177 -m -w 2`,
    ]);
    // Drain rs2 in the telnet service only: that row, nothing else (its XDMCP row keeps weight 1).
    await step(['drain', 'rs2', '--service', 'tcp/23'], [`- -a -t ${v}:23 -r ${ip('rs2')}:23 -m -w 1`, `+ -a -t ${v}:23 -r ${ip('rs2')}:23 -m -w 0`]);
    // The issue's case: setting rs3's weight while rs2 drains never deletes rs2.
    await step(['weight', 'rs3', '4'], [
      `- -a -t ${v}:23 -r ${ip('rs3')}:23 -m -w 3`, `+ -a -t ${v}:23 -r ${ip('rs3')}:23 -m -w 4`,
      `- -a -u ${v}:177 -r ${ip('rs3')}:177 -m -w 3`, `+ -a -u ${v}:177 -r ${ip('rs3')}:177 -m -w 4`,
    ]);
    await step(['disable', 'rs1'], [`- -a -t ${v}:23 -r ${ip('rs1')}:23 -m -w 2`, `- -a -u ${v}:177 -r ${ip('rs1')}:177 -m -w 2`]);
    await step(['enable', 'rs1'], [`+ -a -t ${v}:23 -r ${ip('rs1')}:23 -m -w 2`, `+ -a -u ${v}:177 -r ${ip('rs1')}:177 -m -w 2`]);
    await step(['enable', 'rs2', '--service', 'tcp/23'], [`- -a -t ${v}:23 -r ${ip('rs2')}:23 -m -w 0`, `+ -a -t ${v}:23 -r ${ip('rs2')}:23 -m -w 1`]);
    // What the profile file says is what the director holds: reconcile finds nothing to do.
    const rec = await ctl(profileA, 'reconcile', '--dry-run');
    expect(rec.code, rec.err).toBe(0);
    expect(rec.out).toMatch(/: 0 step\(s\)\n/);
  }, 300_000);

  it('two profiles on one director leave each other alone; ipvsadm -C only when the director holds nothing else', async () => {
    const mine = () => [...lines()].filter((l) => l.includes(`${lab.vip}:`)).sort();
    const theirs = () => [...lines()].filter((l) => l.includes(`${vipB}:`)).sort();
    const a = mine();
    expect(a).toHaveLength(8);
    const dry = await ctl(profileB, 'start', '--dry-run');
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out.split('\n')).not.toContain('ipvsadm -C');
    expect(dry.out).toContain('2 service(s) of other VIPs on the director are left alone (not ipvsadm -C)');
    const startB = await ctl(profileB, 'start');
    expect(startB.code, startB.err).toBe(0);
    expect(mine()).toEqual(a);
    expect(theirs()).toHaveLength(8);
    expect(labSh('director', 'ip -o addr show dev eth0')).toContain(`${vipB}/24`);
    // B's reconcile has nothing to do: A's services are not extras to delete.
    const rec = await ctl(profileB, 'reconcile', '--dry-run');
    expect(rec.out).toMatch(/: 0 step\(s\)\n/);
    expect(rec.out).toContain('2 service(s) of other VIPs on the director: not this profile\'s, left alone');
    // B's edits stay on B's VIP.
    const drain = await ctl(profileB, 'realserver', 'drain', 'rs2');
    expect(drain.code, drain.err).toBe(0);
    expect(mine()).toEqual(a);
    expect(theirs().filter((l) => l.includes(`-r ${ip('rs2')}:`))).toEqual([`-a -t ${vipB}:23 -r ${ip('rs2')}:23 -m -w 0`, `-a -u ${vipB}:177 -r ${ip('rs2')}:177 -m -w 0`]);
    // B stops: B's services and VIP go, A's stay (no -C: the director holds A's).
    const stopB = await ctl(profileB, 'stop');
    expect(stopB.code, stopB.err).toBe(0);
    expect(theirs()).toEqual([]);
    expect(mine()).toEqual(a);
    const addrs = labSh('director', 'ip -o addr show dev eth0');
    expect(addrs).not.toContain(`${vipB}/24`);
    expect(addrs).toContain(`${lab.vip}/24`);
    // A alone now: its stop clears the whole table with ipvsadm -C.
    const stopDry = await ctl(profileA, 'stop', '--dry-run');
    expect(stopDry.out.split('\n')).toContain('ipvsadm -C');
    const stopA = await ctl(profileA, 'stop');
    expect(stopA.code, stopA.err).toBe(0);
    expect(liveSave()).toBe('');
  }, 300_000);
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterSchema, type Cluster, type ClusterInput } from '../../../../../shared/model/cluster.ts';
import { LVS_DIRECTOR_SCRIPT } from '../../../../../electron/lvs/conf/director-init-script.ts';
import { directorConf } from '../../../../../electron/lvs/conf/director-conf.ts';
import { writeLvsConf } from '../../../../../electron/lvs/conf/conf-write.ts';
import { formatSaveLines } from '../../../../../electron/lvs/ipvs/ipvs-rules.ts';
import type { IpvsTable } from '../../../../../shared/model/ipvs.ts';
import { desiredTable } from '../../../../../electron/lvs/plan/desired-table.ts';
import type { ConfEdit } from '../../../../../electron/lvs/plan/edit-conf.ts';
import { editProfile, planEdit, type RealserverEdit } from '../../../../../electron/lvs/plan/realserver-edit.ts';
import { lvsConfChange } from '../../../../../electron/lvs/plan/script-runtime.ts';
import { prng } from '../../../../fixtures/ipvsadm/render.ts';

// The reader of /etc/lvs.conf is the director's own script: its `rules` verb prints the ipvsadm -R lines it would load
// (run here with the real sh). After an edit, those rules must be the table the edit leaves, whatever the profile holds
// that was never applied: that is what the director's cron update, reload and boot load.
const dir = mkdtempSync(join(tmpdir(), 'edit-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const VIP = '10.77.0.100';
const resolve = (h: string) => ({ 'rs1.lab': '10.77.0.11' })[h] ?? h;

/** The script's rules for `conf` against the table: lines missing, and lines extra but for destinations at weight 0 (draining). */
function disagreement(conf: string, table: IpvsTable): { missing: string[]; extra: string[] } {
  const file = join(dir, 'lvs.conf');
  writeFileSync(file, conf);
  const out = execFileSync('sh', ['-c', LVS_DIRECTOR_SCRIPT, 'lvs-director', 'rules'], { env: { ...process.env, LVS_CONF: file }, encoding: 'utf8' });
  const mine = (l: string) => l.startsWith(`-A -t ${VIP}:`) || l.startsWith(`-A -u ${VIP}:`) || l.startsWith(`-a -t ${VIP}:`) || l.startsWith(`-a -u ${VIP}:`);
  const want = new Set(out.split('\n').map((l) => l.trim()).filter(mine));
  const have = new Set(formatSaveLines(table).split('\n').map((l) => l.trim()).filter(mine));
  return { missing: [...want].filter((l) => !have.has(l)), extra: [...have].filter((l) => !want.has(l) && !/ -w 0$/.test(l)) };
}

const base: ClusterInput = {
  id: 'lab',
  name: 'lab',
  director: { host: '10.77.0.1', user: 'root' },
  vip: VIP,
  tcp: [{ port: 'telnet' }],
  udp: [{ port: 'xdmcp' }],
  realservers: [{ host: '10.77.0.11', name: 'rs1' }, { host: '10.77.0.12', name: 'rs2', weight: 2 }, { host: '10.77.0.13', name: 'rs3' }, { host: '10.77.0.14', name: 'rs4', enabled: false }],
};

/** One edit through the planners: the table and /etc/lvs.conf it leaves, the saved profile, and the preview's notes. */
function runEdit(saved: Cluster, table: IpvsTable, conf: string, realserver: string, edit: RealserverEdit, service?: string, opts: { asBefore?: boolean } = {}) {
  const target = { realserver, ...(service ? { service } : {}) };
  const { cluster: edited, services } = editProfile(saved, target, edit);
  const plan = planEdit(edited, resolve, table, target, services, edit.kind);
  const e: ConfEdit = { edited, realserver, services, kind: edit.kind };
  const change = lvsConfChange(edited, resolve, conf, opts.asBefore ? undefined : e);
  const step = change.steps[0];
  if (step && (step.argv[0] !== 'install' || step.stdin === undefined)) throw new Error(`not an install step: ${step.argv.join(' ')}`);
  return { saved: edited, table: plan.desired!, conf: step ? step.stdin! : conf, notes: change.notes };
}

/** A random edit of a random realserver of `saved` (per service half of the time, except a weight). */
function randomEdit(rnd: () => number, saved: Cluster): { rs: string; edit: RealserverEdit; service: string | undefined; what: string } {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const kind = pick<RealserverEdit['kind']>(['weight', 'drain', 'disable', 'enable']);
  const rs = pick(saved.realservers).name!;
  const service = kind !== 'weight' && rnd() < 0.5 ? pick(['tcp/23', 'udp/177']) : undefined;
  const edit: RealserverEdit = kind === 'weight' ? { kind, weight: 1 + Math.floor(rnd() * 5) } : { kind };
  return { rs, edit, service, what: `${kind} ${rs}${service ? ` ${service}` : ''}` };
}

describe('an edit writes the director\'s /etc/lvs.conf as it was plus the edit (checked by the director script itself)', () => {
  const cluster = clusterSchema.parse(base);
  const conf0 = writeLvsConf(directorConf(cluster));
  const table0 = desiredTable(cluster, resolve);

  it('starts consistent: the file the profile writes loads the profile\'s table', () => {
    expect(disagreement(conf0, table0)).toEqual({ missing: [], extra: [] });
  });

  it('a weight edited in the profile and never applied stays out of the file when another realserver is drained', () => {
    // The admin set rs2's weight to 5 in the profile; the reload that would apply it never ran.
    const unapplied = { ...cluster, realservers: cluster.realservers.map((r) => (r.name === 'rs2' ? { ...r, weight: 5 } : r)) };
    const after = runEdit(unapplied, table0, conf0, 'rs3', { kind: 'drain' });
    expect(disagreement(after.conf, after.table)).toEqual({ missing: [], extra: [] });
    expect(after.conf).toMatch(/WEIGHTS="?10\.77\.0\.12=2"?/);
    expect(after.conf).toMatch(/RIPS_DISABLED="?[^"\n]*10\.77\.0\.13/);
    // The way it was done before (the file from the profile as it is now) puts rs2's weight 5 in the file: the bug.
    const old = runEdit(unapplied, table0, conf0, 'rs3', { kind: 'drain' }, undefined, { asBefore: true });
    expect(disagreement(old.conf, old.table).missing).toContain(`-a -t ${VIP}:23 -r 10.77.0.12:23 -m -w 5`);
  });

  it('a per-service drain excludes that service only, and an enable brings it back with the profile\'s weight', () => {
    const drained = runEdit(cluster, table0, conf0, 'rs1', { kind: 'drain' }, 'udp/177');
    expect(drained.conf).toMatch(/EXCLUDE="?10\.77\.0\.11=udp\/177"?/);
    expect(disagreement(drained.conf, drained.table)).toEqual({ missing: [], extra: [] });
    const back = runEdit(drained.saved, drained.table, drained.conf, 'rs1', { kind: 'enable' });
    expect(back.conf).not.toMatch(/10\.77\.0\.11=udp/);
    expect(disagreement(back.conf, back.table)).toEqual({ missing: [], extra: [] });
  });

  it('a realserver the file spells by name keeps that spelling (the director script compares strings)', () => {
    const named = clusterSchema.parse({ ...base, realservers: [{ host: 'rs1.lab', name: 'rs1' }, ...base.realservers!.slice(1)] });
    const conf = writeLvsConf(directorConf(named));
    const t = desiredTable(named, resolve);
    const after = runEdit({ ...named, realservers: named.realservers.map((r, i) => (i === 0 ? { ...r, host: '10.77.0.11' } : r)) }, t, conf, 'rs1', { kind: 'weight', weight: 4 });
    // (the director script resolves names itself, which it cannot here: the text is checked)
    expect(after.conf).toMatch(/WEIGHTS="?[^"\n]*rs1\.lab=4/);
    expect(after.conf).not.toMatch(/10\.77\.0\.11/);
  });

  it('enabling a realserver the file does not list adds it to RIPS; disabling one it does not list leaves the file alone', () => {
    const added = clusterSchema.parse({ ...base, realservers: [...base.realservers!, { host: '10.77.0.15', name: 'rs5', enabled: false }] });
    const on = runEdit(added, table0, conf0, 'rs5', { kind: 'enable' });
    expect(on.conf).toMatch(/10\.77\.0\.15/);
    expect(disagreement(on.conf, on.table)).toEqual({ missing: [], extra: [] });
    const newcomer = clusterSchema.parse({ ...base, realservers: [...base.realservers!, { host: '10.77.0.16', name: 'rs6' }] });
    const off = runEdit(newcomer, table0, conf0, 'rs6', { kind: 'disable' });
    expect(off.conf).toBe(conf0);
    expect(off.notes.join('\n')).toMatch(/not in the director's \/etc\/lvs\.conf/);
  });

  it('edits with no unapplied profile change leave the file the profile writes, to the letter (reconcile has nothing to do)', () => {
    // the lab's preview-ownership sequence
    let saved = clusterSchema.parse({ ...base, realservers: [{ host: '10.77.0.11', name: 'rs1' }, { host: '10.77.0.12', name: 'rs2' }, { host: '10.77.0.13', name: 'rs3', weight: 3 }] });
    let conf = writeLvsConf(directorConf(saved));
    let table = desiredTable(saved, resolve);
    const seq: [string, RealserverEdit, string?][] = [
      ['rs1', { kind: 'weight', weight: 2 }],
      ['rs2', { kind: 'drain' }, 'tcp/23'],
      ['rs3', { kind: 'weight', weight: 4 }],
      ['rs1', { kind: 'disable' }],
      ['rs1', { kind: 'enable' }],
      ['rs2', { kind: 'enable' }, 'tcp/23'],
      ['rs3', { kind: 'disable' }, 'udp/177'],
      ['rs2', { kind: 'drain' }, 'udp/177'],
      ['rs2', { kind: 'disable' }],
      ['rs1', { kind: 'weight', weight: 5 }],
    ];
    for (const [rs, edit, service] of seq) {
      ({ saved, table, conf } = runEdit(saved, table, conf, rs, edit, service));
      expect(lvsConfChange(saved, resolve, conf).steps, `after ${edit.kind} ${rs}${service ? ` ${service}` : ''}:\n${conf}`).toEqual([]);
      expect(disagreement(conf, table)).toEqual({ missing: [], extra: [] });
    }
  });

  it('150 random edits with nothing left unapplied: after each, the file is the one the profile writes, to the letter', () => {
    const rnd = prng(777);
    let saved: Cluster = cluster;
    let table = table0;
    let conf = conf0;
    for (let step = 0; step < 150; step++) {
      const e = randomEdit(rnd, saved);
      ({ saved, table, conf } = runEdit(saved, table, conf, e.rs, e.edit, e.service));
      const what = `step ${step}: ${e.what}\n${conf}`;
      expect(lvsConfChange(saved, resolve, conf).steps, what).toEqual([]);
      expect(disagreement(conf, table), what).toEqual({ missing: [], extra: [] });
    }
  });

  it('300 random edits, with profile changes that are never applied in between: the file always loads the table the edits leave', () => {
    const rnd = prng(20261201);
    let saved: Cluster = cluster;
    let table = table0;
    let conf = conf0;
    let checked = 0;
    let mixed = 0;
    let pristine = 0;
    // no profile change left unapplied since the last reload: the file must be the one the profile writes, to the letter
    let clean = true;
    for (let step = 0; step < 300; step++) {
      if (rnd() < 0.3) {
        // An unapplied profile change: another weight, a realserver disabled or enabled in the profile only.
        const i = Math.floor(rnd() * saved.realservers.length);
        const r = saved.realservers[i]!;
        const changed = rnd() < 0.6 ? { ...r, weight: 1 + Math.floor(rnd() * 5) } : { ...r, enabled: !r.enabled };
        saved = { ...saved, realservers: saved.realservers.map((x, k) => (k === i ? changed : x)) };
        clean = false;
      }
      const e = randomEdit(rnd, saved);
      const after = runEdit(saved, table, conf, e.rs, e.edit, e.service);
      ({ saved, table, conf } = after);
      const d = disagreement(conf, table);
      if (after.notes.some((n) => /until a reload/.test(n))) {
        // Enabled in one service while the profile's weight is not the director's: the other services keep the
        // director's weight in the table (an edit changes what it names), which the preview says.
        // The admin then reloads: the table and the file become the profile's.
        mixed++;
        table = desiredTable(saved, resolve);
        conf = writeLvsConf(directorConf(saved));
        clean = true;
        continue;
      }
      expect(d, `step ${step}: ${e.what}\n${conf}`).toEqual({ missing: [], extra: [] });
      checked++;
      if (clean) {
        expect(lvsConfChange(saved, resolve, conf).steps, `step ${step}: ${e.what}\n${conf}`).toEqual([]);
        pristine++;
      }
    }
    expect(pristine).toBeGreaterThanOrEqual(10);
    expect(checked).toBeGreaterThan(250);
    expect(mixed).toBeLessThan(50);
  });
});

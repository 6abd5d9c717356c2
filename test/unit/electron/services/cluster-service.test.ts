/**
 * The cluster's one director service on the stand-in director (local-director.ts: the real transaction and observe
 * scripts run by a local sh, with a stand-in ipvsadm that keeps a real table): previews carry a fingerprint and a stale
 * one is refused naming what changed; every change holds the write lock; each edit changes only what it names.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { clusterSchema, type Cluster, type ClusterInput } from '../../../../shared/model/cluster.ts';
import { AppError } from '../../../../shared/result.ts';
import { ClusterContext } from '../../../../electron/services/cluster-context.ts';
import { ClusterService, type Change, type Preview } from '../../../../electron/services/cluster-service.ts';
import type { Executor } from '../../../../electron/ssh/types.ts';
import { localDirector, type LocalDirector } from './local-director.ts';

const base: ClusterInput = {
  id: 'lab',
  name: 'lab',
  director: { host: '10.0.0.1', user: 'root' },
  vip: '10.0.0.100',
  tcp: [{ port: 23 }],
  udp: [{ port: 177 }],
  realservers: [
    { host: '10.0.0.11', name: 'rs1' },
    { host: '10.0.0.12', name: 'rs2' },
    { host: '10.0.0.13', name: 'rs3' },
  ],
};

let ld: LocalDirector | undefined;
afterEach(() => ld?.cleanup());

/** A service over the stand-in director; the profile lives in `box` and edits save into it. `wrap` sees every exec. */
function serviceOn(l: LocalDirector, input: ClusterInput = base, wrap?: (e: Executor) => Executor) {
  const box = { cluster: clusterSchema.parse(input) as Cluster, saves: 0 };
  const exec = wrap ? wrap(l.exec) : l.exec;
  const svc = new ClusterService({
    profile: () => box.cluster,
    context: (c) => new ClusterContext(c, { executor: () => exec }),
    save: (c) => {
      box.cluster = c;
      box.saves++;
    },
  });
  return { svc, box };
}

const start: Change = { kind: 'verb', verb: 'start' };
const caught = (p: Promise<unknown>) => p.then(() => expect.unreachable('expected a rejection'), (e: unknown) => e as AppError);
/** The table's save lines mentioning `addr`. */
const linesOf = (l: LocalDirector, addr: string) => l.table().split('\n').filter((x) => x.includes(`-r ${addr}:`));


/** A plan's table commands (the runtime's steps, e.g. writing /etc/lvs.conf, left out). */
const tableSteps = (p: { plan: { steps: { argv: string[] }[] } }) => p.plan.steps.filter((s) => s.argv[0] === 'ipvsadm').map((s) => s.argv.join(' '));
describe('ClusterService: the preview is the plan', () => {
  it('a preview runs exactly as shown when nothing changed (same fingerprint), then the table is the profile', async () => {
    ld = localDirector();
    const { svc } = serviceOn(ld);
    const p = await svc.preview(start);
    expect(p.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect((await svc.preview(start)).fingerprint).toBe(p.fingerprint);
    expect(ld.table()).toBe('');
    const out = await svc.run(start, { fingerprint: p.fingerprint });
    expect(out.report?.verdict.kind).toBe('applied');
    expect(linesOf(ld, '10.0.0.12')).toEqual(['-a -t 10.0.0.100:23 -r 10.0.0.12:23 -m -w 1', '-a -u 10.0.0.100:177 -r 10.0.0.12:177 -m -w 1']);
  });

  it('refuses a stale preview naming what changed (a weight set by hand, a service added by someone else), runs nothing, returns a fresh preview', async () => {
    ld = localDirector();
    const { svc } = serviceOn(ld);
    await svc.run(start);
    const p = await svc.preview({ kind: 'reconcile' });
    expect(p.plan.steps).toEqual([]);
    // Someone else, between the preview and the run:
    const byHand = ld.table().replace('-r 10.0.0.12:23 -m -w 1', '-r 10.0.0.12:23 -m -w 5') + '-A -t 10.0.0.200:80 -s rr\n';
    ld.setTable(byHand);
    const e = await caught(svc.run({ kind: 'reconcile' }, { fingerprint: p.fingerprint }));
    expect(e.code).toBe('PLAN_STALE');
    expect(e.message).toMatch(/^director 10\.0\.0\.1: changed since you looked: /);
    expect(e.message).toContain('a service tcp 10.0.0.200:80 was added (not this profile\'s VIP: someone else\'s)');
    expect(e.message).toContain('rs2 (10.0.0.12:23) in tcp 10.0.0.100:23: weight 1 → 5');
    expect(ld.table()).toBe(byHand);
    const fresh = (e.detail as { preview: Preview }).preview;
    expect(fresh.fingerprint).not.toBe(p.fingerprint);
    expect(fresh.plan.steps.map((s) => s.argv.join(' '))).toContain('ipvsadm -e -t 10.0.0.100:23 -r 10.0.0.12:23 -m -w 1');
    // The fresh preview runs.
    await svc.run({ kind: 'reconcile' }, { fingerprint: fresh.fingerprint });
    expect(linesOf(ld, '10.0.0.12')[0]).toBe('-a -t 10.0.0.100:23 -r 10.0.0.12:23 -m -w 1');
  });

  it('refuses when the profile changed since the preview, and when the VIP went down', async () => {
    ld = localDirector();
    const { svc, box } = serviceOn(ld);
    const p = await svc.preview(start);
    box.cluster = { ...box.cluster, scheduler: 'rr' };
    const e = await caught(svc.run(start, { fingerprint: p.fingerprint }));
    expect(e.code).toBe('PLAN_STALE');
    expect(e.message).toContain('the profile (saved since: scheduler)');
    await svc.run(start);
    const q = await svc.preview({ kind: 'verb', verb: 'stop' });
    await ld.exec.exec(['ip', 'addr', 'del', '10.0.0.100/24', 'dev', 'eth0']);
    const f = await caught(svc.run({ kind: 'verb', verb: 'stop' }, { fingerprint: q.fingerprint }));
    expect(f.message).toContain('the VIP 10.0.0.100 was up on eth0:110, is down');
  });

  it('every change holds the write lock: two runs at once never interleave (the second observes after the first applied)', async () => {
    ld = localDirector();
    ld.mark('slow', '1');
    const order: string[] = [];
    const { svc } = serviceOn(ld, base, (e) => ({
      label: e.label,
      exec: async (argv, opts) => {
        const name = argv[3] ?? argv[0]!;
        order.push(`> ${name}`);
        const r = await e.exec(argv, opts);
        order.push(`< ${name}`);
        return r;
      },
    }));
    await Promise.all([svc.run(start), svc.run({ kind: 'edit', realserver: 'rs3', edit: { kind: 'weight', weight: 3 } })]);
    const firstTxEnd = order.indexOf('< lvs-console-tx');
    const secondObserve = order.indexOf('> lvs-console-observe', order.indexOf('< lvs-console-observe', order.indexOf('> lvs-console-tx')));
    expect(firstTxEnd).toBeGreaterThan(0);
    expect(secondObserve).toBeGreaterThan(firstTxEnd);
    expect(linesOf(ld, '10.0.0.13')).toEqual(['-a -t 10.0.0.100:23 -r 10.0.0.13:23 -m -w 3', '-a -u 10.0.0.100:177 -r 10.0.0.13:177 -m -w 3']);
  });
});

describe('ClusterService: an edit changes what it names and nothing else', () => {
  /** Started, with rs2 disabled in the profile and still draining on the director (weight 0, 26 connections). */
  async function drainingRs2() {
    ld = localDirector();
    const s = serviceOn(ld);
    await s.svc.run(start);
    s.box.cluster = { ...s.box.cluster, realservers: s.box.cluster.realservers.map((r) => (r.name === 'rs2' ? { ...r, enabled: false } : r)) };
    ld.setTable(ld.table().replace(/-r 10\.0\.0\.12:(\d+) -m -w 1/g, '-r 10.0.0.12:$1 -m -w 0'));
    ld.setConns('TCP 10.0.0.100:23 10.0.0.12:23 26 0\n');
    return s;
  }

  it('set the weight of rs3: one -e per service for rs3; the draining rs2 is not touched (no ipvsadm -d)', async () => {
    const { svc, box } = await drainingRs2();
    const change: Change = { kind: 'edit', realserver: 'rs3', edit: { kind: 'weight', weight: 3 } };
    const p = await svc.preview(change);
    expect(tableSteps(p)).toEqual(['ipvsadm -e -t 10.0.0.100:23 -r 10.0.0.13:23 -m -w 3', 'ipvsadm -e -u 10.0.0.100:177 -r 10.0.0.13:177 -m -w 3']);
    const rs2Before = linesOf(ld!, '10.0.0.12');
    const out = await svc.run(change, { fingerprint: p.fingerprint });
    expect(out.saved).toBe(true);
    expect(linesOf(ld!, '10.0.0.12')).toEqual(rs2Before);
    expect(linesOf(ld!, '10.0.0.13')).toEqual(['-a -t 10.0.0.100:23 -r 10.0.0.13:23 -m -w 3', '-a -u 10.0.0.100:177 -r 10.0.0.13:177 -m -w 3']);
    expect(box.cluster.realservers.find((r) => r.name === 'rs3')!.weight).toBe(3);
  });

  it('drain rs1 in tcp/23 only: weight 0 on that row, the UDP row untouched; the profile says so (exclude), then the follow-up deletes it once empty', async () => {
    ld = localDirector();
    const { svc, box } = serviceOn(ld);
    await svc.run(start);
    const change: Change = { kind: 'edit', realserver: 'rs1', service: 'tcp/23', edit: { kind: 'drain' } };
    const p = await svc.preview(change);
    expect(tableSteps(p)).toEqual(['ipvsadm -e -t 10.0.0.100:23 -r 10.0.0.11:23 -m -w 0']);
    // the director's own runtime says the same, in the same transaction: its cron update will not add rs1 back to tcp/23
    expect(p.plan.steps.at(-1)!.argv).toEqual(['install', '-m', '644', '/dev/stdin', '/etc/lvs.conf']);
    ld.setConns('TCP 10.0.0.100:23 10.0.0.11:23 2 1\n');
    await svc.run(change, { fingerprint: p.fingerprint });
    expect(linesOf(ld, '10.0.0.11')).toEqual(['-a -t 10.0.0.100:23 -r 10.0.0.11:23 -m -w 0', '-a -u 10.0.0.100:177 -r 10.0.0.11:177 -m -w 1']);
    expect(box.cluster.realservers[0]).toMatchObject({ name: 'rs1', enabled: true, exclude: ['tcp/23'] });
    expect(ld.file('/etc/lvs.conf')).toMatch(/^EXCLUDE="?10\.0\.0\.11=tcp\/23"?$/m);
    // Connections left: the follow-up waits; gone: it deletes that destination, and only that one.
    expect(await svc.drainFollowUp()).toEqual([]);
    ld.setConns('');
    const done = await svc.drainFollowUp();
    expect(done).toHaveLength(1);
    expect(linesOf(ld, '10.0.0.11')).toEqual(['-a -u 10.0.0.100:177 -r 10.0.0.11:177 -m -w 1']);
  });

  it('disable rs1 deletes its destinations now; enable adds them back; nothing else changes', async () => {
    ld = localDirector();
    const { svc, box } = serviceOn(ld);
    await svc.run(start);
    const others = () => ld!.table().split('\n').filter((l) => !l.includes('10.0.0.11:'));
    const untouched = others();
    const dis = await svc.run({ kind: 'edit', realserver: 'rs1', edit: { kind: 'disable' } });
    expect(tableSteps(dis)).toEqual(['ipvsadm -d -t 10.0.0.100:23 -r 10.0.0.11:23', 'ipvsadm -d -u 10.0.0.100:177 -r 10.0.0.11:177']);
    expect(ld.file('/etc/lvs.conf')).toMatch(/^RIPS_DISABLED="?10\.0\.0\.11"?$/m);
    expect(linesOf(ld, '10.0.0.11')).toEqual([]);
    expect(box.cluster.realservers[0]!.enabled).toBe(false);
    const en = await svc.run({ kind: 'edit', realserver: 'rs1', edit: { kind: 'enable' } });
    expect(en.plan.steps.filter((s) => s.argv[0] === 'ipvsadm').map((s) => s.argv[1])).toEqual(['-a', '-a']);
    expect(ld.file('/etc/lvs.conf')).toMatch(/^RIPS_DISABLED=(""|)$/m);
    expect(others()).toEqual(untouched);
    expect(linesOf(ld, '10.0.0.11')).toHaveLength(2);
  });

  it('an edit on a realserver the profile does not have is refused naming the known ones', async () => {
    ld = localDirector();
    const { svc } = serviceOn(ld);
    const e = await caught(svc.preview({ kind: 'edit', realserver: 'rs9', edit: { kind: 'drain' } }));
    expect(e.message).toBe("realserver: no 'rs9' in profile lab (known: rs1, rs2, rs3)");
  });
});

describe('ClusterService: a profile touches only its own services', () => {
  /** Profile B: the same realservers on another VIP (10.0.0.101, alias eth0:111). */
  const other: ClusterInput = { ...base, id: 'b', name: 'b', vip: '10.0.0.101', vipIf: 'eth0:111' };

  it('a second profile starts, reconciles, drains and stops without touching the first one\'s services; -C only when alone', async () => {
    ld = localDirector();
    const a = serviceOn(ld);
    const b = serviceOn(ld, other);
    const aStart = await a.svc.preview(start);
    expect(aStart.plan.steps[0]!.argv).toEqual(['ipvsadm', '-C']); // the director holds nothing else
    await a.svc.run(start);
    const aLines = () => ld!.table().split('\n').filter((l) => l.includes('10.0.0.100:'));
    const mine = aLines();
    expect(mine).toHaveLength(8);
    const bStart = await b.svc.preview(start);
    expect(bStart.plan.steps.map((s) => s.argv.join(' '))).not.toContain('ipvsadm -C');
    expect(bStart.plan.summary).toContain('2 service(s) of other VIPs on the director are left alone (not ipvsadm -C)');
    await b.svc.run(start, { fingerprint: bStart.fingerprint });
    expect(aLines()).toEqual(mine);
    expect(ld.table().split('\n').filter((l) => l.includes('10.0.0.101:'))).toHaveLength(8);
    // B's reconcile has nothing to do (A's services are not extras), B's drift-free edits stay on B's VIP.
    expect((await b.svc.preview({ kind: 'reconcile' })).plan.steps).toEqual([]);
    const drain = await b.svc.preview({ kind: 'edit', realserver: 'rs2', edit: { kind: 'drain' } });
    expect(tableSteps(drain)).toEqual(['ipvsadm -e -t 10.0.0.101:23 -r 10.0.0.12:23 -m -w 0', 'ipvsadm -e -u 10.0.0.101:177 -r 10.0.0.12:177 -m -w 0']);
    await b.svc.run(drain.change, { fingerprint: drain.fingerprint });
    // B's drain follow-up deletes B's drained rs2 only; A's rs3, set to weight 0 by hand and without connections, is
    // not B's to delete.
    ld.setTable(ld.table().replace('-a -t 10.0.0.100:23 -r 10.0.0.13:23 -m -w 1', '-a -t 10.0.0.100:23 -r 10.0.0.13:23 -m -w 0'));
    const mineNow = aLines();
    expect(await b.svc.drainFollowUp()).toHaveLength(2);
    expect(aLines()).toEqual(mineNow);
    ld.setTable(ld.table().replace('-r 10.0.0.13:23 -m -w 0', '-r 10.0.0.13:23 -m -w 1'));
    // A hand-made service on a third address is someone else's for both.
    ld.setTable(`${ld.table()}-A -t 10.0.0.200:80 -s rr\n`);
    const bStop = await b.svc.preview({ kind: 'verb', verb: 'stop' });
    expect(bStop.plan.steps.filter((s) => s.argv[0] === 'ipvsadm').map((s) => s.argv.join(' '))).toEqual(['ipvsadm -D -t 10.0.0.101:23', 'ipvsadm -D -u 10.0.0.101:177']);
    await b.svc.run(bStop.change, { fingerprint: bStop.fingerprint });
    expect(aLines()).toEqual(mine);
    expect(ld.table()).toContain('-A -t 10.0.0.200:80 -s rr');
    expect(ld.table()).not.toContain('10.0.0.101');
    expect(ld.addrs()).toContain('10.0.0.100/24');
    expect(ld.addrs()).not.toContain('10.0.0.101/24');
  });

  it('exclusiveDirector: the seed\'s behaviour, the whole table cleared (said so in the step)', async () => {
    ld = localDirector();
    ld.setTable('-A -t 10.0.0.200:80 -s rr\n');
    const { svc } = serviceOn(ld, { ...base, exclusiveDirector: true });
    const p = await svc.preview(start);
    expect(p.plan.steps[0]).toMatchObject({ argv: ['ipvsadm', '-C'] });
    expect(p.plan.steps[0]!.why).toContain("the director's only cluster, so the whole table is cleared (1 service(s) of other VIPs too)");
    await svc.run(start, { fingerprint: p.fingerprint });
    expect(ld.table()).not.toContain('10.0.0.200');
  });
});

/**
 * The app's director handlers, the sampler and the one dispatch (what the web host and IPC run) on the stand-in director
 * (test/unit/electron/services/local-director.ts), injected through createHandlers' context factory: the same services
 * as with SSH, every output parsed against the contract.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiHandlers, EventName } from '../../../../shared/api/contract.ts';
import { clusterSchema, type ClusterInput } from '../../../../shared/model/cluster.ts';
import { createHandlers, createNodeDeps } from '../../../../electron/app/handlers.ts';
import { MetricsSampler } from '../../../../electron/app/metrics-sampler.ts';
import { ClusterContext } from '../../../../electron/services/cluster-context.ts';
import { ClusterService } from '../../../../electron/services/cluster-service.ts';
import { dispatchFrame } from '../../../../electron/web/dispatch.ts';
import { localDirector, type LocalDirector } from '../services/local-director.ts';

const profile: ClusterInput = {
  id: 'lab',
  name: 'Lab',
  director: { host: '10.0.0.1', user: 'root' },
  vip: '10.0.0.100',
  tcp: [{ port: 23 }],
  udp: [{ port: 177 }],
  realservers: [
    { host: '10.0.0.11', name: 'rs1' },
    { host: '10.0.0.12', name: 'rs2' },
  ],
};

let ld: LocalDirector | undefined;
const dirs: string[] = [];
afterEach(() => {
  ld?.cleanup();
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** The real handlers over Node stores in a temp dir, the director being the stand-in; events recorded. */
function app(l: LocalDirector) {
  const dir = mkdtempSync(join(tmpdir(), 'handlers-dir-'));
  dirs.push(dir);
  const events: { event: EventName; payload: unknown }[] = [];
  const deps = createNodeDeps({ emit: (event, payload) => void events.push({ event, payload }), dataDir: dir });
  const h = createHandlers(deps, { context: (c) => new ClusterContext(c, { executor: () => l.exec }) });
  return { h, deps, events };
}

/** One call through THE dispatch as the web host runs it (frame → input.parse → handler → output.parse). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read whatever each method returns
type Loose = any;
async function call(h: ApiHandlers, method: string, input: unknown): Promise<{ ok: boolean; value?: Loose; error?: Loose }> {
  const answer = await dispatchFrame(h, JSON.stringify({ id: 1, method, input }));
  return answer!.result as { ok: boolean; value?: Loose; error?: Loose };
}

describe('director handlers through the one dispatch, on the stand-in director', () => {
  it('plan → run start: the preview carries a fingerprint, the run streams progress and leaves the profile\'s table; status parses', async () => {
    ld = localDirector();
    const { h, events } = app(ld);
    expect((await call(h, 'clusters.save', { cluster: profile })).ok).toBe(true);
    const plan = await call(h, 'director.plan', { clusterId: 'lab', verb: 'start' });
    expect(plan.ok).toBe(true);
    expect(plan.value.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(plan.value.steps.map((s: { command: string }) => s.command)).toContain('ipvsadm -R');
    expect(ld.table()).toBe('');
    const run = await call(h, 'director.run', { clusterId: 'lab', verb: 'start', fingerprint: plan.value.fingerprint });
    expect(run.ok, JSON.stringify(run.error)).toBe(true);
    expect(run.value.applied).toBe(true);
    const progress = events.filter((e) => e.event === 'director.progress').map((e) => (e.payload as { index: number; status: string }));
    expect(progress.at(-1)).toMatchObject({ status: 'ok' });
    expect(new Set(progress.map((p) => p.index))).toEqual(new Set([0, 1, 2, 3]));
    const status = await call(h, 'director.status', { clusterId: 'lab' });
    expect(status.ok, JSON.stringify(status.error)).toBe(true);
    expect(status.value.vipUp).toBe(true);
    expect(status.value.table.services.map((s: { port: number; destinations: unknown[] }) => [s.port, s.destinations.length])).toEqual([
      [23, 2],
      [177, 2],
    ]);
    expect(status.value.drift).toEqual([]);
  });

  /** plan → run with the preview's fingerprint, as the Director page does. */
  async function startOn(h: ApiHandlers) {
    const p = await call(h, 'director.plan', { clusterId: 'lab', verb: 'start' });
    return call(h, 'director.run', { clusterId: 'lab', verb: 'start', fingerprint: p.value.fingerprint });
  }

  it('an edit is previewed, then run with its fingerprint: it saves the profile and changes only that realserver', async () => {
    ld = localDirector();
    const { h, deps } = app(ld);
    await call(h, 'clusters.save', { cluster: profile });
    await startOn(h);
    const rs2 = ld.table().split('\n').filter((l) => l.includes('10.0.0.12:'));
    const edit = { clusterId: 'lab', realserver: 'rs1', edit: { kind: 'weight', weight: 4 } };
    const p = await call(h, 'director.planEdit', edit);
    // the table, then the director's own /etc/lvs.conf (its WEIGHTS) in the same transaction
    expect(p.value.steps.map((s: { command: string }) => s.command)).toEqual(['ipvsadm -e -t 10.0.0.100:23 -r 10.0.0.11:23 -m -w 4', 'ipvsadm -e -u 10.0.0.100:177 -r 10.0.0.11:177 -m -w 4', 'install -m 644 /dev/stdin /etc/lvs.conf']);
    expect(deps.stores.profiles.get('lab')!.realservers[0]!.weight).toBe(1);
    const r = await call(h, 'director.runEdit', { ...edit, fingerprint: p.value.fingerprint });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    expect(r.value).toMatchObject({ applied: true, profileSaved: true });
    expect(ld.table().split('\n').filter((l) => l.includes('10.0.0.12:'))).toEqual(rs2);
    expect(deps.stores.profiles.get('lab')!.realservers[0]!.weight).toBe(4);
    expect(ld.file('/etc/lvs.conf')).toMatch(/^WEIGHTS="?10\.0\.0\.11=4"?$/m);
  });

  it('a stale preview is refused as data: PLAN_STALE with what changed and a fresh preview in the contract\'s shape', async () => {
    ld = localDirector();
    const { h } = app(ld);
    await call(h, 'clusters.save', { cluster: profile });
    await startOn(h);
    const edit = { clusterId: 'lab', realserver: 'rs2', service: 'tcp/23', edit: { kind: 'drain' } };
    const p = await call(h, 'director.planEdit', edit);
    ld.setTable(ld.table().replace('-r 10.0.0.11:23 -m -w 1', '-r 10.0.0.11:23 -m -w 7'));
    const r = await call(h, 'director.runEdit', { ...edit, fingerprint: p.value.fingerprint });
    expect(r.ok).toBe(false);
    expect(r.error.code).toBe('PLAN_STALE');
    expect(r.error.message).toContain('rs1 (10.0.0.11:23) in tcp 10.0.0.100:23: weight 1 → 7');
    expect(r.error.detail.changes).toEqual(['rs1 (10.0.0.11:23) in tcp 10.0.0.100:23: weight 1 → 7']);
    expect(r.error.detail.preview.steps.map((s: { command: string }) => s.command)).toEqual(['ipvsadm -e -t 10.0.0.100:23 -r 10.0.0.12:23 -m -w 0', 'install -m 644 /dev/stdin /etc/lvs.conf']);
    expect(r.error.detail.preview.fingerprint).not.toBe(p.value.fingerprint);
    expect(ld.table()).toContain('-r 10.0.0.12:23 -m -w 1');
  });

  it('errors cross as data naming the host and step; a handler output that breaks the contract is INTERNAL, not sent as is', async () => {
    ld = localDirector();
    const { h } = app(ld);
    await call(h, 'clusters.save', { cluster: { ...profile, realservers: [{ host: '10.0.0.11' }, { host: '10.66.6.6' }] } });
    const r = await startOn(h);
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ code: 'APPLY_FAILED', host: 'director 10.0.0.1' });
    expect(ld.table()).toBe('');
    const bad = { ...h, 'director.status': async () => ({ table: 'not a table' }) } as unknown as ApiHandlers;
    const out = await call(bad, 'director.status', { clusterId: 'lab' });
    expect(out.error.code).toBe('INTERNAL');
    expect(out.error.message).toMatch(/^director\.status returned data that does not match the contract \(output\.table: /);
  });
});

describe('the sampler on the stand-in director', () => {
  it('emits a sample per tick and finishes a drain (under the write lock) once its connections are gone', async () => {
    ld = localDirector();
    const cluster = clusterSchema.parse(profile);
    const svc = new ClusterService({ profile: () => box.c, context: (c) => new ClusterContext(c, { executor: () => ld!.exec }), save: (c) => void (box.c = c) });
    const box = { c: cluster };
    await svc.run({ kind: 'verb', verb: 'start' });
    await svc.run({ kind: 'edit', realserver: 'rs2', edit: { kind: 'drain' } });
    ld.setConns('TCP 10.0.0.100:23 10.0.0.12:23 3 0\n');
    const samples: unknown[] = [];
    const logs: string[] = [];
    let tick: () => void = () => undefined;
    const sampler = new MetricsSampler({
      service: () => svc,
      intervalSec: () => 300,
      emit: (s) => {
        samples.push(s);
        tick();
      },
      log: (_l, m) => logs.push(m),
    });
    const next = () => new Promise<void>((r) => (tick = r));
    try {
      const first = next();
      sampler.watch('lab', true);
      await first;
      const finished = async (n: number) => {
        for (let i = 0; i < 100 && logs.filter((l) => l.includes('drain finished')).length < n; i++) await new Promise((r) => setTimeout(r, 50));
        return logs.filter((l) => l.includes('drain finished')).length;
      };
      expect(samples[0]).toMatchObject({ clusterId: 'lab', realservers: expect.arrayContaining([expect.objectContaining({ address: '10.0.0.12', activeConns: 3 })]) });
      // rs2's UDP destination had no connections: deleted on this tick; its telnet one (3 left) waits at weight 0.
      expect(await finished(1)).toBe(1);
      expect(ld.table()).toContain('-r 10.0.0.12:23 -m -w 0');
      expect(ld.table()).not.toContain('10.0.0.12:177');
      // Connections gone: the next tick deletes rs2's destinations, and nothing else.
      ld.setConns('');
      sampler.watch('lab', false);
      const second = next();
      sampler.watch('lab', true);
      await second;
      expect(await finished(2)).toBe(2);
      expect(ld.table()).not.toContain('10.0.0.12');
      expect(ld.table()).toContain('-r 10.0.0.11:23 -m -w 1');
    } finally {
      sampler.stopAll();
    }
  });
});

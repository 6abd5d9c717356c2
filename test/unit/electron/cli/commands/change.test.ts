/**
 * lvsctl's changing verbs (change.ts) on the stand-in director: --dry-run --save-plan FILE keeps the preview with its
 * fingerprint, --plan FILE runs it, refused (exit 1, what changed, a fresh preview) when the director changed since,
 * and refused when the file was edited or is for another change. The remote wiring (SSH) is proven in test/lab.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterSchema, type Cluster } from '../../../../../shared/model/cluster.ts';
import { changeCommand } from '../../../../../electron/cli/commands/change.ts';
import { printError } from '../../../../../electron/cli/commands/remote.ts';
import type { RemoteRun } from '../../../../../electron/cli/commands/remote-verb.ts';
import type { CliIo } from '../../../../../electron/cli/io.ts';
import { ClusterContext } from '../../../../../electron/services/cluster-context.ts';
import { ClusterService, type Change } from '../../../../../electron/services/cluster-service.ts';
import { localDirector, standInCluster, type LocalDirector } from '../../services/local-director.ts';

let ld: LocalDirector | undefined;
afterEach(() => ld?.cleanup());

function runOn(l: LocalDirector, json = false): { run: RemoteRun; box: { c: Cluster } } {
  const box = { c: clusterSchema.parse({ ...standInCluster, realservers: [{ host: '10.0.0.11', name: 'rs1' }, { host: '10.0.0.12', name: 'rs2' }] }) };
  const service = new ClusterService({ profile: () => box.c, context: (c) => new ClusterContext(c, { executor: () => l.exec }), save: (c) => void (box.c = c) });
  return { run: { cluster: box.c, profileFile: 'p.json', json, service, ctx: service.context() }, box };
}

async function cli(run: RemoteRun, change: Change, flags: Record<string, string | true>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), readStdin: async () => '' };
  // As remote.ts runs a verb: a thrown AppError is printed (stderr) with its exit code.
  const code = await changeCommand(run, change, new Map(Object.entries(flags)), io).catch((e: unknown) => printError(io, run.json, e));
  return { code, out, err };
}

describe('lvsctl --dry-run --save-plan / --plan', () => {
  it('saves a preview and runs exactly it later; a stale one is refused naming what changed; an edited file is refused', async () => {
    ld = localDirector();
    const { run } = runOn(ld);
    const dir = mkdtempSync(join(tmpdir(), 'plans-'));
    const file = join(dir, 'start.json');
    const start: Change = { kind: 'verb', verb: 'start' };
    const dry = await cli(run, start, { 'dry-run': true, 'save-plan': file });
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/^# start on director 10\.0\.0\.1: \d+ step\(s\)\n/);
    expect(dry.out).toContain("ipvsadm -R <<'EOF'\n-A -t 10.0.0.100:23 -s wlc\n");
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { fingerprint: string; commands: string };
    expect(saved.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(saved.commands).toBe(dry.out);
    expect(ld.table()).toBe('');
    // Someone adds a service by hand before the saved plan is run: refused, nothing runs, the fresh plan is printed.
    ld.setTable('-A -t 10.0.0.100:80 -s rr\n');
    const stale = await cli(run, start, { plan: file });
    expect(stale.code).toBe(1);
    expect(stale.err).toMatch(/^lvsctl: director 10\.0\.0\.1: changed since you looked: a service tcp 10\.0\.0\.100:80 was added\. Nothing ran; review the fresh preview\.\n$/);
    expect(stale.out).toMatch(/^# the fresh preview/);
    expect(ld.table()).toBe('-A -t 10.0.0.100:80 -s rr\n');
    // Back as it was: the saved plan runs.
    ld.setTable('');
    const ok = await cli(run, start, { plan: file });
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/start: applied as one transaction \([0-9a-f]+\), table verified/);
    // A plan file changed by hand, or for another change, is refused before anything runs.
    const edited = JSON.parse(readFileSync(file, 'utf8'));
    edited.basis.steps[0].argv = ['ipvsadm', '-C', '--evil'];
    writeFileSync(file, JSON.stringify(edited));
    const bad = await cli(run, start, { plan: file });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('the plan was changed after it was saved');
    const other = await cli(run, { kind: 'verb', verb: 'stop' }, { plan: join(dir, 'missing.json') });
    expect(other.err).toContain('cannot read a saved plan');
  });

  it('realserver edits preview and save the profile; --save-plan needs --dry-run', async () => {
    ld = localDirector();
    const { run, box } = runOn(ld);
    await run.service.run({ kind: 'verb', verb: 'start' });
    const drain: Change = { kind: 'edit', realserver: 'rs2', service: 'tcp/23', edit: { kind: 'drain' } };
    const dry = await cli(run, drain, { 'dry-run': true });
    expect(dry.out).toMatch(/^# drain rs2 \(tcp\/23\) on director 10\.0\.0\.1: 2 step\(s\)\n# 1\. rs2 in tcp 10\.0\.0\.100:23: drain: weight 0/);
    expect(dry.out).toContain("install -m 644 /dev/stdin /etc/lvs.conf <<'EOF'\n");
    expect((await cli(run, drain, { 'save-plan': 'x.json' })).code).toBe(2);
    const r = await cli(run, drain, {});
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('the profile file was saved with the change');
    expect(box.c.realservers[1]).toMatchObject({ name: 'rs2', exclude: ['tcp/23'] });
    expect(ld.table()).toContain('-a -t 10.0.0.100:23 -r 10.0.0.12:23 -m -w 0');
    expect(ld.table()).toContain('-a -u 10.0.0.100:177 -r 10.0.0.12:177 -m -w 1');
  });
});

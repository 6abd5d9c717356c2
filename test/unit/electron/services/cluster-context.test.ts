import { describe, expect, it } from 'vitest';
import { clusterSchema } from '../../../../shared/model/cluster.ts';
import { ClusterContext, realserverName } from '../../../../electron/services/cluster-context.ts';
import type { ResolvedTarget } from '../../../../electron/ssh/resolve-target.ts';

describe('ClusterContext', () => {
  const cluster = clusterSchema.parse({
    id: 'c',
    name: 'c',
    director: { host: '10.0.0.1', user: 'admin', port: 2222, auth: { method: 'agent' } },
    vip: 'lvs-vip',
    realservers: [{ host: '10.0.0.11', name: 'rs1', ssh: { viaDirector: true } }, { host: 'rs2.example' }],
  });
  it('labels hosts, merges realserver ssh settings over the director\'s, and jumps through the director when asked', () => {
    const seen: ResolvedTarget[] = [];
    const ctx = new ClusterContext(cluster, { executor: (t) => (seen.push(t), { label: t.label, exec: async () => expect.unreachable() }) });
    expect(ctx.director.label).toBe('director 10.0.0.1');
    const rs1 = ctx.realserverExecutor(cluster.realservers[0]!);
    expect(ctx.realserverExecutor(cluster.realservers[0]!)).toBe(rs1);
    expect(seen[1]).toMatchObject({ label: 'rs1', target: { host: '10.0.0.11', user: 'admin', port: 2222, viaDirector: true }, via: { label: 'director 10.0.0.1' } });
    expect(ctx.selectRealservers('RS1').map(realserverName)).toEqual(['rs1']);
    expect(ctx.selectRealservers('all')).toHaveLength(2);
    expect(() => ctx.selectRealservers('rs9')).toThrow("no realserver 'rs9' in profile c (known: rs1, rs2.example)");
  });
  it('looks names up on the director once', async () => {
    const calls: string[][] = [];
    const ctx = new ClusterContext(cluster, {
      executor: (t) => ({
        label: t.label,
        exec: async (argv) => {
          calls.push(argv);
          return { code: 0, signal: null, stdout: 'lvs-vip 10.0.0.100\nrs2.example 10.0.0.12\n', stderr: '', durationMs: 1 };
        },
      }),
    });
    const r = await ctx.resolver();
    await ctx.resolver();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.slice(4)).toEqual(['lvs-vip', 'rs2.example']);
    expect(r('lvs-vip')).toBe('10.0.0.100');
  });
});


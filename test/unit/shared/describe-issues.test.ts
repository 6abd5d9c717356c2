import { describe, expect, it } from 'vitest';
import { clusterSchema } from '../../../shared/model/cluster.ts';
import { describeIssues } from '../../../shared/result.ts';

const base = { id: 'lab', name: 'Lab', director: { host: '10.0.0.1', user: 'root' }, vip: '10.0.0.50', tcp: [{ port: 23 }, { port: 'telnet' }] };
const bad = clusterSchema.safeParse({
  ...base,
  realservers: [
    { host: '10.0.0.2', name: 'rs1' },
    { host: '10.0.0.3', name: 'RS1' },
    { host: '10.0.0.2' },
  ],
});

describe('describeIssues: one formatter, fields named by the caller', () => {
  it('by default names fields by their path, and a duplicate names the other one', () => {
    expect(bad.success).toBe(false);
    const lines = describeIssues(bad.error!, '(profile)');
    expect([...lines].sort()).toEqual([
      'realservers.1.name: two realservers named RS1 (also realservers.0)',
      'realservers.2.host: duplicate realserver 10.0.0.2 (also realservers.0)',
      'tcp.1.port: duplicate TCP port 23 (also tcp.0)',
    ]);
  });

  it('with a label mapping, speaks the form\'s language everywhere (no code paths left)', () => {
    const label = (p: readonly PropertyKey[]) =>
      p[0] === 'realservers' ? `Realserver ${Number(p[1]) + 1}${p[2] ? `: ${String(p[2])}` : ''}` : p[0] === 'tcp' ? `TCP service ${Number(p[1]) + 1}${p[2] ? `: ${String(p[2])}` : ''}` : p.join('.');
    const lines = describeIssues(bad.error!, '(profile)', label);
    expect(lines).toContain('Realserver 2: name: two realservers named RS1 (also Realserver 1)');
    expect(lines).toContain('Realserver 3: host: duplicate realserver 10.0.0.2 (also Realserver 1)');
    expect(lines).toContain('TCP service 2: port: duplicate TCP port 23 (also TCP service 1)');
    for (const l of lines) expect(l).not.toMatch(/realservers[.[]|tcp[.[]/);
  });
});

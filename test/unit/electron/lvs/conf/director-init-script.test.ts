import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterSchema, effectiveCheck, type ClusterInput } from '../../../../../shared/model/cluster.ts';
import { LVS_DIRECTOR_SCRIPT } from '../../../../../electron/lvs/conf/director-init-script.ts';
import { directorConf } from '../../../../../electron/lvs/conf/director-conf.ts';
import { writeLvsConf } from '../../../../../electron/lvs/conf/conf-write.ts';
import { desiredTable } from '../../../../../electron/lvs/plan/desired-table.ts';
import { formatSaveLines } from '../../../../../electron/lvs/ipvs/ipvs-rules.ts';

// The director's own script (installed for boot + cron) and the console's planner must load the same table for the same
// profile. The script's `rules` verb prints its ipvsadm -R lines without touching the kernel; run it with the real sh.
function scriptRules(cluster: ClusterInput): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'lvsdir-'));
  const conf = join(dir, 'lvs.conf');
  const script = join(dir, 'lvs-director');
  writeFileSync(conf, writeLvsConf(directorConf(clusterSchema.parse(cluster))));
  writeFileSync(script, LVS_DIRECTOR_SCRIPT, { mode: 0o755 });
  const out = execFileSync('sh', [script, 'rules'], { env: { ...process.env, LVS_CONF: conf }, encoding: 'utf8' });
  return out.trim().split('\n').sort();
}

const base: ClusterInput = {
  id: 'lab',
  name: 'lab',
  director: { host: '10.77.0.1', user: 'root' },
  vip: '10.77.0.100',
  tcp: [{ port: 'telnet' }, { port: 22, scheduler: 'rr' }],
  udp: [{ port: 'xdmcp' }],
  realservers: [
    { host: '10.77.0.11' },
    { host: '10.77.0.12', weight: 3 },
    { host: '10.77.0.13', enabled: false },
  ],
};

describe('lvs-director script vs the planner', () => {
  it('is valid POSIX sh (dash and busybox sh read it)', () => {
    expect(() => execFileSync('dash', ['-n', '-c', LVS_DIRECTOR_SCRIPT])).not.toThrow();
    expect(() => execFileSync('busybox', ['sh', '-n', '-c', LVS_DIRECTOR_SCRIPT])).not.toThrow();
  });
  const cases: [string, ClusterInput][] = [
    ['seed defaults (xdmcp persistent, weights, a disabled realserver, per-service scheduler)', base],
    ['persistence with netmask and rr', { ...base, scheduler: 'rr', udp: [{ port: 177, persistence: { timeout: 900, netmask: '255.255.255.0' } }] }],
    ['direct routing', { ...base, forwarding: 'route' }],
    ['a realserver kept out of one service (EXCLUDE), a drained one (weight 0)', { ...base, realservers: [{ host: '10.77.0.11', exclude: ['udp/177'] }, { host: '10.77.0.12', weight: 0 }] }],
  ];
  for (const [name, c] of cases) {
    it(`loads the same rules as the planner: ${name}`, () => {
      const cluster = clusterSchema.parse(c);
      const planner = formatSaveLines(desiredTable(cluster, (h) => h)).trim().split('\n').sort();
      expect(scriptRules(c)).toEqual(planner);
    });
  }
  it('resolves a realserver given by name (the one address lookup that forks) and weights the rest without a subshell', () => {
    const c: ClusterInput = { ...base, realservers: [{ host: 'localhost', weight: 2 }, { host: '10.77.0.12' }, { host: '10.77.0.13', weight: 5 }] };
    const planner = formatSaveLines(desiredTable(clusterSchema.parse(c), (h) => (h === 'localhost' ? '127.0.0.1' : h))).trim().split('\n').sort();
    expect(scriptRules(c)).toEqual(planner);
    expect(planner).toContain('-a -t 10.77.0.100:23 -r 127.0.0.1:23 -m -w 2');
  });
  it('rejects a bad FORWARD and an unset VIP with a message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvsdir-'));
    writeFileSync(join(dir, 'c1'), 'VIP_IF=eth0:110\n');
    writeFileSync(join(dir, 'c2'), 'VIP=10.0.0.1\nVIP_IF=eth0:110\nFORWARD=bogus\n');
    for (const [f, msg] of [['c1', /VIP is not set/], ['c2', /FORWARD must be/]] as const) {
      let err = '';
      try {
        execFileSync('sh', ['-c', LVS_DIRECTOR_SCRIPT, 'lvs-director', 'rules'], { env: { ...process.env, LVS_CONF: join(dir, f) }, encoding: 'utf8', stdio: 'pipe' });
      } catch (e) {
        err = String((e as { stderr: string }).stderr);
      }
      expect(err).toMatch(msg);
    }
  });
});

describe('director lvs.conf round trip', () => {
  it('reads back every profile field the director file carries', async () => {
    const { clusterFromDirectorConf } = await import('../../../../../electron/lvs/conf/director-conf.ts');
    const { confVariables, parseLvsConf } = await import('../../../../../electron/lvs/conf/conf-parse.ts');
    const checked: ClusterInput = {
      ...base,
      exclusiveDirector: true,
      health: { timeoutSec: 3 },
      tcp: [{ port: 'telnet' }, { port: 22, check: { kind: 'none' } }],
      udp: [{ port: 'xdmcp' }, { port: 5000, check: { kind: 'udp', payload: '50494e47', reply: '504f4e47' } }],
      realservers: [{ host: '10.77.0.11', exclude: ['udp/177', 'tcp/22'] }, { host: '10.77.0.12', weight: 0 }],
    };
    for (const c of [base, checked, { ...base, scheduler: 'rr' as const, forwarding: 'route' as const, vipPrefix: 32, udp: [{ port: 177, persistence: { timeout: 900, netmask: '255.255.255.0' } }] }]) {
      const cluster = clusterSchema.parse(c);
      const text = writeLvsConf(directorConf(cluster));
      const back = clusterSchema.parse(clusterFromDirectorConf(confVariables(parseLvsConf(text, 'lvs.conf')), { id: cluster.id, name: cluster.name, director: cluster.director }));
      // Same table, same enabled/weights, same service options (persistence made explicit).
      expect(formatSaveLines(desiredTable(back, (h) => h))).toBe(formatSaveLines(desiredTable(cluster, (h) => h)));
      expect(back.realservers.map((r) => [r.host, r.weight, r.enabled])).toEqual(cluster.realservers.map((r) => [r.host, r.weight, r.enabled]));
      expect([back.scheduler, back.forwarding, back.vipPrefix]).toEqual([cluster.scheduler, cluster.forwarding, cluster.vipPrefix]);
      // What update needs: per-service exclusions, each service's check, the check timeout, the ownership rule.
      expect(back.realservers.map((r) => [...(r.exclude ?? [])].sort())).toEqual(cluster.realservers.map((r) => [...(r.exclude ?? [])].sort()));
      expect([...back.tcp, ...back.udp].map((x) => x.check)).toEqual([...cluster.tcp.map((x) => effectiveCheck('tcp', x)), ...cluster.udp.map((x) => effectiveCheck('udp', x))]);
      expect([back.health.timeoutSec, back.exclusiveDirector]).toEqual([cluster.health.timeoutSec, cluster.exclusiveDirector]);
    }
  });
  it('names the file, line and column of a bad extra variable', async () => {
    const { clusterFromDirectorConf } = await import('../../../../../electron/lvs/conf/director-conf.ts');
    const { confVariables, parseLvsConf } = await import('../../../../../electron/lvs/conf/conf-parse.ts');
    const text = 'VIP=10.0.0.1\nVIP_IF=eth0:110\nLVS_IF=eth0\nTPORTS="telnet"\nRIPS="10.0.0.2"\nWEIGHTS="10.0.0.9=3"\n';
    expect(() => clusterFromDirectorConf(confVariables(parseLvsConf(text, '/etc/lvs.conf')), { id: 'x', name: 'x', director: { host: '10.0.0.1', user: 'root' } })).toThrow(
      /\/etc\/lvs\.conf:6:10: WEIGHTS: '10\.0\.0\.9' is not in RIPS/,
    );
  });
});

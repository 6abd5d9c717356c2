/**
 * Drift across the profile, the director's runtime config and the kernel (pure), and keepalived.conf read back as a
 * table (held equal to what the compiler says the file builds, over generated profiles).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterSchema, type ClusterInput } from '../../../../shared/model/cluster.ts';
import { compileKeepalived } from '../../../../electron/keepalived/keepalived-conf.ts';
import { readKeepalivedTable } from '../../../../electron/keepalived/keepalived-conf-read.ts';
import { writeLvsConf } from '../../../../electron/lvs/conf/conf-write.ts';
import { directorConf } from '../../../../electron/lvs/conf/director-conf.ts';
import { desiredTable } from '../../../../electron/lvs/plan/desired-table.ts';
import { canonicalTable } from '../../../../electron/lvs/plan/table-diff.ts';
import { runtimeDrift } from '../../../../electron/services/runtime-drift.ts';
import { configDriftOf } from '../../../../electron/app/status-mapping.ts';

const input: ClusterInput = {
  id: 'lab',
  name: 'lab',
  director: { host: '10.77.0.1', user: 'root' },
  vip: '10.77.0.100',
  tcp: [{ port: 'telnet' }],
  udp: [{ port: 'xdmcp' }],
  realservers: [
    { host: '10.77.0.11', name: 'rs1' },
    { host: '10.77.0.12', name: 'rs2' },
  ],
};
const id = (h: string) => h;
const script = clusterSchema.parse(input);
const ka = clusterSchema.parse({ ...input, runtime: 'keepalived' });

describe('runtime drift: profile, director config, kernel', () => {
  it('the script runtime: matches; a drain the console made while the config was left behind shows all three', () => {
    const table = desiredTable(script, id);
    const conf = writeLvsConf(directorConf(script));
    expect(runtimeDrift(script, id, table, conf)).toMatchObject({ runtime: 'script', path: '/etc/lvs.conf', state: 'matches', items: [] });
    // rs2 disabled in the profile and out of the kernel, but /etc/lvs.conf still lists it: its cron update would add it back
    const disabled = clusterSchema.parse({ ...input, realservers: [{ host: '10.77.0.11', name: 'rs1' }, { host: '10.77.0.12', name: 'rs2', enabled: false }] });
    const d = runtimeDrift(disabled, id, desiredTable(disabled, id), conf);
    expect(d.state).toBe('differs');
    expect(d.items).toEqual([
      { what: 'rs2 (10.77.0.12:23) in tcp 10.77.0.100:23', profile: 'absent', config: 'weight 1', kernel: 'absent' },
      { what: 'rs2 (10.77.0.12:177) in udp 10.77.0.100:177', profile: 'absent', config: 'weight 1', kernel: 'absent' },
    ]);
    expect(configDriftOf(d)[0]).toEqual({ kind: 'config', what: 'rs2 (10.77.0.12:23) in tcp 10.77.0.100:23', detail: 'profile: absent · /etc/lvs.conf: weight 1 · kernel: absent' });
    // drained on the script runtime: out of the profile and of /etc/lvs.conf (RIPS_DISABLED), still in the kernel at
    // weight 0 until its connections are gone (the drain follow-up deletes it): not drift
    const draining = { services: desiredTable(script, id).services.map((s) => ({ ...s, destinations: s.destinations.map((x) => (x.address === '10.77.0.12' ? { ...x, weight: 0 } : x)) })) };
    expect(runtimeDrift(disabled, id, draining, writeLvsConf(directorConf(disabled)))).toMatchObject({ state: 'matches', items: [] });
    expect(runtimeDrift(script, id, table, undefined)).toMatchObject({ state: 'missing' });
    expect(runtimeDrift(script, id, table, conf.replace('VIP=10.77.0.100', 'VIP=10.77.0.200'))).toMatchObject({ state: 'other-vip' });
    expect(configDriftOf(runtimeDrift(script, id, table, conf.replace('VIP=10.77.0.100', 'VIP=10.77.0.200')))).toEqual([]);
  });
  it('keepalived: a destination at weight 0 for a failing check is health, not drift; a hand-edited weight is drift', () => {
    const conf = compileKeepalived({ cluster: ka, resolve: id }).text;
    const inhibited = desiredTable(ka, id);
    inhibited.services[1]!.destinations[1]!.weight = 0;
    expect(runtimeDrift(ka, id, inhibited, conf).state).toBe('matches');
    const edited = conf.replace(/(real_server 10\.77\.0\.11 23 \{[^\n]*\n {4}weight )1/, '$13');
    const d = runtimeDrift(ka, id, desiredTable(ka, id), edited);
    expect(d.items).toEqual([{ what: 'rs1 (10.77.0.11:23) in tcp 10.77.0.100:23', profile: 'weight 1', config: 'weight 3', kernel: 'weight 1' }]);
  });
});

describe('readKeepalivedTable', () => {
  it('reads back exactly the table the compiler says its file builds (generated profiles: schedulers, persistence, weights, drains, forwarding)', () => {
    const rs = fc.record({ weight: fc.integer({ min: 0, max: 5 }), enabled: fc.boolean(), ex: fc.boolean() });
    fc.assert(
      fc.property(fc.array(rs, { minLength: 1, maxLength: 4 }), fc.constantFrom('rr', 'wlc', 'sh'), fc.constantFrom('masq', 'route'), fc.option(fc.integer({ min: 1, max: 9999 })), (rss, sched, fwd, pt) => {
        const c = clusterSchema.parse({
          ...input,
          scheduler: sched,
          forwarding: fwd,
          tcp: [{ port: 23 }, { port: 22, check: { kind: 'none' }, ...(pt ? { persistence: { timeout: pt, netmask: '255.255.255.0' } } : {}) }],
          realservers: rss.map((r, i) => ({ host: `10.77.0.${11 + i}`, weight: r.weight, enabled: r.enabled, ...(r.ex ? { exclude: ['udp/177'] } : {}) })),
        });
        const out = compileKeepalived({ cluster: c, resolve: id, draining: [{ protocol: 'udp', port: 177, address: '10.77.0.99' }] });
        expect(canonicalTable(readKeepalivedTable(out.text))).toEqual(canonicalTable(out.table));
      }),
      { numRuns: 200 },
    );
  });
  it('skips comments, other blocks and fwmark services; names the line of a broken block', () => {
    const t = readKeepalivedTable('global_defs {\n  router_id x # comment { \n}\n! old\nvirtual_server fwmark 3 {\n real_server 10.0.0.1 80 { weight 2 }\n}\nvirtual_server 10.0.0.100 80 {\n  protocol TCP\n  real_server 10.0.0.2 80 {\n  }\n}\n');
    expect(t.services).toEqual([{ protocol: 'tcp', address: '10.0.0.100', port: 80, family: 'inet', scheduler: 'wlc', destinations: [{ address: '10.0.0.2', port: 80, forward: 'masq', weight: 1 }] }]);
    expect(() => readKeepalivedTable('virtual_server 10.0.0.100 80 {\n  protocol TCP\n', '/etc/keepalived/keepalived.conf')).toThrow(/keepalived.conf line 1: a block is not closed/);
  });
});

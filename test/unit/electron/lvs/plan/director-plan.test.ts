import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterSchema, type ClusterInput } from '../../../../../shared/model/cluster.ts';
import type { IpvsTable } from '../../../../../shared/model/ipvs.ts';
import { confKey, planReload, planStart, planStatus, planStop, planUpdate, type DirectorObserved } from '../../../../../electron/lvs/plan/director-plan.ts';
import { desiredTable } from '../../../../../electron/lvs/plan/desired-table.ts';
import { parseIpAddr } from '../../../../../electron/lvs/ipvs/ip-addr-parse.ts';
import { ipvsTableOf, parseIpvsOutput } from '../../../../../electron/lvs/ipvs/ipvs-detect.ts';
import { applyStepsToTable, canonicalTable, diffTables } from '../../../../../electron/lvs/plan/table-diff.ts';

const input: ClusterInput = {
  id: 'lab',
  name: 'lab',
  director: { host: '10.77.0.2', user: 'root' },
  vip: '10.77.0.50',
  vipIf: 'eth0:110',
  lvsIf: 'eth0',
  tcp: [{ port: 'telnet' }],
  udp: [{ port: 'xdmcp' }],
  realservers: [
    { host: '10.77.0.11', name: 'rs1' },
    { host: '10.77.0.12', name: 'rs2' },
    { host: '10.77.0.13', name: 'rs3', enabled: false },
  ],
};
const cluster = clusterSchema.parse(input);
const id = (h: string) => h;
const lines = (p: { steps: { argv: string[] }[] }) => p.steps.map((s) => s.argv.join(' '));
const EMPTY: IpvsTable = { services: [] };

// The lab namespace fixture has the VIP 10.77.0.50 up as eth0:110.
const addrsWithVip = parseIpAddr(readFileSync(join(import.meta.dirname, '../../../../fixtures/ip-addr/ip-o-addr-show.iproute2-6.1.0.netns.txt'), 'utf8'));
const addrsNoVip = addrsWithVip.filter((a) => a.address !== '10.77.0.50');
const sysctlsOff = { 'net.ipv4.ip_forward': '0', 'net.ipv4.conf.all.send_redirects': '1', 'net.ipv4.conf.eth0.send_redirects': '1' };
const sysctlsOn = { 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.send_redirects': '0', 'net.ipv4.conf.eth0.send_redirects': '0', 'net.ipv4.vs.expire_quiescent_template': '1' };

describe('planStart', () => {
  it('on a fresh director: clear, VIP up with its label, sysctls, then the whole table in one ipvsadm -R', () => {
    const plan = planStart(cluster, { table: EMPTY, addresses: addrsNoVip, sysctls: sysctlsOff }, id);
    expect(lines(plan)).toEqual([
      'ipvsadm -C',
      'ip addr add 10.77.0.50/24 dev eth0 label eth0:110',
      'sysctl -w net.ipv4.conf.all.send_redirects=0',
      'sysctl -w net.ipv4.conf.eth0.send_redirects=0',
      'sysctl -w net.ipv4.ip_forward=1',
      'ipvsadm -R',
    ]);
    expect(plan.steps.at(-1)!.stdin).toBe(
      [
        '-A -t 10.77.0.50:23 -s wlc',
        '-a -t 10.77.0.50:23 -r 10.77.0.11:23 -m -w 1',
        '-a -t 10.77.0.50:23 -r 10.77.0.12:23 -m -w 1',
        '-A -u 10.77.0.50:177 -s wlc -p 360',
        '-a -u 10.77.0.50:177 -r 10.77.0.11:177 -m -w 1',
        '-a -u 10.77.0.50:177 -r 10.77.0.12:177 -m -w 1',
        '',
      ].join('\n'),
    );
    expect(plan.steps.every((s) => s.host === 'director' && s.why.length > 10)).toBe(true);
    expect(plan.steps[4]!.why).toMatch(/\(now 0\)/);
    expect(plan.desired).toEqual(desiredTable(cluster, id));
  });

  it('skips the VIP and sysctls that already hold, and says so', () => {
    const plan = planStart(cluster, { table: EMPTY, addresses: addrsWithVip, sysctls: sysctlsOn }, id);
    expect(lines(plan)).toEqual(['ipvsadm -C', 'ipvsadm -R']);
    expect(plan.summary).toEqual(['VIP 10.77.0.50 already up on eth0:110: not added again', 'net.ipv4.conf.all.send_redirects is already 0', 'net.ipv4.conf.eth0.send_redirects is already 0', 'net.ipv4.ip_forward is already 1', 'net.ipv4.vs.expire_quiescent_template is already 1']);
  });

  it('tells, and does not set, an IPVS sysctl the observed kernel does not have (ip_vs not loaded)', () => {
    const { 'net.ipv4.vs.expire_quiescent_template': _gone, ...noVs } = sysctlsOn;
    const plan = planStart(cluster, { table: EMPTY, addresses: addrsWithVip, sysctls: noVs }, id);
    expect(lines(plan)).toEqual(['ipvsadm -C', 'ipvsadm -R']);
    expect(plan.summary).toContain('net.ipv4.vs.expire_quiescent_template is not there (IPVS not loaded, or a kernel without it): not set');
  });

  it('the steps leave exactly the desired table, whatever was there', () => {
    const stale: IpvsTable = { services: [{ protocol: 'tcp', address: '10.77.0.50', port: 80, family: 'inet', scheduler: 'rr', destinations: [] }] };
    const plan = planStart(cluster, { table: stale, addresses: [], sysctls: {} }, id);
    expect(canonicalTable(applyStepsToTable(stale, plan.steps))).toEqual(canonicalTable(plan.desired!));
  });

  it('plans everything when not observed, and writes VLAN interfaces the sysctl way (eth0.100 → eth0/100)', () => {
    const c = clusterSchema.parse({ ...input, lvsIf: 'eth0.100', vipIf: 'eth0.100:1' });
    expect(lines(planStart(c, undefined, id))).toContain('sysctl -w net.ipv4.conf.eth0/100.send_redirects=0');
    expect(lines(planStart(c, undefined, id))).toContain('ip addr add 10.77.0.50/24 dev eth0.100 label eth0.100:1');
    expect(confKey('ipv4', 'eth0.100', 'send_redirects')).toBe('net.ipv4.conf.eth0/100.send_redirects');
  });

  it('brings an IPv6 VIP up without a label and turns IPv6 forwarding on', () => {
    const c = clusterSchema.parse({ ...input, vip: '2001:db8:77::60', vipPrefix: 64, realservers: [{ host: '2001:db8:77::11' }] });
    const l = lines(planStart(c, undefined, id));
    expect(l).toContain('ip -6 addr add 2001:db8:77::60/64 dev eth0');
    expect(l).toContain('sysctl -w net.ipv6.conf.all.forwarding=1');
  });

  it('has no -R step for a profile without services', () => {
    expect(lines(planStart(clusterSchema.parse({ ...input, tcp: [], udp: [] }), { table: EMPTY, addresses: addrsWithVip, sysctls: sysctlsOn }, id))).toEqual(['ipvsadm -C']);
  });
});

describe('planStop / planReload / planStatus', () => {
  it('stop clears the table and takes the VIP down where it is, with its real prefix', () => {
    expect(lines(planStop(cluster, { table: EMPTY, addresses: addrsWithVip, sysctls: {} }, id))).toEqual(['ipvsadm -C', 'ip addr del 10.77.0.50/24 dev eth0']);
    const none = planStop(cluster, { table: EMPTY, addresses: addrsNoVip, sysctls: {} }, id);
    expect(lines(none)).toEqual(['ipvsadm -C']);
    expect(none.summary).toEqual(['VIP 10.77.0.50 is not up on eth0: nothing to take down']);
  });
  it('stop unobserved accepts "not there" (exit 2) for the VIP delete', () => {
    expect(planStop(cluster, undefined, id).steps[1]).toMatchObject({ argv: ['ip', 'addr', 'del', '10.77.0.50/24', 'dev', 'eth0'], okCodes: [0, 2] });
  });
  it('reload is the table only', () => {
    const p = planReload(cluster, id);
    expect(lines(p)).toEqual(['ipvsadm -C', 'ipvsadm -R']);
    expect(canonicalTable(applyStepsToTable(EMPTY, p.steps))).toEqual(canonicalTable(desiredTable(cluster, id)));
  });
  it('status is read-only commands; the counter listings only when asked for', () => {
    expect(lines(planStatus(cluster))).toEqual([
      'ipvsadm -L -n',
      'ip -o addr show dev eth0',
      'sysctl net.ipv4.conf.all.send_redirects net.ipv4.conf.eth0.send_redirects net.ipv4.ip_forward net.ipv4.vs.expire_quiescent_template',
    ]);
    expect(lines(planStatus(cluster, { stats: true, rate: true })).slice(0, 3)).toEqual(['ipvsadm -L -n', 'ipvsadm -L -n --stats --exact', 'ipvsadm -L -n --rate --exact']);
  });
});

describe('planUpdate', () => {
  const full = desiredTable(cluster, id);
  const observed = (table: IpvsTable): DirectorObserved => ({ table, addresses: addrsWithVip, sysctls: sysctlsOn });

  it('takes dead realservers out and adds live ones back, with a summary', () => {
    const live = structuredClone(full);
    live.services.forEach((s) => (s.destinations = s.destinations.filter((d) => d.address !== '10.77.0.12')));
    const p = planUpdate(cluster, observed(live), new Set(['10.77.0.12']), id);
    expect(lines(p)).toEqual([
      'ipvsadm -d -t 10.77.0.50:23 -r 10.77.0.11:23',
      'ipvsadm -a -t 10.77.0.50:23 -r 10.77.0.12:23 -m -w 1',
      'ipvsadm -d -u 10.77.0.50:177 -r 10.77.0.11:177',
      'ipvsadm -a -u 10.77.0.50:177 -r 10.77.0.12:177 -m -w 1',
    ]);
    expect(p.summary).toEqual([
      '- rs1 (10.77.0.11:23) out of tcp 10.77.0.50:23: not answering',
      '+ rs2 (10.77.0.12:23) back in tcp 10.77.0.50:23',
      '- rs1 (10.77.0.11:177) out of udp 10.77.0.50:177: not answering',
      '+ rs2 (10.77.0.12:177) back in udp 10.77.0.50:177',
    ]);
    expect(p.desired!.services.map((s) => s.destinations.map((d) => d.address))).toEqual([['10.77.0.12'], ['10.77.0.12']]);
  });

  it('accepts realserver names in `alive`, changes nothing when the table already matches, leaves unknown realservers alone', () => {
    const live = structuredClone(full);
    live.services[0]!.destinations.push({ address: '10.77.0.99', port: 23, forward: 'masq', weight: 1 });
    const p = planUpdate(cluster, observed(live), new Set(['rs1', 'rs2']), id);
    expect(p.steps).toEqual([]);
    expect(p.summary).toEqual(['no change: every realserver that passes its checks is in the table and no failing one is']);
  });

  it('per service: a realserver whose XDMCP check fails leaves UDP 177 only; one that could not be checked stays as it is', () => {
    // rs2's xdm is down (fails udp/177, passes tcp/23); rs1's UDP check could not run (no UDP tool on the director).
    const judge = (service: string, rs: { host: string }) =>
      service === 'udp/177' && rs.host === '10.77.0.12'
        ? { verdict: 'out' as const, why: 'no reply within 1 s' }
        : service === 'udp/177'
          ? { verdict: 'as-is' as const, why: 'no UDP tool' }
          : { verdict: 'in' as const };
    const p = planUpdate(cluster, observed(full), judge, id);
    expect(lines(p)).toEqual(['ipvsadm -d -u 10.77.0.50:177 -r 10.77.0.12:177']);
    expect(p.summary).toEqual(['rs1 in udp 10.77.0.50:177: left as it is (no UDP tool)', '- rs2 (10.77.0.12:177) out of udp 10.77.0.50:177: no reply within 1 s']);
    // as-is does not add a missing one back either
    const noRs1 = structuredClone(full);
    noRs1.services[1]!.destinations = noRs1.services[1]!.destinations.filter((d) => d.address !== '10.77.0.11');
    expect(lines(planUpdate(cluster, observed(noRs1), judge, id))).toEqual(['ipvsadm -d -u 10.77.0.50:177 -r 10.77.0.12:177']);
  });

  it('leaves a realserver excluded from a service (a per-service drain) out of it, whatever its check says', () => {
    const drained = clusterSchema.parse({ ...input, realservers: [{ host: '10.77.0.11', name: 'rs1', exclude: ['udp/177'] }, { host: '10.77.0.12', name: 'rs2' }] });
    const live = structuredClone(full);
    live.services[1]!.destinations = live.services[1]!.destinations.filter((d) => d.address !== '10.77.0.11');
    const p = planUpdate(drained, observed(live), new Set(['rs1', 'rs2']), id);
    expect(p.steps).toEqual([]);
  });

  it('adds a service that is missing entirely before its realservers', () => {
    const p = planUpdate(cluster, observed({ services: [full.services[0]!] }), new Set(['rs1']), id);
    expect(lines(p)).toEqual(['ipvsadm -d -t 10.77.0.50:23 -r 10.77.0.12:23', 'ipvsadm -A -u 10.77.0.50:177 -s wlc -p 360', 'ipvsadm -a -u 10.77.0.50:177 -r 10.77.0.11:177 -m -w 1']);
    // Everything alive: the result equals the full desired table.
    const all = planUpdate(cluster, observed(EMPTY), new Set(['rs1', 'rs2']), id);
    expect(diffTables(full, all.desired!)).toEqual([]);
  });
});

describe('against what the lab director showed (ipvsadm 1.31, BusyBox ip)', () => {
  const fx = (p: string) => readFileSync(join(import.meta.dirname, '../../../../fixtures', p), 'utf8');
  const lab = clusterSchema.parse({
    ...input,
    vip: '10.77.0.100',
    tcp: [{ port: 'telnet', scheduler: 'rr' }],
    realservers: [{ host: '10.77.0.11' }, { host: '10.77.0.12' }, { host: '10.77.0.13' }],
  });
  const live = ipvsTableOf(parseIpvsOutput(fx('plan/L-n.ipvsadm-1.31.lab-director-nat.txt')));
  const observed: DirectorObserved = { table: live, addresses: parseIpAddr(fx('ip-addr/ip-o-addr-show.busybox-1.35.0.lab-director.txt')), sysctls: sysctlsOn };

  it('the live table is in sync with the profile; a profile saying wlc for telnet is one -E', () => {
    expect(diffTables(desiredTable(lab, id), live)).toEqual([]);
    const wlc = clusterSchema.parse({ ...lab, tcp: [{ port: 'telnet' }] });
    expect(lines({ steps: diffTables(desiredTable(wlc, id), live) })).toEqual(['ipvsadm -E -t 10.77.0.100:23 -s wlc']);
  });
  it('start skips the VIP that is up and the sysctls that hold; stop takes the VIP down', () => {
    const p = planStart(lab, observed, id);
    expect(lines(p)).toEqual(['ipvsadm -C', 'ipvsadm -R']);
    expect(p.steps[1]!.stdin).toBe(fx('plan/S-n.ipvsadm-1.31.lab-director-nat.txt'));
    expect(lines(planStop(lab, observed, id))).toEqual(['ipvsadm -C', 'ip addr del 10.77.0.100/24 dev eth0']);
  });
});

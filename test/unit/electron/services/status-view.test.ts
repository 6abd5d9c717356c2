import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { observedSysctlKeys, parseObserveOutput } from '../../../../electron/services/director-observe.ts';
import { formatStatus, statusView } from '../../../../electron/services/status-view.ts';
import { profileResolver } from '../../../../electron/lvs/plan/desired-table.ts';
import { labCluster } from '../../../fixtures/lab-cluster.ts';
import { natRrCluster } from './local-director.ts';

const fixture = (p: string) => readFileSync(new URL(`../../../fixtures/${p}`, import.meta.url), 'utf8');
const cluster = natRrCluster;
const keys = observedSysctlKeys(cluster, '10.0.0.100');

describe('status view', () => {
  it('merges the captured lab listings and names realservers from the profile', () => {
    const resolve = profileResolver(cluster);
    const s = parseObserveOutput(
      'director 10.0.0.1',
      'table',
      keys,
      [
        '@@lvs-console begin save',
        fixture('ipvsadm/S-n.1.2.1.nat-rr.txt'),
        '@@lvs-console end save 0',
        '@@lvs-console begin addr',
        '2: eth0    inet 10.0.0.100/24 scope global secondary eth0:110\\       valid_lft forever preferred_lft forever',
        '',
        '@@lvs-console end addr 0',
        '@@lvs-console begin sysctl',
        '/proc/sys/net/ipv4/ip_forward:1',
        '',
        '@@lvs-console end sysctl 0',
      ].join('\n'),
    );
    const view = statusView(cluster, resolve, s, '10.0.0.100');
    expect(view.vip).toEqual({ address: '10.0.0.100', up: true, label: 'eth0:110' });
    expect(view.services[0]!.destinations.map((d) => d.name ?? '-')).toEqual(['rs-a', '192.168.188.83']);
    const text = formatStatus(view);
    expect(text).toContain('VIP 10.0.0.100 up on eth0:110; ip_forward=1');
    expect(text).toContain('-> 192.168.188.82:80 (rs-a)');
  });

  it('status mode: connections always; the counter and rate columns only when those listings were read', () => {
    const lab = labCluster();
    const section = (name: string, text: string) => [`@@lvs-console begin ${name}`, text, `@@lvs-console end ${name} 0`];
    const out = (names: string[]) =>
      [
        ...section('list', fixture('ipvsadm/lab/L-n.1.2.1.lab-seed-nat.txt')),
        ...(names.includes('stats') ? section('stats', fixture('ipvsadm/lab/L-n-stats-exact.1.2.1.lab-seed-nat.txt')) : []),
        ...(names.includes('rate') ? section('rate', fixture('ipvsadm/lab/L-n-rate.1.2.1.lab-seed-nat.txt')) : []),
        ...section('addr', '2: eth0    inet 10.77.0.100/24 scope global secondary eth0:110\\       valid_lft forever preferred_lft forever\n'),
        ...section('sysctl', '/proc/sys/net/ipv4/ip_forward:1\n'),
      ].join('\n');
    const k = observedSysctlKeys(lab, '10.77.0.100');
    const view = (names: string[]) =>
      statusView(lab, profileResolver(lab), parseObserveOutput('director 10.77.0.1', 'status', k, out(names), '', { stats: names.includes('stats'), rate: names.includes('rate') }), '10.77.0.100');
    const plain = formatStatus(view([]));
    expect(plain.split('\n')[1]).toMatch(/^Service \/ realserver\s+Sched\/Fwd\s+Weight\s+Active\s+InAct$/);
    expect(plain).toMatch(/-> 10\.77\.0\.11:23 \(rs1\)\s+Masq\s+1\s+\d+\s+\d+\n/);
    const stats = view(['stats']);
    expect(stats.services[0]!.stats?.inPkts).toBeTypeOf('number');
    expect(view([]).services[0]!.stats).toBeUndefined();
    expect(formatStatus(stats).split('\n')[1]).toMatch(/InAct\s+Conns\s+InPkts\s+OutPkts\s+InBytes\s+OutBytes$/);
    expect(formatStatus(view(['stats', 'rate'])).split('\n')[1]).toMatch(/OutBytes\s+CPS\s+InBPS\s+OutBPS$/);
    expect(formatStatus(view(['rate'])).split('\n')[1]).toMatch(/InAct\s+CPS\s+InBPS\s+OutBPS$/);
  });
});

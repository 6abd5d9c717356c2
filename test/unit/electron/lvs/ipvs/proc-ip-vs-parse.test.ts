import { describe, expect, it } from 'vitest';
import { parseProcIpVs } from '../../../../../electron/lvs/ipvs/proc-ip-vs-parse.ts';
import { parseIpvsadmList } from '../../../../../electron/lvs/ipvs/ipvsadm-list-parse.ts';
import { ipvsTableOf } from '../../../../../electron/lvs/ipvs/ipvs-detect.ts';
import { serviceKey, type IpvsTable } from '../../../../../shared/model/ipvs.ts';
import { expectLineError, fixture } from './ipvs-fixtures.ts';

const byKey = (t: IpvsTable) => ({
  services: [...t.services]
    .sort((a, b) => serviceKey(a).localeCompare(serviceKey(b)))
    .map((s) => ({ ...s, destinations: [...s.destinations].sort((a, b) => a.address.localeCompare(b.address) || a.port - b.port) })),
});

describe('parseProcIpVs', () => {
  it('reads the captured /proc/net/ip_vs (hex, trailing blanks) as the same table as that director’s ipvsadm -L -n', () => {
    const p = parseProcIpVs(fixture('proc-ip_vs.1.2.1.nat-rr.txt'));
    expect(p).toMatchObject({ kind: 'proc', ipvsVersion: '1.2.1', connTableSize: 4096, persistenceJiffies: {}, notes: [] });
    expect(p.services[0]!.destinations).toEqual([
      { address: '192.168.188.83', port: 80, forward: 'masq', weight: 1, activeConns: 0, inactiveConns: 25 },
      { address: '192.168.188.82', port: 80, forward: 'masq', weight: 1, activeConns: 0, inactiveConns: 26 },
    ]);
    expect(byKey(ipvsTableOf(p))).toEqual(byKey(ipvsTableOf(parseIpvsadmList(fixture('L-n.1.2.1.nat-rr.txt')))));
  });

  it('reads the lab director’s empty table', () => {
    expect(parseProcIpVs(fixture('lab/proc-ip_vs.1.2.1.lab-empty.txt')).services).toEqual([]);
  });

  it('converts persistence jiffies with HZ and keeps the raw jiffies; IPv6 %pI6 becomes canonical; fwmark families are inferred and noted', () => {
    const p = parseProcIpVs(fixture('constructed/proc-ip_vs.1.2.1.mixed-ipv6-fwmark-hz250.txt'), { hz: 250 });
    expect(p.hz).toBe(250);
    expect(p.persistenceJiffies).toEqual({ 'tcp 10.0.0.1:80': 90000, 'tcp [2001:db8::10]:443': 75000, 'fwmark 1 inet': 450000 });
    const list = ipvsTableOf(parseIpvsadmList(fixture('constructed/L-n.1.2.1.mixed-ipv6-fwmark-flags.txt')));
    // /proc shows no scheduler flags but ops, and the listing's SCTP service is not in this /proc fixture
    const comparable = (t: IpvsTable) =>
      byKey({
        services: t.services
          .filter((s) => s.protocol !== 'sctp')
          .map(({ flags, ...s }) => (flags?.includes('ops') ? { ...s, flags: ['ops'] } : s)),
      });
    expect(comparable(ipvsTableOf(p))).toEqual(comparable(list));
    expect(p.notes).toEqual([
      'line 12: FWM 1: address family inet taken from its persistence netmask',
      'line 14: FWM 4242: address family inet6 taken from its realservers',
    ]);
  });

  it('reads the 2.4-era (IPVS 0.8.2) /proc/net/ip_vs padded to 63 columns, HZ=100', () => {
    const p = parseProcIpVs(fixture('constructed/proc-ip_vs.0.8.2.seed-director-linux24.txt'), { hz: 100 });
    expect(p.ipvsVersion).toBe('0.8.2');
    expect(p.services.map((s) => [serviceKey(s), s.persistent])).toEqual([
      ['tcp 192.168.1.110:23', undefined],
      ['udp 192.168.1.110:177', { timeout: 360 }],
    ]);
    expect(p.persistenceJiffies).toEqual({ 'udp 192.168.1.110:177': 36000 });
  });

  it('needs HZ for persistent services, and rejects a HZ that gives a fractional timeout', () => {
    const text = fixture('constructed/proc-ip_vs.0.8.2.seed-director-linux24.txt');
    expectLineError(() => parseProcIpVs(text), 8, /36000 jiffies; give the director's HZ/, 'INVALID_INPUT');
    expectLineError(() => parseProcIpVs(text, { hz: 7 }), 8, /not a whole number of seconds at HZ=7/);
    expect(() => parseProcIpVs(text, { hz: 0 })).toThrow(/HZ 0/);
  });

  const base = fixture('proc-ip_vs.1.2.1.nat-rr.txt').split('\n');
  const withLine = (i: number, t: string) => [...base.slice(0, i), t, ...base.slice(i + 1)].join('\n');
  it.each([
    [0, 'IP Virtual Server version 1.2.1', /IP Virtual Server version X\.Y\.Z \(size=N\)/],
    [2, '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn extra', /RemoteAddress/],
    [3, 'TCP  192.168.10.100:80 rr', /not a hex ADDRESS:PORT/],
    [3, 'TCP  C0A80A64:50 rr', /not a hex ADDRESS:PORT/],
    [3, 'TCP  c0a80a64:0050 rr', /not a hex ADDRESS:PORT/],
    [3, 'TCP  C0A80A64:0050 rr persistent 100', /persistent JIFFIES NETMASK/],
    [3, 'FWM  1 rr', /firewall mark '1'/],
    [4, '  -> C0A8BC53:0050      Masq    1      0', /expected 4 columns/],
    [4, '  -> C0A8BC53:0050      Bypass  1      0          25', /unknown forwarding method 'Bypass'/],
  ])('rejects line %i: %s', (i, t, re) => {
    expectLineError(() => parseProcIpVs(withLine(i, t)), i + 1, re);
  });
});

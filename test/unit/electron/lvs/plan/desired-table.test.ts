import { describe, expect, it } from 'vitest';
import { clusterSchema, type ClusterInput } from '../../../../../shared/model/cluster.ts';
import { desiredTable, profileResolver } from '../../../../../electron/lvs/plan/desired-table.ts';

const base: ClusterInput = {
  id: 'seed',
  name: 'seed',
  director: { host: '10.77.0.2', user: 'root' },
  vip: '10.77.0.50',
  tcp: [{ port: 'telnet' }],
  udp: [{ port: 'xdmcp' }],
  realservers: [{ host: '10.77.0.11' }, { host: '10.77.0.12', weight: 3 }, { host: '10.77.0.13', enabled: false }],
};
const cluster = (over: Partial<ClusterInput> = {}) => clusterSchema.parse({ ...base, ...over });
const id = (h: string) => h;

describe('desiredTable', () => {
  it('builds the seed cluster: telnet and xdmcp on the VIP, wlc, xdmcp persistent 360 s, enabled realservers as NAT', () => {
    expect(desiredTable(cluster(), id)).toEqual({
      services: [
        {
          protocol: 'tcp',
          address: '10.77.0.50',
          port: 23,
          family: 'inet',
          scheduler: 'wlc',
          destinations: [
            { address: '10.77.0.11', port: 23, forward: 'masq', weight: 1 },
            { address: '10.77.0.12', port: 23, forward: 'masq', weight: 3 },
          ],
        },
        {
          protocol: 'udp',
          address: '10.77.0.50',
          port: 177,
          family: 'inet',
          scheduler: 'wlc',
          persistent: { timeout: 360 },
          destinations: [
            { address: '10.77.0.11', port: 177, forward: 'masq', weight: 1 },
            { address: '10.77.0.12', port: 177, forward: 'masq', weight: 3 },
          ],
        },
      ],
    });
  });

  it('uses the per-service scheduler and persistence, cluster forwarding (route → -g, tunnel → -i)', () => {
    const t = desiredTable(cluster({ scheduler: 'rr', forwarding: 'route', tcp: [{ port: 22, scheduler: 'sh', persistence: { timeout: 60, netmask: '255.255.255.0' } }], udp: [{ port: 177, persistence: null }] }), id);
    expect(t.services[0]).toMatchObject({ port: 22, scheduler: 'sh', persistent: { timeout: 60, netmask: '255.255.255.0' } });
    expect(t.services[1]).toMatchObject({ port: 177, scheduler: 'rr' });
    expect(t.services[1]!.persistent).toBeUndefined();
    expect(t.services[0]!.destinations.every((d) => d.forward === 'route')).toBe(true);
    expect(desiredTable(cluster({ forwarding: 'tunnel' }), id).services[0]!.destinations[0]!.forward).toBe('tunnel');
  });

  it('resolves names through the injected resolver and refuses mixed families and duplicate addresses', () => {
    const c = cluster({ vip: 'vip.example', realservers: [{ host: 'rs1.example' }, { host: 'rs2.example' }] });
    const names: Record<string, string> = { 'vip.example': '10.0.0.1', 'rs1.example': '10.0.0.2', 'rs2.example': '10.0.0.3' };
    expect(desiredTable(c, (h) => names[h]!).services[0]!.destinations.map((d) => d.address)).toEqual(['10.0.0.2', '10.0.0.3']);
    expect(() => desiredTable(c, (h) => (h === 'vip.example' ? '10.0.0.1' : '10.0.0.2'))).toThrow(/rs1.example and rs2.example both resolve to 10.0.0.2/);
    expect(() => desiredTable(cluster({ realservers: [{ host: '2001:db8::2' }] }), id)).toThrow(/realserver 2001:db8::2 .* is IPv6 but the VIP 10.77.0.50 is not/);
  });

  it('builds an IPv6 table', () => {
    const t = desiredTable(cluster({ vip: '2001:db8::50', realservers: [{ host: '2001:db8::2' }] }), id);
    expect(t.services[0]).toMatchObject({ family: 'inet6', address: '2001:db8::50', destinations: [{ address: '2001:db8::2', port: 23 }] });
  });
});

describe('profileResolver (offline)', () => {
  it('passes addresses through and maps names the profile gives addresses for', () => {
    const c = cluster({ realservers: [{ host: '10.77.0.11', name: 'epsg9010' }, { host: 'epsg9011', ssh: { host: '10.77.0.12' } }] });
    const r = profileResolver(c, { epsg9008: '10.77.0.50' });
    expect(r('10.77.0.99')).toBe('10.77.0.99');
    expect(r('EPSG9010')).toBe('10.77.0.11');
    expect(r('epsg9011')).toBe('10.77.0.12');
    expect(r('epsg9008')).toBe('10.77.0.50');
    expect(() => r('epsg9099')).toThrow(/cannot resolve 'epsg9099' offline/);
  });
});

import { describe, expect, it } from 'vitest';
import { landedOn } from '../../../../electron/launch/landed-on.ts';
import type { IpvsConnection } from '../../../../shared/model/ipvs.ts';

const c = (src: string, sport: number, vport: number, dst: string, state: string, expires: number, protocol = 'TCP'): IpvsConnection => ({
  protocol,
  expires,
  state,
  source: { address: src, port: sport },
  virtual: { address: '10.77.0.100', port: vport },
  destination: { address: dst, port: vport },
});

describe('landedOn', () => {
  it('finds this client\'s live connection to vip:port', () => {
    const table = [c('10.77.0.50', 40000, 23, '10.77.0.11', 'ESTABLISHED', 899), c('10.77.0.51', 40001, 23, '10.77.0.12', 'ESTABLISHED', 899)];
    expect(landedOn(table, '10.77.0.50', '10.77.0.100', 23)).toBe('10.77.0.11');
    expect(landedOn(table, '10.77.0.51', '10.77.0.100', 23)).toBe('10.77.0.12');
    expect(landedOn(table, '10.77.0.52', '10.77.0.100', 23)).toBeUndefined();
    expect(landedOn(table, '10.77.0.50', '10.77.0.100', 80)).toBeUndefined();
  });

  it('prefers a live connection over a closing one, then the most recent', () => {
    const table = [
      c('10.77.0.50', 40000, 23, '10.77.0.11', 'TIME_WAIT', 100),
      c('10.77.0.50', 40002, 23, '10.77.0.12', 'ESTABLISHED', 600),
      c('10.77.0.50', 40003, 23, '10.77.0.13', 'ESTABLISHED', 899),
    ];
    expect(landedOn(table, '10.77.0.50', '10.77.0.100', 23)).toBe('10.77.0.13');
    expect(landedOn(table.slice(0, 1), '10.77.0.50', '10.77.0.100', 23)).toBe('10.77.0.11');
  });

  it('finds XDMCP (UDP 177) through its persistence template and falls back to a port-0 service', () => {
    const xdmcp = [c('10.77.0.50', 0, 177, '10.77.0.12', 'NONE', 359, 'UDP'), c('10.77.0.50', 45000, 177, '10.77.0.12', 'UDP', 299, 'UDP')];
    expect(landedOn(xdmcp, '10.77.0.50', '10.77.0.100', 177)).toBe('10.77.0.12');
    const allPorts = [c('10.77.0.50', 0, 0, '10.77.0.11', 'NONE', 300, 'TCP')];
    expect(landedOn(allPorts, '10.77.0.50', '10.77.0.100', 23)).toBe('10.77.0.11');
  });

  it('matches addresses case-insensitively and through IPv4-mapped IPv6', () => {
    const v6 = [{ ...c('FD00::50', 1, 23, 'fd00::11', 'ESTABLISHED', 10), virtual: { address: 'FD00::100', port: 23 } }];
    expect(landedOn(v6, 'fd00::50', 'fd00::100', 23)).toBe('fd00::11');
    expect(landedOn([c('10.77.0.50', 1, 23, '10.77.0.11', 'ESTABLISHED', 10)], '::ffff:10.77.0.50', '10.77.0.100', 23)).toBe('10.77.0.11');
  });
});

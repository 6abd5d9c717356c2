import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findAddress, parseIpAddr } from '../../../../../electron/lvs/ipvs/ip-addr-parse.ts';
import { AppError } from '../../../../../shared/result.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../../fixtures/ip-addr', name), 'utf8');

describe('parseIpAddr on captured output (iproute2 6.1.0, BusyBox 1.35.0; a test namespace with aliases)', () => {
  const netns = parseIpAddr(fixture('ip-o-addr-show.iproute2-6.1.0.netns.txt'));

  it('reads every address line with interface, label, family, prefix', () => {
    expect(netns).toHaveLength(13);
    expect(netns.map((a) => `${a.ifname} ${a.label} ${a.address}/${a.prefix}`)).toEqual([
      'lo lo 127.0.0.1/8',
      'lo lo ::1/128',
      'eth0p eth0p fe80::1c2f:cbff:fee4:3971/64',
      'eth0 eth0 10.77.0.1/24',
      'eth0 eth0:lan 10.77.1.1/16',
      'eth0 eth0 192.168.5.5/32',
      'eth0 eth0 10.78.0.1/24',
      'eth0 eth0:110 10.77.0.50/24',
      'eth0 eth0 2001:db8:77::50/64',
      'eth0 eth0 2001:db8:77::1/64',
      'eth0 eth0 fe80::e87b:76ff:fef7:2cb8/64',
      'veth0 veth0 172.16.0.1/30',
      'lan0 lan0 10.9.0.1/8',
    ]);
  });

  it('keeps broadcast, scope, peer, flags and lifetimes', () => {
    expect(netns[3]).toMatchObject({ index: 3, family: 'inet', broadcast: '10.77.0.255', scope: 'global', flags: [], validLft: 'forever', preferredLft: 'forever' });
    expect(netns[5]).toMatchObject({ address: '192.168.5.5', peer: '192.168.5.6', prefix: 32 });
    expect(netns[6]).toMatchObject({ flags: ['deprecated', 'dynamic'], validLft: 3598, preferredLft: 0 });
    expect(netns[7]).toMatchObject({ flags: ['secondary'], label: 'eth0:110' });
    expect(netns[9]).toMatchObject({ family: 'inet6', flags: ['nodad'] });
    expect(netns[11]).toMatchObject({ flags: ['noprefixroute'] });
  });

  it('reads BusyBox `ip -o` the same, except its hex "flags 02" for nodad', () => {
    const bb = parseIpAddr(fixture('ip-o-addr-show.busybox-1.35.0.netns.txt'));
    expect(bb.map((a) => [a.label, a.address, a.prefix])).toEqual(netns.map((a) => [a.label, a.address, a.prefix]));
    expect(bb[9]!.flags).toEqual(['flags 02']);
  });

  it('reads the multi-line `ip addr show` form (BusyBox without -o) to the same addresses', () => {
    const ml = parseIpAddr(fixture('ip-addr-show.busybox-1.35.0.netns.txt'));
    expect(ml.map((a) => [a.index, a.ifname, a.label, a.address, a.prefix, a.validLft])).toEqual(netns.map((a) => [a.index, a.ifname, a.label, a.address, a.prefix, a.validLft]));
  });

  it('reads `ip -o -4 addr show dev eth0` (iproute2 and BusyBox) and `ip -o -6 addr show`', () => {
    for (const f of ['ip-o-4-addr-show-dev-eth0.iproute2-6.1.0.netns.txt', 'ip-o-4-addr-show-dev-eth0.busybox-1.35.0.netns.txt']) {
      const v4 = parseIpAddr(fixture(f));
      expect(v4.map((a) => a.label)).toEqual(['eth0', 'eth0:lan', 'eth0', 'eth0', 'eth0:110']);
      expect(v4.every((a) => a.family === 'inet' && a.ifname === 'eth0')).toBe(true);
    }
    expect(parseIpAddr(fixture('ip-o-6-addr-show.iproute2-6.1.0.netns.txt')).every((a) => a.family === 'inet6')).toBe(true);
  });

  it('reads this machine’s own output', () => {
    for (const f of ['ip-o-addr-show.iproute2-6.1.0.host.txt', 'ip-o-addr-show.busybox-1.35.0.host.txt']) {
      expect(parseIpAddr(fixture(f)).map((a) => `${a.label} ${a.address}`)).toEqual(['lo 127.0.0.1', 'lo ::1', 'eth0 192.0.2.2', 'eth0 fd00::2', 'eth0 fe80::fc:ff:fe00:1']);
    }
  });

  it('reads the lab director’s BusyBox `ip` (VIP up as eth0:110, secondary), one-line and multi-line alike', () => {
    const one = parseIpAddr(fixture('ip-o-addr-show.busybox-1.35.0.lab-director.txt'));
    expect(one.map((a) => `${a.label} ${a.address}/${a.prefix}`)).toEqual(['lo 127.0.0.1/8', 'lo ::1/128', 'eth0 10.77.0.1/24', 'eth0:110 10.77.0.100/24', 'eth0 fe80::5054:ff:fe77:1/64']);
    expect(one[3]!.flags).toEqual(['secondary']);
    expect(parseIpAddr(fixture('ip-addr-show.busybox-1.35.0.lab-director.txt'))).toEqual(one);
    expect(parseIpAddr(fixture('ip-o-4-addr-show-dev-eth0.busybox-1.35.0.lab-director.txt'))).toEqual(one.slice(2, 4));
  });

  it('finds the VIP', () => {
    expect(findAddress(netns, '10.77.0.50').map((a) => a.label)).toEqual(['eth0:110']);
    expect(findAddress(netns, '2001:DB8:77::1')).toHaveLength(1);
    expect(findAddress(netns, '10.77.0.51')).toEqual([]);
  });
});

describe('parseIpAddr edge cases', () => {
  it('accepts empty output, old iproute2 lines without lifetimes, and oneline link lines', () => {
    expect(parseIpAddr('')).toEqual([]);
    expect(parseIpAddr('\n')).toEqual([]);
    const old = parseIpAddr('1: lo: <LOOPBACK,UP> mtu 16436 qdisc noqueue \\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n2: eth0    inet 10.0.0.1/24 brd 10.0.0.255 scope global eth0:110\n');
    expect(old).toEqual([{ index: 2, ifname: 'eth0', label: 'eth0:110', family: 'inet', address: '10.0.0.1', prefix: 24, broadcast: '10.0.0.255', scope: 'global', flags: [] }]);
  });

  it('names the line it does not understand', () => {
    const bad = '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n2: eth0    inet 10.0.0.1/24 wobble eth0\n';
    expect(() => parseIpAddr(bad)).toThrow(/line 2: unknown word 'wobble'/);
    expect(() => parseIpAddr('hello\n')).toThrow(/line 1: not an address line/);
    expect(() => parseIpAddr('2: eth0    inet 10.0.0.1/24 scope global eth0\\ valid_lft soon\n')).toThrow(/line 1: expected "valid_lft/);
    expect(() => parseIpAddr('2: eth0    inet fe80::1/64 scope link\n')).toThrow(/not an IPv4 address/);
    expect(() => parseIpAddr('2: eth0    inet 10.0.0.1/33 scope link\n')).toThrow(/prefix \/33/);
    // An address line in the multi-line form with no interface header before it.
    expect(() => parseIpAddr('    inet 10.0.0.1/24 scope global eth0\n')).toThrow(/line 1/);
  });

  it('fuzz: random and mutated input gives a full parse or a PARSE_ERROR, never a crash', () => {
    const base = fixture('ip-o-addr-show.iproute2-6.1.0.netns.txt');
    const mutated = fc.tuple(fc.nat(base.length), fc.nat(40), fc.string({ maxLength: 12 })).map(([at, del, ins]) => base.slice(0, at) + ins + base.slice(at + del));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), mutated), (text) => {
        try {
          const out = parseIpAddr(text);
          expect(Array.isArray(out)).toBe(true);
          for (const a of out) expect(typeof a.address).toBe('string');
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
          expect((e as AppError).code).toBe('PARSE_ERROR');
        }
      }),
      { numRuns: 500 },
    );
  });
});

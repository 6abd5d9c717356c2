import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseIpvsadmSave } from '../../../../../electron/lvs/ipvs/ipvsadm-save-parse.ts';
import { parseIpvsadmList } from '../../../../../electron/lvs/ipvs/ipvsadm-list-parse.ts';
import { ipvsTableOf } from '../../../../../electron/lvs/ipvs/ipvs-detect.ts';
import { formatSaveLines } from '../../../../../electron/lvs/ipvs/ipvs-rules.ts';
import { destinationKey, serviceKey, type IpvsService, type IpvsTable } from '../../../../../shared/model/ipvs.ts';
import { arbTable, withoutThresholds } from '../plan/table-arbitraries.ts';
import { expectLineError, fixture } from './ipvs-fixtures.ts';

/** A table in a canonical order with canonical flag order, for comparisons that must not depend on listing order. */
function canon(t: IpvsTable): IpvsTable {
  const flagOrder = ['sh-fallback', 'sh-port', 'mh-fallback', 'mh-port', 'flag-1', 'flag-2', 'flag-3', 'ops'];
  return {
    services: [...t.services]
      .map((s): IpvsService => {
        // ipip is the default tunnel: the parser leaves it out
        const dests = s.destinations.map(({ tunType, ...d }) => (tunType === undefined || tunType === 'ipip' ? d : { ...d, tunType }));
        const o: IpvsService = { ...s, destinations: dests.sort((a, b) => destinationKey(a).localeCompare(destinationKey(b))) };
        if (s.flags) o.flags = [...s.flags].sort((a, b) => flagOrder.indexOf(a) - flagOrder.indexOf(b));
        // the default netmask (/32, 128) is not saved: the same as none
        if (s.persistent?.netmask === (s.family === 'inet6' ? '128' : '255.255.255.255')) o.persistent = { timeout: s.persistent.timeout };
        return o;
      })
      .sort((a, b) => serviceKey(a).localeCompare(serviceKey(b))),
  };
}

describe('parseIpvsadmSave', () => {
  it('reads the captured -S -n of the NAT director, and it is the same table as that director’s -L -n', () => {
    const saved = parseIpvsadmSave(fixture('S-n.1.2.1.nat-rr.txt'));
    expect(saved.services).toEqual([
      {
        protocol: 'tcp',
        address: '192.168.10.100',
        port: 80,
        family: 'inet',
        scheduler: 'rr',
        destinations: [
          { address: '192.168.188.82', port: 80, forward: 'masq', weight: 1 },
          { address: '192.168.188.83', port: 80, forward: 'masq', weight: 1 },
        ],
      },
    ]);
    expect(ipvsTableOf(saved)).toEqual(ipvsTableOf(parseIpvsadmList(fixture('L-n.1.2.1.nat-rr.txt'))));
  });

  it('formatSaveLines of the parsed -L -n prints exactly the captured ipvsadm -S -n', () => {
    expect(formatSaveLines(ipvsTableOf(parseIpvsadmList(fixture('L-n.1.2.1.nat-rr.txt'))))).toBe(fixture('S-n.1.2.1.nat-rr.txt'));
  });

  it('reads an empty save (the lab director with no services) as an empty table', () => {
    expect(parseIpvsadmSave(fixture('lab/S-n.1.2.1.lab-empty.txt')).services).toEqual([]);
  });

  it('reads every option -S -n writes: -p/-M (v4 and v6), -o, -b, -f and -f -6, --sctp-service, tunnels', () => {
    const s = parseIpvsadmSave(fixture('constructed/S-n.1.2.1.mixed.txt')).services;
    expect(s.map(serviceKey)).toEqual(['tcp 10.0.0.1:80', 'udp 10.0.0.1:177', 'tcp [2001:db8::10]:443', 'fwmark 1 inet', 'fwmark 4242 inet6', 'tcp 10.0.0.3:80']);
    expect(s[0]).toMatchObject({ scheduler: 'wlc', persistent: { timeout: 360, netmask: '255.255.255.0' } });
    expect(s[1]).toMatchObject({ scheduler: 'sh', flags: ['sh-fallback', 'sh-port', 'ops'] });
    expect(s[2]).toMatchObject({ persistent: { timeout: 300, netmask: '64' } });
    expect(s[2]!.destinations[0]).toEqual({ address: '2001:db8:1::1', port: 443, forward: 'tunnel', weight: 2 });
    expect(s[4]).toMatchObject({ family: 'inet6', flags: ['mh-fallback', 'mh-port'] });
    expect(s[5]!.destinations.map((d) => d.tunType)).toEqual(['gue:6080:nocsum', 'gre:csum']);
  });

  it('agrees with the mixed -L -n listing on everything both show', () => {
    const fromList = ipvsTableOf(parseIpvsadmList(fixture('constructed/L-n.1.2.1.mixed-ipv6-fwmark-flags.txt')));
    const fromSave = parseIpvsadmSave(fixture('constructed/S-n.1.2.1.mixed.txt'));
    // the listing has a Local realserver (saved as -g) and an SCTP service with a pe; the save has an extra tunnel service
    const strip = (t: IpvsTable) =>
      canon({
        services: t.services
          .filter((x) => x.protocol !== 'sctp' && serviceKey(x) !== 'tcp 10.0.0.3:80')
          .map((x) => ({ ...x, destinations: x.destinations.map((d) => ({ ...d, forward: d.forward === 'local' ? 'route' : d.forward })) })),
      });
    expect(strip(ipvsTableOf(fromSave))).toEqual(strip(fromList));
  });

  it('applies ipvsadm -R defaults to hand-written lines: -s wlc, -p 300, -g, -w 1, realserver port = service port, -x/-y', () => {
    const s = parseIpvsadmSave('-A -t 10.0.0.1:23 -p\n-a -t 10.0.0.1:23 -r 10.0.1.1 -x 100 -y 80\n-a -w 3 -r 10.0.1.2:2323 -m -t 10.0.0.1:23\n').services;
    expect(s).toEqual([
      {
        protocol: 'tcp',
        address: '10.0.0.1',
        port: 23,
        family: 'inet',
        scheduler: 'wlc',
        persistent: { timeout: 300 },
        destinations: [
          { address: '10.0.1.1', port: 23, forward: 'route', weight: 1, upperThreshold: 100, lowerThreshold: 80 },
          { address: '10.0.1.2', port: 2323, forward: 'masq', weight: 3 },
        ],
      },
    ]);
  });

  it('drops a /32 (v4) or 128 (v6) netmask as ipvsadm does', () => {
    const s = parseIpvsadmSave('-A -u 10.0.0.1:177 -s wlc -p 360 -M 255.255.255.255\n-A -u [2001:db8::1]:177 -s wlc -p 360 -M 128\n').services;
    expect(s.map((x) => x.persistent)).toEqual([{ timeout: 360 }, { timeout: 360 }]);
  });

  it.each([
    ['ipvsadm -S without -n (names)', fixture('S.1.2.1.names-not-numeric.txt'), 1, /'172\.168\.2\.33:http' is not a numeric ADDRESS:PORT/],
    ['a realserver before its service', '-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1\n', 1, /which no earlier -A line added/],
    ['a service added twice', '-A -t 10.0.0.1:80 -s rr\n-A -t 10.0.0.1:80 -s wlc\n', 2, /added twice/],
    ['a realserver added twice', '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1\n', 3, /added twice/],
    ['another command', '-A -t 10.0.0.1:80 -s rr\n-C\n', 2, /starting with -A or -a/],
    ['an unknown option', '-A -t 10.0.0.1:80 -s rr --fancy\n', 1, /unknown or unsupported option '--fancy'/],
    ['a bad weight', '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 70000\n', 2, /weight '70000'/],
    ['an option without value', '-A -t 10.0.0.1:80 -s\n', 1, /-s needs a value/],
    ['-M without -p', '-A -t 10.0.0.1:80 -s rr -M 255.255.255.0\n', 1, /-M without -p/],
    ['an unknown -b flag', '-A -t 10.0.0.1:80 -s sh -b sh-fast\n', 1, /unknown scheduler flag 'sh-fast'/],
    ['a realserver option on -A', '-A -t 10.0.0.1:80 -s rr -w 1\n', 1, /option -w does not belong to -A/],
    ['-6 on a non-fwmark service', '-A -t 10.0.0.1:80 -6 -s rr\n', 1, /-6 is only for fwmark/],
    ['tunnel options on a NAT realserver', '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1 --tun-type gre --tun-csum\n', 2, /not -i/],
    ['gue without a port', '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -i -w 1 --tun-type gue --tun-csum\n', 2, /--tun-port/],
    ['a blank line inside', '-A -t 10.0.0.1:80 -s rr\n\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1\n', 2, /blank line/],
  ])('rejects %s at its line', (_w, text, line, re) => {
    expectLineError(() => parseIpvsadmSave(text), line, re);
  });

  it('property: parse(formatSaveLines(table)) is the table, less what -S does not save (thresholds, --pe)', () => {
    fc.assert(
      fc.property(arbTable, (t) => {
        const noPe: IpvsTable = { services: t.services.map(({ persistenceEngine: _pe, ...s }) => s) };
        const expected = canon(withoutThresholds(noPe));
        expect(canon({ services: parseIpvsadmSave(formatSaveLines(noPe)).services })).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});

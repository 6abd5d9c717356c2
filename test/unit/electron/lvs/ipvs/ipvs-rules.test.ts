import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipvsTableOf, parseIpvsOutput } from '../../../../../electron/lvs/ipvs/ipvs-detect.ts';
import { parseIpvsadmSave } from '../../../../../electron/lvs/ipvs/ipvsadm-save-parse.ts';
import { canonicalTable } from '../../../../../electron/lvs/plan/table-diff.ts';
import { arbTable, withoutThresholds } from '../plan/table-arbitraries.ts';
import type { IpvsService, IpvsTable } from '../../../../../shared/model/ipvs.ts';
import {
  addressWords,
  compareDests,
  compareServices,
  deleteDestinationArgs,
  deleteServiceArgs,
  destinationArgs,
  formatRestoreLines,
  formatSaveLines,
  parseRuleArgs,
  serviceArgs,
} from '../../../../../electron/lvs/ipvs/ipvs-rules.ts';

const svc = (p: Partial<IpvsService> & Pick<IpvsService, 'protocol' | 'address' | 'port'>): IpvsService => ({ family: 'inet', scheduler: 'wlc', destinations: [], ...p });

// The seed's cluster as the lab director shows it: telnet and xdmcp on the VIP, two realservers, NAT.
const seedTable: IpvsTable = {
  services: [
    svc({
      protocol: 'udp',
      address: '10.77.0.50',
      port: 177,
      persistent: { timeout: 360 },
      destinations: [
        { address: '10.77.0.12', port: 177, forward: 'masq', weight: 1 },
        { address: '10.77.0.11', port: 177, forward: 'masq', weight: 1 },
      ],
    }),
    svc({
      protocol: 'tcp',
      address: '10.77.0.50',
      port: 23,
      scheduler: 'rr',
      destinations: [
        { address: '10.77.0.11', port: 23, forward: 'masq', weight: 1 },
        { address: '10.77.0.12', port: 23, forward: 'masq', weight: 0 },
      ],
    }),
  ],
};

describe('formatSaveLines (ipvsadm -S -n text)', () => {
  it('prints services and destinations in libipvs order with ipvsadm spacing', () => {
    expect(formatSaveLines(seedTable)).toBe(
      [
        '-A -t 10.77.0.50:23 -s rr',
        '-a -t 10.77.0.50:23 -r 10.77.0.11:23 -m -w 1',
        '-a -t 10.77.0.50:23 -r 10.77.0.12:23 -m -w 0',
        '-A -u 10.77.0.50:177 -s wlc -p 360',
        '-a -u 10.77.0.50:177 -r 10.77.0.11:177 -m -w 1',
        '-a -u 10.77.0.50:177 -r 10.77.0.12:177 -m -w 1',
        '',
      ].join('\n'),
    );
  });

  it('is empty for an empty table', () => {
    expect(formatSaveLines({ services: [] })).toBe('');
  });

  it('prints -M only for a non-default netmask, then --pe, -o and -b in print_service_entry order', () => {
    const t: IpvsTable = {
      services: [
        svc({ protocol: 'udp', address: '10.0.0.1', port: 80, scheduler: 'sh', persistent: { timeout: 60, netmask: '255.255.255.0' }, flags: ['sh-port', 'ops', 'sh-fallback'] }),
        svc({ protocol: 'udp', address: '10.0.0.1', port: 5060, persistent: { timeout: 300, netmask: '255.255.255.255' }, persistenceEngine: 'sip' }),
      ],
    };
    expect(formatSaveLines(t)).toBe('-A -u 10.0.0.1:80 -s sh -p 60 -M 255.255.255.0 -o -b sh-fallback,sh-port\n-A -u 10.0.0.1:5060 -s wlc -p 300 --pe sip\n');
  });

  it('prints IPv6 in brackets, IPv6 fwmark with -6, sctp as --sctp-service, tunnels with --tun-type, Local as -g', () => {
    const t: IpvsTable = {
      services: [
        svc({ protocol: 'fwmark', address: '', port: 0, fwmark: 7, family: 'inet6', persistent: { timeout: 300, netmask: '64' }, destinations: [{ address: '2001:db8::2', port: 0, forward: 'route', weight: 1 }] }),
        svc({ protocol: 'tcp', address: '2001:db8::50', port: 443, family: 'inet6', persistent: { timeout: 300, netmask: '128' }, destinations: [{ address: '2001:db8::3', port: 443, forward: 'tunnel', weight: 2 }] }),
        svc({ protocol: 'sctp', address: '10.0.0.1', port: 3868, destinations: [{ address: '10.0.0.1', port: 3868, forward: 'local', weight: 1 }] }),
        svc({ protocol: 'fwmark', address: '', port: 0, fwmark: 3, destinations: [{ address: '10.0.0.2', port: 0, forward: 'tunnel', weight: 1, tunType: 'gue:6080:csum' }] }),
      ],
    };
    expect(formatSaveLines(t).split('\n')).toEqual([
      '-A --sctp-service 10.0.0.1:3868 -s wlc',
      '-a --sctp-service 10.0.0.1:3868 -r 10.0.0.1:3868 -g -w 1',
      '-A -t [2001:db8::50]:443 -s wlc -p 300',
      '-a -t [2001:db8::50]:443 -r [2001:db8::3]:443 -i -w 2 --tun-type ipip',
      '-A -f 3 -s wlc',
      '-a -f 3 -r 10.0.0.2:0 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum',
      '-A -f 7 -6 -s wlc -p 300 -M 64',
      '-a -f 7 -6 -r [2001:db8::2]:0 -g -w 1',
      '',
    ]);
  });

  it('does not save thresholds (ipvsadm -S leaves -x/-y out); the restore text keeps them', () => {
    const t: IpvsTable = { services: [svc({ protocol: 'tcp', address: '10.0.0.1', port: 23, destinations: [{ address: '10.0.0.2', port: 23, forward: 'masq', weight: 1, upperThreshold: 50, lowerThreshold: 10 }] })] };
    expect(formatSaveLines(t)).toBe('-A -t 10.0.0.1:23 -s wlc\n-a -t 10.0.0.1:23 -r 10.0.0.2:23 -m -w 1\n');
    expect(formatRestoreLines(t)).toBe('-A -t 10.0.0.1:23 -s wlc\n-a -t 10.0.0.1:23 -r 10.0.0.2:23 -m -w 1 -x 50 -y 10\n');
    expect(formatRestoreLines(seedTable)).toBe(formatSaveLines(seedTable));
  });
});

describe('libipvs sort order', () => {
  it('wraps address differences to a signed int as the C comparator does: 192.168/16 sorts before 10/8', () => {
    const a = { protocol: 'tcp' as const, address: '10.0.0.1', port: 23, family: 'inet' as const };
    const b = { ...a, address: '192.168.0.1' };
    expect(compareServices(b, a)).toBeLessThan(0);
    expect(compareServices({ ...a, address: '10.0.0.2' }, a)).toBeGreaterThan(0);
    expect(compareDests({ address: '192.168.0.1', port: 1 }, { address: '10.0.0.1', port: 1 })).toBeLessThan(0);
  });
  it('orders by fwmark first, then family, then protocol (tcp 6 < udp 17 < sctp 132), then port', () => {
    const t = { protocol: 'tcp' as const, address: '10.0.0.1', port: 80, family: 'inet' as const };
    expect(compareServices({ ...t, protocol: 'udp' }, { ...t, port: 9999 })).toBeGreaterThan(0);
    expect(compareServices({ ...t, family: 'inet6', address: '::1' }, t)).toBeGreaterThan(0);
    expect(compareServices({ protocol: 'fwmark', address: '', port: 0, fwmark: 1, family: 'inet' }, { ...t, address: '255.255.255.255' })).toBeGreaterThan(0);
    expect(compareServices({ ...t, port: 22 }, t)).toBeLessThan(0);
  });
  it('reads IPv6 (with ::, and an embedded IPv4 tail) as four 32-bit words', () => {
    expect(addressWords('2001:db8::1')).toEqual([0x20010db8, 0, 0, 1]);
    expect(addressWords('::ffff:1.2.3.4')).toEqual([0, 0, 0xffff, 0x01020304]);
    expect(() => addressWords('1:2:3')).toThrow(/not an IPv6 address/);
    expect(() => addressWords('300.1.1.1')).toThrow(/not an IPv4 address/);
  });
});

describe('argv builders', () => {
  const s = seedTable.services[0]!;
  const d = s.destinations[0]!;
  it('builds -A/-E/-D and -a/-e/-d tails', () => {
    expect(serviceArgs(s)).toEqual(['-A', '-u', '10.77.0.50:177', '-s', 'wlc', '-p', '360']);
    expect(serviceArgs(s, 'edit')).toEqual(['-E', '-u', '10.77.0.50:177', '-s', 'wlc', '-p', '360']);
    expect(deleteServiceArgs(s)).toEqual(['-D', '-u', '10.77.0.50:177']);
    expect(destinationArgs(s, d)).toEqual(['-a', '-u', '10.77.0.50:177', '-r', '10.77.0.12:177', '-m', '-w', '1']);
    expect(destinationArgs(s, { ...d, weight: 5, upperThreshold: 100, lowerThreshold: 20 }, 'edit')).toEqual(['-e', '-u', '10.77.0.50:177', '-r', '10.77.0.12:177', '-m', '-w', '5', '-x', '100', '-y', '20']);
    expect(deleteDestinationArgs(s, d)).toEqual(['-d', '-u', '10.77.0.50:177', '-r', '10.77.0.12:177']);
  });
  it('builds fwmark (IPv4 and -6) and route/tunnel forwarding', () => {
    const f: IpvsService = svc({ protocol: 'fwmark', address: '', port: 0, fwmark: 12, family: 'inet6' });
    expect(serviceArgs(f)).toEqual(['-A', '-f', '12', '-6', '-s', 'wlc']);
    expect(destinationArgs({ ...f, family: 'inet' }, { address: '10.0.0.2', port: 0, forward: 'route', weight: 1 })).toEqual(['-a', '-f', '12', '-r', '10.0.0.2:0', '-g', '-w', '1']);
    expect(destinationArgs(s, { ...d, forward: 'tunnel', tunType: 'gre:nocsum' })).toEqual(['-a', '-u', '10.77.0.50:177', '-r', '10.77.0.12:177', '-i', '-w', '1', '--tun-type', 'gre', '--tun-nocsum']);
  });
  it('refuses what ipvsadm refuses: -o (one-packet scheduling) on anything but UDP', () => {
    expect(() => serviceArgs(svc({ protocol: 'tcp', address: '10.0.0.1', port: 80, flags: ['ops'] }))).toThrow(/One-Packet Scheduling is only for UDP/);
    expect(serviceArgs(svc({ protocol: 'udp', address: '10.0.0.1', port: 53, flags: ['ops'] }))).toEqual(['-A', '-u', '10.0.0.1:53', '-s', 'wlc', '-o']);
    expect(() => parseRuleArgs(['-A', '-f', '3', '-o'])).toThrow(/only for UDP/);
  });
  it('refuses what ipvsadm cannot express', () => {
    expect(() => serviceArgs(svc({ protocol: 'fwmark', address: '', port: 0 }))).toThrow(/firewall mark/);
    expect(() => serviceArgs(svc({ protocol: 'tcp', address: '10.0.0.1', port: 1, flags: ['bogus'] }))).toThrow(/unknown service flag 'bogus'/);
    expect(() => destinationArgs(s, { ...d, forward: 'tunnel', tunType: 'vxlan' })).toThrow(/not ipip, gre:FLAG or gue:PORT:FLAG/);
  });
});

describe('parseRuleArgs (inverse of the builders, ipvsadm defaults)', () => {
  it('round-trips every builder', () => {
    for (const s of seedTable.services) {
      expect(parseRuleArgs(serviceArgs(s))).toEqual({ cmd: 'add-service', service: { ...s, destinations: [] } });
      for (const d of s.destinations) expect(parseRuleArgs(destinationArgs(s, d, 'edit'))).toEqual({ cmd: 'edit-dest', service: { protocol: s.protocol, address: s.address, port: s.port, family: s.family }, dest: d });
    }
  });
  it('applies ipvsadm defaults: wlc, -p alone = 300 s, -g, weight 1, -r without port = service port', () => {
    expect(parseRuleArgs(['-A', '-t', '10.0.0.1:80', '-p'])).toMatchObject({ service: { scheduler: 'wlc', persistent: { timeout: 300 } } });
    expect(parseRuleArgs(['-a', '-t', '10.0.0.1:80', '-r', '10.0.0.2'])).toMatchObject({ dest: { address: '10.0.0.2', port: 80, forward: 'route', weight: 1 } });
    expect(parseRuleArgs(['--add-server', '--udp-service', '[::1]:53', '--real-server', '[::2]:5353', '--masquerading', '--weight', '3'])).toMatchObject({
      cmd: 'add-dest',
      service: { protocol: 'udp', address: '::1', family: 'inet6' },
      dest: { address: '::2', port: 5353, forward: 'masq', weight: 3 },
    });
  });
  it('gives -g/-i destinations of a port service the service port, as ipvsadm does; NAT and fwmark keep theirs', () => {
    expect(parseRuleArgs(['-a', '-t', '10.0.0.1:23', '-r', '10.0.0.2:2323', '-g'])).toMatchObject({ dest: { port: 23 } });
    expect(parseRuleArgs(['-e', '-t', '10.0.0.1:23', '-r', '10.0.0.2:2323', '-i'])).toMatchObject({ dest: { port: 23 } });
    expect(parseRuleArgs(['-a', '-t', '10.0.0.1:23', '-r', '10.0.0.2:2323', '-m'])).toMatchObject({ dest: { port: 2323 } });
    expect(parseRuleArgs(['-a', '-f', '5', '-r', '10.0.0.2:80', '-g'])).toMatchObject({ dest: { port: 80 } });
    expect(parseRuleArgs(['-d', '-t', '10.0.0.1:23', '-r', '10.0.0.2:2323'])).toMatchObject({ dest: { port: 2323 } });
  });
  it('names the word it does not understand', () => {
    expect(() => parseRuleArgs(['-A', '-t', '10.0.0.1:80', '--frobnicate'])).toThrow(/unknown word '--frobnicate'/);
    expect(() => parseRuleArgs(['-A', '-t', 'host.example:80'])).toThrow(/not ADDR:PORT/);
    expect(() => parseRuleArgs(['-a', '-t', '10.0.0.1:80', '-r', '10.0.0.2', '-w', 'x'])).toThrow(/-w needs a number/);
    expect(() => parseRuleArgs(['-t', '10.0.0.1:80'])).toThrow(/no command/);
    expect(() => parseRuleArgs(['-C', '-t', '10.0.0.1:80'])).toThrow(/takes no options/);
  });
});

describe('formatSaveLines against the ipvsadm fixtures and the -S parser', () => {
  const fx = (name: string) => readFileSync(join(import.meta.dirname, '../../../../fixtures/ipvsadm', name), 'utf8');

  it('reprints a real `ipvsadm -S -n` capture byte for byte', () => {
    const text = fx('S-n.1.2.1.nat-rr.txt');
    expect(formatSaveLines(parseIpvsadmSave(text))).toBe(text);
  });

  it('prints, from the same director’s `ipvsadm -L -n`, exactly what its `ipvsadm -S -n` printed', () => {
    expect(formatSaveLines(ipvsTableOf(parseIpvsOutput(fx('L-n.1.2.1.nat-rr.txt'))))).toBe(fx('S-n.1.2.1.nat-rr.txt'));
  });

  it('lab director: its `ipvsadm -L -n` table prints as exactly its `ipvsadm -S -n`, and that reprints byte for byte', () => {
    const plan = (name: string) => readFileSync(join(import.meta.dirname, '../../../../fixtures/plan', name), 'utf8');
    const saved = plan('S-n.ipvsadm-1.31.lab-director-nat.txt');
    expect(formatSaveLines(ipvsTableOf(parseIpvsOutput(plan('L-n.ipvsadm-1.31.lab-director-nat.txt'))))).toBe(saved);
    expect(formatSaveLines(parseIpvsadmSave(saved))).toBe(saved);
  });

  it('agrees with the -S parser on the constructed mixed table (IPv6, fwmark, flags, tunnels)', () => {
    const t = parseIpvsadmSave(fx('constructed/S-n.1.2.1.mixed.txt'));
    expect(canonicalTable(parseIpvsadmSave(formatSaveLines(t)))).toEqual(canonicalTable(t));
  });

  it('property: formatSaveLines → parseIpvsadmSave gives the same table (less the thresholds -S does not save)', () => {
    fc.assert(
      fc.property(arbTable, (t) => {
        expect(canonicalTable(parseIpvsadmSave(formatSaveLines(t)))).toEqual(canonicalTable(withoutThresholds(t)));
      }),
      { numRuns: 300 },
    );
  });
});

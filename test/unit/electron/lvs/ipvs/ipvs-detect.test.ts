import { describe, expect, it } from 'vitest';
import { detectIpvsFormat, ipvsTableOf, parseIpvsOutput } from '../../../../../electron/lvs/ipvs/ipvs-detect.ts';
import { AppError } from '../../../../../shared/result.ts';
import { listTitle } from '../../../../fixtures/ipvsadm/render.ts';
import type { IpvsListVariant } from '../../../../../electron/lvs/ipvs/ipvsadm-list-parse.ts';
import { allFixtures, expectLineError, fixture } from './ipvs-fixtures.ts';

/** The kind each fixture must be detected as, from its file name; the error cases are listed with the line they fail at. */
function expectedKind(name: string): string {
  const base = name.split('/').pop()!;
  if (base.startsWith('L-n-c')) return 'connections';
  if (base.startsWith('L-timeout')) return 'timeout';
  if (base.startsWith('S')) return 'save';
  if (base.startsWith('proc-')) return 'proc';
  return 'list';
}
const FAILING: Record<string, number> = {
  'L-stats.1.2.1.names-kilo-mega.txt': 6,
  'L-n.dpvs-0.0.0.ipv6-fullnat.txt': 5,
  'S.1.2.1.names-not-numeric.txt': 1,
};

describe('detectIpvsFormat / parseIpvsOutput', () => {
  for (const name of allFixtures()) {
    it(`${name}: detected as ${expectedKind(name)} and parsed${FAILING[name] ? ' (or rejected at its line)' : ''}`, () => {
      const text = fixture(name);
      expect(detectIpvsFormat(text)).toBe(expectedKind(name));
      if (FAILING[name]) expectLineError(() => parseIpvsOutput(text, { hz: 250 }), FAILING[name]!, /./);
      else expect(parseIpvsOutput(text, { hz: name.includes('linux24') ? 100 : 250 }).kind).toBe(expectedKind(name));
    });
  }

  it('tells /proc/net/ip_vs from a listing with the same words in its title', () => {
    const list = fixture('L-n.1.2.1.nat-rr.txt');
    const squeezed = list.replace('RemoteAddress:Port           Forward', 'RemoteAddress:Port Forward');
    expect(detectIpvsFormat(squeezed)).toBe('list');
    expect(detectIpvsFormat(fixture('lab/proc-ip_vs.1.2.1.lab-empty.txt'))).toBe('proc');
  });

  it('treats empty input as an empty ipvsadm -S -n and rejects anything else at line 1', () => {
    expect(parseIpvsOutput('\n \n')).toEqual({ kind: 'save', services: [] });
    expectLineError(() => detectIpvsFormat('\nhello world\n'), 2, /not ipvsadm/);
  });

  it('the lab director’s six listing titles are byte-identical to the ipvsadm.c formats used for the constructed fixtures', () => {
    const labs: [string, IpvsListVariant][] = [
      ['lab/L-n.1.2.1.lab-empty.txt', 'plain'],
      ['lab/L-n-stats.1.2.1.lab-empty.txt', 'stats'],
      ['lab/L-n-rate.1.2.1.lab-empty.txt', 'rate'],
      ['lab/L-n-thresholds.1.2.1.lab-empty.txt', 'thresholds'],
      ['lab/L-n-persistent-conn.1.2.1.lab-empty.txt', 'persistent-conn'],
      ['lab/L-n-tun-info.1.2.1.lab-empty.txt', 'tun-info'],
    ];
    for (const [name, variant] of labs) {
      expect(fixture(name)).toBe(`IP Virtual Server version 1.2.1 (size=4096)\n${listTitle(variant)}`);
      expect(parseIpvsOutput(fixture(name))).toMatchObject({ kind: 'list', variant, services: [] });
    }
  });

  it('ipvsTableOf gives the table for plain/--tun-info listings, -S -n and /proc, drops live counters, and refuses the rest', () => {
    const t = ipvsTableOf(parseIpvsOutput(fixture('L-n.1.0.10.local.txt')));
    expect(t.services[0]!.destinations[0]).toEqual({ address: '127.0.0.1', port: 80, forward: 'masq', weight: 200 });
    expect(ipvsTableOf(parseIpvsOutput(fixture('constructed/L-n-tun-info.1.2.1.txt'))).services[0]!.destinations[1]!.tunType).toBe('gue:6080:nocsum');
    for (const name of ['L-n-stats.1.2.1.nat-rr.txt', 'constructed/L-n-thresholds.1.2.1.txt', 'constructed/L-n-persistent-conn.1.2.1.txt', 'L-n-c.1.2.1.nat-time-wait.txt', 'L-timeout.1.2.1.txt']) {
      let err: unknown;
      try {
        ipvsTableOf(parseIpvsOutput(fixture(name)));
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('UNSUPPORTED');
    }
  });
});

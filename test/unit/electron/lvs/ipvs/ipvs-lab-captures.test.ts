/**
 * The lab director's real output of one table (the seed article's telnet + XDMCP NAT setup) in every format: all of them
 * must parse to the same table, `lvsctl ipvs save`'s path must print exactly the captured `ipvsadm -S -n`, and the
 * test renderer (which builds the constructed fixtures) must reproduce the captures byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { parseIpvsadmList, type IpvsListVariant } from '../../../../../electron/lvs/ipvs/ipvsadm-list-parse.ts';
import { parseProcIpVs } from '../../../../../electron/lvs/ipvs/proc-ip-vs-parse.ts';
import { parseIpvsadmSave } from '../../../../../electron/lvs/ipvs/ipvsadm-save-parse.ts';
import { ipvsTableOf } from '../../../../../electron/lvs/ipvs/ipvs-detect.ts';
import { formatSaveLines } from '../../../../../electron/lvs/ipvs/ipvs-rules.ts';
import { renderList, renderProc } from '../../../../fixtures/ipvsadm/render.ts';
import { fixture } from './ipvs-fixtures.ts';

const VARIANTS: [IpvsListVariant, string][] = [
  ['plain', 'L-n'],
  ['stats', 'L-n-stats'],
  ['rate', 'L-n-rate'],
  ['thresholds', 'L-n-thresholds'],
  ['persistent-conn', 'L-n-persistent-conn'],
  ['tun-info', 'L-n-tun-info'],
];
const lab = (cmd: string) => fixture(`lab/${cmd}.1.2.1.lab-seed-nat.txt`);

describe('lab director, seed NAT table (ipvsadm 1.31, kernel 6.1, HZ 250)', () => {
  it('ipvsadm -L -n is the seed table: telnet wlc and XDMCP wlc persistent 360 over three Masq realservers', () => {
    const t = ipvsTableOf(parseIpvsadmList(lab('L-n')));
    expect(t.services.map((s) => [s.protocol, s.address, s.port, s.scheduler, s.persistent?.timeout])).toEqual([
      ['tcp', '10.77.0.100', 23, 'wlc', undefined],
      ['udp', '10.77.0.100', 177, 'wlc', 360],
    ]);
    for (const s of t.services) expect(s.destinations.map((d) => `${d.address} ${d.forward} ${d.weight}`)).toEqual(['10.77.0.11 masq 1', '10.77.0.12 masq 1', '10.77.0.13 masq 1']);
  });

  it('the save path prints exactly the captured ipvsadm -S -n, from -L -n, --tun-info, /proc (HZ 250) and -S -n itself', () => {
    const saved = lab('S-n');
    expect(formatSaveLines(ipvsTableOf(parseIpvsadmList(lab('L-n'))))).toBe(saved);
    expect(formatSaveLines(ipvsTableOf(parseIpvsadmList(lab('L-n-tun-info'))))).toBe(saved);
    const proc = parseProcIpVs(fixture('lab/proc-ip_vs.1.2.1.lab-seed-nat-hz250.txt'), { hz: 250 });
    expect(proc.persistenceJiffies).toEqual({ 'udp 10.77.0.100:177': 90000 });
    expect(formatSaveLines(ipvsTableOf(proc))).toBe(saved);
    expect(formatSaveLines(ipvsTableOf(parseIpvsadmSave(saved)))).toBe(saved);
  });

  it('every listing variant shows the same services and realservers', () => {
    const keys = (v: string) => parseIpvsadmList(lab(v)).services.map((s) => `${s.protocol} ${s.port}: ${s.destinations.map((d) => d.address).join(' ')}`);
    for (const [, cmd] of VARIANTS) expect(keys(cmd)).toEqual(keys('L-n'));
    expect(parseIpvsadmList(lab('L-n-stats-exact')).services[1]!.stats).toEqual({ conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 });
  });

  it('render.ts reproduces every captured listing and /proc/net/ip_vs byte for byte from its parse', () => {
    for (const [variant, cmd] of VARIANTS) expect(renderList(parseIpvsadmList(lab(cmd)).services, variant), cmd).toBe(lab(cmd));
    const procText = fixture('lab/proc-ip_vs.1.2.1.lab-seed-nat-hz250.txt');
    // the kernel prints "%s %s " (scheduler, "ops " or ""), so an IPv4 service line keeps two blanks before "persistent"
    expect(renderProc(parseProcIpVs(procText, { hz: 250 }).services, { hz: 250 })).toBe(procText);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyClusterToConf, checkConfValues, confToCluster, type ConfClusterBase } from '../../../../../electron/lvs/conf/conf-model.ts';
import { confJson, confVariables, parseLvsConf } from '../../../../../electron/lvs/conf/conf-parse.ts';
import { importText } from '../../../../../electron/lvs/conf/conf-text.ts';
import { writeLvsConf } from '../../../../../electron/lvs/conf/conf-write.ts';
import { clusterSchema, type ClusterInput } from '../../../../../shared/model/cluster.ts';
import { AppError } from '../../../../../shared/result.ts';

const fixture = (name: string) => readFileSync(new URL(`../../../../fixtures/lvs-conf/${name}`, import.meta.url), 'utf8');
const base: ConfClusterBase = { id: 'pilot', name: 'Agilent pilot', director: { host: 'lvsdir', user: 'root' } };
const varsOf = (text: string, file = 'lvs.conf') => confVariables(parseLvsConf(text, file));

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('INVALID_INPUT');
    return (e as AppError).message;
  }
  throw new Error('expected an AppError');
}

const GOOD = 'VIP=10.0.0.100\nVIP_IF=eth0:110\nLVS_IF=eth0\nTPORTS="telnet 22"\nUPORTS="xdmcp"\nRIPS="10.0.0.11 10.0.0.12"\n';

describe('confToCluster', () => {
  it('maps the seed fixture onto a valid profile', () => {
    const c = confToCluster(varsOf(fixture('seed-style.conf')), base);
    expect(c).toMatchObject({
      id: 'pilot',
      vip: 'epsg9008',
      vipIf: 'eth0:110',
      lvsIf: 'eth0',
      tcp: [{ port: 'telnet' }],
      udp: [{ port: 'xdmcp' }],
      realservers: ['epsg9010', 'epsg9011', 'epsg9012', 'epsg9013', 'epsg9014', 'epsg9015'].map((host) => ({ host })),
    });
    expect(clusterSchema.safeParse(c).success).toBe(true);
  });

  it('keeps numbers as numbers and names as names', () => {
    const c = confToCluster(varsOf(GOOD), base);
    expect(c.tcp).toEqual([{ port: 'telnet' }, { port: 22 }]);
  });

  it("keeps the base profile's settings for matching services and realservers", () => {
    const c = confToCluster(varsOf(GOOD), {
      ...base,
      udp: [{ port: 177, persistence: { timeout: 600 } }],
      realservers: [{ host: '10.0.0.12', weight: 5, os: 'hpux' }, { host: '10.0.0.99' }],
    });
    expect(c.udp).toEqual([{ port: 'xdmcp', persistence: { timeout: 600 } }]);
    expect(c.realservers).toEqual([{ host: '10.0.0.11' }, { host: '10.0.0.12', weight: 5, os: 'hpux' }]);
  });

  it('falls back to the base for a variable the file lacks', () => {
    const c = confToCluster(varsOf('TPORTS=23\n'), { ...base, vip: '10.9.9.9' });
    expect(c.vip).toBe('10.9.9.9');
    expect(c.tcp).toEqual([{ port: 23 }]);
  });

  it('maps every rejection back to the variable or list item, in file order', () => {
    const text = ['VIP=not_a_host', 'VIP_IF=eth0', 'LVS_IF=eth0', 'TPORTS="telnet ntp 70000 23"', 'UPORTS="xdmcp bogus"', 'RIPS="10.0.0.11 \\', '  10.0.0.11 \\', '  bad..name \\', '"', ''].join('\n');
    expect(messageOf(() => confToCluster(varsOf(text, 'etc/lvs.conf'), base)).split('\n')).toEqual([
      'etc/lvs.conf:1:5: VIP="not_a_host": not a host name, IPv4 or IPv6 address',
      'etc/lvs.conf:2:8: VIP_IF="eth0": expected an alias such as eth0:110 (interface, ":", label)',
      'etc/lvs.conf:4:16: TPORTS item "ntp": ntp is not a TCP service',
      'etc/lvs.conf:4:20: TPORTS item "70000": port must be 1–65535',
      'etc/lvs.conf:4:26: TPORTS item "23": duplicate TCP port 23 (also at 4:9)',
      'etc/lvs.conf:5:15: UPORTS item "bogus": not a port number 1–65535 or a known service name',
      'etc/lvs.conf:7:3: RIPS item "10.0.0.11": duplicate realserver 10.0.0.11 (also at 6:7)',
      'etc/lvs.conf:8:3: RIPS item "bad..name": not a host name, IPv4 or IPv6 address',
    ]);
  });

  it('reports a missing VIP at 1:1', () => {
    expect(messageOf(() => confToCluster(varsOf('# nothing\nRIPS=a\n', 'x.conf'), base))).toBe('x.conf:1:1: VIP is not set');
  });

  it('reports base-profile problems without a position', () => {
    expect(messageOf(() => confToCluster(varsOf(GOOD), { ...base, id: 'Bad Id' }))).toBe(
      'lvs.conf: base profile id: id must be lowercase letters, digits and "-"',
    );
  });
});

describe('checkConfValues', () => {
  it('accepts the fixtures (the CRLF one once converted)', () => {
    for (const f of ['seed-style.conf', 'unknown-and-exports.conf']) expect(() => checkConfValues(parseLvsConf(fixture(f), f))).not.toThrow();
    expect(() => checkConfValues(parseLvsConf(importText(fixture('crlf.conf'), 'crlf.conf').text, 'crlf.conf'))).not.toThrow();
  });

  it('requires VIP, VIP_IF and LVS_IF', () => {
    expect(messageOf(() => checkConfValues(parseLvsConf('RIPS="a b"\n', 'c.conf'))).split('\n')).toEqual([
      'c.conf:1:1: VIP is not set',
      'c.conf:1:1: VIP_IF is not set (lvs-director needs VIP, VIP_IF and LVS_IF)',
      'c.conf:1:1: LVS_IF is not set (lvs-director needs VIP, VIP_IF and LVS_IF)',
    ]);
  });

  it('checks LVS_IF is an interface name', () => {
    expect(messageOf(() => checkConfValues(parseLvsConf(GOOD.replace('LVS_IF=eth0', 'LVS_IF="eth0 eth1"'), 'c.conf')))).toBe(
      'c.conf:3:8: LVS_IF="eth0 eth1": interface name may only hold letters, digits, "_", ".", "-", "@"',
    );
  });
});

describe('applyClusterToConf', () => {
  const seed = fixture('seed-style.conf');
  const doc = parseLvsConf(seed, 'seed-style.conf');
  const cluster = (): ClusterInput => confToCluster(confVariables(doc), base);

  it('changes nothing when the profile came from the file', () => {
    expect(writeLvsConf(applyClusterToConf(doc, cluster()))).toBe(seed);
  });

  it('treats telnet and 23 as the same port and host names case-insensitively', () => {
    const c = { ...cluster(), tcp: [{ port: 23 }], realservers: cluster().realservers!.map((r) => ({ ...r, host: r.host.toUpperCase() })) };
    expect(writeLvsConf(applyClusterToConf(doc, c))).toBe(seed);
  });

  it('rewrites only the lines whose meaning changed, ports as the profile writes them', () => {
    const c = { ...cluster(), vip: '10.0.0.100', tcp: [{ port: 'telnet' }, { port: 6000 }] };
    const out = writeLvsConf(applyClusterToConf(doc, c));
    expect(out).toBe(seed.replace('VIP=epsg9008', 'VIP=10.0.0.100').replace('TPORTS="telnet"', 'TPORTS="telnet 6000"'));
  });

  it('writes a shrinking RIPS on one line and leaves every comment', () => {
    const c = { ...cluster(), realservers: [{ host: 'epsg9010' }, { host: 'epsg9011', enabled: false }] };
    const out = writeLvsConf(applyClusterToConf(doc, c));
    expect(confJson(confVariables(parseLvsConf(out, 'f'))).RIPS).toEqual(['epsg9010', 'epsg9011']);
    expect(out.split('\n').filter((l) => l.startsWith('#'))).toEqual(seed.split('\n').filter((l) => l.startsWith('#')));
    expect(out.endsWith('RIPS="epsg9010 epsg9011"\n')).toBe(true);
  });

  it('fills an empty file with the variables the seed script needs (defaults included)', () => {
    const out = writeLvsConf(applyClusterToConf(parseLvsConf('', 'new.conf'), { ...base, vip: '10.0.0.1', tcp: [{ port: 'telnet' }], realservers: [{ host: 'rs1' }] }));
    expect(out).toBe('VIP=10.0.0.1\nVIP_IF=eth0:110\nLVS_IF=eth0\nTPORTS="telnet"\nRIPS="rs1"\n');
  });

  it('round-trips: the new document maps back to the same profile values', () => {
    const c = { ...cluster(), vip: '192.0.2.10', vipIf: 'eth1:7', lvsIf: 'eth1', udp: [{ port: 177 }], realservers: [{ host: 'a.example' }, { host: '192.0.2.21' }, { host: '2001:db8::5' }, { host: 'b' }] };
    const back = confToCluster(confVariables(applyClusterToConf(doc, c)), base);
    // UDP 177 is xdmcp, which the file already says: that line is left as written.
    expect(back).toMatchObject({ vip: '192.0.2.10', vipIf: 'eth1:7', lvsIf: 'eth1', udp: [{ port: 'xdmcp' }], realservers: c.realservers });
  });

  it('refuses an invalid profile and leaves the caller with nothing written', () => {
    expect(messageOf(() => applyClusterToConf(doc, { ...cluster(), vip: '$(reboot)' }))).toBe(
      'cluster profile is not valid: vip: host contains a shell metacharacter or space; vip: not a host name, IPv4 or IPv6 address',
    );
  });
});

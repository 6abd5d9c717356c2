import { describe, expect, it } from 'vitest';
import { clusterSchema, describeIssues, effectiveCheck, type ClusterInput } from '../../../../shared/model/cluster.ts';

const base: ClusterInput = {
  id: 'c1',
  name: 'c1',
  director: { host: '10.0.0.1', user: 'root' },
  vip: '10.0.0.100',
  tcp: [{ port: 'telnet' }],
  udp: [{ port: 'xdmcp' }],
  realservers: [{ host: '10.0.0.11' }],
};

describe('cluster model: runtime, health, pair, checks', () => {
  it('defaults: the seed script runtime, 1 s checks out after 2 failures, no pair', () => {
    const c = clusterSchema.parse(base);
    expect(c.runtime).toBe('script');
    expect(c.health).toEqual({ intervalSec: 1, timeoutSec: 1, fall: 2, rise: 2 });
    expect(c.pair).toBeUndefined();
  });

  it('default checks: TCP connect, XDMCP Query → Willing on UDP 177; an explicit check wins', () => {
    const c = clusterSchema.parse(base);
    expect(effectiveCheck('tcp', c.tcp[0]!)).toEqual({ kind: 'connect' });
    expect(effectiveCheck('udp', c.udp[0]!)).toEqual({ kind: 'xdmcp' });
    const d = clusterSchema.parse({ ...base, udp: [{ port: 177, check: { kind: 'none' } }] });
    expect(effectiveCheck('udp', d.udp[0]!)).toEqual({ kind: 'none' });
  });

  it('another UDP service must say how it is checked; payload/reply are hex bytes, normalised', () => {
    const bad = clusterSchema.safeParse({ ...base, udp: [{ port: 53 }] });
    expect(bad.success).toBe(false);
    expect(describeIssues(bad.error!)).toEqual(['udp.0.check: UDP 53: say how to check it (a payload and the reply to expect) or that it is not checked']);
    const ok = clusterSchema.parse({ ...base, udp: [{ port: 53, check: { kind: 'udp', payload: '00 01:AB', reply: '00' } }] });
    expect(ok.udp[0]!.check).toEqual({ kind: 'udp', payload: '0001ab', reply: '00' });
    expect(clusterSchema.safeParse({ ...base, udp: [{ port: 53, check: { kind: 'udp', payload: 'xyz', reply: '00' } }] }).success).toBe(false);
    expect(clusterSchema.safeParse({ ...base, udp: [{ port: 53, check: { kind: 'udp', payload: '0', reply: '00' } }] }).success).toBe(false);
  });

  it('a check must fit its protocol (no connect on UDP, no datagram exchange on TCP)', () => {
    const bad = (x: object) => describeIssues(clusterSchema.safeParse({ ...base, ...x }).error!);
    expect(bad({ tcp: [{ port: 23, check: { kind: 'xdmcp' } }] })).toEqual(['tcp.0.check.kind: a xdmcp check does not fit a TCP service (TCP: connect, none)']);
    expect(bad({ udp: [{ port: 177, check: { kind: 'connect' } }] })).toEqual(['udp.0.check.kind: a connect check does not fit a UDP service (UDP: xdmcp, udp, none)']);
    expect(clusterSchema.safeParse({ ...base, tcp: [{ port: 23, check: { kind: 'none' } }], udp: [{ port: 177, check: { kind: 'xdmcp' } }] }).success).toBe(true);
  });
  it('the advert interval is whole centiseconds (VRRPv3)', () => {
    const pair = { director: { host: '10.0.0.2', user: 'root' }, gateway: '10.0.0.254' };
    expect(describeIssues(clusterSchema.safeParse({ ...base, runtime: 'keepalived', pair: { ...pair, advertMs: 155 } }).error!)).toEqual([
      'pair.advertMs: advert interval must be a multiple of 10 ms (VRRPv3 counts centiseconds)',
    ]);
  });
  it('a pair needs keepalived, another host and a gateway that is not the VIP', () => {
    const pair = { director: { host: '10.0.0.2', user: 'root' }, gateway: '10.0.0.254' };
    const ok = clusterSchema.parse({ ...base, runtime: 'keepalived', pair });
    expect(ok.pair).toMatchObject({ gateway: '10.0.0.254', vrid: 51, advertMs: 500 });
    const issues = (input: ClusterInput) => {
      const r = clusterSchema.safeParse(input);
      return r.success ? [] : describeIssues(r.error);
    };
    expect(issues({ ...base, pair })).toEqual(['runtime: a director pair runs on keepalived: set the runtime to keepalived']);
    expect(issues({ ...base, runtime: 'keepalived', pair: { ...pair, director: { host: '10.0.0.1', user: 'root' } } })).toEqual([
      'pair.director.host: the second director must be another host than the first',
    ]);
    expect(issues({ ...base, runtime: 'keepalived', pair: { ...pair, gateway: '10.0.0.100' } })).toEqual(['pair.gateway: the gateway address must differ from the VIP']);
    expect(issues({ ...base, runtime: 'keepalived', pair: { ...pair, gateway: 'gw.example' } })).toEqual(['pair.gateway: gateway must be an IPv4 address']);
  });
});

describe('control characters are refused in every name and free-text field, naming the field', () => {
  // ESC, NUL, a newline, CR, TAB, DEL, C1 NEL (U+0085), right-to-left override U+202E, isolate U+2066, LRM U+200E
  const BAD = ['\u001b[31m', '\u0000', '\n', '\r', '\t', '\u007f', '\u0085', '\u202e', '\u2066', '\u200e'];
  const fields: Array<[string, (bad: string) => ClusterInput]> = [
    ['name', (b) => ({ ...base, name: `c${b}x` })],
    ['director.user', (b) => ({ ...base, director: { host: '10.0.0.1', user: `root${b}` } })],
    ['director.auth.keyPath', (b) => ({ ...base, director: { host: '10.0.0.1', user: 'root', auth: { method: 'key', keyPath: `/home/a/.ssh/id${b}` } } })],
    ['realservers.0.name', (b) => ({ ...base, realservers: [{ host: '10.0.0.11', name: `rs${b}1` }] })],
    ['realservers.0.ssh.user', (b) => ({ ...base, realservers: [{ host: '10.0.0.11', ssh: { user: `u${b}` } }] })],
    ['realservers.0.ssh.auth.keyPath', (b) => ({ ...base, realservers: [{ host: '10.0.0.11', ssh: { auth: { method: 'key', keyPath: `C:\\keys\\rs${b}` } } }] })],
    ['knownHosts.0', (b) => ({ ...base, knownHosts: [`10.0.0.1 ssh-ed25519 AAAA${b}`] })],
    ['pair.director.user', (b) => ({ ...base, runtime: 'keepalived', pair: { director: { host: '10.0.0.2', user: `r${b}` }, gateway: '10.0.0.254' } })],
  ];
  it.each(fields)('%s', (path, make) => {
    for (const b of BAD) {
      const r = clusterSchema.safeParse(make(b));
      expect(r.success, `${path} with U+${b.codePointAt(0)!.toString(16).padStart(4, '0')}`).toBe(false);
      const lines = describeIssues(r.error!);
      const cp = `U+${b.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      expect(lines.some((l) => l.startsWith(`${path}: `) && l.includes(cp)), `${lines.join('\n')} names ${path} and ${cp}`).toBe(true);
    }
  });
  it('ordinary text stays accepted (accents, spaces in names, Windows key paths)', () => {
    const c = clusterSchema.parse({ ...base, name: 'Büro cluster #2 (telnet)', director: { host: '10.0.0.1', user: 'root', auth: { method: 'key', keyPath: 'C:\\Users\\Zoë\\.ssh\\id_ed25519' } } });
    expect(c.name).toBe('Büro cluster #2 (telnet)');
  });
});

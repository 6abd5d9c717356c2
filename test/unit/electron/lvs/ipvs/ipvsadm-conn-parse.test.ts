import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkedEntry, parseIpvsadmConnections } from '../../../../../electron/lvs/ipvs/ipvsadm-conn-parse.ts';
import { generateConnections, renderConnections } from '../../../../fixtures/ipvsadm/render.ts';
import { expectLineError, fixture } from './ipvs-fixtures.ts';

describe('parseIpvsadmConnections', () => {
  it('reads the lab director’s table: TIME_WAIT telnet, a UDP XDMCP entry and its ASSURED persistence template', () => {
    const r = parseIpvsadmConnections(fixture('lab/L-n-c.1.2.1.lab-telnet-xdmcp.txt'));
    expect(r.persistentConn).toBe(false);
    expect(r.connections).toHaveLength(10);
    expect(r.connections[0]).toEqual({
      protocol: 'TCP',
      expires: 16,
      state: 'TIME_WAIT',
      source: { address: '10.77.0.50', port: 48716 },
      virtual: { address: '10.77.0.100', port: 23 },
      destination: { address: '10.77.0.12', port: 23 },
    });
    expect(r.connections[9]).toMatchObject({ protocol: 'UDP', expires: 4 * 60 + 25, state: 'ASSURED', source: { port: 0 }, virtual: { port: 177 } });
    expect(r.connections.filter((c) => c.state === 'UDP')).toHaveLength(1);
  });

  it('reads the --persistent-conn title with entries that have no pe columns (lab)', () => {
    const r = parseIpvsadmConnections(fixture('lab/L-n-c-persistent-conn.1.2.1.lab-telnet-xdmcp.txt'));
    expect(r.persistentConn).toBe(true);
    expect(r.connections).toHaveLength(8);
    expect(r.connections.every((c) => c.peName === undefined)).toBe(true);
  });

  it('reads captured tables: TIME_WAIT, CLOSE, ESTABLISHED, NONE templates on port 0 and 65535, 10:00', () => {
    expect(parseIpvsadmConnections(fixture('L-n-c.1.2.1.nat-time-wait.txt')).connections.map((c) => c.expires)).toEqual([27, 64, 19, 116, 73, 25, 71, 77, 56]);
    const t = parseIpvsadmConnections(fixture('L-n-c.1.2.1.templates-port0.txt')).connections;
    expect(t.filter((c) => c.state === 'NONE').map((c) => [c.source.port, c.virtual.port, c.destination.port])).toEqual([
      [0, 0, 0],
      [0, 65535, 65535],
    ]);
    const dr = parseIpvsadmConnections(fixture('L-n-c.1.2.1.dr-persistence-template.txt')).connections;
    expect(dr.find((c) => c.state === 'NONE')).toMatchObject({ expires: 600, source: { address: '172.168.2.219', port: 0 } });
  });

  it('reads pe name and pe_data, IPv6 endpoints, the IP protocol of templates and minutes over 99', () => {
    const r = parseIpvsadmConnections(fixture('constructed/L-n-c-persistent-conn.1.2.1.sip.txt'));
    expect(r.connections[1]).toMatchObject({ protocol: 'IP', expires: 3599, state: 'NONE', peName: 'sip', peData: 'a84b4c76e66710' });
    expect(r.connections[2]).toMatchObject({ expires: 6000, source: { address: '2001:db8:9::5', port: 40000 }, virtual: { address: '2001:db8::10', port: 443 } });
    expect(r.connections[0]!.peName).toBeUndefined();
  });

  it('reads an empty table (title only), with or without the banner', () => {
    expect(parseIpvsadmConnections('IPVS connection entries\npro expire state       source             virtual            destination\n').connections).toEqual([]);
    expect(parseIpvsadmConnections('pro expire state       source             virtual            destination\n').connections).toEqual([]);
  });

  const head = 'IPVS connection entries\npro expire state       source             virtual            destination\n';
  it.each([
    ['an expire without two-digit seconds', 'TCP 1:5    ESTABLISHED 10.0.0.1:1 10.0.0.2:80 10.0.0.3:80', /expire '1:5'/],
    ['seconds over 59', 'TCP 00:60  ESTABLISHED 10.0.0.1:1 10.0.0.2:80 10.0.0.3:80', /expire '00:60'/],
    ['a host name', 'TCP 00:10  ESTABLISHED client.example:1 10.0.0.2:80 10.0.0.3:80', /source 'client\.example:1'.*ipvsadm -n/],
    ['pe columns without the --persistent-conn title', 'TCP 00:10  NONE 10.0.0.1:1 10.0.0.2:80 10.0.0.3:80 sip abc', /expected 6 fields, found 8/],
    ['a missing destination', 'TCP 00:10  ESTABLISHED 10.0.0.1:1 10.0.0.2:80', /expected 6 fields, found 5/],
    ['an IPv6 address without brackets', 'TCP 00:10  ESTABLISHED 2001:db8::1:1 10.0.0.2:80 10.0.0.3:80', /source/],
    ['a state with punctuation', 'TCP 00:10  EST-AB 10.0.0.1:1 10.0.0.2:80 10.0.0.3:80', /not a connection state/],
  ])('rejects %s at its line', (_w, line, re) => {
    expectLineError(() => parseIpvsadmConnections(`${head}TCP 00:10  ESTABLISHED 10.0.0.1:2 10.0.0.2:80 10.0.0.3:80\n${line}\n`), 4, re);
  });

  it('rejects a missing title and a blank line inside', () => {
    expectLineError(() => parseIpvsadmConnections('IPVS connection entries\nTCP 00:10  ESTABLISHED 10.0.0.1:2 10.0.0.2:80 10.0.0.3:80\n'), 2, /title/);
    expectLineError(() => parseIpvsadmConnections(`${head}TCP 00:10  ESTABLISHED 10.0.0.1:2 10.0.0.2:80 10.0.0.3:80\n\nTCP 00:10  ESTABLISHED 10.0.0.1:3 10.0.0.2:80 10.0.0.3:80\n`), 4, /blank line/);
  });

  it('property: parse(render(entries)) gives the entries back, with and without --persistent-conn', () => {
    const arbConn = fc.record({
      protocol: fc.constantFrom('TCP', 'UDP', 'SCTP', 'IP'),
      expires: fc.nat(200_000),
      state: fc.constantFrom('ESTABLISHED', 'SYN_RECV', 'TIME_WAIT', 'NONE', 'ASSURED', 'UDP', 'ERR!'),
      source: fc.record({ address: fc.ipV4(), port: fc.integer({ min: 0, max: 65535 }) }),
      virtual: fc.record({ address: fc.ipV4(), port: fc.integer({ min: 0, max: 65535 }) }),
      destination: fc.record({ address: fc.ipV4(), port: fc.integer({ min: 0, max: 65535 }) }),
    });
    fc.assert(
      fc.property(fc.array(arbConn, { maxLength: 20 }), fc.boolean(), (conns, pc) => {
        expect(parseIpvsadmConnections(renderConnections(conns, pc)).connections).toEqual(conns);
      }),
      { numRuns: 300 },
    );
    const gen = generateConnections(2000);
    expect(parseIpvsadmConnections(renderConnections(gen)).connections).toEqual(gen);
  });

  it('shares each realserver endpoint, also among many that differ only in their upper octets', () => {
    // 3 × 400 destinations like 10.X.Y.5 (same low bits): the shared-endpoint table must grow and still tell them apart
    const conns = Array.from({ length: 1200 }, (_, i) => {
      const k = i % 400;
      return {
        protocol: 'TCP', expires: i, state: 'ESTABLISHED',
        source: { address: `172.16.${i >> 8}.${i & 255}`, port: 1024 + i },
        virtual: { address: '192.168.10.100', port: 23 },
        destination: { address: `10.${k & 255}.${k >> 8}.5`, port: 23 },
      };
    });
    const parsed = parseIpvsadmConnections(renderConnections(conns)).connections;
    expect(parsed).toEqual(conns);
    expect(new Set(parsed.map((c) => c.destination)).size).toBe(400);
    expect(parsed[0]!.destination).toBe(parsed[400]!.destination);
    expect(new Set(parsed.map((c) => c.virtual)).size).toBe(1);
  });
});

describe('the fast entry reader agrees with the field-by-field reader', () => {
  const head = 'IPVS connection entries\npro expire state       source             virtual            destination\n';
  const headPe = 'IPVS connection entries\npro expire state       source             virtual            destination        pe name          pe_data\n';
  /** What a one-entry table parses to, or the error message. */
  const viaTable = (line: string, pe: boolean) => {
    try {
      return parseIpvsadmConnections(`${pe ? headPe : head}${line}\n`).connections[0];
    } catch (e) {
      return (e as Error).message;
    }
  };
  /** What the field-by-field reader makes of the line (line 3 in the table above; a final "\r" is the table's CRLF), or the error message. */
  const viaFields = (line: string, pe: boolean) => {
    try {
      return checkedEntry(line.endsWith('\r') ? line.slice(0, -1) : line, 3, pe);
    } catch (e) {
      return (e as Error).message;
    }
  };
  // column by column, valid and invalid spellings mixed, so that most lines are near misses
  const PROTO = ['TCP', 'UDP', 'IP', 'ERR!', 'tcp', 'T-P', '', 'é'];
  const EXPIRE = ['00:59', '01:00', '100:00', '012:00', '0:00', '00:60', '1:5', '00:5x', '00:00:00', ':00'];
  const STATE = ['ESTABLISHED', 'NONE', 'SYN_RECV', 'UDP', 'EST-AB', 'A_VERY_LONG_STATE_NAME', ''];
  const ENDPOINT = ['10.0.0.1:23', '10.0.0.1:0', '10.0.0.1:65535', '10.0.0.1:65536', '10.0.0.1:99999', '10.0.0.1:023', '10.0.0.01:23',
    '256.0.0.1:1', '255.255.255.255:1', '1.2.3:4', '1.2.3.4.5:6', '1.2.3.4:', ':80', '1.2.3.4:5:6', '1.2.3.1000:8', '0.0.0.0:00',
    '[2001:db8::1]:80', '[2001:db8::1]:x', '[::]:0', '2001:db8::1:80', 'host:80', ''];
  const EXTRA = ['sip', 'a84b4c76', '-', 'é', ''];
  const SEPS = [' ', '  ', '\t', ' \t ', ''];
  const arbLine = fc
    .tuple(
      fc.constantFrom(...PROTO), fc.constantFrom(...EXPIRE), fc.constantFrom(...STATE),
      fc.constantFrom(...ENDPOINT), fc.constantFrom(...ENDPOINT), fc.constantFrom(...ENDPOINT),
      fc.array(fc.constantFrom(...EXTRA), { maxLength: 3 }), fc.array(fc.constantFrom(...SEPS), { minLength: 9, maxLength: 9 }), fc.constantFrom('', ' ', '\t', ' x'),
    )
    .map(([p, e, st, a, b, c, extra, seps, tail]) => [p, e, st, a, b, c, ...extra].map((f, i) => (i === 0 ? f : seps[i]! + f)).join('') + tail);
  const valid = fc.tuple(
    fc.constantFrom('TCP', 'UDP', 'IP'), fc.constantFrom('00:59', '15:00', '123:45'), fc.constantFrom('ESTABLISHED', 'NONE'),
    fc.ipV4(), fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 65535 }), fc.constantFrom(' ', '    ', '\t'),
  ).map(([p, e, st, a, b, c, port, sep]) => [p, e, st, `${a}:${port}`, `${b}:${port}`, `${c}:${port}`].join(sep));
  /** A valid line with one character replaced, inserted or deleted. */
  const mutated = fc.tuple(valid, fc.nat(), fc.constantFrom('', ' ', '0', '9', '.', ':', '[', 'x', '\r', 'é'), fc.nat(2)).map(([l, at, ch, how]) => {
    const i = at % (l.length + 1);
    return how === 0 ? l.slice(0, i) + ch + l.slice(i + 1) : how === 1 ? l.slice(0, i) + ch + l.slice(i) : l.slice(0, i) + l.slice(i + 1);
  });

  it('on random, valid and mutated lines, with and without --persistent-conn', () => {
    fc.assert(
      fc.property(fc.oneof(arbLine, valid, mutated), fc.boolean(), (line, pe) => {
        const fast = viaTable(line, pe);
        const ref = viaFields(line, pe);
        if (typeof ref === 'string') expect(typeof fast === 'string' ? fast : 'accepted', line).toContain(ref.replace(/^line \d+: /, ''));
        else expect(fast, line).toEqual(ref);
      }),
      { numRuns: 20_000 },
    );
  });
});

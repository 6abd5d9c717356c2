import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalIpv6, ipv6Groups, isIpv4, parseEndpoint, parseProcEndpoint } from '../../../../../electron/lvs/ipvs/ipvs-address-parse.ts';

describe('addresses as ipvsadm -n and /proc print them', () => {
  it('accepts dotted quads only in inet_ntop form', () => {
    for (const ok of ['0.0.0.0', '10.77.0.100', '255.255.255.255']) expect(isIpv4(ok), ok).toBe(true);
    for (const bad of ['256.0.0.1', '10.0.0', '10.0.0.1.2', '010.0.0.1', '10.0.0.-1', '1e1.0.0.1', '', '10..0.1']) expect(isIpv4(bad), bad).toBe(false);
  });

  it('writes IPv6 as glibc inet_ntop does, including the ::ffff:a.b.c.d and ::a.b.c.d forms', () => {
    expect(canonicalIpv6('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(canonicalIpv6('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(canonicalIpv6('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIpv6('2001:DB8::A')).toBe('2001:db8::a');
    expect(canonicalIpv6('::ffff:10.0.0.1')).toBe('::ffff:10.0.0.1');
    expect(canonicalIpv6('0:0:0:0:0:ffff:a00:1')).toBe('::ffff:10.0.0.1');
    expect(canonicalIpv6('::1.2.3.4')).toBe('::1.2.3.4');
    expect(canonicalIpv6('::1')).toBe('::1');
    expect(canonicalIpv6('::')).toBe('::');
    expect(canonicalIpv6('1:0:1:0:1:0:1:0')).toBe('1:0:1:0:1:0:1:0');
    for (const bad of ['1::2::3', '12345::', ':1', '1:2:3:4:5:6:7', 'g::1', '1:2:3:4:5:6:7:8:9', '::1.2.3']) expect(canonicalIpv6(bad), bad).toBeNull();
  });

  it('property: same 16-bit groups as the WHATWG URL parser for any IPv6 text fast-check makes', () => {
    fc.assert(
      fc.property(fc.ipV6(), (a) => {
        const ours = ipv6Groups(a);
        const theirs = ipv6Groups(new URL(`http://[${a}]/`).hostname.slice(1, -1));
        expect(ours).not.toBeNull();
        expect(ours).toEqual(theirs);
        expect(ipv6Groups(canonicalIpv6(a)!)).toEqual(ours);
      }),
      { numRuns: 2000 },
    );
  });

  it('parses ADDR:PORT and [V6]:PORT, ports 0–65535 without leading zeros', () => {
    expect(parseEndpoint('10.0.0.1:0')).toEqual({ address: '10.0.0.1', port: 0 });
    expect(parseEndpoint('[2001:db8::0001]:65535')).toEqual({ address: '2001:db8::1', port: 65535 });
    for (const bad of ['10.0.0.1', '10.0.0.1:', '10.0.0.1:080', '10.0.0.1:65536', '2001:db8::1:80', '[10.0.0.1]:80', '[2001:db8::1]80', 'host:80']) expect(parseEndpoint(bad), bad).toBeNull();
  });

  it('parses /proc hex endpoints', () => {
    expect(parseProcEndpoint('C0A80A64:0050')).toEqual({ address: '192.168.10.100', port: 80 });
    expect(parseProcEndpoint('[2001:0db8:0000:0000:0000:0000:0000:0010]:01BB')).toEqual({ address: '2001:db8::10', port: 443 });
    for (const bad of ['C0A80A6:0050', 'C0A80A64:50', 'G0A80A64:0050', '[2001:db8::10]:01BB', 'c0a80a64:0050']) expect(parseProcEndpoint(bad), bad).toBeNull();
  });
});

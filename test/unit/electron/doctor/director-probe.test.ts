import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeLeanProbe } from '../../../../electron/doctor/director-probe.ts';
import { parseServiceProbe, type ProbePlan } from '../../../../electron/health/service-probe.ts';

const fx = (f: string) => readFileSync(new URL(`../../../fixtures/doctor/${f}`, import.meta.url), 'utf8');
const plan = (...addresses: string[]): ProbePlan => ({
  hosts: addresses.map((a) => ({ name: a, address: a })),
  services: [
    { protocol: 'tcp', port: 23, check: { kind: 'connect' } },
    { protocol: 'udp', port: 177, check: { kind: 'xdmcp' } },
  ],
  unchecked: [],
  timeoutSec: 2,
});
const verdicts = (text: string, p: ProbePlan) => parseServiceProbe(normalizeLeanProbe(text), p).map((r) => [r.address, r.icmp, ...r.services.map((s) => `${s.protocol}/${s.port} ${s.verdict}`)]);

describe("the doctor's lean director probe (captured in a network namespace on Debian 12, bash 5.2)", () => {
  it('a listening host, a host with nothing listening and one that never answers (killed at the timer) are judged like the health probe', () => {
    expect(verdicts(fx('lean-probe.netns-debian12.txt'), plan('127.0.0.1', '127.0.0.2', '10.8.0.9'))).toEqual([
      ['127.0.0.1', true, 'tcp/23 pass', 'udp/177 pass'],
      ['127.0.0.2', true, 'tcp/23 fail', 'udp/177 fail'],
      ['10.8.0.9', false, 'tcp/23 fail', 'udp/177 fail'],
    ]);
    const willing = parseServiceProbe(normalizeLeanProbe(fx('lean-probe.netns-debian12.txt')), plan('127.0.0.1', '127.0.0.2', '10.8.0.9'))[0]!.services[1]!;
    expect(willing.detail).toBe('Willing (xdmcp-fixture): 0 users, load: 1.40, 0.88, 0.72');
  });
  it('splits the one od of several replies by their wc -c sizes (the total line ignored)', () => {
    const lines = normalizeLeanProbe(fx('lean-probe.netns-debian12-two.txt')).split('\n').filter((l) => l.includes(' udp '));
    const hex = fx('../xdmcp/willing.xdm-1.1.11.hex').replace(/\s+/g, '');
    expect(lines).toEqual([`127.0.0.1 udp 177 reply ${hex}`, `127.0.0.1 udp 177 reply ${hex}`]);
  });
  it('passes the health probe\'s own format through unchanged', () => {
    const old = '10.99.0.11 icmp up\n10.99.0.11 tcp 23 up\n10.99.0.11 udp 177 noreply\n';
    expect(normalizeLeanProbe(old)).toBe(old);
  });
  it('PARSE_ERROR when the output was cut or the bytes do not add up', () => {
    const full = fx('lean-probe.netns-debian12.txt');
    expect(() => normalizeLeanProbe(full.slice(0, full.indexOf('@@wc')))).toThrow(expect.objectContaining({ code: 'PARSE_ERROR', message: 'probe output: replies without their sizes and bytes (the output was cut?)' }));
    expect(() => normalizeLeanProbe(full.replace(/^56 /m, '57 '))).toThrow('probe output: 56 reply bytes for replies of 57 bytes');
    expect(() => normalizeLeanProbe(full.replace(' 00 01 00 05', ' zz 01 00 05'))).toThrow('probe output: the reply bytes are not od -tx1 output');
  });
});

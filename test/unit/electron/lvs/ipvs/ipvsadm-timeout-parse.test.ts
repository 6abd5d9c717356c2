import { describe, expect, it } from 'vitest';
import { parseIpvsadmTimeout } from '../../../../../electron/lvs/ipvs/ipvsadm-timeout-parse.ts';
import { expectLineError, fixture } from './ipvs-fixtures.ts';

describe('parseIpvsadmTimeout', () => {
  it('reads the lab director’s and a captured `ipvsadm -L --timeout` (the kernel defaults)', () => {
    expect(parseIpvsadmTimeout(fixture('lab/L-timeout.1.2.1.lab.txt'))).toEqual({ kind: 'timeout', tcp: 900, tcpFin: 120, udp: 300 });
    expect(parseIpvsadmTimeout(fixture('L-timeout.1.2.1.txt'))).toEqual({ kind: 'timeout', tcp: 900, tcpFin: 120, udp: 300 });
  });

  it('reads values set with --set, a trailing blank (seen in captures) and blank lines around', () => {
    expect(parseIpvsadmTimeout('\nTimeout (tcp tcpfin udp): 1 2 1 \n\n')).toMatchObject({ tcp: 1, tcpFin: 2, udp: 1 });
  });

  it.each([
    ['another line', 'Timeout (tcp tcpfin): 900 120', 1],
    ['a negative value', 'Timeout (tcp tcpfin udp): 900 -1 300', 1],
    ['a leading zero', 'Timeout (tcp tcpfin udp): 0900 120 300', 1],
  ])('rejects %s', (_w, text, line) => {
    expectLineError(() => parseIpvsadmTimeout(text), line, /Timeout \(tcp tcpfin udp\)/);
  });

  it('rejects anything after the timeout line and empty input', () => {
    expectLineError(() => parseIpvsadmTimeout('Timeout (tcp tcpfin udp): 900 120 300\nmore\n'), 2, /unexpected line/);
    expectLineError(() => parseIpvsadmTimeout(''), 1, /empty input/);
  });
});

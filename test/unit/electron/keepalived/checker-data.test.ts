/**
 * keepalived's view of its real servers (the checker process's data dump), read from dumps captured on the lab director
 * while xdm, then telnet were stopped on rs2 and rs3's cable was pulled (test/fixtures/keepalived/SOURCES.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCheckerData } from '../../../../electron/keepalived/state-parse.ts';

const fx = (f: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/keepalived/checker', f), 'utf8');
const summary = (f: string) => parseCheckerData(fx(f)).map((d) => `${d.protocol}/${d.vport} ${d.address}:${d.port} ${d.alive ? 'alive' : 'down'} ${d.checkers.map((c) => `${c.method}${c.up ? '+' : '-'}`).join(',')}`);

describe('parseCheckerData (keepalived 2.2.7, lab director)', () => {
  it('every real server of every virtual server, with keepalived\'s verdict and its checkers', () => {
    const all = parseCheckerData(fx('1-all-up.check.data'));
    expect(all).toHaveLength(6);
    expect(all[0]).toEqual({ protocol: 'tcp', vip: '10.77.0.100', vport: 23, address: '10.77.0.11', port: 23, weight: 1, effectiveWeight: 1, alive: true, failedCheckers: 0, checkers: [{ method: 'TCP_CHECK', up: true }] });
    expect(all.every((d) => d.alive)).toBe(true);
  });
  it('xdm stopped on rs2: down in udp/177 only', () => {
    expect(summary('2-rs2-xdm-stopped.check.data').filter((l) => l.includes(' down '))).toEqual(['udp/177 10.77.0.12:177 down UDP_CHECK-']);
  });
  it('then telnet stopped on rs2 and rs3 unplugged: both down in both services; all back afterwards', () => {
    expect(summary('3-rs2-xdm-telnet-stopped-rs3-link-down.check.data').filter((l) => l.includes(' down '))).toEqual([
      'tcp/23 10.77.0.12:23 down TCP_CHECK-',
      'tcp/23 10.77.0.13:23 down TCP_CHECK-',
      'udp/177 10.77.0.12:177 down UDP_CHECK-',
      'udp/177 10.77.0.13:177 down UDP_CHECK-',
    ]);
    expect(parseCheckerData(fx('3-rs2-xdm-telnet-stopped-rs3-link-down.check.data')).find((d) => d.address === '10.77.0.12' && d.vport === 23)!.failedCheckers).toBe(1);
    expect(summary('4-all-back.check.data').filter((l) => l.includes(' down '))).toEqual([]);
  });
  it('refuses a real server outside a virtual server and a checker of an unknown one, naming the line', () => {
    expect(() => parseCheckerData('------< LVS Topology >------\n   RIP = 10.0.0.1, RPORT = 23, WEIGHT = 1 EFF WEIGHT = 1\n')).toThrow(/line 2: a real server outside a virtual server/);
    const t = fx('1-all-up.check.data').replace(' [10.77.0.100]:tcp:23 -> [10.77.0.11]:tcp:23', ' [10.77.0.100]:tcp:23 -> [10.77.0.99]:tcp:23');
    expect(() => parseCheckerData(t)).toThrow(/a checker for 10.77.0.99:23 which is not a real server of tcp 10.77.0.100:23/);
  });
});

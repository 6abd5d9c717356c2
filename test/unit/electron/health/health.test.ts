import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseProbeOutput, probeArgv, PROBE_SCRIPT } from '../../../../electron/health/probe-script.ts';
import { nextHealth } from '../../../../electron/health/hysteresis.ts';

describe('probe script', () => {
  it('keeps hosts out of the script text', () => {
    const argv = probeArgv(['10.0.0.1', "evil';reboot"], [23]);
    expect(argv.slice(0, 3)).toEqual(['sh', '-c', PROBE_SCRIPT]);
    expect(argv.slice(3)).toEqual(['sh', '23', '10.0.0.1', "evil';reboot"]);
    expect(() => probeArgv(['h'], [0])).toThrow(/bad port/);
  });
  it('is valid POSIX sh (parsed by dash -n)', () => {
    expect(() => execFileSync('dash', ['-n', '-c', PROBE_SCRIPT])).not.toThrow();
  });
  it('parses parallel output in any order', () => {
    const out = '10.0.0.12 icmp down\n10.0.0.11 tcp 23 up\n10.0.0.12 tcp 23 down\n10.0.0.11 icmp up\n';
    expect(parseProbeOutput(out, ['10.0.0.11', '10.0.0.12'], [23])).toEqual([
      { host: '10.0.0.11', icmp: true, tcp: { 23: true }, alive: true },
      { host: '10.0.0.12', icmp: false, tcp: { 23: false }, alive: false },
    ]);
  });
  it('treats ping-ok but every service port closed as dead', () => {
    expect(parseProbeOutput('a icmp up\na tcp 23 down\n', ['a'], [23])[0]!.alive).toBe(false);
  });
  it('rejects unknown hosts, garbage and missing results', () => {
    expect(() => parseProbeOutput('zzz icmp up\n', ['a'], [])).toThrow(/line 1/);
    expect(() => parseProbeOutput('a icmp maybe\n', ['a'], [])).toThrow(/line 1/);
    expect(() => parseProbeOutput('a icmp up\n', ['a'], [23])).toThrow(/no complete result for a/);
  });
});

describe('hysteresis', () => {
  it('decides at once from unknown, then needs two in a row', () => {
    let s = nextHealth(undefined, true);
    expect(s.state).toBe('up');
    s = nextHealth(s, false);
    expect(s).toEqual({ state: 'up', streak: 1 });
    s = nextHealth(s, true);
    expect(s).toEqual({ state: 'up', streak: 0 });
    s = nextHealth(nextHealth(s, false), false);
    expect(s.state).toBe('down');
    s = nextHealth(nextHealth(s, true), true);
    expect(s.state).toBe('up');
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuBetween, cpuSnapshot, parseProcStat, type CpuSnapshot } from '../../bench/lab/support/cpu-by-process.ts';

// Captured from this machine (`cat /proc/self/stat`), with utime 7, stime 3, cutime 20, cstime 10 written in.
const CAT = '12930 (cat) R 12926 12926 11537 0 -1 4194304 100 0 0 0 7 3 20 10 20 0 1 0 1399552 3133440 408 18446744073709551615 94171029610496 94171029630377 140736974258864 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94171029646384 94171029648000 94171254259712 140736974260757 140736974260777 140736974260777 140736974262251 0';

describe('parseProcStat', () => {
  it('reads the name, the CPU with reaped children, and keys by pid and start time', () => {
    expect(parseProcStat('12930', CAT)).toEqual({ key: '12930:1399552', comm: 'cat', ticks: 40 });
  });
  it('counts fields from the last ")" when the name holds spaces and parentheses', () => {
    const odd = CAT.replace('(cat)', '(a b) (c)');
    expect(parseProcStat('12930', odd)).toEqual({ key: '12930:1399552', comm: 'a b) (c', ticks: 40 });
  });
  it('refuses a line that is not a stat line', () => {
    expect(parseProcStat('1', 'garbage')).toBeUndefined();
    expect(parseProcStat('1', '1 (x) R 0 0')).toBeUndefined();
  });
});

describe('cpuBetween', () => {
  it('sums the ticks used between two snapshots per group, a new process whole, in ms, largest first', () => {
    const a: CpuSnapshot = new Map([
      ['1:10', { comm: 'sshd', ticks: 100 }],
      ['2:20', { comm: 'qemu-system-x86', ticks: 50 }],
      ['3:30', { comm: 'idle', ticks: 5 }],
    ]);
    const b: CpuSnapshot = new Map([
      ['1:10', { comm: 'sshd', ticks: 130 }],
      ['2:20', { comm: 'qemu-system-x86', ticks: 60 }],
      ['3:30', { comm: 'idle', ticks: 5 }],
      ['4:40', { comm: 'sshd', ticks: 2 }],
      ['5:50', { comm: 'cron', ticks: 1 }],
    ]);
    const group = (c: string) => (c === 'sshd' ? 'realservers' : c.startsWith('qemu') ? 'director' : undefined);
    expect(cpuBetween(a, b, group)).toEqual([
      ['realservers', 320],
      ['director', 100],
      ['other', 10],
    ]);
  });
  it('sees this process use CPU between two real snapshots', () => {
    const a = cpuSnapshot();
    const until = performance.now() + 100;
    let x = 0;
    while (performance.now() < until) x += Math.sqrt(x + 1);
    const b = cpuSnapshot();
    const me = parseProcStat(String(process.pid), readFileSync(`/proc/${process.pid}/stat`, 'utf8'))!.comm;
    const mine = cpuBetween(a, b, (c) => (c === me ? 'me' : undefined));
    expect(x).toBeGreaterThan(0);
    expect(mine.find(([g]) => g === 'me')?.[1] ?? 0).toBeGreaterThan(0);
  });
});

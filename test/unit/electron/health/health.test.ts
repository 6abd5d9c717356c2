import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('probe script, run for real on loopback', () => {
  // A listener on 127.0.0.1 and a port nobody listens on; the script runs with the real sh, ping, timeout and nc. Run once
  // with the full PATH (bash's /dev/tcp) and once with a PATH holding only busybox tools (a busybox director: no bash).
  const run = async (path: string | undefined) => {
    const server = createServer((s) => s.on('error', () => {})).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const open = (server.address() as { port: number }).port;
    const closed = await new Promise<number>((r) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => r(p));
      });
    });
    const argv = probeArgv(['127.0.0.1'], [open, closed]);
    const r = await new Promise<string>((resolve) => {
      const c = spawn('/bin/sh', argv.slice(1), { env: path ? { PATH: path } : process.env });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.on('close', () => resolve(out));
    });
    server.close();
    return { out: parseProbeOutput(r, ['127.0.0.1'], [open, closed])[0]!, open, closed };
  };
  it('tells an open port from a closed one (bash /dev/tcp)', async () => {
    const { out, open, closed } = await run(undefined);
    expect(out.icmp).toBe(true);
    expect(out.tcp).toEqual({ [open]: true, [closed]: false });
    expect(out.alive).toBe(true);
  }, 120_000);
  it('tells an open port from a closed one with only busybox (no bash)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-'));
    for (const t of ['nc', 'timeout', 'ping']) symlinkSync('/bin/busybox', join(dir, t));
    const { out, open, closed } = await run(dir);
    expect(out.tcp).toEqual({ [open]: true, [closed]: false });
  }, 120_000);
});

import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directorProbeArgv, LEAN_PROBE_SCRIPT } from '../../../../electron/health/lean-probe.ts';
import { parseServiceProbe, PROBE_REPLY_MAX, type ProbePlan } from '../../../../electron/health/service-probe.ts';

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
const verdicts = (text: string, p: ProbePlan) => parseServiceProbe(text, p).map((r) => [r.address, r.icmp, ...r.services.map((s) => `${s.protocol}/${s.port} ${s.verdict}`)]);

describe("the doctor's lean director probe (captured in a network namespace on Debian 12, bash 5.2)", () => {
  it('a listening host, a host with nothing listening and one that never answers (killed at the timer) are judged like the health probe', () => {
    expect(verdicts(fx('lean-probe.netns-debian12.txt'), plan('127.0.0.1', '127.0.0.2', '10.8.0.9'))).toEqual([
      ['127.0.0.1', true, 'tcp/23 pass', 'udp/177 pass'],
      ['127.0.0.2', true, 'tcp/23 fail', 'udp/177 fail'],
      ['10.8.0.9', false, 'tcp/23 fail', 'udp/177 fail'],
    ]);
    const willing = parseServiceProbe(fx('lean-probe.netns-debian12.txt'), plan('127.0.0.1', '127.0.0.2', '10.8.0.9'))[0]!.services[1]!;
    expect(willing.detail).toBe('Willing (xdmcp-fixture): 0 users, load: 1.40, 0.88, 0.72');
  });
  it('cuts the one od of several replies by their wc -c sizes (the total line skipped) into the health probe\'s reply lines', () => {
    const lines = fx('lean-probe.netns-debian12-two.txt').split('\n').filter((l) => l.includes(' udp '));
    const hex = fx('../xdmcp/willing.xdm-1.1.11.hex').replace(/\s+/g, '');
    expect(lines).toEqual([`127.0.0.1 udp 177 reply ${hex}`, `127.0.0.1 udp 177 reply ${hex}`]);
  });
  it('sets no EXIT trap: bash catches TERM in a shell with one, and a child TERM-killed right after its fork ran it (the folder of replies was removed before wc and od read it, 3 of 150 runs under load)', () => {
    expect(LEAN_PROBE_SCRIPT).not.toMatch(/\btrap\b[^\n]*\bEXIT\b/);
    expect(LEAN_PROBE_SCRIPT.trimEnd().split('\n').slice(-2)).toEqual(['rm -rf "$dir"', 'exit 0']);
  });
});

describe('the director probe, run for real on loopback (a TCP listener, a closed port, UDP servers: Willing, not XDMCP, silent, payload/reply)', () => {
  let tcp: Server;
  const udps: Socket[] = [];
  let plan: ProbePlan;
  const dirs: string[] = [];
  const udpServer = async (answer: ((m: Buffer) => Buffer) | undefined): Promise<number> => {
    const s = createSocket('udp4');
    if (answer) s.on('message', (m, r) => s.send(answer(m), r.port, r.address));
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    udps.push(s);
    return s.address().port;
  };
  beforeAll(async () => {
    tcp = createServer((c) => c.on('error', () => {})).listen(0, '127.0.0.1');
    await new Promise((r) => tcp.once('listening', r));
    const closed = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => closed.once('listening', r));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const willing = Buffer.from(fx('../xdmcp/willing.xdm-1.1.11.hex').replace(/\s+/g, ''), 'hex');
    plan = {
      hosts: [{ name: 'lo', address: '127.0.0.1' }],
      services: [
        { protocol: 'tcp', port: (tcp.address() as { port: number }).port, check: { kind: 'connect' } },
        { protocol: 'tcp', port: closedPort, check: { kind: 'connect' } },
        { protocol: 'udp', port: await udpServer(() => willing), check: { kind: 'xdmcp' } },
        { protocol: 'udp', port: await udpServer(() => Buffer.from('hello')), check: { kind: 'xdmcp' } },
        { protocol: 'udp', port: await udpServer(undefined), check: { kind: 'xdmcp' } },
        { protocol: 'udp', port: await udpServer((m) => Buffer.from(m.toString() === 'PING' ? 'PONG' : 'what?')), check: { kind: 'udp', payload: '50494e47', reply: '504f4e47' } },
      ],
      unchecked: [],
      timeoutSec: 1,
    };
  });
  // /usr/bin without perl (symlinks to everything else): the director has bash but no perl, so probe_all runs the lean probe
  let noPerl = '';
  beforeAll(() => {
    noPerl = mkdtempSync(join(tmpdir(), 'noperl-'));
    dirs.push(noPerl);
    for (const f of readdirSync('/usr/bin')) if (!f.startsWith('perl')) symlinkSync(join('/usr/bin', f), join(noPerl, f));
  });
  afterAll(() => {
    tcp?.close();
    for (const u of udps) u.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const run = (path: string | undefined) =>
    new Promise<{ out: string; ms: number }>((resolve, reject) => {
      const started = performance.now();
      const argv = directorProbeArgv(plan);
      const c = spawn('/bin/dash', argv.slice(1), { env: path ? { PATH: path } : process.env });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.on('error', reject);
      c.on('close', () => resolve({ out, ms: performance.now() - started }));
    });
  const want = ['pass', 'fail', 'pass', 'fail', 'fail', 'pass'];
  for (const [which, path] of [['with perl (the perl probe)', () => undefined], ['with bash and no perl (the lean probe)', () => noPerl]] as const) {
    it(`${which}: the health probe's verdicts`, async () => {
      const { out } = await run(path());
      const r = parseServiceProbe(out, plan)[0]!;
      expect(r.icmp).toBe(true);
      expect(r.services.map((s) => s.verdict)).toEqual(want);
      expect(r.services[2]!.detail).toBe('Willing (xdmcp-fixture): 0 users, load: 1.40, 0.88, 0.72');
    }, 120_000);
  }
  const spawnProbe = (p: ProbePlan, path: string) =>
    new Promise<string>((resolve, reject) => {
      const c = spawn('/bin/dash', directorProbeArgv(p).slice(1), { env: { PATH: path } });
      let text = '';
      c.stdout.on('data', (d) => (text += d));
      c.on('error', reject);
      c.on('close', () => resolve(text));
    });
  const wrapDir = (name: string, tool: string, body: string) => {
    const dir = mkdtempSync(join(tmpdir(), `${name}-`));
    dirs.push(dir);
    writeFileSync(join(dir, tool), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return dir;
  };
  it('keeps its replies in a private folder (mktemp -d, 0700) and removes it when it ends', async () => {
    const dir = wrapDir('mktemplog', 'mktemp', `d=$(/usr/bin/mktemp "$@") || exit 1\nstat -c %a "$d" >> "${'$'}{0%/*}/made"\necho "$d" >> "${'$'}{0%/*}/made"\necho "$d"`);
    const out = await spawnProbe(plan, `${dir}:${noPerl}`);
    expect(parseServiceProbe(out, plan)[0]!.services.map((s) => s.verdict)).toEqual(want);
    const [mode, made] = readFileSync(join(dir, 'made'), 'utf8').trim().split('\n');
    expect(mode).toBe('700');
    expect(made).toMatch(/^\/tmp\/lvs-console-probe\.[A-Za-z0-9]{8}$/);
    expect(existsSync(made!)).toBe(false);
  }, 120_000);
  const both = [['perl probe', () => '/usr/bin:/bin'], ['lean probe', () => noPerl]] as const;
  for (const [which, bin] of both) it(`${which}: prints at most ${PROBE_REPLY_MAX} bytes of a reply, as the health probe does, and cuts the next reply after the whole first one`, async () => {
    const big = Buffer.alloc(3000, 0xab);
    big.write('BIG');
    const two: ProbePlan = {
      ...plan,
      services: [
        { protocol: 'udp', port: await udpServer(() => big), check: { kind: 'udp', payload: '3f', reply: '424947' } },
        { protocol: 'udp', port: plan.services[2]!.port, check: { kind: 'xdmcp' } },
      ],
    };
    const out = await spawnProbe(two, bin());
    const replies = out.split('\n').filter((l) => / reply /.test(l));
    expect(replies.map((l) => l.split(' ')[2])).toEqual([String(two.services[0]!.port), String(two.services[1]!.port)]);
    expect(replies[0]!.split(' ')[4]).toBe(big.subarray(0, PROBE_REPLY_MAX).toString('hex'));
    const r = parseServiceProbe(out, two)[0]!;
    expect(r.services.map((s) => s.verdict)).toEqual(['pass', 'pass']);
  }, 120_000);
  it('sizes and bytes that do not add up (od giving one byte more) are a PARSE_ERROR naming the line, never a verdict', async () => {
    const dir = wrapDir('odextra', 'od', '/usr/bin/od "$@"; echo " 00"');
    const out = await spawnProbe(plan, `${dir}:${noPerl}`);
    expect(out).not.toMatch(/ reply /);
    expect(out).toMatch(/^lean-probe-error: the sizes of 3 replies \(wc -c: 56 \S+ 5 \S+ 4 \S+\) and their 66 bytes \(od\) do not add up$/m);
    expect(() => parseServiceProbe(out, plan)).toThrow(expect.objectContaining({ code: 'PARSE_ERROR', message: expect.stringMatching(/^probe output: line \d+: unexpected line: "lean-probe-error: the sizes of 3 replies/) }));
  }, 120_000);
  it('a director slow to start processes fails no healthy check (bash taking 1.5 s to start)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slowbash-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'bash'), '#!/bin/sh\nsleep 1.5\nexec /bin/bash "$@"\n', { mode: 0o755 });
    const { out } = await run(`${dir}:${noPerl}`);
    expect(parseServiceProbe(out, plan)[0]!.services.map((s) => s.verdict)).toEqual(want);
  }, 120_000);
  for (const [which, bin] of both) it(`${which}: pings only the hosts none of whose checks answered: one that answered is reachable without a ping`, async () => {
    // `ping` here records whom it was asked about and answers nothing (ICMP filtered, say); the checks are real.
    const dir = mkdtempSync(join(tmpdir(), 'pinglog-'));
    dirs.push(dir);
    const log = join(dir, 'pinged');
    writeFileSync(join(dir, 'ping'), `#!/bin/sh\nfor a; do last=$a; done\necho "$last" >> ${log}\nexit 1\n`, { mode: 0o755 });
    // 127.0.0.2: nothing listens there for these ports (the servers are bound to 127.0.0.1)
    const two = { ...plan, hosts: [...plan.hosts, { name: 'lo2', address: '127.0.0.2' }] };
    const out = await spawnProbe(two, `${dir}:${bin()}`);
    const [lo, lo2] = parseServiceProbe(out, two);
    expect(readFileSync(log, 'utf8')).toBe('127.0.0.2\n');
    expect([lo!.icmp, lo!.services.map((s) => s.verdict)]).toEqual([true, want]);
    expect([lo2!.icmp, lo2!.services.map((s) => s.verdict)]).toEqual([false, ['fail', 'fail', 'fail', 'fail', 'fail', 'fail']]);
  }, 120_000);
  it('without bash: the health probe runs instead (its output passes through)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nobash-'));
    dirs.push(dir);
    for (const t of ['ping', 'timeout', 'nc', 'od', 'tr', 'dd', 'sh']) writeFileSync(join(dir, t), `#!/bin/dash\nexec /bin/busybox ${t} "$@"\n`, { mode: 0o755 });
    const { out } = await run(dir);
    // busybox alone has no UDP tool: the UDP checks say they could not run
    expect(parseServiceProbe(out, plan)[0]!.services.map((s) => s.verdict)).toEqual(['pass', 'fail', 'unknown', 'unknown', 'unknown', 'unknown']);
  }, 120_000);
});

import { execFileSync, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSchema } from '../../../../shared/model/cluster.ts';
import {
  keptByService,
  parseServiceProbe,
  planServiceProbe,
  SERVICE_PROBE_SCRIPT,
  serviceProbeArgv,
  serviceProbeTimeoutMs,
  type ProbePlan,
} from '../../../../electron/health/service-probe.ts';
import { canRunXdm, freeUdpPort, startXdm } from './xdm-process.ts';

const cluster = clusterSchema.parse({
  id: 'c',
  name: 'c',
  director: { host: '10.77.0.1', user: 'root' },
  vip: '10.77.0.100',
  tcp: [{ port: 'telnet' }, { port: 22, check: { kind: 'none' } }],
  udp: [{ port: 'xdmcp' }, { port: 5000, check: { kind: 'udp', payload: '50 49 4e 47', reply: '504f4e47' } }, { port: 123, check: { kind: 'none' } }],
  realservers: [{ host: '10.77.0.11' }, { host: 'rs2', ssh: { host: '10.77.0.12' } }, { host: '10.77.0.13', enabled: false }],
});
const resolve = (h: string) => (h === 'rs2' ? '10.77.0.12' : h);

describe('service probe: plan and argv', () => {
  it('probes each enabled realserver for each checked service with its effective check', () => {
    const p = planServiceProbe(cluster, resolve);
    expect(p.hosts).toEqual([
      { name: '10.77.0.11', address: '10.77.0.11' },
      { name: 'rs2', address: '10.77.0.12' },
    ]);
    expect(p.services).toEqual([
      { protocol: 'tcp', port: 23, check: { kind: 'connect' } },
      { protocol: 'udp', port: 177, check: { kind: 'xdmcp' } },
      { protocol: 'udp', port: 5000, check: { kind: 'udp', payload: '50494e47', reply: '504f4e47' } },
    ]);
    expect(p.unchecked).toEqual([
      { protocol: 'tcp', port: 22 },
      { protocol: 'udp', port: 123 },
    ]);
    expect(p.timeoutSec).toBe(1);
    // the checks (one chunk of the perl probe), then pings for the hosts that answered nothing, then 4 s
    expect(serviceProbeTimeoutMs({ timeoutSec: p.timeoutSec, checks: 3 * 4 })).toBe(6000);
    // more checks than the perl probe opens at once: one timeout per chunk of 500
    expect(serviceProbeTimeoutMs({ timeoutSec: 2, checks: 1001 })).toBe(((3 + 1) * 2 + 4) * 1000);
  });
  it('keeps every value out of the script text: payloads as octal escapes, hosts and ports as arguments', () => {
    const argv = serviceProbeArgv(planServiceProbe(cluster, resolve));
    expect(argv.slice(0, 4)).toEqual(['sh', '-c', SERVICE_PROBE_SCRIPT, 'sh']);
    expect(argv.slice(4)).toEqual(['1', '23', '177/\\000\\001\\000\\002\\000\\001\\000 5000/\\120\\111\\116\\107', '10.77.0.11', '10.77.0.12']);
    const evil: ProbePlan = { hosts: [{ name: 'x', address: "a';reboot" }], services: [], unchecked: [], timeoutSec: 1 };
    expect(() => serviceProbeArgv(evil)).toThrow(/bad address/);
    expect(() => serviceProbeArgv({ ...evil, hosts: [], timeoutSec: 0 })).toThrow(/bad timeout/);
  });
  it('is POSIX sh (dash -n and busybox sh -n parse it)', () => {
    expect(() => execFileSync('dash', ['-n', '-c', SERVICE_PROBE_SCRIPT])).not.toThrow();
    expect(() => execFileSync('/bin/busybox', ['sh', '-n', '-c', SERVICE_PROBE_SCRIPT])).not.toThrow();
  });
  it('refuses a check that does not fit its protocol', () => {
    const bad = { ...cluster, tcp: [{ port: 23, check: { kind: 'xdmcp' as const } }] };
    expect(() => planServiceProbe(bad, resolve)).toThrow(/xdmcp check does not fit a TCP service/);
  });
});

describe('service probe: parser', () => {
  const plan = planServiceProbe(cluster, resolve);
  // Lines as the real runs below print them (parallel, so in any order), for the plan's addresses and ports; the XDMCP
  // replies are the ones captured from Debian's xdm (test/fixtures/xdmcp).
  const fixtureHex = (f: string) => readFileSync(join(__dirname, '../../../fixtures/xdmcp', f), 'utf8').replace(/\s/g, '');
  const willing = fixtureHex('willing.xdm-1.1.11.hex');
  const out = [
    '10.77.0.12 icmp down',
    '10.77.0.11 tcp 23 up',
    `10.77.0.11 udp 177 reply ${willing}`,
    '10.77.0.12 tcp 23 down',
    '10.77.0.11 icmp up',
    '10.77.0.11 udp 5000 reply 504f4e470a',
    '10.77.0.12 udp 177 noreply',
    '10.77.0.12 udp 5000 reply 68656c6c6f',
    '',
  ].join('\n');
  it('gives a verdict per (service, realserver), in plan order', () => {
    const r = parseServiceProbe(out, plan);
    expect(r.map((x) => [x.name, x.icmp])).toEqual([
      ['10.77.0.11', true],
      ['rs2', false],
    ]);
    expect(r[0]!.services.map((s) => [s.protocol, s.port, s.check, s.verdict])).toEqual([
      ['tcp', 23, 'connect', 'pass'],
      ['tcp', 22, 'none', 'unchecked'],
      ['udp', 177, 'xdmcp', 'pass'],
      ['udp', 5000, 'udp', 'pass'],
      ['udp', 123, 'none', 'unchecked'],
    ]);
    expect(r[0]!.services[2]!.detail).toBe('Willing (xdmcp-fixture): 0 users, load: 1.40, 0.88, 0.72');
    expect(r[1]!.services.map((s) => s.verdict)).toEqual(['fail', 'unchecked', 'fail', 'fail', 'unchecked']);
    expect(r[1]!.services[3]!.detail).toBe('reply 68656c6c6f does not start with 504f4e47');
    expect(keptByService(r)).toEqual(
      new Map([
        ['tcp/23', new Set(['10.77.0.11'])],
        ['tcp/22', new Set(['10.77.0.11', 'rs2'])],
        ['udp/177', new Set(['10.77.0.11'])],
        ['udp/5000', new Set(['10.77.0.11'])],
        ['udp/123', new Set(['10.77.0.11', 'rs2'])],
      ]),
    );
  });
  it('reads an Unwilling, a short reply and a director without a UDP tool', () => {
    const unwilling = fixtureHex('unwilling.xdm-1.1.11.hex');
    const text = out
      .replace(`10.77.0.11 udp 177 reply ${willing}`, `10.77.0.11 udp 177 reply ${unwilling}`)
      .replace('10.77.0.11 udp 5000 reply 504f4e470a', '10.77.0.11 udp 5000 reply 504f4e')
      .replace('10.77.0.12 udp 177 noreply', '10.77.0.12 udp 177 notool');
    const r = parseServiceProbe(text, plan);
    expect(r[0]!.services[2]).toMatchObject({ verdict: 'fail', detail: 'Unwilling (xdmcp-fixture): Display not authorized to connect' });
    expect(r[0]!.services[3]).toMatchObject({ verdict: 'fail' });
    expect(r[1]!.services[2]).toMatchObject({ verdict: 'unknown', detail: expect.stringMatching(/neither bash .* nor socat/) });
    expect(keptByService(r).get('udp/177')).toEqual(new Set(['rs2']));
  });
  it('reads a director without a TCP tool (no bash, no nc): unknown, and the realserver stays in the service', () => {
    const r = parseServiceProbe(out.replace('10.77.0.12 tcp 23 down', '10.77.0.12 tcp 23 notool'), plan);
    expect(r[1]!.services[0]).toMatchObject({ protocol: 'tcp', port: 23, verdict: 'unknown', detail: expect.stringMatching(/neither bash .* nor nc/) });
    expect(keptByService(r).get('tcp/23')).toEqual(new Set(['10.77.0.11', 'rs2']));
  });
  it('rejects unknown hosts and services, duplicates, garbage and missing results, naming the line', () => {
    expect(() => parseServiceProbe(`${out}10.9.9.9 icmp up\n`, plan)).toThrow(/line 9: 10.9.9.9 was not probed/);
    expect(() => parseServiceProbe(`${out}10.77.0.11 tcp 80 up\n`, plan)).toThrow(/line 9: tcp\/80 was not probed/);
    expect(() => parseServiceProbe(`${out}10.77.0.11 tcp 23 down\n`, plan)).toThrow(/line 9: second result for tcp\/23/);
    expect(() => parseServiceProbe(`${out}10.77.0.11 icmp maybe\n`, plan)).toThrow(/line 9: unexpected line/);
    expect(() => parseServiceProbe(out.replace('10.77.0.12 tcp 23 down\n', ''), plan)).toThrow(/no tcp\/23 result for rs2 \(10.77.0.12\)/);
    expect(() => parseServiceProbe(out.replace('10.77.0.11 icmp up\n', ''), plan)).toThrow(/no ping result for 10.77.0.11/);
  });
});

describe.runIf(canRunXdm)('service probe, run for real on loopback (a TCP listener, a closed port, xdm, UDP servers)', () => {
  let tcp: Server;
  const udps: Socket[] = [];
  let xdm: { stop: () => Promise<void> } | undefined;
  let plan: ProbePlan;

  const udpServer = async (answer: (m: Buffer) => Buffer): Promise<number> => {
    const s = createSocket('udp4');
    s.on('message', (m, r) => s.send(answer(m), r.port, r.address));
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    udps.push(s);
    return s.address().port;
  };
  const freeTcpPort = () =>
    new Promise<number>((r) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => r(p));
      });
    });

  beforeAll(async () => {
    tcp = createServer((s) => s.on('error', () => {})).listen(0, '127.0.0.1');
    await new Promise((r) => tcp.once('listening', r));
    const xdmPort = await freeUdpPort();
    xdm = await startXdm(xdmPort);
    const hello = await udpServer(() => Buffer.from('hello'));
    const pong = await udpServer((m) => Buffer.from(m.toString() === 'PING' ? 'PONG' : 'what?'));
    const silent = await freeUdpPort();
    plan = {
      hosts: [{ name: 'lo', address: '127.0.0.1' }],
      services: [
        { protocol: 'tcp', port: (tcp.address() as { port: number }).port, check: { kind: 'connect' } },
        { protocol: 'tcp', port: await freeTcpPort(), check: { kind: 'connect' } },
        { protocol: 'udp', port: xdmPort, check: { kind: 'xdmcp' } },
        { protocol: 'udp', port: hello, check: { kind: 'xdmcp' } },
        { protocol: 'udp', port: silent, check: { kind: 'xdmcp' } },
        { protocol: 'udp', port: pong, check: { kind: 'udp', payload: '50494e47', reply: '504f4e47' } },
      ],
      unchecked: [],
      timeoutSec: 1,
    };
  }, 120_000);
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    tcp?.close();
    for (const s of udps) s.close();
    await xdm?.stop();
  });

  const run = async (shell: string[], path: string | undefined) => {
    const argv = serviceProbeArgv(plan);
    const out = await new Promise<string>((resolve, reject) => {
      const c = spawn(shell[0]!, [...shell.slice(1), ...argv.slice(1)], { env: path ? { PATH: path } : process.env });
      let o = '';
      c.stdout.on('data', (d) => (o += d));
      c.on('error', reject);
      c.on('close', () => resolve(o));
    });
    return parseServiceProbe(out, plan)[0]!;
  };
  const busyboxDir = (extra: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-'));
    dirs.push(dir);
    for (const t of ['nc', 'timeout', 'ping', 'od', 'tr', 'dd', 'sh']) symlinkSync('/bin/busybox', join(dir, t));
    for (const e of extra) symlinkSync(e, join(dir, e.split('/').pop()!));
    return dir;
  };
  const verdicts = (r: Awaited<ReturnType<typeof run>>) => r.services.map((s) => s.verdict);

  it('dash with bash on PATH (/dev/tcp, /dev/udp): open/closed TCP, Willing, a non-XDMCP reply, silence, payload/reply', async () => {
    const r = await run(['/bin/dash', '-c'], undefined);
    expect(r.icmp).toBe(true);
    expect(verdicts(r)).toEqual(['pass', 'fail', 'pass', 'fail', 'fail', 'pass']);
    expect(r.services[2]!.detail).toMatch(/^Willing/);
    expect(r.services[3]!.detail).toBe('not an XDMCP answer: 5 bytes, shorter than the 6-byte header');
    expect(r.services[4]!.detail).toMatch(/no reply within 1 s/);
  }, 120_000);
  it('a director slow to start processes fails no healthy check: the timer starts with the check, not with the interpreter (bash taking 1.5 s to start)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slowbash-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'bash'), '#!/bin/sh\nsleep 1.5\nexec /bin/bash "$@"\n', { mode: 0o755 });
    const r = await run(['/bin/dash', '-c'], `${dir}:/usr/bin:/bin`);
    expect(verdicts(r)).toEqual(['pass', 'fail', 'pass', 'fail', 'fail', 'pass']);
  }, 120_000);
  it('busybox sh with busybox tools and socat (no bash): the same verdicts', async () => {
    const r = await run(['/bin/busybox', 'sh', '-c'], busyboxDir(['/usr/bin/socat']));
    expect(verdicts(r)).toEqual(['pass', 'fail', 'pass', 'fail', 'fail', 'pass']);
  }, 120_000);
  it('busybox sh with busybox tools only: TCP by busybox nc, UDP checks say they could not run', async () => {
    const r = await run(['/bin/busybox', 'sh', '-c'], busyboxDir([]));
    expect(verdicts(r)).toEqual(['pass', 'fail', 'unknown', 'unknown', 'unknown', 'unknown']);
  }, 120_000);
});

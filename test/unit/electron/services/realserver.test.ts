import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clusterSchema } from '../../../../shared/model/cluster.ts';
import { AppError } from '../../../../shared/result.ts';
import { ClusterContext } from '../../../../electron/services/cluster-context.ts';
import { RealserverRoutes } from '../../../../electron/services/realserver-routes.ts';
import { checkRealserver, osFromUname, RealserverChecks } from '../../../../electron/services/realserver-check.ts';
import { CHECK_SCRIPT, parseCheck } from '../../../../electron/realserver/check-collect.ts';
import { parseSections } from '../../../../electron/shell/marked-sections.ts';
import { forEachRealserver, mapLimit } from '../../../../electron/services/per-host.ts';
import { shellQuote } from '../../../../electron/shell/shell-quote.ts';
import type { ResolvedTarget } from '../../../../electron/ssh/resolve-target.ts';
import type { ExecResult, Executor } from '../../../../electron/ssh/types.ts';

const fx = (f: string) => readFileSync(new URL(`../../../fixtures/realserver/${f}`, import.meta.url), 'utf8');
const ok = (stdout: string): ExecResult => ({ code: 0, signal: null, stdout, stderr: '', durationMs: 1 });

/** A scripted executor: answers by the command (shellQuote of argv); records what ran. */
function scripted(label: string, answers: Record<string, ExecResult | ((n: number) => ExecResult)>): Executor & { ran: string[] } {
  const ran: string[] = [];
  const counts = new Map<string, number>();
  return {
    label,
    ran,
    exec: async (argv) => {
      const cmd = argv[0] === 'sh' && argv[1] === '-c' ? `script:${argv[3]}` : shellQuote(argv);
      ran.push(cmd);
      const a = answers[cmd];
      if (!a) throw new Error(`unexpected command on ${label}: ${cmd}`);
      const n = (counts.get(cmd) ?? 0) + 1;
      counts.set(cmd, n);
      return typeof a === 'function' ? a(n) : a;
    },
  };
}

describe('route-check / route-fix (HP-UX, documented netstat -rnv output)', () => {
  const cluster = clusterSchema.parse({
    id: 'hp',
    name: 'hp',
    director: { host: '15.13.136.11', user: 'root' },
    vip: '15.13.136.100',
    realservers: [{ host: '15.13.136.66', name: 'hp1', os: 'hpux', netIf: 'lan0' }],
  });
  it('finds the subnet route on lan0 and plans the seed\'s fix with route(1M)', async () => {
    const ex = scripted('hp1', { 'script:lvs-console-routes': ok(`peer 15.13.136.11\n${fx('netstat-rnv.hpux-11i.txt')}`) });
    const ctx = new ClusterContext(cluster, { executor: (t: ResolvedTarget) => (t.label === 'hp1' ? ex : scripted(t.label, {})) });
    const r = await new RealserverRoutes(ctx).check(cluster.realservers[0]!);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual(['subnet route 15.13.136.0/21 on lan0 lets replies bypass the director (NAT needs them to go through it)']);
    expect(r.steps.map((s) => shellQuote(s.argv))).toEqual([
      '/usr/sbin/route add host 15.13.136.11 15.13.136.66 0',
      '/usr/sbin/route delete net 15.13.136.0 netmask 255.255.248.0 15.13.136.66',
    ]);
  });
});

describe('route-fix (Linux, captured ip route output)', () => {
  const cluster = clusterSchema.parse({
    id: 'l',
    name: 'l',
    director: { host: '10.99.0.1', user: 'root' },
    vip: '10.99.0.100',
    realservers: [{ host: '10.99.0.11', name: 'rs1', netIf: 'v0' }],
  });
  it('runs the steps in order, then checks again', async () => {
    const ex = scripted('rs1', {
      'script:lvs-console-routes': (n) => ok(`peer 10.99.0.1\n${fx(n === 1 ? 'ip-route-show.before-fix.iproute2-6.1.0.txt' : 'ip-route-show.after-fix.iproute2-6.1.0.txt')}`),
      'ip route replace 10.99.0.1/32 dev v0 scope link': ok(''),
      'ip route del 10.99.0.0/24 dev v0': ok(''),
    });
    const ctx = new ClusterContext(cluster, { executor: () => ex });
    const r = await new RealserverRoutes(ctx).fix(cluster.realservers[0]!);
    expect(r.ok).toBe(true);
    expect(r.ran).toEqual(['ip route replace 10.99.0.1/32 dev v0 scope link', 'ip route del 10.99.0.0/24 dev v0']);
    expect(ex.ran.filter((c) => c === 'script:lvs-console-routes')).toHaveLength(2);
  });
  const before = (peer: string) => ok(`peer ${peer}\n${fx('ip-route-show.before-fix.iproute2-6.1.0.txt')}`);
  const after = (peer: string) => ok(`peer ${peer}\n${fx('ip-route-show.after-fix.iproute2-6.1.0.txt')}`);
  it('a session from a desktop on the subnet: the preview turns forwarding on first when the director does not forward', async () => {
    const ex = scripted('rs1', { 'script:lvs-console-routes': before('10.99.0.60') });
    const dir = scripted('director 10.99.0.1', { 'cat /proc/sys/net/ipv4/ip_forward': ok('0\n') });
    const ctx = new ClusterContext(cluster, { executor: (t: ResolvedTarget) => (t.label === 'rs1' ? ex : dir) });
    const p = await new RealserverRoutes(ctx).preview(cluster.realservers[0]!);
    expect(p.peer).toBe('10.99.0.60');
    expect(p.directorSteps.map((s) => shellQuote(s.argv))).toEqual(['sysctl -w net.ipv4.ip_forward=1']);
    expect(p.directorSteps[0]!.why).toContain('10.99.0.60');
  });
  it('…and nothing extra when the director forwards already, or when the session comes from the director itself', async () => {
    const fwd = scripted('director 10.99.0.1', { 'cat /proc/sys/net/ipv4/ip_forward': ok('1\n') });
    const exDesk = scripted('rs1', { 'script:lvs-console-routes': before('10.99.0.60') });
    const p1 = await new RealserverRoutes(new ClusterContext(cluster, { executor: (t: ResolvedTarget) => (t.label === 'rs1' ? exDesk : fwd) })).preview(cluster.realservers[0]!);
    expect(p1.directorSteps).toEqual([]);
    const exVia = scripted('rs1', { 'script:lvs-console-routes': before('10.99.0.1') });
    const none = scripted('director 10.99.0.1', {});
    const p2 = await new RealserverRoutes(new ClusterContext(cluster, { executor: (t: ResolvedTarget) => (t.label === 'rs1' ? exVia : none) })).preview(cluster.realservers[0]!);
    expect(p2.directorSteps).toEqual([]);
    expect(none.ran).toEqual([]);
  });
  it('an answer lost over the direct path: verified through the director, and the report says what ran', async () => {
    const lost = new AppError('TIMEOUT', 'rs1: ip route del 10.99.0.0/24 dev v0: no result within 30000 ms', { host: 'rs1', step: 'ip route del 10.99.0.0/24 dev v0' });
    const direct: Executor & { ran: string[] } = {
      ...scripted('rs1', {}),
      ran: [],
      exec: async (argv) => {
        const cmd = argv[0] === 'sh' && argv[1] === '-c' ? `script:${argv[3]}` : shellQuote(argv);
        direct.ran.push(cmd);
        if (cmd === 'script:lvs-console-routes') return before('10.99.0.60');
        if (cmd === 'ip route del 10.99.0.0/24 dev v0') throw lost;
        return ok('');
      },
    };
    const via = scripted('rs1', { 'script:lvs-console-routes': after('10.99.0.1') });
    const dir = scripted('director 10.99.0.1', { 'cat /proc/sys/net/ipv4/ip_forward': ok('1\n') });
    const ctx = new ClusterContext(cluster, { executor: (t: ResolvedTarget) => (t.label !== 'rs1' ? dir : t.via ? via : direct) });
    const r = await new RealserverRoutes(ctx).fix(cluster.realservers[0]!);
    expect(r.ok).toBe(true);
    expect(r.ran).toEqual(['ip route replace 10.99.0.1/32 dev v0 scope link']);
    expect(r.notes?.[0]).toContain('the answer to `ip route del 10.99.0.0/24 dev v0` was lost over the direct path');
    expect(via.ran).toEqual(['script:lvs-console-routes']);
  });
  it('a failing step stops the fix with an error naming the realserver and the command', async () => {
    const ex = scripted('rs1', {
      'script:lvs-console-routes': ok(`peer 10.99.0.1\n${fx('ip-route-show.before-fix.iproute2-6.1.0.txt')}`),
      'ip route replace 10.99.0.1/32 dev v0 scope link': { code: 2, signal: null, stdout: '', stderr: 'RTNETLINK answers: Operation not permitted\n', durationMs: 1 },
    });
    const ctx = new ClusterContext(cluster, { executor: () => ex });
    await expect(new RealserverRoutes(ctx).fix(cluster.realservers[0]!)).rejects.toThrow('rs1: ip route replace 10.99.0.1/32 dev v0 scope link: exit 2: RTNETLINK answers: Operation not permitted');
  });
});

describe('realserver check (one exec: realserver/check-collect.ts)', () => {
  const sec = (name: string, out: string, rc = 0) => `@@lvs-console begin ${name}\n${out}\n@@lvs-console end ${name} ${rc}\n`;
  const errs = '@@lvs-console begin uname\n@@lvs-console begin uptime\n@@lvs-console begin ps\n@@lvs-console begin listen\n';
  it('runs ONE exec per realserver and parses the captured Debian 12 output (xdm, telnet and XDMCP listening)', async () => {
    const ex = scripted('rs1', { 'script:lvs-console-check': { code: 0, signal: null, stdout: fx('check.debian12.stdout.txt'), stderr: fx('check.debian12.stderr.txt'), durationMs: 1 } });
    const r = await checkRealserver(ex, 'rs1');
    expect(ex.ran).toEqual(['script:lvs-console-check']);
    expect(r).toEqual({ name: 'rs1', uname: 'Linux', os: 'linux', load: [8.58, 13.32, 8.67], users: 0, displayManager: 'xdm', telnetListening: true, xdmcpListening: true, problems: [] });
  });
  for (const shell of [['dash'], ['busybox', 'sh']]) {
    it(`the check script run by ${shell.join(' ')} on this machine: Linux from /proc, the process names, its output parses`, () => {
      const r = spawnSync(shell[0]!, [...shell.slice(1), '-c', CHECK_SCRIPT, 'lvs-console-check'], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      const report = parseCheck('desktop', 'desktop', r.stdout, r.stderr);
      expect(report).toMatchObject({ uname: execFileSync('uname', ['-s']).toString().trim(), os: 'linux' });
      // the ps section holds this test's own process
      expect(parseSections(r.stdout).sections.get('ps')!.stdout.split('\n')).toContain(readFileSync('/proc/self/comm', 'utf8').trim());
    });
  }
  it('HP-UX (documented outputs): dtlogin, telnet and XDMCP listening', () => {
    const out = sec('uname', 'HP-UX\n') + sec('uptime', fx('uptime.hpux-10.20.txt')) + sec('ps', fx('ps-e.hpux-11i.txt')) + sec('listen', fx('netstat-an.hpux-11i.txt'));
    expect(parseCheck('hp1', 'hp1', out, errs)).toEqual({ name: 'hp1', uname: 'HP-UX', os: 'hpux', load: [0.1, 0.12, 0.09], users: 4, displayManager: 'dtlogin', telnetListening: true, xdmcpListening: true, problems: [] });
  });
  it('Linux without a display manager: says what is missing', () => {
    const out = sec('uname', 'Linux\n') + sec('uptime', fx('uptime.procps-debian12.txt')) + sec('ps', 'sshd\ninetd\n') + sec('listen', 'tcp   LISTEN 0      128    0.0.0.0:23  0.0.0.0:*\n');
    const r = parseCheck('rs2', 'rs2', out, errs);
    expect(r.os).toBe('linux');
    expect(r.telnetListening).toBe(true);
    expect(r.problems).toEqual(['no display manager running (xdm, gdm, kdm…): XDMCP logins will fail', 'nothing listens on UDP 177 (XDMCP)']);
  });
  it('a missing ss (captured: exit 127 in its section) is NOT_FOUND naming the host and the command', () => {
    expect(() => parseCheck('rs3', 'rs3', fx('check.no-ss.debian12.stdout.txt'), fx('check.no-ss.debian12.stderr.txt'))).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', host: 'rs3', message: 'rs3: ss -H -l -t -u -n: ss not found (lvs-console-check: 2: ss: not found)' }),
    );
  });
  it('the load of every realserver: one `uptime` each (the sampler), a bad answer a PARSE_ERROR naming the host', async () => {
    const cluster = clusterSchema.parse({ id: 'x', name: 'x', director: { host: '10.0.0.1', user: 'root' }, vip: '10.0.0.100', realservers: [{ host: '10.0.0.11', name: 'rs1' }, { host: '10.0.0.12', name: 'rs2' }] });
    const ex = new Map([
      ['rs1', scripted('rs1', { uptime: ok(fx('uptime.procps-debian12.txt')) })],
      ['rs2', scripted('rs2', { uptime: ok('up 3 days\n') })],
    ]);
    const ctx = new ClusterContext(cluster, { executor: (t: ResolvedTarget) => ex.get(t.label) ?? scripted(t.label, {}) });
    const r = await new RealserverChecks(ctx).load('all');
    expect(r[0]).toEqual({ name: 'rs1', ok: true, value: { load: [0.41, 0.34, 0.25], users: 0 } });
    expect(r[1]).toEqual({ name: 'rs2', ok: false, error: expect.objectContaining({ code: 'PARSE_ERROR', message: 'rs2: uptime: uptime: line 1: no load average in "up 3 days"' }) });
    expect([...ex.values()].map((e) => e.ran)).toEqual([['uptime'], ['uptime']]);
  });
  it('an unknown OS is UNSUPPORTED, output cut short is PARSE_ERROR, a failed uptime COMMAND_FAILED', () => {
    expect(() => parseCheck('rs4', 'rs4', sec('uname', 'SunOS\n') + sec('uptime', fx('uptime.procps-debian12.txt')))).toThrow("rs4: uname -s says 'SunOS': only Linux and HP-UX realservers can be checked");
    const cut = fx('check.debian12.stdout.txt').split('\n').slice(0, 12).join('\n');
    expect(() => parseCheck('rs5', 'rs5', cut)).toThrow(expect.objectContaining({ code: 'PARSE_ERROR', host: 'rs5', message: expect.stringMatching(/^rs5: check: section output: section ps \(line 9\) never ended/) }));
    expect(() => parseCheck('rs6', 'rs6', sec('uname', 'Linux\n') + sec('uptime', '', 1), '@@lvs-console begin uptime\nuptime: /proc must be mounted\n')).toThrow(
      expect.objectContaining({ code: 'COMMAND_FAILED', message: 'rs6: uptime: exit 1: uptime: /proc must be mounted' }),
    );
  });
  it('an OS it does not know is UNSUPPORTED, naming the host', () => {
    expect(() => osFromUname('rs3', 'SunOS')).toThrow("rs3: uname -s says 'SunOS': only Linux and HP-UX realservers can be checked");
  });
  it('one failing realserver does not hide the others', async () => {
    const rss = clusterSchema.parse({ id: 'x', name: 'x', director: { host: '10.0.0.1', user: 'root' }, vip: '10.0.0.100', realservers: [{ host: '10.0.0.11', name: 'rs1' }, { host: '10.0.0.12', name: 'rs2' }] }).realservers;
    const res = await forEachRealserver(rss, async (rs) => {
      if (rs.name === 'rs2') throw new AppError('AUTH_FAILED', 'rs2: authentication failed (methods tried: publickey)', { host: 'rs2', step: 'auth' });
      return rs.host;
    });
    expect(res).toEqual([
      { name: 'rs1', ok: true, value: '10.0.0.11' },
      { name: 'rs2', ok: false, error: expect.objectContaining({ code: 'AUTH_FAILED', message: 'rs2: authentication failed (methods tried: publickey)' }) },
    ]);
  });
});

describe('mapLimit (the bound on how many realservers one operation works on at once)', () => {
  it('never runs more than the limit at once, starts the next as one ends, and keeps the order of the results', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const r = await mapLimit([30, 10, 20, 5, 15, 1], 2, async (ms, i) => {
      started.push(i);
      running += 1;
      most = Math.max(most, running);
      await new Promise((res) => setTimeout(res, ms));
      running -= 1;
      return ms * 2;
    });
    expect(r).toEqual([60, 20, 40, 10, 30, 2]);
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });
  it('runs everything at once below the limit, and refuses a limit below 1', async () => {
    let most = 0;
    let running = 0;
    await mapLimit([1, 2, 3], 64, async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((res) => setTimeout(res, 5));
      running -= 1;
    });
    expect(most).toBe(3);
    await expect(mapLimit([1], 0, async (x) => x)).rejects.toThrow('mapLimit: bad limit 0');
  });
});

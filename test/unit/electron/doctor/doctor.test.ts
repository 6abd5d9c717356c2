import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clusterSchema, type Cluster } from '../../../../shared/model/cluster.ts';
import type { IpvsTable } from '../../../../shared/model/ipvs.ts';
import { desiredTable, profileResolver } from '../../../../electron/lvs/plan/desired-table.ts';
import { directorSysctls } from '../../../../electron/lvs/plan/director-plan.ts';
import { parseIpAddr } from '../../../../electron/lvs/ipvs/ip-addr-parse.ts';
import { parseLinuxRoutes } from '../../../../electron/realserver/linux-route-parse.ts';
import { parseBootProbe } from '../../../../electron/realserver/boot-probe.ts';
import { planBoot, utf8Length } from '../../../../electron/realserver/boot-install.ts';
import { parseCollectSections } from '../../../../electron/doctor/collect-sections.ts';
import { directorCollectArgv, parseDirectorCollect } from '../../../../electron/doctor/director-collect.ts';
import { LEAN_PROBE_SCRIPT } from '../../../../electron/health/lean-probe.ts';
import { PERL_PROBE_SCRIPT } from '../../../../electron/shell/perl-probe-script.ts';
import { parseRealserverCollect, realserverCollectArgv } from '../../../../electron/doctor/realserver-collect.ts';
import { diagnose } from '../../../../electron/doctor/diagnose.ts';
import { collectPlan, wantsXdmcp } from '../../../../electron/doctor/collect-plan.ts';
import { FINDING_IDS, type DirectorObs, type DoctorObservations, type Finding, type RealserverObs } from '../../../../electron/doctor/model.ts';
import { WHY } from '../../../../electron/doctor/why.ts';
import { labCluster } from '../../../fixtures/lab-cluster.ts';

const fx = (name: string) => readFileSync(new URL(`../../../fixtures/doctor/${name}`, import.meta.url), 'utf8');

/** The captures' cluster: director 10.99.0.1, VIP 10.99.0.100 on eth0:110, telnet + xdmcp, rs1–rs3 at .11–.13. */
function cluster(extra: Record<string, unknown> = {}): Cluster {
  return clusterSchema.parse({
    id: 'doc',
    name: 'doctor',
    director: { host: '10.99.0.1', user: 'root' },
    vip: '10.99.0.100',
    tcp: [{ port: 'telnet' }],
    udp: [{ port: 'xdmcp' }],
    realservers: [1, 2, 3].map((n) => ({ host: `10.99.0.1${n}`, name: `rs${n}` })),
    ...extra,
  });
}
const C = cluster();
const resolve = profileResolver(C);
const ctx = (n: number) => ({ name: `rs${n}`, address: `10.99.0.1${n}`, os: 'linux' as const, netIf: 'eth0', gateway: '10.99.0.1', stamp: '20261201T000000Z' });

describe('collectors: argv and parsers of captured output', () => {
  it('the realserver collector takes the interface and the boot probe as arguments', () => {
    const argv = realserverCollectArgv('eth0');
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv[4]).toBe('eth0');
    expect(() => realserverCollectArgv('eth0 && reboot')).toThrow(/bad interface/);
  });
  it('parses a healthy realserver (routes fixed, inetd + xdm running; captured)', () => {
    const o = parseRealserverCollect(ctx(1), fx('realserver-collect.healthy.debian12.txt'));
    expect(o.routes?.map((r) => `${r.dest}/${r.prefix} ${r.gateway ?? '-'} ${r.dev}`)).toEqual(['default/0 10.99.0.1 eth0', '10.99.0.1/32 - eth0']);
    expect(o.displayManager).toBe('xdm');
    expect(o.listeners).toEqual(expect.arrayContaining([{ protocol: 'udp', port: 177 }, { protocol: 'tcp', port: 23 }]));
    expect(o.boot && 'verify' in o.boot && o.boot.verify).toMatchObject({ kind: 'sysv-etc', installed: false });
  });
  it('the same realserver as the collector saw it before it read /proc/net (ip and ss: what a host without procfs gives) is the same observation', () => {
    const noLines = (o: ReturnType<typeof parseRealserverCollect>) => ({ ...o, routes: o.routes?.map(({ line: _l, ...r }) => r), listeners: [...(o.listeners ?? [])].sort((a, b) => `${a.protocol}${a.port}`.localeCompare(`${b.protocol}${b.port}`)) });
    const viaProgs = parseRealserverCollect(ctx(1), fx('realserver-collect.healthy.ip-ss.debian12.txt'));
    const viaProc = parseRealserverCollect(ctx(1), fx('realserver-collect.healthy.debian12.txt'));
    expect(viaProgs.routes?.length).toBe(2);
    // the ephemeral TCP port differs between the two captures (xdm's own listener); the services do not
    const services = (o: ReturnType<typeof noLines>) => ({ ...o, listeners: o.listeners.filter((l) => l.port === 23 || l.port === 177) });
    expect(services(noLines(viaProc))).toEqual(services(noLines(viaProgs)));
  });
  it('parses a broken realserver (subnet route, other default, nothing running; captured)', () => {
    const o = parseRealserverCollect(ctx(1), fx('realserver-collect.broken.debian12.txt'));
    expect(o.routes?.map((r) => `${r.dest}/${r.prefix}`)).toEqual(['default/0', '10.99.0.0/24']);
    expect(o.displayManager).toBeNull();
    expect(o.listeners).toEqual([]);
  });
  it('reads the HP-UX branch (sections assembled from the documented outputs: netstat -rnv, ps -e, netstat -an, ifconfig)', () => {
    const rf = (n: string) => readFileSync(new URL(`../../../fixtures/realserver/${n}`, import.meta.url), 'utf8');
    const sec = (name: string, out: string, rc = 0) => `@@lvs-console begin ${name}\n${out}\n@@lvs-console end ${name} ${rc}\n`;
    const boot = ['uname HP-UX', 'dir /sbin/init.d', 'dir /sbin/rc2.d', 'dir /sbin/rc3.d', 'dir /etc/rc.config.d', 'tool /usr/bin/netstat', 'tool /usr/sbin/route', ...rf('ifconfig-lan0.hpux-11i.txt').trimEnd().split('\n').map((l) => `addr ${l}`)].join('\n') + '\n';
    const text = sec('uname', 'HP-UX\n') + sec('routes', rf('netstat-rnv.hpux-11i.txt')) + sec('ps', rf('ps-e.hpux-11i.txt')) + sec('listen', rf('netstat-an.hpux-11i.txt')) + sec('boot', boot);
    const o = parseRealserverCollect({ name: 'hp1', address: '15.13.136.66', os: 'hpux', netIf: 'lan0', gateway: '15.13.136.1', stamp: 's' }, text);
    expect(o.os).toBe('hpux');
    expect(o.displayManager).toBe('dtlogin');
    expect(o.listeners).toContainEqual({ protocol: 'udp', port: 177 });
    expect(o.routes?.find((r) => r.dest === 'default')?.gateway).toBe('15.13.136.11');
    expect(o.boot && 'layout' in o.boot && o.boot.layout.kind).toBe('hpux-rc');
    const c = clusterSchema.parse({ id: 'hp', name: 'hp', director: { host: '15.13.136.1', user: 'root' }, vip: '15.13.136.100', tcp: [{ port: 23 }], udp: [{ port: 177 }], realservers: [{ host: '15.13.136.66', name: 'hp1', os: 'hpux', netIf: 'lan0' }] });
    const d: DirectorObs = { name: 'director', probes: { '15.13.136.66': { icmp: true, tcp: { 23: true } } } };
    const found = diagnose(c, { directors: [d], realservers: [o] }, profileResolver(c));
    expect(found.map((f) => f.id)).toEqual(['realserver.subnet-route', 'realserver.default-route', 'realserver.boot-script-missing']);
    expect(argvs(found[0])).toEqual([
      'hp1: /usr/sbin/route add host 15.13.136.1 15.13.136.66 0',
      'hp1: /usr/sbin/route delete default 15.13.136.11',
      'hp1: /usr/sbin/route add default 15.13.136.1 1',
      'hp1: /usr/sbin/route delete net 15.13.136.0 netmask 255.255.248.0 15.13.136.66',
    ]);
  });
  it('parses a director without IPVS (captured in a namespace on a kernel without ip_vs)', () => {
    const o = parseDirectorCollect('director', fx('director-collect.netns-no-ipvs.debian12.txt'), { tcpPorts: [23], realservers: ['10.99.0.11', '10.99.0.12'] });
    expect(o.ipvs).toEqual({ ok: false, error: expect.stringContaining("Can't initialize ipvs: Protocol not available") });
    expect(o.table).toBeUndefined();
    expect(o.sysctls).toEqual({ 'net.ipv4.conf.all.send_redirects': '0', 'net.ipv4.conf.eth0.send_redirects': '1', 'net.ipv4.ip_forward': '1' });
    expect(o.addresses?.find((a) => a.address === '10.99.0.100')?.label).toBe('eth0:110');
    expect(o.script).toEqual({ installed: false, bootLink: false, cronEntry: false, crondRunning: false });
    expect(o.probes).toEqual({ '10.99.0.11': { icmp: true, tcp: { 23: true } }, '10.99.0.12': { icmp: false, tcp: { 23: false } } });
  });
  it('the director collector carries sysctl paths, the probe timeout, ports, UDP payloads and addresses as arguments', () => {
    const argv = directorCollectArgv(['net.ipv4.ip_forward'], [23], ['10.99.0.11'], { udp: [{ protocol: 'udp', port: 177, check: { kind: 'xdmcp' } }], timeoutSec: 2 });
    expect(argv[4]).toBe('/proc/sys/net/ipv4/ip_forward');
    expect(argv.slice(5, 7)).toEqual(['2', '23']);
    // the XDMCP Query as printf octal escapes (service-probe.ts): version 1, opcode Query (2), length 1, no auth names
    expect(argv[7]).toBe('177/\\000\\001\\000\\002\\000\\001\\000');
    expect(argv[9]).toBe(LEAN_PROBE_SCRIPT);
    expect(argv[10]).toBe(PERL_PROBE_SCRIPT);
    expect(argv[11]).toBe('10.99.0.11');
  });
  it('the director probe\'s XDMCP result becomes the realserver\'s xdmcp (Willing → true, no reply → false)', () => {
    // Willing (version 1, opcode 5, 11 data bytes): authentication name '', hostname 'rs1', status 'ok'
    const willing = '00010005000b0000000372733100026f6b';
    const out = ['@@lvs-console begin save', '@@lvs-console end save 0', '@@lvs-console begin addr', '@@lvs-console end addr 0', '@@lvs-console begin sysctl', '@@lvs-console end sysctl 0', '@@lvs-console begin runtime', '@@lvs-console end runtime 0', '@@lvs-console begin probe', '10.99.0.11 icmp up', '10.99.0.11 tcp 23 up', `10.99.0.11 udp 177 reply ${willing}`, '10.99.0.12 icmp up', '10.99.0.12 tcp 23 up', '10.99.0.12 udp 177 noreply', '@@lvs-console end probe 0', ''].join('\n');
    const o = parseDirectorCollect('director', out, { tcpPorts: [23], realservers: ['10.99.0.11', '10.99.0.12'], udp: [{ protocol: 'udp', port: 177, check: { kind: 'xdmcp' } }] });
    expect(o.probes?.['10.99.0.12']).toEqual({ icmp: true, tcp: { 23: true }, xdmcp: false });
    expect(o.probes?.['10.99.0.11']).toEqual({ icmp: true, tcp: { 23: true }, xdmcp: true });
  });
  it('names the host and the line for output it does not know, and a cut section', () => {
    expect(() => parseCollectSections('rs1', 'hello\n')).toThrow(/rs1: collect: line 1: text outside any section/);
    const garbled = fx('realserver-collect.broken.debian12.txt').replace('eth0\t00000000\tFE00630A', 'eth0\tfrob\tFE00630A');
    expect(() => parseRealserverCollect(ctx(1), garbled)).toThrow(/rs1: read routes: \/proc\/net\/route: line 3: unexpected "eth0\tfrob/);
    const garbledIp = fx('realserver-collect.healthy.ip-ss.debian12.txt').replace('default via 10.99.0.1 dev eth0', 'default via 10.99.0.1 dev eth0 frob');
    expect(() => parseRealserverCollect(ctx(1), garbledIp)).toThrow(/rs1: read routes: ip route: line 1: unexpected "frob"/);
    expect(() => parseCollectSections('rs1', '@@lvs-console begin a\nx\n')).toThrow(/rs1: collect: section a (.*)never ended/);
    const cut = fx('director-collect.netns-no-ipvs.debian12.txt').split('@@lvs-console begin probe')[0]!;
    expect(() => parseDirectorCollect('director', cut, { tcpPorts: [23], realservers: ['10.99.0.11'] })).toThrow(/director: collect: no probe section/);
  });
});

describe('collect plan', () => {
  it('one exec per director and per enabled realserver, each with its parser', () => {
    const c = cluster({ realservers: [1, 2, 3].map((n) => ({ host: `10.99.0.1${n}`, name: `rs${n}`, enabled: n !== 3 })) });
    const p = collectPlan(c, profileResolver(c), 's');
    expect(p.directors.map((d) => d.name)).toEqual(['director']);
    expect(p.directors[0]!.argv.slice(11)).toEqual(['10.99.0.11', '10.99.0.12']);
    expect(p.realservers.map((r) => `${r.name} ${r.address} ${r.argv[4]}`)).toEqual(['rs1 10.99.0.11 eth0', 'rs2 10.99.0.12 eth0']);
    expect(p.realservers[0]!.parse(fx('realserver-collect.healthy.debian12.txt')).displayManager).toBe('xdm');
    expect(wantsXdmcp(c)).toBe(true);
    const pair = cluster({ runtime: 'keepalived', pair: { director: { host: '10.99.0.2', user: 'root' }, gateway: '10.99.0.254' } });
    const pp = collectPlan(pair, profileResolver(pair), 's');
    expect(pp.directors.map((d) => `${d.which} ${d.name}`)).toEqual(['director director', 'pair 10.99.0.2']);
    const rs1 = pp.realservers[0]!.parse(fx('realserver-collect.healthy.debian12.txt'));
    expect(rs1.boot && 'spec' in rs1.boot && rs1.boot.spec.gateway).toBe('10.99.0.254');
  });
});

// ---- a healthy cluster, as the collectors would report it, then one fault at a time
const table = (): IpvsTable => desiredTable(C, resolve);

function healthyDirector(): DirectorObs {
  const sysctls = Object.fromEntries(directorSysctls(C).map((s) => [s.key, s.value]));
  return {
    name: 'director',
    ipvs: { ok: true },
    table: table(),
    addresses: parseIpAddr('2: eth0    inet 10.99.0.1/24 scope global eth0\n2: eth0    inet 10.99.0.100/24 scope global secondary eth0:110\n'),
    sysctls,
    script: { installed: true, bootLink: true, cronEntry: true, crondRunning: true, rules: table() },
    keepalived: { configured: false, running: false },
    probes: Object.fromEntries([11, 12, 13].map((n) => [`10.99.0.${n}`, { icmp: true, tcp: { 23: true } }])),
  };
}

/** The captured healthy realserver, with lvs-route installed (the probe then sees the files and links install writes). */
function healthyRealserver(n: number): RealserverObs {
  const o = parseRealserverCollect(ctx(n), fx('realserver-collect.healthy.debian12.txt'));
  const boot = parseBootProbe('rs', fx('realserver-collect.healthy.debian12.txt').split('@@lvs-console begin boot\n')[1]!.split('\n@@lvs-console end boot')[0]!);
  const plan = planBoot({ host: `rs${n}`, os: 'linux', netIf: 'eth0', gateway: '10.99.0.1' }, boot, 's');
  for (const f of plan.layout.files) boot.files[f.path] = { mode: f.mode, size: utf8Length(f.content), content: f.content };
  for (const l of plan.layout.links) boot.links[l.path] = l.target;
  return { ...o, boot: planBoot({ host: `rs${n}`, os: 'linux', netIf: 'eth0', gateway: '10.99.0.1' }, boot, 's') };
}

function healthy(): DoctorObservations {
  return {
    desktop: { vipReachable: true, telnetBanner: 'rs1 login:', xdmcpWilling: true, xServer: '/usr/bin/Xvfb', telnetClient: '/usr/bin/telnet' },
    directors: [healthyDirector()],
    realservers: [1, 2, 3].map(healthyRealserver),
  };
}

const ids = (fs: Finding[]) => fs.map((f) => `${f.id} ${f.subject.name}`);
const argvs = (f: Finding | undefined) => (f?.fix?.kind === 'steps' ? f.fix.steps.map((s) => `${s.host}: ${s.argv.join(' ')}`) : f?.fix);
const rs = (o: DoctorObservations, n: number) => o.realservers[n - 1]!;
const dir = (o: DoctorObservations) => o.directors[0]!;

describe('the doctor', () => {
  it('finds nothing wrong with a healthy cluster', () => {
    expect(diagnose(C, healthy(), resolve)).toEqual([]);
  });

  it('every kind of finding has its reason', () => {
    for (const id of FINDING_IDS) expect(WHY[id].length).toBeGreaterThan(40);
  });

  it('telnet through the VIP: a telnetd that negotiated but whose login prompt was late is no finding; one that said nothing is', () => {
    const late = healthy();
    late.desktop = { ...late.desktop!, telnetBanner: null, telnetSpoke: true };
    expect(diagnose(C, late, resolve)).toEqual([]);
    const silent = healthy();
    silent.desktop = { ...silent.desktop!, telnetBanner: null, telnetSpoke: false };
    expect(ids(diagnose(C, silent, resolve))).toEqual(['desktop.telnet-through-vip desktop']);
  });

  const faults: { name: string; inject: (o: DoctorObservations) => void; want: string; fix?: unknown; explains?: RegExp }[] = [
    {
      name: 'ip_forward off',
      inject: (o) => {
        dir(o).sysctls!['net.ipv4.ip_forward'] = '0';
        o.desktop!.telnetBanner = null;
        o.desktop!.xdmcpWilling = false;
      },
      want: 'director.ip-forward-off director',
      fix: ['director: sysctl -w net.ipv4.ip_forward=1'],
      explains: /desktop: no telnet banner through 10.99.0.100:23/,
    },
    {
      name: 'redirects on',
      inject: (o) => void (dir(o).sysctls!['net.ipv4.conf.all.send_redirects'] = '1'),
      want: 'director.redirects-on director',
      fix: ['director: sysctl -w net.ipv4.conf.all.send_redirects=0'],
    },
    {
      name: 'VIP removed',
      inject: (o) => {
        dir(o).addresses = dir(o).addresses!.filter((a) => a.address !== '10.99.0.100');
        o.desktop!.vipReachable = false;
      },
      want: 'director.vip-missing director',
      fix: ['director: ip addr add 10.99.0.100/24 dev eth0 label eth0:110'],
      explains: /desktop: nothing answers on the VIP/,
    },
    {
      name: "a realserver's subnet route back",
      inject: (o) => void rs(o, 1).routes!.push(...parseLinuxRoutes('10.99.0.0/24 dev eth0 proto kernel scope link src 10.99.0.11\n')),
      want: 'realserver.subnet-route rs1',
      fix: ['rs1: ip route del 10.99.0.0/24 dev eth0'],
    },
    {
      name: 'its default route elsewhere',
      inject: (o) => void (rs(o, 2).routes = parseLinuxRoutes('default via 10.99.0.254 dev eth0\n10.99.0.1 dev eth0 scope link\n')),
      want: 'realserver.default-route rs2',
      fix: ['rs2: ip route replace default via 10.99.0.1 dev eth0'],
    },
    {
      name: 'xdm stopped',
      inject: (o) => {
        rs(o, 3).displayManager = null;
        rs(o, 3).listeners = rs(o, 3).listeners!.filter((l) => l.port !== 177);
      },
      want: 'realserver.display-manager-stopped rs3',
    },
    {
      name: 'telnetd stopped',
      inject: (o) => {
        rs(o, 1).listeners = rs(o, 1).listeners!.filter((l) => l.port !== 23);
        dir(o).probes!['10.99.0.11']!.tcp[23] = false;
      },
      want: 'realserver.service-not-listening rs1',
    },
    {
      name: 'a table entry deleted by hand',
      inject: (o) => void (dir(o).table!.services[0]!.destinations = dir(o).table!.services[0]!.destinations.filter((d) => d.address !== '10.99.0.12')),
      want: 'director.table-drift director',
      fix: ['director: ipvsadm -a -t 10.99.0.100:23 -r 10.99.0.12:23 -m -w 1'],
    },
    {
      name: "the director's config edited by hand",
      inject: (o) => void (dir(o).script!.rules = { services: table().services.map((s) => ({ ...s, destinations: s.destinations.filter((d) => d.address !== '10.99.0.13') })) }),
      want: 'director.config-drift director',
      fix: { kind: 'action', action: 'director.install', target: 'director', why: 'install the runtime and its configuration from the profile' },
    },
    {
      name: 'a realserver down',
      inject: (o) => {
        o.realservers[1] = { name: 'rs2', address: '10.99.0.12', error: 'rs2: connect: timed out' };
        dir(o).probes!['10.99.0.12'] = { icmp: false, tcp: { 23: false } };
        // the director's cron update has taken it out of the table, as the seed's script does
        for (const s of dir(o).table!.services) s.destinations = s.destinations.filter((d) => d.address !== '10.99.0.12');
      },
      want: 'realserver.down rs2',
      explains: /director: realserver 10.99.0.12:23 is missing from tcp/,
    },
    {
      name: 'the route boot script missing',
      inject: (o) => {
        const boot = parseBootProbe('rs', fx('realserver-collect.healthy.debian12.txt').split('@@lvs-console begin boot\n')[1]!.split('\n@@lvs-console end boot')[0]!);
        rs(o, 1).boot = planBoot({ host: 'rs1', os: 'linux', netIf: 'eth0', gateway: '10.99.0.1' }, boot, '20261201T000000Z');
      },
      want: 'realserver.boot-script-missing rs1',
      fix: [
        expect.stringMatching(/^rs1: sh -c .* \/etc\/init\.d\/lvs-route 755 20261201T000000Z sh -$/s),
        'rs1: ln -snf ../init.d/lvs-route /etc/rc2.d/S99lvs-route',
        'rs1: ln -snf ../init.d/lvs-route /etc/rc3.d/S99lvs-route',
        'rs1: ln -snf ../init.d/lvs-route /etc/rc4.d/S99lvs-route',
        'rs1: ln -snf ../init.d/lvs-route /etc/rc5.d/S99lvs-route',
      ],
    },
    {
      name: 'the director unreachable (and the realservers behind it)',
      inject: (o) => {
        o.directors[0] = { name: 'director', error: 'director 10.99.0.1: connect: connection refused' };
        for (const r of o.realservers) r.error = `${r.name}: via director: connection refused`;
        o.desktop!.vipReachable = false;
      },
      want: 'director.unreachable director',
      explains: /rs1: rs1: via director: connection refused/,
    },
    {
      name: 'IPVS unavailable',
      inject: (o) => void Object.assign(dir(o), { ipvs: { ok: false, error: "Can't initialize ipvs: Protocol not available" }, table: undefined }),
      want: 'director.ipvs-unavailable director',
    },
    {
      name: 'the cluster not started',
      inject: (o) => void (dir(o).table = { services: [] }),
      want: 'director.table-empty director',
    },
    {
      name: 'the cron update gone',
      inject: (o) => void (dir(o).script!.cronEntry = false),
      want: 'director.runtime-missing director',
    },
    {
      name: 'the boot script edited by hand',
      inject: (o) => {
        const b = rs(o, 2).boot;
        if (!b || 'error' in b) throw new Error('no boot plan');
        const probe = parseBootProbe('rs', fx('realserver-collect.healthy.debian12.txt').split('@@lvs-console begin boot\n')[1]!.split('\n@@lvs-console end boot')[0]!);
        for (const f of b.layout.files) probe.files[f.path] = { mode: f.mode, size: utf8Length(f.content) + 9, content: `${f.content}# edited\n` };
        for (const l of b.layout.links) probe.links[l.path] = l.target;
        rs(o, 2).boot = planBoot({ host: 'rs2', os: 'linux', netIf: 'eth0', gateway: '10.99.0.1' }, probe, 's');
      },
      want: 'realserver.boot-script-stale rs2',
    },
    {
      name: 'no X server on the desktop',
      inject: (o) => void (o.desktop!.xServer = null),
      want: 'desktop.no-x-server desktop',
    },
    {
      name: 'XDMCP through the VIP fails with nothing else wrong',
      inject: (o) => void (o.desktop!.xdmcpWilling = false),
      want: 'desktop.xdmcp-through-vip desktop',
    },
  ];
  for (const f of faults) {
    it(`names ${f.name} at its root, once`, () => {
      const o = healthy();
      f.inject(o);
      const found = diagnose(C, o, resolve);
      expect(ids(found)).toEqual([f.want]);
      const one = found[0]!;
      expect(one.why).toBe(WHY[one.id]);
      if (f.fix !== undefined) expect(Array.isArray(f.fix) ? argvs(one) : one.fix).toEqual(f.fix);
      if (f.explains) expect(one.explains?.join('\n')).toMatch(f.explains);
    });
  }

  it('the real no-IPVS capture: IPVS unavailable, redirects on eth0, rs2 down; no table finding on top', () => {
    const d = parseDirectorCollect('director', fx('director-collect.netns-no-ipvs.debian12.txt'), { tcpPorts: [23], realservers: ['10.99.0.11', '10.99.0.12'] });
    const c = cluster({ realservers: [1, 2].map((n) => ({ host: `10.99.0.1${n}`, name: `rs${n}` })) });
    const o: DoctorObservations = { directors: [d], realservers: [healthyRealserver(1), { name: 'rs2', address: '10.99.0.12', error: 'rs2: timed out' }] };
    expect(ids(diagnose(c, o, profileResolver(c)))).toEqual([
      'director.ipvs-unavailable director',
      'director.redirects-on director',
      'director.runtime-missing director',
      'realserver.down rs2',
    ]);
  });

  it('the real broken realserver capture: subnet route, other default, no telnet, no display manager, no boot script', () => {
    const o = healthy();
    o.realservers[0] = parseRealserverCollect(ctx(1), fx('realserver-collect.broken.debian12.txt'));
    const found = diagnose(C, o, resolve);
    expect(ids(found)).toEqual([
      'realserver.subnet-route rs1',
      'realserver.default-route rs1',
      'realserver.boot-script-missing rs1',
      'realserver.service-not-listening rs1',
      'realserver.display-manager-stopped rs1',
    ]);
    expect(argvs(found[0])).toEqual(['rs1: ip route replace 10.99.0.1/32 dev eth0 scope link', 'rs1: ip route replace default via 10.99.0.1 dev eth0', 'rs1: ip route del 10.99.0.0/24 dev eth0']);
  });

  it('a pair: the VIP on both directors, and the realservers routed via the floating gateway', () => {
    const c = cluster({ runtime: 'keepalived', pair: { director: { host: '10.99.0.2', user: 'root' }, gateway: '10.99.0.254' } });
    const o = healthy();
    const second = { ...healthyDirector(), name: '10.99.0.2' };
    for (const d of [dir(o), second]) d.keepalived = { configured: true, running: true, configTable: table() };
    o.directors.push(second);
    dir(o).keepalived!.vrrpState = 'MASTER';
    second.keepalived!.vrrpState = 'MASTER';
    const found = diagnose(c, o, profileResolver(c));
    expect(ids(found)).toEqual(expect.arrayContaining(['director.vip-on-both pair', 'director.pair-roles pair', 'realserver.default-route rs1', 'realserver.default-route rs2', 'realserver.default-route rs3']));
    expect(found.find((f) => f.id === 'realserver.default-route')!.what).toContain('no default route via the director 10.99.0.254');
  });

  it("a pair: a director whose lvs-pair is missing or whose status fails is named, with install-director as the fix; 'ok' gives nothing", () => {
    const c = cluster({ runtime: 'keepalived', pair: { director: { host: '10.99.0.2', user: 'root' }, gateway: '10.99.0.254' } });
    const o = healthy();
    const second = { ...healthyDirector(), name: '10.99.0.2' };
    o.directors.push(second);
    dir(o).keepalived = { configured: true, running: true, configTable: table(), pairHandover: 'missing' };
    second.keepalived = { configured: true, running: true, configTable: table(), pairHandover: 'down' };
    const found = diagnose(c, o, profileResolver(c)).filter((f) => f.id === 'director.pair-handover');
    expect(found.map((f) => [f.subject.name, f.what])).toEqual([
      ['director', 'director: no /etc/init.d/lvs-pair (both sync daemons and the takeover guard)'],
      ['10.99.0.2', '10.99.0.2: /etc/init.d/lvs-pair status fails: a sync daemon or the takeover guard is missing'],
    ]);
    expect(found.every((f) => f.fix?.kind === 'action' && f.fix.action === 'director.install')).toBe(true);
    dir(o).keepalived!.pairHandover = 'ok';
    second.keepalived!.pairHandover = 'ok';
    expect(diagnose(c, o, profileResolver(c)).some((f) => f.id === 'director.pair-handover')).toBe(false);
    // a single director never gets the finding
    const single = cluster({ runtime: 'keepalived' });
    const one = healthy();
    dir(one).keepalived = { configured: true, running: true, configTable: table(), pairHandover: 'missing' };
    expect(diagnose(single, one, profileResolver(single)).some((f) => f.id === 'director.pair-handover')).toBe(false);
  });
});

describe('the doctor on the lab (captured from the real director VM and rs1)', () => {
  const lab = labCluster();
  const labResolve = profileResolver(lab);
  const ask = { tcpPorts: [23], realservers: ['10.77.0.11', '10.77.0.12', '10.77.0.13'] };
  const labRs = (n: number, file = 'realserver-collect.lab-rs1.txt') =>
    parseRealserverCollect({ name: `rs${n}`, address: `10.77.0.1${n}`, os: 'linux', netIf: 'eth0', gateway: '10.77.0.1', stamp: 's' }, fx(file));
  const found = (d: DirectorObs, rss: RealserverObs[]) => ids(diagnose(lab, { directors: [d], realservers: rss }, labResolve));

  it('at boot: forwarding off, redirects on, no VIP, empty table, no runtime (one finding each)', () => {
    const d = parseDirectorCollect('director', fx('director-collect.lab-boot.txt'), ask);
    expect(found(d, [1, 2, 3].map((n) => labRs(n)))).toEqual(
      expect.arrayContaining(['director.ip-forward-off director', 'director.redirects-on director', 'director.vip-missing director', 'director.table-empty director', 'director.runtime-missing director']),
    );
    const all = diagnose(lab, { directors: [d], realservers: [1, 2, 3].map((n) => labRs(n)) }, labResolve);
    expect(argvs(all.find((f) => f.id === 'director.vip-missing'))).toEqual(['director: ip addr add 10.77.0.100/24 dev eth0 label eth0:110']);
  });

  it('started, routes fixed, lvs-director installed: only the realservers\' missing lvs-route boot scripts remain', () => {
    const d = parseDirectorCollect('director', fx('director-collect.lab-started.txt'), ask);
    expect(d.script).toMatchObject({ installed: true, bootLink: true, cronEntry: true, crondRunning: true });
    expect(found(d, [1, 2, 3].map((n) => labRs(n)))).toEqual(['realserver.boot-script-missing rs1', 'realserver.boot-script-missing rs2', 'realserver.boot-script-missing rs3']);
  });

  it('faults injected on the real hosts: each named once, at its root', () => {
    const d = parseDirectorCollect('director', fx('director-collect.lab-faults.txt'), ask);
    const rs1 = labRs(1, 'realserver-collect.lab-rs1-faults.txt');
    const rs2: RealserverObs = { name: 'rs2', address: '10.77.0.12', error: 'rs2: connect: No route to host' };
    expect(found(d, [rs1, rs2, labRs(3)])).toEqual([
      'director.ip-forward-off director',
      'director.redirects-on director',
      'director.table-drift director',
      'director.config-drift director',
      'realserver.subnet-route rs1',
      'realserver.boot-script-missing rs1',
      'realserver.service-not-listening rs1',
      'realserver.display-manager-stopped rs1',
      'realserver.down rs2',
      'realserver.boot-script-missing rs3',
    ]);
    const all = diagnose(lab, { directors: [d], realservers: [rs1, rs2, labRs(3)] }, labResolve);
    expect(argvs(all.find((f) => f.id === 'director.table-drift'))).toEqual(['director: ipvsadm -a -u 10.77.0.100:177 -r 10.77.0.13:177 -m -w 1']);
    expect(all.find((f) => f.id === 'director.config-drift')!.what).toContain('-a -t 10.77.0.100:23 -r 10.77.0.13:23 -m -w 1');
    expect(argvs(all.find((f) => f.id === 'realserver.subnet-route'))).toEqual(['rs1: ip route del 10.77.0.0/24 dev eth0']);
  });
});

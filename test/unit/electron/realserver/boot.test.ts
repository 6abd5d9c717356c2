import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../../../electron/shell/shell-quote.ts';
import { fullFixOps, fullUndoOps, routeGateway, routeOpArgv, type RouteOp } from '../../../../electron/realserver/route-fix.ts';
import { checkRoutes, routeFixNeed } from '../../../../electron/realserver/route-check.ts';
import { parseLinuxRoutes } from '../../../../electron/realserver/linux-route-parse.ts';
import { parseHpuxRoutes } from '../../../../electron/realserver/hpux-route-parse.ts';
import { networkOf, parseIfAddrs, subnetsOf } from '../../../../electron/realserver/iface-addr-parse.ts';
import { bootStartOps, bootStopOps, hpuxBootScript, linuxBootScript, systemdUnit, type BootSpec } from '../../../../electron/realserver/boot-script.ts';
import { BOOT_PROBE_SCRIPT, bootProbeArgv, modeFromLs, parseBootProbe, type BootProbe } from '../../../../electron/realserver/boot-probe.ts';
import { bootKind, bootLayout, installPlan, planBoot, uninstallPlan, utf8Length, verifyBoot } from '../../../../electron/realserver/boot-install.ts';

const fx = (name: string) => readFileSync(new URL(`../../../fixtures/realserver/${name}`, import.meta.url), 'utf8');

const LINUX: BootSpec = { os: 'linux', host: 'rs1', netIf: 'eth0', gateway: '10.77.0.1', subnets: [{ dest: '10.77.0.0', prefix: 24, ownIp: '10.77.0.11' }] };
const HPUX: BootSpec = { os: 'hpux', host: 'hp1', netIf: 'lan0', gateway: '15.13.136.11', subnets: [{ dest: '15.13.136.0', prefix: 21, ownIp: '15.13.136.66' }] };

/**
 * route(1M) SYNOPSIS, HP-UX 10.20 and 11i v1 (see SOURCES.md):
 *   /usr/sbin/route [-f] [-n] [-p pmtu] add [net|host] destination [netmask mask] gateway [count]
 *   /usr/sbin/route [-f] [-n] delete [net|host] destination [netmask mask] gateway [count]
 */
const IP = String.raw`\d{1,3}(\.\d{1,3}){3}`;
const ROUTE_1M = new RegExp(String.raw`^/usr/sbin/route (add|delete)( (net|host))? (default|${IP})( netmask ${IP})? ${IP}( \d+)?$`);

describe('route-fix: the one source of route commands', () => {
  const ops: RouteOp[] = [
    ...fullFixOps('10.77.0.1', LINUX.subnets),
    ...fullUndoOps('10.77.0.1', LINUX.subnets),
    { op: 'delete-default', gateway: '10.77.0.254', dev: 'eth0' },
  ];
  it('gives iproute2 argv on Linux', () => {
    expect(ops.map((o) => routeOpArgv('linux', 'eth0', o).join(' '))).toEqual([
      'ip route replace 10.77.0.1/32 dev eth0 scope link',
      'ip route replace default via 10.77.0.1 dev eth0',
      'ip route del 10.77.0.0/24 dev eth0',
      'ip route add 10.77.0.0/24 dev eth0 proto kernel scope link src 10.77.0.11',
      'ip route del 10.77.0.1/32 dev eth0',
      'ip route del default via 10.77.0.254 dev eth0',
    ]);
  });
  it('gives route(1M) argv on HP-UX, each matching the documented synopsis, COUNT 0 for interface routes and 1 for the gateway', () => {
    const hp = [...fullFixOps(HPUX.gateway, HPUX.subnets), ...fullUndoOps(HPUX.gateway, HPUX.subnets), { op: 'delete-default', gateway: '15.13.136.1' } as RouteOp];
    const lines = hp.map((o) => routeOpArgv('hpux', 'lan0', o).join(' '));
    expect(lines).toEqual([
      '/usr/sbin/route add host 15.13.136.11 15.13.136.66 0',
      '/usr/sbin/route add default 15.13.136.11 1',
      '/usr/sbin/route delete net 15.13.136.0 netmask 255.255.248.0 15.13.136.66',
      '/usr/sbin/route add net 15.13.136.0 netmask 255.255.248.0 15.13.136.66 0',
      '/usr/sbin/route delete host 15.13.136.11 15.13.136.66',
      '/usr/sbin/route delete default 15.13.136.1',
    ]);
    for (const l of lines) expect(l).toMatch(ROUTE_1M);
    expect(() => routeOpArgv('hpux', 'lan0', { op: 'add-host-route', gateway: '15.13.136.11' })).toThrow(/own address/);
  });
  it('the live check plans exactly routeOpArgv of the operations it needs', () => {
    const input = { os: 'linux' as const, host: 'rs1', netIf: 'v0', directorIp: '10.99.0.1', routes: parseLinuxRoutes(fx('ip-route-show.before-fix.iproute2-6.1.0.txt')) };
    const need = routeFixNeed(input);
    expect(need.ops.map((o) => o.op)).toEqual(['add-host-route', 'delete-subnet']);
    expect(checkRoutes(input).steps.map((s) => s.argv)).toEqual(need.ops.map((o) => routeOpArgv('linux', 'v0', o)));
    const hp = { os: 'hpux' as const, host: 'hp1', netIf: 'lan0', directorIp: '15.13.136.1', routes: parseHpuxRoutes(fx('netstat-rnv.hpux-11i.txt')) };
    expect(routeFixNeed(hp).ops.map((o) => o.op)).toEqual(['add-host-route', 'delete-default', 'set-default', 'delete-subnet']);
    expect(checkRoutes(hp).steps.map((s) => s.argv.join(' '))).toEqual([
      '/usr/sbin/route add host 15.13.136.1 15.13.136.66 0',
      '/usr/sbin/route delete default 15.13.136.11',
      '/usr/sbin/route add default 15.13.136.1 1',
      '/usr/sbin/route delete net 15.13.136.0 netmask 255.255.248.0 15.13.136.66',
    ]);
  });
  it('points at the pair gateway when the profile has a pair', () => {
    expect(routeGateway({}, '10.77.0.1')).toBe('10.77.0.1');
    expect(routeGateway({ pair: { gateway: '10.77.0.254' } as never }, '10.77.0.1')).toBe('10.77.0.254');
  });
});

describe('boot scripts embed the same argv', () => {
  it('Linux: every start and stop operation appears as run + shellQuote(routeOpArgv)', () => {
    const text = linuxBootScript(LINUX);
    const start = text.slice(text.indexOf('start() {'), text.indexOf('stop() {'));
    const stop = text.slice(text.indexOf('stop() {'), text.indexOf('status() {'));
    for (const o of bootStartOps(LINUX)) expect(start).toContain(`run ${shellQuote(routeOpArgv('linux', 'eth0', o))}`);
    for (const o of bootStopOps(LINUX)) expect(stop).toContain(`run ${shellQuote(routeOpArgv('linux', 'eth0', o))}`);
    expect(text).toMatch(/^### BEGIN INIT INFO\n# Provides: {10}lvs-route\n/m);
    expect(text).toContain('#   NET_INTERFACE=eth0');
  });
  it('HP-UX: the same for route(1M), with the rc(1M) verbs and exit codes', () => {
    const text = hpuxBootScript(HPUX);
    for (const o of [...bootStartOps(HPUX), ...bootStopOps(HPUX)]) expect(text).toContain(`run ${shellQuote(routeOpArgv('hpux', 'lan0', o))}`);
    expect(text.split('\n')[0]).toBe('#!/sbin/sh');
    expect(text).toMatch(/start_msg\) echo "/);
    expect(text).toMatch(/stop_msg\) echo "/);
    expect(text).toContain('if [ "${LVS_ROUTE:-1}" != 1 ]; then exit 2; fi');
  });
  it('refuses specs that cannot make a script', () => {
    expect(() => linuxBootScript({ ...LINUX, subnets: [] })).toThrow(/no subnet on eth0/);
    expect(() => linuxBootScript({ ...LINUX, gateway: 'director' })).toThrow(/not an IPv4/);
    expect(() => linuxBootScript({ ...LINUX, netIf: 'eth0;reboot' })).toThrow(/bad interface/);
  });
  it('the systemd unit runs the script after the network is online', () => {
    const u = systemdUnit(LINUX);
    for (const l of ['Type=oneshot', 'RemainAfterExit=yes', 'After=network-online.target', 'Wants=network-online.target', 'WantedBy=multi-user.target', 'ExecStart=/bin/sh /usr/local/sbin/lvs-route start']) {
      expect(u.split('\n')).toContain(l);
    }
  });
});

describe('interface addresses', () => {
  it('reads ip -o -4 addr (captured: primary, secondary, alias) into the kernel subnet routes', () => {
    const a = parseIfAddrs('linux', fx('ip-o-4-addr-show-dev-eth0.iproute2-6.1.0.txt'));
    expect(a).toEqual([
      { ip: '10.99.0.11', prefix: 24 },
      { ip: '192.168.7.5', prefix: 23 },
      { ip: '10.99.0.21', prefix: 24 },
    ]);
    // the same two routes `ip -4 route show` listed in that namespace (SOURCES.md)
    expect(subnetsOf(a)).toEqual([
      { dest: '10.99.0.0', prefix: 24, ownIp: '10.99.0.11' },
      { dest: '192.168.6.0', prefix: 23, ownIp: '192.168.7.5' },
    ]);
  });
  it('reads HP-UX ifconfig (hex netmask)', () => {
    expect(parseIfAddrs('hpux', fx('ifconfig-lan0.hpux-11i.txt'))).toEqual([{ ip: '15.13.136.66', prefix: 21 }]);
    expect(networkOf('15.13.136.66', 21)).toBe('15.13.136.0');
  });
  it('rejects what it does not know, naming the line', () => {
    expect(() => parseIfAddrs('linux', '3: eth0 inet6 fe80::1/64 scope link')).toThrow(/line 1/);
    expect(() => parseIfAddrs('hpux', 'lan0: flags=843<UP>\n  inet 10.0.0.1 netmask ff00ff00')).toThrow(/line 2: non-contiguous/);
  });
});

const probeText = (lines: string[]) => lines.join('\n') + '\n';
const DEBIAN_SYSV = probeText([
  'uname Linux',
  'pid1 init',
  ...['/etc/init.d', '/etc/rc2.d', '/etc/rc3.d', '/etc/rc4.d', '/etc/rc5.d', '/usr/local/sbin'].map((d) => `dir ${d}`),
  'tool /usr/sbin/ip',
  'addr 2: eth0    inet 10.77.0.11/24 brd 10.77.0.255 scope global eth0\\       valid_lft forever preferred_lft forever',
]);

describe('boot probe', () => {
  it('parses modes', () => {
    expect(modeFromLs('-rwxr-xr-x')).toBe('755');
    expect(modeFromLs('-r--r--r--')).toBe('444');
    expect(modeFromLs('lrwxrwxrwx')).toBe('777');
    expect(() => modeFromLs('-rwxr-xr-x+')).toThrow();
  });
  it('parses every kind of line, and names a line it does not know', () => {
    const p = parseBootProbe('rs1', DEBIAN_SYSV + 'file /etc/init.d/lvs-route -rwxr-xr-x 9\n| a\n| \n| b c\n\nendfile /etc/init.d/lvs-route\nlink /etc/rc3.d/S99lvs-route ../init.d/lvs-route\n');
    expect(p).toMatchObject({ uname: 'Linux', pid1: 'init', systemdBooted: false, tools: ['/usr/sbin/ip'], addrs: [{ ip: '10.77.0.11', prefix: 24 }] });
    expect(p.files['/etc/init.d/lvs-route']).toEqual({ mode: '755', size: 9, content: 'a\n\nb c\n' });
    expect(p.links['/etc/rc3.d/S99lvs-route']).toBe('../init.d/lvs-route');
    expect(() => parseBootProbe('rs1', DEBIAN_SYSV + 'what\n')).toThrow(/rs1: boot probe: line 11: unexpected "what"/);
    expect(() => parseBootProbe('rs1', '')).toThrow(/no uname/);
    expect(() => parseBootProbe('rs1', DEBIAN_SYSV + 'file /etc/init.d/lvs-route -rwxr-xr-x 9\n| a\n')).toThrow(/never ended: the output was cut/);
    expect(() => parseBootProbe('rs1', DEBIAN_SYSV + 'file /etc/init.d/lvs-route -rwxr-xr-x 9\nraw\n')).toThrow(/line 12: inside \/etc\/init.d\/lvs-route: "raw"/);
  });
  it('picks the layout from the init it finds', () => {
    const p = (extra: string[], base = DEBIAN_SYSV) => parseBootProbe('rs1', base + probeText(extra));
    expect(bootKind('rs1', 'linux', p([]))).toBe('sysv-etc');
    expect(bootKind('rs1', 'linux', p(['systemd-booted', 'tool /usr/bin/systemctl', 'dir /etc/systemd/system']))).toBe('systemd');
    expect(bootKind('rs1', 'linux', p(['dir /etc/rc.d/init.d', 'dir /etc/rc.d/rc3.d']))).toBe('sysv-rc.d');
    expect(() => bootKind('rs1', 'hpux', p([]))).toThrow(/profile says HP-UX but uname -s says Linux/);
    expect(() => bootKind('rs1', 'linux', parseBootProbe('rs1', 'uname Linux\npid1 openrc-init\ntool /sbin/ip\n'))).toThrow(/no known init layout: not systemd \(PID 1 is openrc-init\)/);
    expect(() => bootKind('rs1', 'linux', parseBootProbe('rs1', 'uname Linux\ndir /etc/init.d\ndir /etc/rc3.d\n'))).toThrow(/`ip` not found/);
    expect(() => bootKind('rs1', 'linux', parseBootProbe('rs1', 'uname SunOS\n'))).toThrow(/uname -s says 'SunOS'/);
  });
});

/** A probe that sees exactly the layout installed (what install leaves behind). */
function installedProbe(base: BootProbe, layout: ReturnType<typeof bootLayout>): BootProbe {
  const files = { ...base.files };
  for (const f of layout.files) files[f.path] = { mode: f.mode, size: utf8Length(f.content), content: f.content };
  const links = { ...base.links };
  for (const l of layout.links) links[l.path] = l.target;
  return { ...base, files, links, ...(layout.unit ? { enabled: 'enabled' } : {}) };
}

describe('install / verify / uninstall plans', () => {
  const target = { host: 'rs1', os: 'linux' as const, netIf: 'eth0', gateway: '10.77.0.1' };
  it('Debian SysV: writes the script, links rc2–rc5; a second install plans nothing; uninstall removes exactly that', () => {
    const probe = parseBootProbe('rs1', DEBIAN_SYSV);
    const plan = planBoot(target, probe, '20261125T000000Z');
    expect(plan.layout.kind).toBe('sysv-etc');
    expect(plan.verify).toMatchObject({ installed: false, current: false });
    expect(plan.install.map((s) => (s.argv[0] === 'sh' ? `write ${s.argv[4]} ${s.argv[5]}` : s.argv.join(' ')))).toEqual([
      'write /etc/init.d/lvs-route 755',
      'ln -snf ../init.d/lvs-route /etc/rc2.d/S99lvs-route',
      'ln -snf ../init.d/lvs-route /etc/rc3.d/S99lvs-route',
      'ln -snf ../init.d/lvs-route /etc/rc4.d/S99lvs-route',
      'ln -snf ../init.d/lvs-route /etc/rc5.d/S99lvs-route',
    ]);
    expect(plan.install[0]!.stdin).toBe(linuxBootScript(plan.spec));
    expect(plan.uninstall).toEqual([]);
    const after = installedProbe(probe, plan.layout);
    const again = planBoot(target, after, 'x');
    expect(again.verify).toMatchObject({ installed: true, current: true, problems: [] });
    expect(again.install).toEqual([]);
    expect(again.uninstall.map((s) => s.argv.join(' '))).toEqual([
      'rm -f /etc/rc2.d/S99lvs-route',
      'rm -f /etc/rc3.d/S99lvs-route',
      'rm -f /etc/rc4.d/S99lvs-route',
      'rm -f /etc/rc5.d/S99lvs-route',
      'rm -f /etc/init.d/lvs-route',
    ]);
  });
  it('verify names a script edited by hand, a wrong mode, a missing link and a link elsewhere; install fixes only those', () => {
    const probe = parseBootProbe('rs1', DEBIAN_SYSV);
    const layout = bootLayout('sysv-etc', { ...LINUX }, probe);
    const seen = installedProbe(probe, layout);
    const good = seen.files['/etc/init.d/lvs-route']!;
    seen.files['/etc/init.d/lvs-route'] = { ...good, content: good.content.replace('10.77.0.1 ', '10.77.0.9 ') };
    delete seen.links['/etc/rc2.d/S99lvs-route'];
    seen.links['/etc/rc5.d/S99lvs-route'] = '../init.d/other';
    const v = verifyBoot(layout, seen);
    expect(v).toMatchObject({ installed: false, current: false });
    expect(v.problems).toEqual([
      '/etc/init.d/lvs-route differs from what the console would write now (edited by hand, or the profile changed)',
      '/etc/rc2.d/S99lvs-route is missing: lvs-route would not run at boot there',
      '/etc/rc5.d/S99lvs-route points to ../init.d/other, not ../init.d/lvs-route',
    ]);
    // the atomic write's check argument (sh -n) is its next-to-last word; a link's target is its last
    expect(installPlan('rs1', layout, v, 'S').map((s) => s.argv.slice(0, 2).join(' ') + ' ' + (s.argv[0] === 'sh' ? s.argv.at(-2) : s.argv.at(-1)))).toEqual([
      'sh -c sh',
      'ln -snf /etc/rc2.d/S99lvs-route',
      'ln -snf /etc/rc5.d/S99lvs-route',
    ]);
    seen.files['/etc/init.d/lvs-route'] = { ...good, size: good.size - 1 }; // the same lines without the final newline
    expect(verifyBoot(layout, seen).problems[0]).toMatch(/differs from what the console would write/);
    seen.files['/etc/init.d/lvs-route'] = { ...good, mode: '644' };
    expect(verifyBoot(layout, seen).problems[0]).toBe('/etc/init.d/lvs-route has mode 644, not 755');
  });
  it('a profile change (another gateway) makes the installed script not current', () => {
    const probe = parseBootProbe('rs1', DEBIAN_SYSV);
    const installed = installedProbe(probe, planBoot(target, probe, 's').layout);
    const moved = planBoot({ ...target, gateway: '10.77.0.254' }, installed, 's');
    expect(moved.verify.current).toBe(false);
    expect(moved.install.map((s) => s.argv[4])).toEqual(['/etc/init.d/lvs-route']);
  });
  it('Red Hat (the seed): /etc/rc.d/init.d and S99 in rc3.d and rc5.d', () => {
    const probe = parseBootProbe('rs1', probeText(['uname Linux', 'dir /etc/rc.d/init.d', 'dir /etc/rc.d/rc3.d', 'dir /etc/rc.d/rc5.d', 'dir /etc/init.d', 'tool /sbin/ip', 'addr 2: eth0    inet 10.77.0.11/24 scope global eth0']));
    const plan = planBoot(target, probe, 's');
    expect(plan.layout.links.map((l) => `${l.path} -> ${l.target}`)).toEqual(['/etc/rc.d/rc3.d/S99lvs-route -> ../init.d/lvs-route', '/etc/rc.d/rc5.d/S99lvs-route -> ../init.d/lvs-route']);
    expect(plan.install[0]!.argv[4]).toBe('/etc/rc.d/init.d/lvs-route');
  });
  it('systemd: script + unit, daemon-reload, systemctl enable; uninstall disables, removes, reloads', () => {
    const probe = parseBootProbe(
      'rs1',
      probeText(['uname Linux', 'pid1 systemd', 'systemd-booted', 'dir /etc/systemd/system', 'dir /usr/local/sbin', 'dir /etc/init.d', 'tool /usr/bin/ip', 'tool /usr/bin/systemctl', 'addr 2: eth0    inet 10.77.0.11/24 scope global eth0', 'enabled ']),
    );
    const plan = planBoot(target, probe, 's');
    expect(plan.layout.kind).toBe('systemd');
    expect(plan.verify.problems).toContain('lvs-route.service is not known to systemd, not enabled');
    expect(plan.install.map((s) => (s.argv[0] === 'sh' ? `write ${s.argv[4]}` : s.argv.join(' ')))).toEqual([
      'write /usr/local/sbin/lvs-route',
      'write /etc/systemd/system/lvs-route.service',
      'systemctl daemon-reload',
      'systemctl enable lvs-route.service',
    ]);
    const after = installedProbe(probe, plan.layout);
    expect(planBoot(target, after, 's').install).toEqual([]);
    expect(uninstallPlan('rs1', plan.layout, after).map((s) => s.argv.join(' '))).toEqual([
      'systemctl disable lvs-route.service',
      'rm -f /usr/local/sbin/lvs-route',
      'rm -f /etc/systemd/system/lvs-route.service',
      'systemctl daemon-reload',
    ]);
    expect(planBoot(target, { ...after, enabled: 'disabled' }, 's').install.map((s) => s.argv.join(' '))).toEqual(['systemctl enable lvs-route.service']);
  });
  it('HP-UX: /sbin/init.d, the rc.config.d control file, S200 in rc3.d and K800 in rc2.d with ln -sf (the seed)', () => {
    const probe = parseBootProbe(
      'hp1',
      probeText(['uname HP-UX', ...['/sbin/init.d', '/sbin/rc2.d', '/sbin/rc3.d', '/etc/rc.config.d'].map((d) => `dir ${d}`), 'tool /usr/bin/netstat', 'tool /usr/sbin/route', ...fx('ifconfig-lan0.hpux-11i.txt').trimEnd().split('\n').map((l) => `addr ${l}`)]),
    );
    const plan = planBoot({ host: 'hp1', os: 'hpux', netIf: 'lan0', gateway: '15.13.136.11' }, probe, 's');
    expect(plan.spec.subnets).toEqual(HPUX.subnets);
    expect(plan.install.map((s) => (s.argv[0] === 'sh' ? `write ${s.argv[4]} ${s.argv[5]}` : s.argv.join(' ')))).toEqual([
      'write /sbin/init.d/lvs-route 755',
      'write /etc/rc.config.d/lvs-route 444',
      'ln -sf /sbin/init.d/lvs-route /sbin/rc3.d/S200lvs-route',
      'ln -sf /sbin/init.d/lvs-route /sbin/rc2.d/K800lvs-route',
    ]);
    expect(plan.install[0]!.stdin).toBe(hpuxBootScript(HPUX));
  });
  it('an interface without an IPv4 address is refused, naming the host', () => {
    const probe = parseBootProbe('rs1', DEBIAN_SYSV.replace(/^addr .*\n/m, ''));
    expect(() => planBoot(target, probe, 's')).toThrow(/rs1: eth0 has no IPv4 address/);
  });
});

describe('the probe script, run by real shells on this machine', () => {
  for (const shell of [['dash'], ['busybox', 'sh']]) {
    it(`${shell.join(' ')}: output parses, and a file comes back byte for byte`, () => {
      const out = execFileSync(shell[0]!, [...shell.slice(1), '-c', BOOT_PROBE_SCRIPT, 'probe', 'lo']).toString();
      const p = parseBootProbe('desktop', out);
      expect(p.uname).toBe('Linux');
      expect(p.addrs).toContainEqual({ ip: '127.0.0.1', prefix: 8 });
      // the file loop, on a file of our own: swap one probed path for it (same script otherwise)
      const tricky = `/tmp/lvs-route-probe-${process.pid}-${shell.length}`;
      const text = 'a\n\n| not a marker\nendfile /x\n  indented \\ tab\there\n';
      execFileSync('sh', ['-c', 'printf "%s" "$1" > "$2"; chmod 750 "$2"', 'w', text, tricky]);
      try {
        const script = BOOT_PROBE_SCRIPT.replace('/usr/local/sbin/lvs-route ', `${tricky} `);
        const q = parseBootProbe('desktop', execFileSync(shell[0]!, [...shell.slice(1), '-c', script, 'probe', 'lo']).toString());
        expect(q.files[tricky]).toEqual({ mode: '750', size: utf8Length(text), content: text });
      } finally {
        execFileSync('rm', ['-f', tricky]);
      }
    });
  }
  it('takes the interface as an argument, never inside the script', () => {
    expect(bootProbeArgv('eth0')).toEqual(['sh', '-c', BOOT_PROBE_SCRIPT, 'lvs-console-boot-probe', 'eth0']);
    expect(() => bootProbeArgv('eth0; reboot')).toThrow(/bad interface/);
  });
});

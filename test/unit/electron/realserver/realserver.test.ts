import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLinuxRoutes } from '../../../../electron/realserver/linux-route-parse.ts';
import { parseHpuxRoutes } from '../../../../electron/realserver/hpux-route-parse.ts';
import { checkRoutes } from '../../../../electron/realserver/route-check.ts';
import { parseUptime } from '../../../../electron/realserver/uptime-parse.ts';
import { findDisplayManager, parseListeners } from '../../../../electron/realserver/service-status.ts';
import { maskToPrefix, prefixToMask, inSubnet } from '../../../../electron/realserver/route-types.ts';

const fx = (name: string) => readFileSync(new URL(`../../../fixtures/realserver/${name}`, import.meta.url), 'utf8');

describe('linux routes (captured iproute2 6.1.0)', () => {
  it('parses the routes before the fix', () => {
    const r = parseLinuxRoutes(fx('ip-route-show.before-fix.iproute2-6.1.0.txt'));
    expect(r.map((x) => [x.dest, x.prefix, x.gateway, x.dev])).toEqual([
      ['default', 0, '10.99.0.1', 'v0'],
      ['10.99.0.0', 24, undefined, 'v0'],
    ]);
  });
  it('finds the subnet route and plans the seed fix in a safe order', () => {
    const res = checkRoutes({ os: 'linux', host: 'rs1', netIf: 'v0', directorIp: '10.99.0.1', routes: parseLinuxRoutes(fx('ip-route-show.before-fix.iproute2-6.1.0.txt')) });
    expect(res.ok).toBe(false);
    expect(res.problems).toEqual(['subnet route 10.99.0.0/24 on v0 lets replies bypass the director (NAT needs them to go through it)']);
    expect(res.steps.map((s) => s.argv.join(' '))).toEqual(['ip route replace 10.99.0.1/32 dev v0 scope link', 'ip route del 10.99.0.0/24 dev v0']);
  });
  it('is satisfied after the fix', () => {
    const res = checkRoutes({ os: 'linux', host: 'rs1', netIf: 'v0', directorIp: '10.99.0.1', routes: parseLinuxRoutes(fx('ip-route-show.after-fix.iproute2-6.1.0.txt')) });
    expect(res).toEqual({ ok: true, problems: [], steps: [] });
  });
  it('replaces a default route that bypasses the director', () => {
    const routes = parseLinuxRoutes('default via 10.99.0.254 dev eth0\n10.99.0.0/24 dev eth0 proto kernel scope link src 10.99.0.11\n');
    const res = checkRoutes({ os: 'linux', host: 'rs1', netIf: 'eth0', directorIp: '10.99.0.1', routes });
    expect(res.problems).toContain('no default route via the director 10.99.0.1 on eth0');
    expect(res.steps.map((s) => s.argv.join(' '))).toEqual([
      'ip route replace 10.99.0.1/32 dev eth0 scope link',
      'ip route replace default via 10.99.0.1 dev eth0',
      'ip route del 10.99.0.0/24 dev eth0',
    ]);
  });
  it('skips non-unicast routes and rejects lines it does not understand', () => {
    expect(parseLinuxRoutes('broadcast 10.0.0.255 dev eth0 scope link\nunreachable 10.9.0.0/16\n')).toEqual([]);
    expect(() => parseLinuxRoutes('default via 10.0.0.1 dev eth0\nbogus line here\n')).toThrow(/line 2/);
    expect(() => parseLinuxRoutes('default via 10.0.0.1 frobnicate\n')).toThrow(/unexpected "frobnicate"/);
  });
});

describe('hp-ux routes (HP-UX Reference routing(7) example)', () => {
  for (const f of ['netstat-rnv.hpux-11i.txt', 'netstat-rnv.hpux-11i.wrapped.txt']) {
    it(`parses ${f}`, () => {
      const r = parseHpuxRoutes(fx(f));
      const subnet = r.find((x) => x.dest === '15.13.136.0')!;
      expect(subnet).toMatchObject({ prefix: 21, gateway: '15.13.136.66', dev: 'lan0', flags: 'U' });
      expect(r.find((x) => x.dest === 'default')).toMatchObject({ prefix: 0, gateway: '15.13.136.11', flags: 'UG', dev: 'lan0' });
    });
  }
  it('plans the HP-UX route commands of the seed (route(1M) syntax)', () => {
    const res = checkRoutes({ os: 'hpux', host: 'hp1', netIf: 'lan0', directorIp: '15.13.136.11', routes: parseHpuxRoutes(fx('netstat-rnv.hpux-11i.txt')) });
    expect(res.ok).toBe(false);
    expect(res.steps.map((s) => s.argv.join(' '))).toEqual([
      '/usr/sbin/route add host 15.13.136.11 15.13.136.66 0',
      '/usr/sbin/route delete net 15.13.136.0 netmask 255.255.248.0 15.13.136.66',
    ]);
  });
  it('rejects garbage', () => {
    expect(() => parseHpuxRoutes('Routing tables\nnonsense\n')).toThrow(/line 2/);
    expect(() => parseHpuxRoutes('10.0.0.0/255.0.255.0 10.0.0.1 U 0 0 lan0 1500')).toThrow(/non-contiguous/);
  });
});

describe('uptime, processes, listeners', () => {
  it('reads load and users from procps and HP-UX uptime', () => {
    expect(parseUptime(fx('uptime.procps-debian12.txt'))).toEqual({ load: [0.41, 0.34, 0.25], users: 0 });
    expect(parseUptime(fx('uptime.hpux-10.20.txt'))).toEqual({ load: [0.1, 0.12, 0.09], users: 4 });
    expect(() => parseUptime('garbage')).toThrow(/no load average/);
  });
  it('finds the display manager', () => {
    expect(findDisplayManager('linux', 'init\nsshd\nxdm\n')).toBe('xdm');
    expect(findDisplayManager('linux', 'init\nsshd\n')).toBeUndefined();
    expect(findDisplayManager('hpux', fx('ps-e.hpux-11i.txt'))).toBe('dtlogin');
  });
  it('lists listening sockets (ss and HP-UX netstat -an)', () => {
    expect(parseListeners('linux', fx('ss-Hltun.iproute2-6.1.0.txt'))).toEqual([
      { protocol: 'udp', port: 177 },
      { protocol: 'tcp', port: 23 },
    ]);
    expect(parseListeners('hpux', fx('netstat-an.hpux-11i.txt'))).toEqual([
      { protocol: 'tcp', port: 23 },
      { protocol: 'tcp', port: 22 },
      { protocol: 'udp', port: 177 },
      { protocol: 'udp', port: 514 },
    ]);
    expect(() => parseListeners('linux', 'what is this')).toThrow(/line 1/);
  });
  it('converts masks', () => {
    expect(maskToPrefix('255.255.248.0')).toBe(21);
    expect(prefixToMask(21)).toBe('255.255.248.0');
    expect(prefixToMask(0)).toBe('0.0.0.0');
    expect(inSubnet('10.0.1.5', '10.0.0.0', 23)).toBe(true);
    expect(inSubnet('10.0.2.5', '10.0.0.0', 23)).toBe(false);
  });
});

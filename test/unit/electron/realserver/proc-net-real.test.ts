/**
 * routes4 and listening (realserver/proc-net.ts: /proc/net read by the shell) against the programs they stand in for,
 * on this kernel: in a fresh network namespace with known routes and sockets, `ip -4 route show` / `ss -H -l -t -u -n`
 * and the /proc/net dump under dash and busybox sh parse to the same routes and listeners. Needs root (unshare --net);
 * skipped otherwise. The pure cases (dispatch, errors) run everywhere.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLinuxRoutes } from '../../../../electron/realserver/linux-route-parse.ts';
import { parseListening, parseRoutes4, PROC_NET_FUNCTIONS } from '../../../../electron/realserver/proc-net.ts';
import type { Route } from '../../../../electron/realserver/route-types.ts';
import { parseListeners, type Listener } from '../../../../electron/realserver/service-status.ts';

const fx = (f: string) => readFileSync(new URL(`../../../fixtures/realserver/${f}`, import.meta.url), 'utf8');
const root = process.getuid?.() === 0 && process.platform === 'linux';
const canRun = root && spawnSync('sh', ['-c', 'command -v unshare && command -v ip && command -v ss && command -v busybox']).status === 0;
const shells = [['dash'], ['busybox', 'sh']];
// iproute2's ip by its path: busybox sh would run its own ip applet
const IP = root ? spawnSync('sh', ['-c', 'command -v ip']).stdout.toString().trim() : 'ip';

const norm = (rs: Route[]) => rs.map(({ line: _line, ...r }) => r).sort((a, b) => `${a.dest}/${a.prefix} ${a.gateway}`.localeCompare(`${b.dest}/${b.prefix} ${b.gateway}`));
const normL = (ls: Listener[]) => ls.map((l) => `${l.protocol}/${l.port}`).sort();
const split = (out: string, a: string, b: string) => {
  const [, x = '', y = ''] = out.split(new RegExp(`^@@(?:${a}|${b})\\n`, 'm'));
  return [x, y] as const;
};

// veth pairs (this kernel has no dummy driver): d0 up with its peer up, d1 up with its peer down (linkdown routes)
const ROUTES_SETUP = [
  'set -e',
  'IP link set lo up',
  'IP link add d0 type veth peer name p0; IP link set p0 up; IP addr add 10.5.0.11/24 dev d0; IP link set d0 up',
  'IP link add d1 type veth peer name p1; IP addr add 192.0.2.5/28 dev d1; IP link set d1 up',
  'IP route add default via 10.5.0.1',
  'IP route add 10.6.0.0/16 via 10.5.0.2 metric 5',
  'IP route add 10.6.0.0/16 via 10.5.0.9 metric 10',
  'IP route add 10.7.0.9 dev d0',
  'IP route add 10.7.0.10 via 10.5.0.3 dev d0 src 10.5.0.11',
  'IP route add blackhole 10.8.0.0/24',
  'IP route add unreachable 10.9.0.0/24',
  'IP route add prohibit 10.10.0.0/24',
  'IP route add throw 10.11.0.0/24',
  'IP route add 10.12.0.0/24 via 10.99.0.1 dev d0 onlink',
  'IP route add 10.13.0.0/24 dev d0 proto static scope link metric 100',
  'IP route add table 7 10.14.0.0/24 dev d0',
  'IP route add 10.30.0.0/16 dev d1',
  'set +e',
].join('\n').replaceAll('IP ', `${IP} `);

describe.skipIf(!canRun)('routes4 and listening, read by real shells, against ip and ss on this kernel', () => {
  for (const shell of shells) {
    it(`${shell.join(' ')}: /proc/net/route gives the routes ip -4 route show gives (gateways, metrics, onlink, linkdown, host routes; blackhole, unreachable, prohibit, throw and other tables left out)`, () => {
      const script = [PROC_NET_FUNCTIONS, ROUTES_SETUP, `echo @@ip; ${IP} -4 route show; echo @@proc; routes4`].join('\n');
      const out = execFileSync('unshare', ['--net', ...shell, '-c', script]).toString();
      const [ip, proc] = split(out, 'ip', 'proc');
      expect(proc).toMatch(/^== \/proc\/net\/route\nIface\t/);
      const want = norm(parseLinuxRoutes(ip));
      expect(want.length).toBe(10);
      expect(norm(parseRoutes4(proc))).toEqual(want);
      expect(norm(parseRoutes4(proc))).toContainEqual({ dest: 'default', prefix: 0, gateway: '10.5.0.1', dev: 'd0' });
    });
  }
  it('a multipath route: /proc/net/route shows its first next hop only (ip prints nexthop lines, which parseLinuxRoutes refuses)', () => {
    const script = [PROC_NET_FUNCTIONS, ROUTES_SETUP, `${IP} route add 10.15.0.0/24 nexthop via 10.5.0.4 nexthop via 10.5.0.5`, `echo @@ip; ${IP} -4 route show; echo @@proc; routes4`].join('\n');
    const out = execFileSync('unshare', ['--net', 'dash', '-c', script]).toString();
    const [ip, proc] = split(out, 'ip', 'proc');
    expect(ip).toMatch(/^\s+nexthop via 10\.5\.0\.5 dev d0/m);
    expect(() => parseLinuxRoutes(ip)).toThrow(/expected a destination/);
    expect(parseRoutes4(proc).filter((r) => r.dest === '10.15.0.0')).toEqual([expect.objectContaining({ prefix: 24, gateway: '10.5.0.4', dev: 'd0' })]);
  });
  for (const shell of shells) {
    it(`${shell.join(' ')}: /proc/net/{tcp,tcp6,udp,udp6} give the sockets ss -H -l -t -u -n lists (IPv4 and IPv6; established TCP and connected UDP left out)`, () => {
      // node opens: TCP listeners on 0.0.0.0:23 and [::]:2323, UDP on 0.0.0.0:177 and [::]:1777, one established TCP
      // connection (to its own 23) and one connected UDP socket; then the shell lists them both ways
      const server = [
        "const net = require('net'), dgram = require('dgram');",
        "const t4 = net.createServer((c) => c.on('error', () => {})).listen(23, '0.0.0.0', () => {",
        "  net.createServer().listen(2323, '::', () => {",
        "    const u4 = dgram.createSocket('udp4'); u4.bind(177, '0.0.0.0', () => {",
        "      const u6 = dgram.createSocket('udp6'); u6.bind(1777, '::', () => {",
        "        const c = net.connect(23, '127.0.0.1', () => { const cu = dgram.createSocket('udp4'); cu.connect(9, '127.0.0.1', () => console.log('ready')); });",
        '      }); }); }); });',
      ].join('\n');
      const script = [
        PROC_NET_FUNCTIONS,
        `${IP} link set lo up`,
        `"${process.execPath}" -e "$1" > ready.$$ & n=$!`,
        'i=0; while ! grep -q ready ready.$$ 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done; rm -f ready.$$',
        'echo @@ss; ss -H -l -t -u -n; echo @@proc; listening; kill $n',
      ].join('\n');
      const out = execFileSync('unshare', ['--net', ...shell, '-c', script, 'sh', server], { cwd: '/tmp' }).toString();
      const [ss, proc] = split(out, 'ss', 'proc');
      expect(proc).toMatch(/^== \/proc\/net\/tcp\n/);
      const want = normL(parseListeners('linux', ss));
      expect(want).toEqual(['tcp/23', 'tcp/2323', 'udp/177', 'udp/1777']);
      expect(normL(parseListening(proc))).toEqual(want);
    });
  }
});

describe('parseRoutes4 and parseListening (pure)', () => {
  it('output of ip and ss (a host without procfs) goes to their own parsers', () => {
    const ip = fx('ip-route-show.before-fix.iproute2-6.1.0.txt');
    expect(parseRoutes4(ip)).toEqual(parseLinuxRoutes(ip));
    const ss = fx('ss-Hltun.iproute2-6.1.0.txt');
    expect(parseListening(ss)).toEqual(parseListeners('linux', ss));
    expect(parseListening('')).toEqual([]);
  });
  it('a line that is not the kernel table, or a netmask with holes, is a PARSE_ERROR naming the line', () => {
    const head = '== /proc/net/route\nIface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n';
    expect(() => parseRoutes4(`${head}eth0\tnot-hex\n`)).toThrow(expect.objectContaining({ code: 'PARSE_ERROR', message: '/proc/net/route: line 3: unexpected "eth0\tnot-hex"' }));
    expect(() => parseRoutes4(`${head}eth0\t0000050A\t00000000\t0001\t0\t0\t0\t00FF00FF\t0\t0\t0\n`)).toThrow('/proc/net/route: line 3: netmask 255.0.255.0 is not contiguous');
    expect(() => parseListening('== /proc/net/tcp\n  sl  local_address rem_address   st\n   0: garbage\n')).toThrow(expect.objectContaining({ code: 'PARSE_ERROR', message: '/proc/net: line 3: unexpected "0: garbage"' }));
  });
});

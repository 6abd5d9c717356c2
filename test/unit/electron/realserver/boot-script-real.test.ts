/**
 * The boot scripts read by the programs that run them:
 *  - the Linux script run by dash and by busybox sh, with start / stop / status, in throwaway network namespaces, so the
 *    real `ip` changes real routes (asserted with `ip -n NS route`);
 *  - install → verify → the S99 link run as an rc runner would → uninstall, with the real install steps (the atomic
 *    write script, ln) in a private mount namespace whose /etc/init.d, /etc/rcN.d and /usr/local/sbin are empty tmpfs;
 *  - the systemd unit checked by `systemd-analyze verify`;
 *  - the HP-UX script run by dash against a stand-in for route(1M) / netstat -rnv that follows the documented behaviour
 *    (test/fixtures/realserver/SOURCES.md): a unit test of the script's logic, not a proof on HP-UX.
 * Needs root (namespaces, mounts); skipped otherwise.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hpuxBootScript, linuxBootScript, systemdUnit, type BootSpec } from '../../../../electron/realserver/boot-script.ts';
import { BOOT_PROBE_SCRIPT, bootProbeArgv, parseBootProbe } from '../../../../electron/realserver/boot-probe.ts';
import { planBoot } from '../../../../electron/realserver/boot-install.ts';
import { parseLinuxRoutes } from '../../../../electron/realserver/linux-route-parse.ts';
import { parseHpuxRoutes } from '../../../../electron/realserver/hpux-route-parse.ts';
import { checkRoutes } from '../../../../electron/realserver/route-check.ts';

const root = process.getuid?.() === 0 && process.platform === 'linux';
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const namespaces: string[] = [];
const holders: { pid: number; kill: () => void }[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'rs-boot-'));

afterAll(() => {
  for (const h of holders) h.kill();
  for (const ns of namespaces) spawnSync('ip', ['netns', 'del', ns]);
  rmSync(tmp, { recursive: true, force: true });
});

/** A namespace with eth0 (a veth whose peer is up too) at 10.99.0.11/24 and a default route via another gateway. */
function makeNs(tag: string): string {
  const ns = `rs-test-${process.pid}-${tag}`;
  namespaces.push(ns);
  const ip = (...a: string[]) => execFileSync('ip', ['-n', ns, ...a]);
  execFileSync('ip', ['netns', 'add', ns]);
  ip('link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'v1');
  ip('link', 'set', 'lo', 'up');
  ip('link', 'set', 'eth0', 'up');
  ip('link', 'set', 'v1', 'up');
  ip('addr', 'add', '10.99.0.11/24', 'dev', 'eth0');
  ip('route', 'add', 'default', 'via', '10.99.0.254', 'dev', 'eth0');
  ip('route', 'add', 'default', 'via', '10.99.0.253', 'dev', 'eth0', 'metric', '100');
  return ns;
}

const routesOf = (ns: string) => execFileSync('ip', ['-n', ns, '-4', 'route', 'show']).toString();
const SPEC: BootSpec = { os: 'linux', host: 'rs-test', netIf: 'eth0', gateway: '10.99.0.1', subnets: [{ dest: '10.99.0.0', prefix: 24, ownIp: '10.99.0.11' }] };

/** `ip` as busybox's applet, bound over iproute2's in a private mount namespace (realservers with only busybox). */
const BUSYBOX_IP = join(tmp, 'busybox-ip');
writeFileSync(BUSYBOX_IP, '#!/bin/sh\nexec busybox ip "$@"\n', { mode: 0o755 });
const withBusyboxIp = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" "$(command -v ip)" && exec "$@"', BUSYBOX_IP];

describe.skipIf(!root)('the Linux lvs-route script changes real routes', () => {
  const variants: [string, string[]][] = [
    ['dash', ['dash']],
    ['busybox sh', ['busybox', 'sh']],
    ['dash with busybox ip', [...withBusyboxIp, 'dash']],
  ];
  for (const [label, shell] of variants) {
    it(`${label}: status 3, start fixes, start again changes nothing, status 0, stop undoes, stop again changes nothing`, () => {
      const ns = makeNs(label.replace(/\W+/g, ''));
      const file = join(tmp, `lvs-route.${label.replace(/\W+/g, '')}`);
      writeFileSync(file, linuxBootScript(SPEC));
      const run = (verb: string) => spawnSync('ip', ['netns', 'exec', ns, ...shell, file, verb], { encoding: 'utf8' });
      if (label.includes('busybox ip')) {
        const v = spawnSync('ip', ['netns', 'exec', ns, ...shell, '-c', 'PATH=/sbin:/usr/sbin:/bin:/usr/bin; ip -V 2>&1'], { encoding: 'utf8' });
        expect(v.stdout).toMatch(/^BusyBox v1/);
      }

      const before = routesOf(ns);
      const s0 = run('status');
      expect(s0.status).toBe(3);
      expect(s0.stdout).toContain('subnet route 10.99.0.0/24 is on eth0');

      const r1 = run('start');
      expect(r1.stderr).toBe('');
      expect(r1.status).toBe(0);
      const fixed = routesOf(ns);
      expect(fixed.trim().split('\n').map((l) => l.trim())).toEqual(['default via 10.99.0.1 dev eth0', '10.99.0.1 dev eth0 scope link']);
      // the console's own check, on the real routes
      expect(checkRoutes({ os: 'linux', host: 'rs-test', netIf: 'eth0', directorIp: '10.99.0.1', routes: parseLinuxRoutes(fixed) })).toMatchObject({ ok: true, steps: [] });

      expect(run('start').status).toBe(0);
      expect(routesOf(ns)).toBe(fixed);
      expect(run('status').status).toBe(0);

      const r2 = run('stop');
      expect(r2.status).toBe(0);
      const undone = routesOf(ns);
      expect(undone.trim().split('\n').map((l) => l.trim())).toEqual(['default via 10.99.0.1 dev eth0', '10.99.0.0/24 dev eth0 proto kernel scope link src 10.99.0.11']);
      expect(before).toContain('10.99.0.0/24 dev eth0 proto kernel scope link src 10.99.0.11');
      expect(run('stop').status).toBe(0);
      expect(routesOf(ns)).toBe(undone);
      expect(run('status').status).toBe(3);
      expect(run('bogus').status).toBe(2);
    });
  }

  it('start exits 1 and says which command failed when the interface does not exist', () => {
    const ns = makeNs('fail');
    const file = join(tmp, 'lvs-route.fail');
    writeFileSync(file, linuxBootScript({ ...SPEC, netIf: 'eth9' }));
    const r = spawnSync('ip', ['netns', 'exec', ns, 'dash', file, 'start'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('lvs-route: failed: ip route replace 10.99.0.1/32 dev eth9 scope link');
  });
});

/** A process holding a network namespace and a private mount namespace with the given tmpfs mounts. */
function holder(ns: string, tmpfs: string[]): Promise<number> {
  const script = `${tmpfs.map((d) => `mount -t tmpfs lvs-test ${d} || exit 1;`).join(' ')} echo ready; exec sleep 600`;
  const p = spawn('ip', ['netns', 'exec', ns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  holders.push({ pid: p.pid!, kill: () => p.kill('SIGKILL') });
  return new Promise((resolve, reject) => {
    // ip netns exec, unshare (no --fork) and sh all exec: the pid stays the same, and holds both namespaces once it
    // has said "ready"
    p.stdout.once('data', () => resolve(p.pid!));
    p.once('exit', (c) => reject(new Error(`namespace holder exited ${c}`)));
  });
}

/** Runs argv inside the holder's mount + network namespaces (what an SSH exec on that realserver would do). */
function inNs(pid: number, argv: string[], stdin?: string) {
  return spawnSync('nsenter', ['-t', String(pid), '-m', '-n', '--', ...argv], { encoding: 'utf8', ...(stdin !== undefined ? { input: stdin } : {}) });
}

describe.skipIf(!root || !has('unshare') || !has('nsenter') || !has('nsenter'))('install → verify → boot → uninstall, with the real steps', () => {
  it('a Debian-style SysV realserver: installs, verifies current, the rc3.d link fixes the routes, uninstall leaves nothing', async () => {
    const ns = makeNs('inst');
    const dirs = ['/etc/init.d', '/etc/rc2.d', '/etc/rc3.d', '/etc/rc4.d', '/etc/rc5.d', '/usr/local/sbin'];
    const pid = await holder(ns, dirs);
    const target = { host: 'rs-test', os: 'linux' as const, netIf: 'eth0', gateway: '10.99.0.1' };
    const probe = () => {
      const r = inNs(pid, bootProbeArgv('eth0'));
      expect(r.status).toBe(0);
      return parseBootProbe('rs-test', r.stdout);
    };
    // This machine does not boot with systemd (checked: no /run/systemd/system), so the layout is /etc/init.d + rcN.d.
    const first = planBoot(target, probe(), '20261125T000000Z');
    expect(first.layout.kind).toBe('sysv-etc');
    expect(first.spec.subnets).toEqual(SPEC.subnets);
    expect(first.verify.installed).toBe(false);
    for (const step of first.install) {
      const r = inNs(pid, step.argv, step.stdin);
      expect(r.status, `${step.argv.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const second = planBoot(target, probe(), '20261125T000001Z');
    expect(second.verify).toMatchObject({ installed: true, current: true, problems: [] });
    expect(second.install).toEqual([]);

    // boot: what an rc runner does for run level 3
    const rc = inNs(pid, ['sh', '-c', 'for s in /etc/rc3.d/S*; do "$s" start || exit 1; done']);
    expect(rc.status, rc.stderr).toBe(0);
    expect(checkRoutes({ os: 'linux', host: 'rs-test', netIf: 'eth0', directorIp: '10.99.0.1', routes: parseLinuxRoutes(routesOf(ns)) }).ok).toBe(true);

    // a hand edit is seen, and install puts it right (with a backup of the edited file)
    expect(inNs(pid, ['sh', '-c', 'echo "# edited" >> /etc/init.d/lvs-route']).status).toBe(0);
    const edited = planBoot(target, probe(), '20261125T000002Z');
    expect(edited.verify.problems).toEqual(['/etc/init.d/lvs-route differs from what the console would write now (edited by hand, or the profile changed)']);
    for (const step of edited.install) expect(inNs(pid, step.argv, step.stdin).status).toBe(0);
    expect(inNs(pid, ['ls', '/etc/init.d']).stdout.split('\n').filter(Boolean)).toEqual(['lvs-route', 'lvs-route.bak.20261125T000002Z']);
    expect(planBoot(target, probe(), 'x').verify.current).toBe(true);

    const third = planBoot(target, probe(), 'x');
    for (const step of third.uninstall) expect(inNs(pid, step.argv).status).toBe(0);
    const gone = probe();
    expect(Object.keys(gone.files)).toEqual([]);
    expect(Object.keys(gone.links)).toEqual([]);
    expect(planBoot(target, gone, 'x').uninstall).toEqual([]);
  });

  it('the lean probe (one ls, no sed or wc) prints what the probe before it printed, under dash and busybox sh; so does the doctor\'s way of running it', async () => {
    const ns = makeNs('diff');
    const dirs = ['/etc/init.d', '/etc/rc2.d', '/etc/rc3.d', '/etc/rc4.d', '/etc/rc5.d', '/usr/local/sbin'];
    const pid = await holder(ns, dirs);
    const before = readFileSync(new URL('../../../fixtures/realserver/boot-probe-ef731bd.sh', import.meta.url), 'utf8');
    const target = { host: 'rs-test', os: 'linux' as const, netIf: 'eth0', gateway: '10.99.0.1' };
    const run = (argv: string[]) => {
      const r = inNs(pid, argv);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    const same = (what: string) => {
      for (const sh of [['dash'], ['busybox', 'sh']]) {
        const old = run([...sh, '-c', before, 'p', 'eth0']);
        expect(run([...sh, '-c', BOOT_PROBE_SCRIPT, 'p', 'eth0']), `${sh.join(' ')}, ${what}`).toBe(old);
        // as the doctor's collector runs it: in a subshell, told the OS
        expect(run([...sh, '-c', 'boot=$1; ( set -- eth0 Linux; eval "$boot" )', 'c', BOOT_PROBE_SCRIPT]), `${sh.join(' ')} (collector), ${what}`).toBe(old);
      }
      return parseBootProbe('rs-test', run(bootProbeArgv('eth0')));
    };
    expect(Object.keys(same('nothing installed').files)).toEqual([]);
    for (const step of planBoot(target, same('nothing installed'), 's').install) expect(inNs(pid, step.argv, step.stdin).status).toBe(0);
    const installed = same('installed: a file and four links');
    expect(Object.keys(installed.links)).toHaveLength(4);
    // a link with an absolute target (as HP-UX's rc links are): its ls line also ends with the file's path
    expect(inNs(pid, ['ln', '-s', '/etc/init.d/lvs-route', '/etc/rc2.d/K01lvs-route']).status).toBe(0);
    const absolute = same('a link whose target is absolute');
    expect(absolute.links['/etc/rc2.d/K01lvs-route']).toBe('/etc/init.d/lvs-route');
    expect(absolute.files['/etc/init.d/lvs-route']).toEqual(installed.files['/etc/init.d/lvs-route']);
    // a second file: no final newline, a backslash, tabs, a line like a marker; then an empty one
    const text = 'a\n\n| not a marker\nendfile /x\n  indented \\ tab\there';
    expect(inNs(pid, ['sh', '-c', 'printf "%s" "$1" > /usr/local/sbin/lvs-route; chmod 750 /usr/local/sbin/lvs-route', 'w', text]).status).toBe(0);
    expect(same('a file without its final newline').files['/usr/local/sbin/lvs-route']).toEqual({ mode: '750', size: Buffer.byteLength(text), content: `${text}\n` });
    expect(inNs(pid, ['sh', '-c', ': > /usr/local/sbin/lvs-route']).status).toBe(0);
    expect(same('an empty file').files['/usr/local/sbin/lvs-route']).toMatchObject({ size: 0, content: '' });
  });
});

describe.skipIf(!has('systemd-analyze'))('the systemd unit, read by systemd-analyze verify', () => {
  it('has no complaint; a broken unit does (so the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-unit-'));
    try {
      const good = join(dir, 'lvs-route.service');
      writeFileSync(good, systemdUnit(SPEC));
      const r = spawnSync('systemd-analyze', ['verify', '--man=no', good], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const bad = join(dir, 'lvs-route-bad.service');
      writeFileSync(bad, systemdUnit(SPEC).replace('Type=oneshot', 'Type=oneshots').replace('ExecStart=/bin/sh', 'ExecStart=/nonexistent/sh'));
      const b = spawnSync('systemd-analyze', ['verify', '--man=no', bad], { encoding: 'utf8' });
      expect(b.stderr).toMatch(/Failed to parse service type/);
      expect(b.stderr).toMatch(/\/nonexistent\/sh/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Stand-ins for HP-UX route(1M) and netstat -rnv, following the documented behaviour: netstat prints the routing(7)
 * layout from a state file; route add/delete edit it ("If the route already exists, a message is printed and nothing
 * changes"). Installed over /usr/sbin (HP-UX's route path; the script's PATH starts there) in a private mount namespace.
 */
const ROUTE_STUB = `#!/bin/sh
st=/run/lvs-test-routes; log=/run/lvs-test-route.log
echo "$*" >> $log
case "$1 $2" in
  "add host") line="$3/255.255.255.255 $4 UH 0 lan0 4136" ;;
  "add default") line="default/0.0.0.0 $3 UG 0 lan0 1500" ;;
  "add net") line="$3/$5 $6 U 2 lan0 1500" ;;
  "delete host") key="$3/255.255.255.255" ;;
  "delete default") key="default/0.0.0.0 $3" ;;
  "delete net") key="$3/$5" ;;
  *) echo "route: bad arguments" >&2; exit 1 ;;
esac
if [ -n "$line" ]; then
  if grep -q "^\${line%% *} " $st; then echo "add: route exists"; exit 0; fi
  echo "$line" >> $st
else
  grep -q "^$key " $st || { echo "delete: not in table" >&2; exit 1; }
  grep -v "^$key " $st > $st.new; mv $st.new $st
fi
`;
const NETSTAT_STUB = `#!/bin/sh
[ "$1" = -rnv ] || exit 1
echo "Routing tables"
echo "Dest/Netmask                    Gateway            Flags Refs Interface  Pmtu"
cat /run/lvs-test-routes
`;

describe.skipIf(!root || !has('unshare') || !has('nsenter') || !has('nsenter'))('the HP-UX lvs-route script (dash, documented route(1M) behaviour)', () => {
  it('start deletes the other default, adds the director, removes the subnet; our HP-UX parser then finds nothing to fix; stop undoes', async () => {
    const ns = makeNs('hpux');
    const pid = await holder(ns, ['/usr/sbin', '/run']);
    const doc = readFileSync(new URL('../../../fixtures/realserver/netstat-rnv.hpux-11i.txt', import.meta.url), 'utf8');
    // the documented table's routes, one space between columns (the stand-in matches "DEST GATEWAY ")
    const state = doc.split('\n').filter((l) => /^\S+\/\S+\s/.test(l)).map((l) => l.split(/\s+/).join(' ')).join('\n') + '\n';
    const sh = (cmd: string, ...args: string[]) => inNs(pid, ['sh', '-c', cmd, 'sh', ...args]);
    expect(sh('printf "%s" "$1" > /usr/sbin/route; printf "%s" "$2" > /usr/sbin/netstat; printf "%s" "$3" > /run/lvs-test-routes; chmod 755 /usr/sbin/route /usr/sbin/netstat', ROUTE_STUB, NETSTAT_STUB, state).status).toBe(0);
    const spec: BootSpec = { os: 'hpux', host: 'hp1', netIf: 'lan0', gateway: '15.13.136.1', subnets: [{ dest: '15.13.136.0', prefix: 21, ownIp: '15.13.136.66' }] };
    expect(sh('printf "%s" "$1" > /run/lvs-route', hpuxBootScript(spec)).status).toBe(0);
    const run = (verb: string, env = '') => sh(`${env} dash /run/lvs-route ${verb}`);

    expect(run('start_msg').stdout).toBe('Fixing the LVS-NAT routes on lan0 (default via 15.13.136.1, no subnet route)\n');
    expect(run('status').status).toBe(3);
    const r = run('start');
    expect(r.status, r.stderr).toBe(0);
    expect(sh('cat /run/lvs-test-route.log').stdout.trim().split('\n')).toEqual([
      'add host 15.13.136.1 15.13.136.66 0',
      'delete default 15.13.136.11',
      'add default 15.13.136.1 1',
      'delete net 15.13.136.0 netmask 255.255.248.0 15.13.136.66',
    ]);
    const after = parseHpuxRoutes(sh('/usr/sbin/netstat -rnv').stdout);
    expect(checkRoutes({ os: 'hpux', host: 'hp1', netIf: 'lan0', directorIp: '15.13.136.1', routes: after })).toMatchObject({ ok: true, steps: [] });
    expect(run('start').status).toBe(0);
    expect(sh('wc -l < /run/lvs-test-route.log').stdout.trim()).toBe('4'); // guarded: nothing ran again
    expect(run('status').status).toBe(0);
    expect(run('stop').status).toBe(0);
    expect(sh('tail -n 2 /run/lvs-test-route.log').stdout.trim().split('\n')).toEqual(['add net 15.13.136.0 netmask 255.255.248.0 15.13.136.66 0', 'delete host 15.13.136.1 15.13.136.66']);
    expect(run('start', 'LVS_ROUTE=0').status).toBe(2);
    expect(run('frobnicate').status).toBe(1);
  });
});

/**
 * The lab itself, proven on its real parts (test/lab/README.md): keepalived in both director VMs, VRRP between them on
 * the lab bridge (a hand-written minimal config, not the product's), the realservers' service faults, their SysV boot
 * (`lab.sh reboot rsN` runs an rc script placed in the realserver's own /etc and restores the boot routes), the cable
 * pull, and the three profiles lab:up writes. Figures (VRRP failover, reboot times) are printed, never asserted.
 * Skips (saying why) without root/Linux; CI is root and runs it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSchema } from '../../shared/model/cluster.ts';
import { labCmd, labExec, labRelease, labSh, labUnavailable, labUp, OUT, realservers, restoreBootState, routesOf, telnetGreeting, type Lab } from './support/remote-lab.ts';
import { until } from './support/until.ts';

const skip = labUnavailable();
if (skip) console.warn(`[lab] lab infrastructure tests skipped: ${skip}`);

let lab: Lab;
let director2WasRunning = false;
const log: string[] = [];
const note = (s: string) => {
  log.push(s);
  console.log(`[lab-infra] ${s}`);
};

/** `lab.sh VERB…` that must succeed; returns its stderr (lab.sh logs there). */
function labOk(...args: string[]): string {
  const r = labCmd(...args);
  expect(r.code, `lab.sh ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stderr;
}

/** What listens on PROTO PORT in host NAME (ss, no header). */
const listeners = (name: string, proto: 'tcp' | 'udp', port: number) => labSh(name, `ss -H -ln${proto[0]} 'sport = :${port}'`).trim();

const VMS = ['director', 'director2'] as const;
/** A VRRP test address: not the VIP, the gateway or any lab host (free for every LVSLAB_REALSERVERS). */
const TEST_ADDR = '10.77.0.42';
const TEST_VRID = 77;

/** A minimal hand-written VRRP instance (VRRPv3, 0.5 s adverts) holding TEST_ADDR: director prefers to be master. */
function vrrpConf(vm: (typeof VMS)[number]): string {
  return [
    `global_defs {\n  router_id lvslab_${vm}\n  vrrp_version 3\n}`,
    `vrrp_instance LABTEST {\n  state ${vm === 'director' ? 'MASTER' : 'BACKUP'}\n  interface eth0\n  virtual_router_id ${TEST_VRID}\n  priority ${vm === 'director' ? 150 : 100}\n  advert_int 0.5\n  virtual_ipaddress {\n    ${TEST_ADDR}/24 dev eth0 label eth0:77\n  }\n}`,
    '',
  ].join('\n');
}

/** True when VM holds TEST_ADDR on eth0 (asked over the lab's ssh). */
function holds(vm: string): boolean {
  const r = labExec(vm, `ip -o -4 addr show dev eth0 | grep -c ' ${TEST_ADDR}/'`);
  return r.code === 0 && r.stdout.trim() !== '0';
}

describe.skipIf(!!skip)(`the lab's own parts${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  beforeAll(() => {
    lab = labUp();
    restoreBootState(lab);
    director2WasRunning = /^director2 +up /m.test(labCmd('status').stdout);
    const t0 = Date.now();
    note(`director2 ${director2WasRunning ? 'already running' : `started: ${labOk('start', 'director2').trim().split('\n').pop()}`} (${Date.now() - t0} ms)`);
  }, 20 * 60_000);

  afterAll(() => {
    if (!lab) return;
    for (const vm of VMS) labExec(vm, '/etc/init.d/keepalived stop >/dev/null 2>&1; rm -f /etc/keepalived/keepalived.conf /tmp/ka-*.conf; test -e /usr/sbin/.keepalived.hidden && mv /usr/sbin/.keepalived.hidden /usr/sbin/keepalived; true');
    if (labExec('director', 'true').code !== 0) labCmd('start', 'director');
    if (!director2WasRunning) labCmd('kill', 'director2');
    restoreBootState(lab); // also plugs every cable back in
    writeFileSync(join(OUT, 'lab-infra.log'), `${log.join('\n')}\n`);
    labRelease();
  }, 10 * 60_000);

  it('lab:up writes three valid profiles: the script cluster, the same on keepalived, and the director pair', () => {
    const read = (f: string) => clusterSchema.parse(JSON.parse(readFileSync(f, 'utf8')));
    const script = read(lab.profileFile);
    const ka = read(lab.profileKeepalivedFile);
    const ha = read(lab.profileHaFile);
    expect(script.runtime).toBe('script');
    expect(script.pair).toBeUndefined();
    expect(ka.runtime).toBe('keepalived');
    expect(ka.pair).toBeUndefined();
    expect({ ...ka, id: script.id, name: script.name, runtime: script.runtime }).toEqual(script);
    expect(ha.runtime).toBe('keepalived');
    expect(ha.pair?.director.host).toBe('10.77.0.2');
    expect(ha.pair?.director.auth).toEqual(script.director.auth);
    expect(ha.pair?.gateway).toBe('10.77.0.254');
    expect(ha.vip).toBe(script.vip);
    expect(ha.knownHosts?.some((l) => l.startsWith('10.77.0.2 ssh-ed25519 '))).toBe(true);
    expect(new Set([script.id, ka.id, ha.id]).size).toBe(3);
  });

  it('both directors: own host name, address and host key; keepalived 2.2.7 installed, not enabled, and its config test works', () => {
    for (const vm of VMS) {
      // the ssh itself checked the VM's host key against .lab/known_hosts (StrictHostKeyChecking=yes)
      expect(labSh(vm, 'hostname').trim()).toBe(vm);
      expect(labSh(vm, 'ip -o -4 addr show dev eth0')).toContain(` ${vm === 'director' ? '10.77.0.1' : '10.77.0.2'}/24 `);
      expect(labSh(vm, 'keepalived --version 2>&1 | head -n 1')).toMatch(/^Keepalived v2\.2\.7 /);
      expect(labSh(vm, 'ls /etc/rc.d/rc3.d/')).not.toMatch(/keepalived/);
      expect(labExec(vm, '/etc/init.d/keepalived status').code).toBe(3);
      writeFileSync(join(OUT, `ka-${vm}.conf`), vrrpConf(vm));
      labSh(vm, `cat > /tmp/ka-good.conf <<'EOF'\n${vrrpConf(vm)}EOF`);
      const good = labExec(vm, 'keepalived -t -f /tmp/ka-good.conf');
      expect(good.code, good.stderr).toBe(0);
      labSh(vm, `cat > /tmp/ka-bad.conf <<'EOF'\nvrrp_instance BAD {\n  interface eth0\n  virtual_router_id 300\n  priority 100\n}\nEOF`);
      const bad = labExec(vm, 'keepalived -t -f /tmp/ka-bad.conf');
      note(`${vm}: keepalived -t on a bad config: exit ${bad.code}: ${bad.stderr.trim().split('\n').slice(0, 2).join(' | ')}`);
      expect(bad.code).not.toBe(0);
    }
  }, 120_000);

  it('lab.sh keepalived VM hide makes keepalived missing on that VM; restore puts it back', () => {
    labOk('keepalived', 'director2', 'hide');
    expect(labExec('director2', 'command -v keepalived').code).not.toBe(0);
    expect(labExec('director2', '/etc/init.d/keepalived start').code).toBe(5);
    expect(labExec('director', 'command -v keepalived').code).toBe(0);
    labOk('keepalived', 'director2', 'restore');
    expect(labSh('director2', 'command -v keepalived').trim()).toBe('/usr/sbin/keepalived');
  }, 60_000);

  it('VRRP works on the lab bridge: a minimal config on both moves an address to director2 when director is hard-killed', async () => {
    for (const vm of VMS) {
      // sync: the kill below is a power cut, and what the guest has not written back yet is lost (as on real hardware)
      labSh(vm, `mkdir -p /etc/keepalived && cat > /etc/keepalived/keepalived.conf <<'EOF'\n${vrrpConf(vm)}EOF\nsync`);
      const started = labExec(vm, '/etc/init.d/keepalived start');
      expect(started.code, `${vm}: ${started.stdout}${started.stderr}`).toBe(0);
      expect(labExec(vm, '/etc/init.d/keepalived status').code).toBe(0);
    }
    // The adverts cross the bridge: director is master, director2 hears it and stays backup (not both holding it).
    const settled = await until(20_000, 250, () => holds('director') && !holds('director2'));
    expect(settled, `director holds ${TEST_ADDR}, director2 does not (d1 ${holds('director')}, d2 ${holds('director2')})`).toBeTruthy();
    expect(labSh('desktop', `ping -c 1 -W 2 ${TEST_ADDR} >/dev/null && ip neigh show ${TEST_ADDR}`)).toContain('52:54:00:77:00:01');
    const t0 = Date.now();
    labOk('kill', 'director');
    const moved = await until(30_000, 100, () => holds('director2'));
    const ms = Date.now() - t0;
    note(`VRRP (v3, advert 0.5 s): director killed -> ${TEST_ADDR} on director2 after ${ms} ms (includes one ssh poll)`);
    expect(moved, `${TEST_ADDR} moved to director2`).toBeTruthy();
    // The desktop reaches the address at director2's MAC (gratuitous ARP over the bridge).
    const neigh = await until(10_000, 250, () => labExec('desktop', `ping -c 1 -W 1 ${TEST_ADDR} >/dev/null && ip neigh show ${TEST_ADDR}`).stdout.includes('52:54:00:77:00:02'));
    expect(neigh, `the desktop reaches ${TEST_ADDR} at director2's MAC`).toBeTruthy();
    const t1 = Date.now();
    labOk('start', 'director');
    note(`lab.sh start director (its own disk, after the hard kill) until ssh: ${Date.now() - t1} ms`);
    // keepalived is not enabled at boot: the config stayed on the disk, the daemon did not start, director2 keeps it.
    expect(labSh('director', 'cat /etc/keepalived/keepalived.conf')).toContain(`virtual_router_id ${TEST_VRID}`);
    expect(labExec('director', '/etc/init.d/keepalived status').code).toBe(3);
    expect(holds('director2')).toBe(true);
    for (const vm of VMS) labSh(vm, '/etc/init.d/keepalived stop; rm -f /etc/keepalived/keepalived.conf');
    expect(holds('director2')).toBe(false);
  }, 10 * 60_000);

  it('keepalived drives the kernel IPVS table in the VM (loads ip_vs itself); a telnet stopped with lab.sh service drops out', async () => {
    const vm = 'director2';
    const loaded = labSh(vm, "grep -c '^ip_vs ' /proc/modules || true").trim();
    note(`${vm}: ip_vs loaded before keepalived: ${loaded === '0' ? 'no' : 'yes'}`);
    const conf = [
      'global_defs {\n  router_id lvslab_ipvs\n}',
      'virtual_server 10.77.0.43 23 {\n  delay_loop 1\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP',
      ...['10.77.0.11', '10.77.0.12'].map((ip) => `  real_server ${ip} 23 {\n    weight 1\n    TCP_CHECK {\n      connect_timeout 1\n      retry 1\n      delay_before_retry 1\n    }\n  }`),
      '}',
      '',
    ].join('\n');
    labSh(vm, `mkdir -p /etc/keepalived && cat > /etc/keepalived/keepalived.conf <<'EOF'\n${conf}EOF`);
    expect(labExec(vm, '/etc/init.d/keepalived configtest').code).toBe(0);
    expect(labExec(vm, '/etc/init.d/keepalived start').code).toBe(0);
    try {
      const save = () => labSh(vm, 'ipvsadm -S -n');
      const both = await until(20_000, 500, () => /-r 10\.77\.0\.11:23 -m/.test(save()) && /-r 10\.77\.0\.12:23 -m/.test(save()));
      expect(both, `keepalived put both realservers in the table:\n${save()}`).toBeTruthy();
      expect(save()).toContain('-A -t 10.77.0.43:23 -s rr');
      labOk('service', 'rs2', 'telnet', 'stop');
      const t0 = Date.now();
      const out = await until(20_000, 250, () => !save().includes('10.77.0.12:23'));
      note(`keepalived (delay_loop 1, connect_timeout 1, retry 1) dropped rs2 after its telnet stopped: ${Date.now() - t0} ms`);
      expect(out, `rs2 out of the table:\n${save()}`).toBeTruthy();
      expect(save()).toContain('10.77.0.11:23');
      labOk('service', 'rs2', 'telnet', 'start');
      expect(await until(20_000, 250, () => save().includes('10.77.0.12:23')), 'rs2 back').toBeTruthy();
    } finally {
      labOk('service', 'rs2', 'telnet', 'start');
      labExec(vm, '/etc/init.d/keepalived stop; rm -f /etc/keepalived/keepalived.conf');
    }
    expect(labExec(vm, '/etc/init.d/keepalived status').code).toBe(3);
    expect(labSh(vm, 'ipvsadm -S -n').trim()).toBe('');
  }, 120_000);

  it('lab.sh service RS sshd|telnet|xdm stop|start really stops and starts the daemon', () => {
    const rs = 'rs2';
    for (const [svc, proto, port] of [['xdm', 'udp', 177], ['telnet', 'tcp', 23], ['sshd', 'tcp', 22]] as const) {
      expect(listeners(rs, proto, port), `${rs} ${svc} listening before`).not.toBe('');
      labOk('service', rs, svc, 'stop');
      expect(listeners(rs, proto, port), `${rs} ${svc} stopped`).toBe('');
      expect(labExec(rs, `/etc/init.d/lab-${svc}`, 'status').code).toBe(3);
      // the other realservers are untouched
      expect(listeners('rs1', proto, port)).not.toBe('');
      labOk('service', rs, svc, 'start');
      expect(listeners(rs, proto, port), `${rs} ${svc} started again`).not.toBe('');
    }
    // the daemon really answers again: telnet's banner from the client
    const greeting = telnetGreeting('10.77.0.12');
    expect(greeting.banner, greeting.output).toBe('rs2');
  }, 120_000);

  it('lab.sh reboot RS kills its processes, restores the boot routes and runs the rc scripts in its own /etc', () => {
    const rs = realservers(lab)[2]!;
    const boot = routesOf(rs.name);
    expect(boot).toBe([`default via 10.77.0.1 dev eth0`, `10.77.0.0/24 dev eth0 proto kernel scope link src ${rs.ip}`].sort().join('\n'));
    // PID 1 of the realserver is the lab's holder, not systemd; it boots SysV-style (runlevel 3, Debian's /etc layout).
    expect(labSh(rs.name, 'cat /proc/1/comm').trim()).toMatch(/^lvslab-holder/);
    expect(labExec(rs.name, 'test -d /run/systemd/system').code).not.toBe(0);
    labSh(rs.name, 'rm -f /etc/rc3.d/S99labtest-rc /etc/init.d/labtest-rc /run/labtest-rc.out'); // an earlier failed run's
    expect(labSh(rs.name, 'ls /etc/rc3.d').split('\n').filter(Boolean)).toEqual(['S10lab-network', 'S20lab-sshd', 'S30lab-telnet', 'S40lab-xdm']);
    // A hand-written boot script in the realserver's /etc (not the product's): it records what it saw when it ran.
    const script = [
      '#!/bin/sh',
      '# lab-infra test: proves /etc/rc3.d/S* run at the realserver\'s boot, after its network',
      'case "$1" in',
      '  start) { echo "started $(hostname) $(cat /proc/sys/kernel/random/uuid)"; ip -4 route show; } > /run/labtest-rc.out ;;',
      '  stop) rm -f /run/labtest-rc.out ;;',
      'esac',
      '',
    ].join('\n');
    labSh(rs.name, `cat > /etc/init.d/labtest-rc <<'EOF'\n${script}EOF\nchmod 755 /etc/init.d/labtest-rc && ln -sf ../init.d/labtest-rc /etc/rc3.d/S99labtest-rc`);
    // the realserver's /etc is its own: this machine's /etc never sees it
    expect(existsSync('/etc/init.d/labtest-rc')).toBe(false);
    expect(existsSync('/etc/rc3.d/S99labtest-rc')).toBe(false);
    // Break what a reboot must repair: the seed's route fix by hand, and a stray process.
    labSh(rs.name, 'ip route del 10.77.0.0/24 dev eth0 && ip route add 10.77.0.1 dev eth0 && ip route replace default via 10.77.0.1 dev eth0');
    labSh(rs.name, 'setsid -f sleep 100000 </dev/null >/dev/null 2>&1');
    expect(labSh(rs.name, 'pgrep -x sleep').trim()).not.toBe('');
    expect(routesOf(rs.name)).not.toBe(boot);
    expect(labExec(rs.name, 'test -e /run/labtest-rc.out').code).not.toBe(0);

    const t0 = Date.now();
    const out = labOk('reboot', rs.name);
    note(`lab.sh reboot ${rs.name}: ${Date.now() - t0} ms: ${out.trim().split('\n').pop()}`);
    const ran = labSh(rs.name, 'cat /run/labtest-rc.out');
    note(`${rs.name}'s S99labtest-rc saw at boot:\n${ran.trim()}`);
    expect(ran).toMatch(new RegExp(`^started ${rs.name} `));
    expect(ran).toContain(`default via 10.77.0.1 dev eth0`); // it ran after S10lab-network
    expect(routesOf(rs.name)).toBe(boot);
    expect(labExec(rs.name, 'pgrep -x sleep').code).not.toBe(0);
    for (const [proto, port] of [['tcp', 22], ['tcp', 23], ['udp', 177]] as const) expect(listeners(rs.name, proto, port)).not.toBe('');
    // the script stays installed (the realserver's disk), and a second boot runs it again (a new boot, a new uuid)
    const again = labOk('reboot', rs.name);
    expect(again).toContain('rebooted');
    const ran2 = labSh(rs.name, 'cat /run/labtest-rc.out');
    expect(ran2.split('\n')[0]).toMatch(new RegExp(`^started ${rs.name} `));
    expect(ran2.split('\n')[0]).not.toBe(ran.split('\n')[0]);
    labSh(rs.name, 'rm -f /etc/rc3.d/S99labtest-rc /etc/init.d/labtest-rc /run/labtest-rc.out');
  }, 180_000);

  it('lab.sh link RS down pulls its cable (unreachable, no carrier); up plugs it back', async () => {
    const rs = realservers(lab)[0]!;
    const reach = () => labExec('desktop', `ping -c 1 -W 1 ${rs.ip}`).code === 0;
    expect(await until(10_000, 250, reach), `${rs.name} reachable before (its routes: ${routesOf(rs.name)})`).toBe(true);
    labOk('link', rs.name, 'down');
    expect(reach()).toBe(false);
    expect(labExec('desktop', `timeout 3 bash -c 'exec 3<>/dev/tcp/${rs.ip}/22'`).code).not.toBe(0);
    expect(labSh(rs.name, 'ip -o link show eth0')).toContain('NO-CARRIER');
    // a cable pull keeps the realserver's own configuration (unlike `ip link set eth0 down` inside it)
    expect(labSh(rs.name, 'ip -o -4 addr show dev eth0')).toContain(`${rs.ip}/24`);
    const status = labCmd('status');
    expect(status.stdout).toMatch(new RegExp(`^${rs.name} .*CABLE PULLED`, 'm'));
    expect(status.code).toBe(1);
    labOk('link', rs.name, 'up');
    expect(await until(10_000, 250, reach), `${rs.name} reachable again`).toBe(true);
  }, 60_000);
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterSchema, type Cluster, type ClusterInput } from '../../../../shared/model/cluster.ts';
import { compileKeepalived, keepalivedTable, masterDownMs, PRIORITY } from '../../../../electron/keepalived/keepalived-conf.ts';
import { notifyScriptText } from '../../../../electron/keepalived/notify-script.ts';
import { profileResolver } from '../../../../electron/lvs/plan/desired-table.ts';
import { labCluster } from '../../../fixtures/lab-cluster.ts';

const pair = { director: { host: '10.77.0.2', user: 'root' }, gateway: '10.77.0.254' };
const withPair = (c: Cluster, extra: Partial<ClusterInput> = {}): Cluster => clusterSchema.parse({ ...c, runtime: 'keepalived', pair, ...extra });
const compile = (c: Cluster, director: 'primary' | 'secondary' = 'primary') => compileKeepalived({ cluster: c, resolve: profileResolver(c), director });
/** The block that starts with `head` (up to its matching closing brace at the same indentation). */
const block = (text: string, head: string): string => {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.trimStart().startsWith(head));
  if (i < 0) throw new Error(`no block ${head}`);
  const pad = lines[i]!.length - lines[i]!.trimStart().length;
  const j = lines.findIndex((l, k) => k > i && l === `${' '.repeat(pad)}}`);
  return lines.slice(i, j + 1).join('\n');
};

describe('keepalived.conf from the lab profile', () => {
  it('one director: a MASTER instance at 255 (the address owner: it takes the VIP at once) on its label, no sync daemon, VRRPv2 (1 s adverts)', () => {
    const { text } = compile(labCluster());
    expect(text).toContain('  router_id lvs-console-lab-primary\n');
    expect(text).not.toContain('vrrp_version');
    expect(text).not.toContain('lvs_sync_daemon');
    const vrrp = block(text, 'vrrp_instance VI_1');
    expect(vrrp).toContain('  state MASTER\n  interface eth0\n  virtual_router_id 51\n  priority 255\n  advert_int 1\n');
    expect(vrrp).not.toContain('nopreempt');
    expect(vrrp).toContain('  virtual_ipaddress {\n    10.77.0.100/24 dev eth0 label eth0:110\n  }');
    expect(vrrp).toContain('notify "/etc/keepalived/lvs-console-notify.sh"');
  });
  it('a pair: both BACKUP with nopreempt, 254 / 253, VRRPv3 at 0.5 s, VIP and floating gateway; no lvs_sync_daemon (lvs-pair runs both sync daemons)', () => {
    const c = withPair(labCluster());
    const p = compile(c, 'primary').text;
    const s = compile(c, 'secondary').text;
    for (const t of [p, s]) {
      expect(t).toContain('  vrrp_version 3\n');
      // keepalived would stop the master's sync daemon when it leaves MASTER, and its unsent connections with it
      expect(t).not.toContain('lvs_sync_daemon');
      expect(t).toContain('  state BACKUP\n');
      expect(t).toContain('  advert_int 0.5\n  nopreempt\n');
      expect(t).toContain('    10.77.0.100/24 dev eth0 label eth0:110\n    10.77.0.254/24 dev eth0\n');
    }
    expect(p).toContain('  priority 254\n');
    expect(s).toContain('  priority 253\n');
    expect(s).toContain('router_id lvs-console-lab-secondary');
    expect(p.replace(/primary/g, 'X').replace('priority 254', 'P')).toBe(s.replace(/secondary/g, 'X').replace('priority 253', 'P'));
    const whole = compile(withPair(labCluster(), { pair: { ...pair, advertMs: 2000, vrid: 7 } })).text;
    expect(whole).not.toContain('vrrp_version');
    expect(whole).toContain('  advert_int 2\n');
    expect(whole).toContain('  virtual_router_id 7\n');
  });
  it('failover timing: the master-down interval (RFC 5798 §6.1) at the default 500 ms adverts is 1.51 s for either director, under the 2 s goal with 0.5 s to spare', () => {
    // RFC 5798 §6.1: Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256, Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time
    expect(masterDownMs(500, 100)).toBe(1804); // the old secondary priority 100: skew (156 × 500) / 256 = 304.7 ms
    expect(masterDownMs(500, 150)).toBe(1707); // the old primary priority 150: skew 207 ms
    expect(masterDownMs(500, PRIORITY.secondary)).toBe(1505);
    expect(masterDownMs(500, PRIORITY.primary)).toBe(1503);
    expect(masterDownMs(1000, 1)).toBe(3996);
    // the schema's default advert interval is what the lab's pair runs with
    expect(withPair(labCluster()).pair!.advertMs).toBe(500);
    expect(Math.max(masterDownMs(500, PRIORITY.primary), masterDownMs(500, PRIORITY.secondary))).toBeLessThan(1510);
  });
  it('keeps draining destinations at weight 0 with their checker (a reload would delete them and cut their sessions); the table says so', () => {
    const c = labCluster();
    const rs2 = c.realservers[1]!.host;
    const off = { ...c, realservers: c.realservers.map((r, i) => (i === 1 ? { ...r, enabled: false } : r)) };
    const out = compileKeepalived({ cluster: off, resolve: (h) => h, draining: [{ protocol: 'udp', port: 177, address: rs2 }, { protocol: 'tcp', port: 80, address: rs2 }] });
    const udp = block(out.text, 'virtual_server 10.77.0.100 177');
    expect(udp).toContain(`  real_server ${rs2} 177 {  # rs2\n    weight 0\n    UDP_CHECK {`);
    expect(block(out.text, 'virtual_server 10.77.0.100 23')).not.toContain(rs2);
    expect(out.table.services.map((s) => s.destinations.map((d) => `${d.address}:${d.weight}`))).toEqual([
      c.realservers.filter((_, i) => i !== 1).map((r) => `${r.host}:1`),
      [...c.realservers.filter((_, i) => i !== 1).map((r) => `${r.host}:1`), `${rs2}:0`],
    ]);
    // A destination the profile still wants is not duplicated.
    expect(compileKeepalived({ cluster: c, resolve: (h) => h, draining: [{ protocol: 'udp', port: 177, address: rs2 }] }).text).toBe(compile(c).text);
  });
  it('a virtual_server per service with scheduler, NAT, persistence, delay_loop and inhibit_on_failure', () => {
    const { text } = compile(labCluster());
    expect(block(text, 'virtual_server 10.77.0.100 23')).toMatch(/^virtual_server 10.77.0.100 23 \{\n {2}protocol TCP\n {2}lvs_sched wlc\n {2}lvs_method NAT\n {2}delay_loop 1\n {2}inhibit_on_failure\n/);
    expect(block(text, 'virtual_server 10.77.0.100 177')).toContain('  protocol UDP\n  lvs_sched wlc\n  lvs_method NAT\n  persistence_timeout 360\n  delay_loop 1\n');
    const c = clusterSchema.parse({ ...labCluster(), forwarding: 'route', tcp: [{ port: 23, scheduler: 'sh', persistence: { timeout: 60, netmask: '255.255.255.0' } }] });
    expect(block(compile(c).text, 'virtual_server 10.77.0.100 23')).toContain('  lvs_sched sh\n  lvs_method DR\n  persistence_timeout 60\n  persistence_granularity 255.255.255.0\n');
    expect(compile(clusterSchema.parse({ ...labCluster(), forwarding: 'tunnel' })).text).toContain('  lvs_method TUN\n');
  });
  it('real servers: enabled ones with their weight (drained = 0, named in a comment), disabled ones absent', () => {
    const { text, expectedWarnings, omitted } = compile(labCluster({ 1: { weight: 0 }, 2: { enabled: false } }));
    const telnet = block(text, 'virtual_server 10.77.0.100 23');
    expect(telnet).toContain('  real_server 10.77.0.11 23 {  # rs1\n    weight 1\n');
    expect(telnet).toContain('  real_server 10.77.0.12 23 {  # rs2\n    weight 0\n');
    expect(telnet).not.toContain('10.77.0.13');
    expect(expectedWarnings).toEqual([]);
    expect(omitted).toEqual([]);
  });
  it('an all-drained service is kept (its sessions go on) with the two warnings keepalived -t gives for it; an empty one is left out', () => {
    const drained = compile(labCluster({ 0: { weight: 0 }, 1: { weight: 0 }, 2: { weight: 0 } }));
    expect(drained.text).toContain('virtual_server 10.77.0.100 23 {');
    expect(drained.expectedWarnings).toEqual([
      'Warning - quorum 1 for [10.77.0.100]:tcp:23 exceeds total weight of real servers 0, reducing quorum to 0',
      'Virtual server [10.77.0.100]:tcp:23: hysteresis 0 >= quorum 0; setting hysteresis to 4294967295',
      'Warning - quorum 1 for [10.77.0.100]:udp:177 exceeds total weight of real servers 0, reducing quorum to 0',
      'Virtual server [10.77.0.100]:udp:177: hysteresis 0 >= quorum 0; setting hysteresis to 4294967295',
    ]);
    const emptyCluster = labCluster({ 0: { enabled: false }, 1: { enabled: false }, 2: { enabled: false } });
    const empty = compile(emptyCluster);
    expect(empty.text).not.toContain('virtual_server');
    expect(empty.omitted.map((o) => `${o.protocol}/${o.port}`)).toEqual(['tcp/23', 'udp/177']);
    expect(keepalivedTable(emptyCluster, profileResolver(emptyCluster)).services).toEqual([]);
    const lab = labCluster();
    expect(keepalivedTable(lab, profileResolver(lab)).services.map((s) => `${s.protocol}/${s.port} ${s.destinations.length}`)).toEqual(['tcp/23 3', 'udp/177 3']);
  });
});

describe('keepalived.conf checks and timing', () => {
  it('TCP connect, XDMCP Query → Willing with a minimum length, the profile payload/reply, none = no checker', () => {
    const c = clusterSchema.parse({
      ...labCluster(),
      tcp: [{ port: 23 }, { port: 22, check: { kind: 'none' } }],
      udp: [{ port: 'xdmcp' }, { port: 5000, check: { kind: 'udp', payload: '50494e47', reply: '504f4e47' } }],
    });
    const { text } = compile(c);
    expect(block(text, 'virtual_server 10.77.0.100 23')).toContain(
      '    TCP_CHECK {\n      connect_port 23\n      connect_timeout 1\n      retry 1\n      delay_before_retry 1\n    }\n',
    );
    expect(block(text, 'virtual_server 10.77.0.100 22')).not.toContain('CHECK');
    expect(block(text, 'virtual_server 10.77.0.100 177')).toContain(
      '    UDP_CHECK {\n      connect_port 177\n      connect_timeout 1\n      retry 1\n      delay_before_retry 1\n' +
        '      payload 00 01 00 02 00 01 00\n      require_reply 00 01 00 05\n      min_reply_length 12\n      max_reply_length 8192\n    }\n',
    );
    expect(block(text, 'virtual_server 10.77.0.100 5000')).toContain('      payload 50 49 4e 47\n      require_reply 50 4f 4e 47\n      min_reply_length 4\n      max_reply_length 65535\n');
  });
  it('timing from the profile: delay_loop = interval, connect_timeout = timeout, retry = fall − 1, delay_before_retry = interval', () => {
    const c = clusterSchema.parse({ ...labCluster(), health: { intervalSec: 2, timeoutSec: 3, fall: 4, rise: 1 } });
    const t = block(compile(c).text, 'virtual_server 10.77.0.100 23');
    expect(t).toContain('  delay_loop 2\n');
    expect(t).toContain('      connect_timeout 3\n      retry 3\n      delay_before_retry 2\n');
  });
});

describe('keepalived.conf refuses what would break its syntax, naming the field', () => {
  const c = labCluster();
  it('a resolved address with a brace, space or newline', () => {
    expect(() => compileKeepalived({ cluster: c, resolve: (h) => (h === '10.77.0.12' ? '10.77.0.12 }' : h) })).toThrow(/realserver 10\.77\.0\.12: '10\.77\.0\.12 }' is not an IPv4 or IPv6 address/);
    expect(() => compileKeepalived({ cluster: c, resolve: (h) => (h === c.vip ? '10.77.0.100\nvirtual_server' : h) })).toThrow();
  });
  it('fields the model would refuse, if they ever got past it', () => {
    expect(() => compileKeepalived({ cluster: { ...c, vipIf: 'eth0:1 #' }, resolve: (h) => h })).toThrow(/vipIf 'eth0:1 #' is not a plain token/);
    expect(() => compileKeepalived({ cluster: { ...c, lvsIf: 'eth0"' }, resolve: (h) => h })).toThrow(/lvsIf/);
    expect(() => compileKeepalived({ cluster: { ...c, id: 'a{b' }, resolve: (h) => h })).toThrow(/id 'a\{b'/);
    expect(() => compileKeepalived({ cluster: c, resolve: (h) => h, paths: { notifyScript: '/etc/x "y"' } })).toThrow(/notify script .* must be an absolute path/);
    expect(() => compileKeepalived({ cluster: c, resolve: (h) => h, paths: { yieldFile: 'relative' } })).toThrow(/yield file/);
  });
  it('a pair with an IPv6 VIP, and a secondary without a pair', () => {
    const v6 = clusterSchema.parse({ ...labCluster(), vip: '2001:db8::100', vipPrefix: 64, realservers: [{ host: '2001:db8::11' }], runtime: 'keepalived', pair });
    expect(() => compile(v6)).toThrow(/vip 2001:db8::100: a director pair needs an IPv4 VIP/);
    expect(() => compile(labCluster(), 'secondary')).toThrow(/no second director/);
  });
});

describe('notify script', () => {
  const script = notifyScriptText;
  it('is POSIX sh (dash -n, busybox sh -n) and refuses a strange directory', () => {
    expect(() => execFileSync('dash', ['-n', '-c', script()])).not.toThrow();
    expect(() => execFileSync('/bin/busybox', ['sh', '-n', '-c', script()])).not.toThrow();
    expect(() => script('/tmp/a b')).toThrow(/bad directory/);
  });
  for (const sh of [['dash'], ['/bin/busybox', 'sh']]) {
    it(`run by ${sh.join(' ')}: logs each transition with its time, keeps the instance's last state, ignores the unknown`, () => {
      const d = mkdtempSync(join(tmpdir(), 'notify-'));
      writeFileSync(join(d, 'notify.sh'), script(join(d, 'state')));
      const run = (...args: string[]) => execFileSync(sh[0]!, [...sh.slice(1), join(d, 'notify.sh'), ...args]);
      const before = Math.floor(Date.now() / 1000);
      run('INSTANCE', 'VI_1', 'BACKUP', '150');
      run('INSTANCE', 'VI_1', 'MASTER', '150');
      run('GROUP', 'G1', 'MASTER', '0');
      run('INSTANCE', 'VI_1', 'BOGUS', '1');
      const events = readFileSync(join(d, 'state', 'vrrp-events'), 'utf8').trim().split('\n');
      expect(events.map((l) => l.split(' ').slice(1).join(' '))).toEqual(['INSTANCE VI_1 BACKUP 150', 'INSTANCE VI_1 MASTER 150', 'GROUP G1 MASTER 0']);
      expect(Number(events[0]!.split(' ')[0])).toBeGreaterThanOrEqual(before);
      expect(readFileSync(join(d, 'state', 'vrrp-state'), 'utf8')).toMatch(/^\d+ VI_1 MASTER 150\n$/);
      for (let i = 0; i < 205; i++) run('INSTANCE', 'VI_1', i % 2 ? 'MASTER' : 'BACKUP', String(i));
      const kept = readFileSync(join(d, 'state', 'vrrp-events'), 'utf8').trim().split('\n');
      expect(kept).toHaveLength(200);
      expect(kept[199]).toMatch(/ INSTANCE VI_1 BACKUP 204$/);
      rmSync(d, { recursive: true, force: true });
    });
  }
});

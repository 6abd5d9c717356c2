import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterSchema, type Cluster } from '../../../../shared/model/cluster.ts';
import { directorRole, pairStatus, planMakeMaster, planUndo, restoreMode, type ObservedWithRuntime, type RoleObservation } from '../../../../electron/keepalived/pair-plan.ts';
import { planKeepalived } from '../../../../electron/keepalived/keepalived-plan.ts';
import { buildTransaction } from '../../../../electron/lvs/plan/transaction.ts';
import { parseIpAddr } from '../../../../electron/lvs/ipvs/ip-addr-parse.ts';
import { profileResolver } from '../../../../electron/lvs/plan/desired-table.ts';
import { labCluster } from '../../../fixtures/lab-cluster.ts';

// Captured from keepalived 2.2.7 running the compiled lab pair (VRRP only) in namespaces: fixtures/keepalived/SOURCES.md
const DIR = join(__dirname, '../../../fixtures/keepalived/vrrp');
const fx = (f: string) => readFileSync(join(DIR, f), 'utf8');
const maybe = (f: string) => (existsSync(join(DIR, f)) ? fx(f) : undefined);
/** The capture cut `valid_lft …` from `ip -o addr` lines (SOURCES.md): put it back as ip prints it. */
const ipAddr = (text: string) => parseIpAddr(text.split('\n').filter(Boolean).map((l) => `${l}       valid_lft forever preferred_lft forever`).join('\n'));
const steps = ['1-started', '2-primary-dead', '3-primary-back', '4-secondary-yields', '5-yield-undone'] as const;
const pair: Cluster = clusterSchema.parse({ ...labCluster(), runtime: 'keepalived', pair: { director: { host: '10.77.0.2', user: 'root' }, gateway: '10.77.0.254' } });
const resolve = profileResolver(pair);
/** The events each director's log held at a step: the lines up to that step's state file time. */
const eventsUpTo = (d: string, at: number) =>
  fx(`${d}.vrrp-events`)
    .split('\n')
    .filter((l) => l && Number(l.split(' ')[0]) <= at)
    .join('\n');

function observed(step: (typeof steps)[number], d: 'primary' | 'secondary'): RoleObservation | undefined {
  const addr = maybe(`${step}.${d}.ip-addr.txt`);
  const state = maybe(`${step}.${d}.vrrp-state`);
  if (addr === undefined || state === undefined) return undefined;
  return { addresses: ipAddr(addr), keepalivedRunning: true, stateFile: state, eventsFile: eventsUpTo(d, Number(state.split(' ')[0])) };
}

function statusAt(step: (typeof steps)[number]) {
  return pairStatus(pair, resolve, (['primary', 'secondary'] as const).map((which) => {
    const o = observed(step, which);
    const host = which === 'primary' ? '10.77.0.1' : '10.77.0.2';
    return o ? { which, host, observed: o } : { which, host, error: 'connect ECONNREFUSED' };
  }));
}

describe('pair roles from the captured state files and addresses', () => {
  it('names each director at every step of the capture, with the VIP on exactly one', () => {
    const got = steps.map((s) => {
      const p = statusAt(s);
      return `${s}: ${p.directors.map((d) => `${d.which}=${d.role}${d.vip ? '+VIP' : ''}${d.gateway ? '+GW' : ''}`).join(' ')} vipOn=${p.vipOn.join(',')}`;
    });
    expect(got).toEqual([
      '1-started: primary=MASTER+VIP+GW secondary=BACKUP vipOn=10.77.0.1',
      '2-primary-dead: primary=UNREACHABLE secondary=MASTER+VIP+GW vipOn=10.77.0.2',
      '3-primary-back: primary=BACKUP secondary=MASTER+VIP+GW vipOn=10.77.0.2',
      '4-secondary-yields: primary=MASTER+VIP+GW secondary=FAULT vipOn=10.77.0.1',
      '5-yield-undone: primary=MASTER+VIP+GW secondary=BACKUP vipOn=10.77.0.1',
    ]);
    expect(statusAt('2-primary-dead').problems).toEqual(['10.77.0.1 is unreachable: connect ECONNREFUSED']);
    expect(statusAt('3-primary-back').problems).toEqual([]);
  });

  it('lists the failovers newest first (the first election is not one)', () => {
    expect(statusAt('1-started').failovers).toEqual([]);
    // the preferred director killed, its log unreachable: the second's first MASTER is the failover (seen on the lab)
    expect(statusAt('2-primary-dead').failovers.map((f) => `${f.at / 1000} ${f.director}`)).toEqual(['1796157216 10.77.0.2']);
    expect(statusAt('3-primary-back').failovers.map((f) => f.director)).toEqual(['10.77.0.2']);
    expect(statusAt('5-yield-undone').failovers.map((f) => `${f.at / 1000} ${f.director}`)).toEqual(['1796157222 10.77.0.1', '1796157216 10.77.0.2']);
  });

  it('believes the VIP over a lagging state file, and says so', () => {
    const o = observed('1-started', 'primary')!;
    expect(directorRole('primary', 'd1', '10.77.0.100', '10.77.0.254', { ...o, stateFile: '1796157213 VI_1 BACKUP 254' })).toMatchObject({ role: 'MASTER', note: 'the VIP is here; the notify script last said BACKUP' });
    const s = observed('1-started', 'secondary')!;
    expect(directorRole('secondary', 'd2', '10.77.0.100', '10.77.0.254', { ...s, stateFile: '1796157213 VI_1 MASTER 253' })).toMatchObject({ role: 'UNKNOWN' });
    expect(directorRole('secondary', 'd2', '10.77.0.100', '10.77.0.254', { ...s, keepalivedRunning: false })).toMatchObject({ role: 'STOPPED' });
    expect(directorRole('secondary', 'd2', '10.77.0.100', '10.77.0.254', { addresses: s.addresses, keepalivedRunning: true })).toMatchObject({ role: 'BACKUP' });
    expect(directorRole('secondary', 'd2', '10.77.0.100', '10.77.0.254', { ...s, stateFile: 'garbage' })).toMatchObject({ role: 'UNKNOWN', note: 'vrrp-state: unexpected "garbage"' });
  });
});

describe('make-master', () => {
  it('yields on the master, 1 then 0, when the other director is backup', () => {
    const p = planMakeMaster(statusAt('3-primary-back'), 'primary');
    expect(p.from).toBe('secondary');
    expect(p.yieldSteps.map((s) => s.argv)).toEqual([
      ['sh', '-c', 'printf "%s\\n" "$1" > "$2.tmp" && mv -f "$2.tmp" "$2"', 'lvs-console-yield', '1', '/var/lib/lvs-console/vrrp-yield'],
      ['sh', '-c', 'printf "%s\\n" "$1" > "$2.tmp" && mv -f "$2.tmp" "$2"', 'lvs-console-yield', '0', '/var/lib/lvs-console/vrrp-yield'],
    ]);
  });
  it('does nothing for the master, and refuses an unreachable, stopped or FAULT director', () => {
    expect(planMakeMaster(statusAt('1-started'), 'primary')).toMatchObject({ yieldSteps: [], summary: ['10.77.0.1 is already master (it holds the VIP): nothing to do'] });
    expect(() => planMakeMaster(statusAt('2-primary-dead'), 'primary')).toThrow(/10\.77\.0\.1 is unreachable/);
    expect(() => planMakeMaster(statusAt('4-secondary-yields'), 'secondary')).toThrow(/10\.77\.0\.2 is in FAULT/);
    const st = statusAt('3-primary-back');
    st.directors[0] = { ...st.directors[0]!, keepalived: false, role: 'STOPPED' };
    expect(() => planMakeMaster(st, 'primary')).toThrow(/keepalived is not running on 10\.77\.0\.1/);
  });
});

describe('planUndo (the first director put back when the second fails)', () => {
  const rt = (files: [string, string | undefined][], links: [string, string][], pid?: number) => ({
    files: new Map(files),
    links: new Map(links),
    keepalived: { bin: '/usr/sbin/keepalived', ...(pid !== undefined ? { pid, args: '-D -I -V' } : {}) },
    rcDir: '/etc/rc.d/rc3.d',
    dirs: new Set(['/etc/init.d', '/etc/sysconfig']),
  });
  const addrs = (extra: string[]) => ipAddr(['2: eth0    inet 10.77.0.1/24 scope global eth0\\', ...extra].join('\n'));
  const before: ObservedWithRuntime = {
    table: { services: [] },
    addresses: addrs([]),
    sysctls: { 'net.ipv4.ip_forward': '0' },
    runtime: rt([['/etc/keepalived/keepalived.conf', undefined], ['/etc/sysconfig/keepalived', 'KEEPALIVED_OPTIONS="-D"\n']], []),
  };
  const now: ObservedWithRuntime = {
    table: { services: [{ family: 'inet', protocol: 'tcp', address: '10.77.0.100', port: 23, scheduler: 'wlc', destinations: [{ address: '10.77.0.11', port: 23, forward: 'masq', weight: 1 }] }] },
    addresses: addrs(['2: eth0    inet 10.77.0.100/24 scope global secondary eth0:110\\', '2: eth0    inet 10.77.0.254/24 scope global secondary eth0\\']),
    sysctls: { 'net.ipv4.ip_forward': '1' },
    runtime: rt([['/etc/keepalived/keepalived.conf', 'new'], ['/etc/sysconfig/keepalived', 'KEEPALIVED_OPTIONS="-D -I -V"\n']], [['/etc/rc.d/rc3.d/S50keepalived', '/etc/init.d/keepalived']], 4242),
  };
  it('stops keepalived, puts files and links back, takes its addresses down, forwarding and table back', () => {
    const p = planUndo(pair, resolve, before, now);
    expect(p.steps.map((s) => s.argv.join(' '))).toEqual([
      '/etc/init.d/keepalived stop',
      'rm -f /etc/keepalived/keepalived.conf',
      'install -m 644 /dev/stdin /etc/sysconfig/keepalived',
      'rm -f /etc/rc.d/rc3.d/S50keepalived',
      'ip addr del 10.77.0.100/24 dev eth0',
      'ip addr del 10.77.0.254/24 dev eth0',
      'sysctl -w net.ipv4.ip_forward=0',
      'ipvsadm -D -t 10.77.0.100:23',
    ]);
    expect(p.steps[2]!.stdin).toBe('KEEPALIVED_OPTIONS="-D"\n');
    expect(p.desired).toEqual(before.table);
  });
  it('is empty when nothing changed, and reloads when keepalived ran before and its config changed', () => {
    expect(planUndo(pair, resolve, now, now).steps).toEqual([]);
    const ran = { ...before, runtime: rt([['/etc/keepalived/keepalived.conf', 'old']], [], 7) };
    const p = planUndo(pair, resolve, ran, { ...ran, runtime: rt([['/etc/keepalived/keepalived.conf', 'new']], [], 7) });
    expect(p.steps.map((s) => s.argv.join(' '))).toEqual(['install -m 644 /dev/stdin /etc/keepalived/keepalived.conf', '/etc/init.d/keepalived reload']);
  });
  it('gives scripts back their execute bit', () => {
    expect(['/etc/init.d/lvs-kernel', '/etc/keepalived/lvs-console-notify.sh', '/etc/crontabs/root', '/etc/keepalived/keepalived.conf'].map(restoreMode)).toEqual(['755', '755', '600', '644']);
  });
});

describe('a pair\'s stop: the VIP goes, the floating gateway stays where it is (the realservers\' one way out)', () => {
  const runtime = (args: string) => ({
    files: new Map<string, string | undefined>(),
    links: new Map<string, string>(),
    keepalived: { bin: '/usr/sbin/keepalived', pid: 4242, args },
    rcDir: '/etc/rc.d/rc3.d',
    dirs: new Set(['/etc/init.d', '/etc/sysconfig']),
  });
  const master = ipAddr(['2: eth0    inet 10.77.0.1/24 scope global eth0\\', '2: eth0    inet 10.77.0.100/24 scope global secondary eth0:110\\', '2: eth0    inet 10.77.0.254/24 scope global secondary eth0\\'].join('\n'));
  const backup = ipAddr('2: eth0    inet 10.77.0.2/24 scope global eth0\\');
  const stop = (addresses: typeof master, args: string) =>
    planKeepalived({ action: 'stop', verb: 'stop', cluster: pair, resolve, which: 'primary', observed: { table: { services: [] }, addresses, sysctls: {} }, runtime: runtime(args) }).plan;
  it('on the master (-I -V): keepalived stops, the VIP is taken down, the gateway is not, and the preview says why', () => {
    const p = stop(master, '-D -I -V');
    expect(p.steps.map((s) => s.argv.join(' '))).toEqual(['/etc/init.d/keepalived stop', 'ipvsadm -C', 'ip addr del 10.77.0.100/24 dev eth0']);
    expect(p.summary).toContainEqual(expect.stringMatching(/^the floating gateway 10\.77\.0\.254 stays up on this director .*realservers' default route goes through it/));
  });
  it('on the backup: nothing about the gateway; keepalived without -V: the preview warns that it takes the gateway down', () => {
    expect(stop(backup, '-D -I -V').summary!.some((l) => l.includes('10.77.0.254'))).toBe(false);
    const p = stop(master, '-D');
    expect(p.steps.map((s) => s.argv.join(' '))).toEqual(['/etc/init.d/keepalived stop']);
    expect(p.summary).toContainEqual(expect.stringMatching(/without -V here: it takes the floating gateway 10\.77\.0\.254 down/));
  });
});

describe("a pair's handover script (lvs-pair) goes in with the runtime, and runs after every change", () => {
  const runtime = (pid?: number) => ({
    files: new Map<string, string | undefined>(),
    links: new Map<string, string>(),
    keepalived: { bin: '/usr/sbin/keepalived', ...(pid !== undefined ? { pid, args: '-D -I -V' } : {}) },
    rcDir: '/etc/rc.d/rc3.d',
    dirs: new Set(['/etc/init.d', '/etc/sysconfig']),
  });
  const observed = { table: { services: [] }, addresses: ipAddr('2: eth0    inet 10.77.0.1/24 scope global eth0\\'), sysctls: {} };
  const plan = (action: 'install' | 'reload' | 'stop' | 'update', cluster: Cluster, pid?: number) =>
    planKeepalived({ action, verb: action, cluster, resolve: profileResolver(cluster), observed, runtime: runtime(pid) }).plan;
  it('install: the script (sh -n checked), its boot link before keepalived, and `lvs-pair start` last; one transaction op', () => {
    const p = plan('install', pair);
    const argv = p.steps.map((s) => s.argv.join(' '));
    expect(argv).toContain('install -m 755 /dev/stdin /etc/init.d/lvs-pair');
    expect(p.steps.find((s) => s.argv[4] === '/etc/init.d/lvs-pair')!.check).toBe('sh');
    expect(argv).toContain('ln -sfn /etc/init.d/lvs-pair /etc/rc.d/rc3.d/S47lvs-pair');
    expect(argv[argv.length - 1]).toBe('/etc/init.d/lvs-pair start');
    const tx = buildTransaction(p, 'abcdef12');
    expect(tx.ops.map((o) => o.split(' ')[0])).toContain('pair');
  });
  it('a reload of a running pair ends with lvs-pair start; stop and update do not run it; a single director never gets it', () => {
    expect(plan('reload', pair, 4242).steps.map((s) => s.argv.join(' ')).pop()).toBe('/etc/init.d/lvs-pair start');
    for (const a of ['stop', 'update'] as const) expect(plan(a, pair, 4242).steps.some((s) => s.argv[0] === '/etc/init.d/lvs-pair')).toBe(false);
    const single = clusterSchema.parse({ ...labCluster(), runtime: 'keepalived' });
    expect(plan('install', single).steps.some((s) => s.argv.some((w) => w.includes('lvs-pair')))).toBe(false);
  });
});

/**
 * The director's runtime as plan steps (pure): /etc/lvs.conf with every change on the script runtime, install-director
 * for each runtime, and the keepalived runtime's verbs, edits and drains, from observed runtimes like the lab director's
 * (busybox init with /etc/rc.d/rc3.d, busybox crond, /etc/sysconfig). The transaction that runs them is tested in
 * transaction.test.ts; the real director in test/lab/health-keepalived.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { clusterSchema, type ClusterInput } from '../../../../../shared/model/cluster.ts';
import type { IpvsTable } from '../../../../../shared/model/ipvs.ts';
import { compileKeepalived } from '../../../../../electron/keepalived/keepalived-conf.ts';
import { planKeepalived } from '../../../../../electron/keepalived/keepalived-plan.ts';
import { notifyScriptText } from '../../../../../electron/keepalived/notify-script.ts';
import { writeLvsConf } from '../../../../../electron/lvs/conf/conf-write.ts';
import { directorConf } from '../../../../../electron/lvs/conf/director-conf.ts';
import { LVS_DIRECTOR_SCRIPT } from '../../../../../electron/lvs/conf/director-init-script.ts';
import { desiredTable } from '../../../../../electron/lvs/plan/desired-table.ts';
import { directorSysctls, type DirectorObserved } from '../../../../../electron/lvs/plan/director-plan.ts';
import { planEdit, editProfile } from '../../../../../electron/lvs/plan/realserver-edit.ts';
import { RUNTIME_PATHS, keepsTableOnStop, type DirectorRuntime } from '../../../../../electron/lvs/plan/runtime-steps.ts';
import { lvsConfChange, planScriptInstall } from '../../../../../electron/lvs/plan/script-runtime.ts';
import { AppError } from '../../../../../shared/result.ts';

const input: ClusterInput = {
  id: 'lab',
  name: 'lab',
  director: { host: '10.77.0.1', user: 'root' },
  vip: '10.77.0.100',
  tcp: [{ port: 'telnet' }],
  udp: [{ port: 'xdmcp' }],
  realservers: [
    { host: '10.77.0.11', name: 'rs1' },
    { host: '10.77.0.12', name: 'rs2' },
  ],
};
const cluster = clusterSchema.parse(input);
const kaCluster = clusterSchema.parse({ ...input, runtime: 'keepalived' });
const id = (h: string) => h;
const sysctlsOn = Object.fromEntries(directorSysctls(cluster).map((s) => [s.key, s.value]));
const addrs = (vipUp: boolean): DirectorObserved['addresses'] => (vipUp ? [{ index: 2, ifname: 'eth0', family: 'inet', address: '10.77.0.100', prefix: 24, label: 'eth0:110' } as DirectorObserved['addresses'][number]] : []);
const observed = (table: IpvsTable, vipUp = true): DirectorObserved => ({ table, addresses: addrs(vipUp), sysctls: sysctlsOn });
const cmds = (steps: { argv: string[] }[]) => steps.map((s) => s.argv.join(' '));

/** The lab director's runtime: busybox init (/etc/rc.d/rc3.d), busybox crond's crontabs, /etc/sysconfig. */
function labRuntime(o: { files?: Record<string, string>; links?: Record<string, string>; keepalived?: DirectorRuntime['keepalived'] } = {}): DirectorRuntime {
  return {
    files: new Map(Object.entries(o.files ?? {})),
    keepalived: o.keepalived ?? { bin: '/usr/sbin/keepalived' },
    rcDir: '/etc/rc.d/rc3.d',
    links: new Map(Object.entries({ '/etc/rc.d/rc3.d/S30sshd': '../init.d/sshd', ...(o.links ?? {}) })),
    dirs: new Set(['/etc/crontabs', '/var/spool/cron/crontabs', '/etc/sysconfig', '/etc/init.d']),
  };
}

describe('/etc/lvs.conf with every change (script runtime)', () => {
  it('written when it does not say what the profile says; kept hand edits; nothing when it does; never another VIP\'s', () => {
    const fresh = lvsConfChange(cluster, id, undefined);
    expect(cmds(fresh.steps)).toEqual(['install -m 644 /dev/stdin /etc/lvs.conf']);
    expect(fresh.steps[0]!.check).toBe('sh');
    const text = fresh.steps[0]!.stdin!;
    expect(lvsConfChange(cluster, id, text)).toEqual({ steps: [], notes: ['/etc/lvs.conf already says what the profile says'] });
    const edited = `# mine\nMY_NOTE=keep\n${text}`;
    const drained = clusterSchema.parse({ ...input, realservers: [{ host: '10.77.0.11', name: 'rs1', exclude: ['udp/177'] }, { host: '10.77.0.12', name: 'rs2', enabled: false }] });
    const next = lvsConfChange(drained, id, edited).steps[0]!.stdin!;
    expect(next).toContain('# mine\nMY_NOTE=keep\n');
    expect(next).toMatch(/^EXCLUDE="?10\.77\.0\.11=udp\/177"?$/m);
    expect(next).toMatch(/^RIPS_DISABLED="?10\.77\.0\.12"?$/m);
    const other = lvsConfChange(cluster, id, text.replace('VIP=10.77.0.100', 'VIP=10.77.0.200'));
    expect(other.steps).toEqual([]);
    expect(other.notes).toEqual(["the director's /etc/lvs.conf is for another VIP (10.77.0.200): not written (it belongs to that cluster)"]);
  });
});

describe('install-director, script runtime', () => {
  const table = desiredTable(cluster, id);
  it('on a fresh director: lvs.conf, the script (sh -n checked), its S99 link, root\'s crontab with the update line, crond told', () => {
    const plan = planScriptInstall(cluster, id, observed({ services: [] }, false), labRuntime({ files: { '/etc/crontabs/root': '# someone\'s\n0 3 * * * backup\n' } }));
    expect(cmds(plan.steps)).toEqual([
      'install -m 644 /dev/stdin /etc/lvs.conf',
      'install -m 755 /dev/stdin /etc/init.d/lvs-director',
      'ln -sfn /etc/init.d/lvs-director /etc/rc.d/rc3.d/S99lvs-director',
      'install -m 600 /dev/stdin /etc/crontabs/root',
      'sh -c echo "$1" >> "$2/cron.update" lvs-console-crond root /etc/crontabs',
    ]);
    expect(plan.steps[1]!.stdin).toBe(LVS_DIRECTOR_SCRIPT);
    expect(plan.steps[3]!.stdin).toBe("# someone's\n0 3 * * * backup\n* * * * * /etc/init.d/lvs-director update >/dev/null 2>&1\n");
    expect(plan.desired).toBeUndefined();
  });
  it('nothing when everything is in place', () => {
    const rt = labRuntime({
      files: { '/etc/lvs.conf': writeLvsConf(directorConf(cluster)), '/etc/init.d/lvs-director': LVS_DIRECTOR_SCRIPT, '/etc/crontabs/root': '* * * * * /etc/init.d/lvs-director update >/dev/null 2>&1\n' },
      links: { '/etc/rc.d/rc3.d/S99lvs-director': '/etc/init.d/lvs-director' },
    });
    expect(planScriptInstall(cluster, id, observed(table), rt).steps).toEqual([]);
  });
  it('from a running keepalived (-I -V): its boot link removed, keepalived stopped (it leaves table and VIP), the table made exactly the profile\'s', () => {
    const inhibited: IpvsTable = structuredClone(table);
    inhibited.services[1]!.destinations[1]!.weight = 0; // rs2's xdm failing: keepalived holds it at 0
    const rt = labRuntime({ links: { '/etc/rc.d/rc3.d/S50keepalived': '/etc/init.d/keepalived' }, keepalived: { bin: '/usr/sbin/keepalived', pid: 212, args: '/usr/sbin/keepalived -D -I -V -f /etc/keepalived/keepalived.conf' } });
    const plan = planScriptInstall(cluster, id, observed(inhibited), rt);
    expect(cmds(plan.steps).slice(4)).toEqual([
      'sh -c echo "$1" >> "$2/cron.update" lvs-console-crond root /etc/crontabs',
      'rm -f /etc/rc.d/rc3.d/S50keepalived',
      '/etc/init.d/keepalived stop',
      'ipvsadm -e -u 10.77.0.100:177 -r 10.77.0.12:177 -m -w 1',
    ]);
    expect(plan.desired).toEqual(table);
    expect(plan.vip).toEqual({ address: '10.77.0.100', prefix: 24, dev: 'eth0', up: true });
  });
  it('refuses, changing nothing, a keepalived that would delete the table when it stops; and another cluster\'s lvs.conf', () => {
    const rt = labRuntime({ keepalived: { bin: '/usr/sbin/keepalived', pid: 9, args: 'keepalived -D' } });
    expect(() => planScriptInstall(cluster, id, observed(table), rt)).toThrow(/without --dont-release-ipvs .*a gap in service.*Nothing was changed/);
    const other = labRuntime({ files: { '/etc/lvs.conf': 'VIP=10.77.0.200\nVIP_IF=eth0:111\nLVS_IF=eth0\n' } });
    expect(() => planScriptInstall(cluster, id, observed(table), other)).toThrow(/another cluster's \(VIP 10.77.0.200\)/);
    expect(keepsTableOnStop('keepalived -D -I -V')).toBe(true);
    expect(keepsTableOnStop('keepalived --dont-release-ipvs -D --dont-release-vrrp')).toBe(true);
    expect(keepsTableOnStop('keepalived -DIV')).toBe(true);
    expect(keepsTableOnStop('keepalived -D -I')).toBe(false);
  });
});

describe('the keepalived runtime', () => {
  const conf = compileKeepalived({ cluster: kaCluster, resolve: id });
  const table = desiredTable(kaCluster, id);
  const installed = (extra: Record<string, string> = {}) => ({ '/etc/keepalived/keepalived.conf': conf.text, '/etc/keepalived/lvs-console-notify.sh': notifyScriptText(), ...extra });
  const runningKa = { bin: '/usr/sbin/keepalived', pid: 212, args: '/usr/sbin/keepalived -D -I -V -f /etc/keepalived/keepalived.conf -p /run/keepalived.pid' };

  it('refuses every action when keepalived is not installed, saying how to get it', () => {
    const e = (() => {
      try {
        planKeepalived({ action: 'start', verb: 'start', cluster: kaCluster, resolve: id, observed: observed({ services: [] }), runtime: labRuntime({ keepalived: {} }) });
      } catch (x) {
        return x as AppError;
      }
      throw new Error('not refused');
    })();
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/keepalived is not installed on the director .*Nothing was changed/);
  });

  it('start from the script\'s running table: the files, the options, the table as keepalived builds it, then keepalived (the VIP stays)', () => {
    const live: IpvsTable = structuredClone(table);
    live.services[0]!.destinations.pop(); // the script's update had taken rs2 out of telnet
    const kp = planKeepalived({ action: 'start', verb: 'start', cluster: kaCluster, resolve: id, observed: observed(live), runtime: labRuntime() });
    expect(cmds(kp.plan.steps)).toEqual([
      'install -m 755 /dev/stdin /etc/keepalived/lvs-console-notify.sh',
      'install -m 644 /dev/stdin /etc/keepalived/keepalived.conf',
      'install -m 644 /dev/stdin /etc/sysconfig/keepalived',
      'ipvsadm -a -t 10.77.0.100:23 -r 10.77.0.12:23 -m -w 1',
      '/etc/init.d/keepalived start',
    ]);
    expect(kp.plan.steps[2]!.stdin).toContain('KEEPALIVED_OPTIONS="-D -I -V"');
    expect(kp.installsConf).toBe(true);
    expect(kp.plan.tableCheck).toBe('inhibit');
    expect(kp.plan.desired).toEqual({ services: conf.table.services });
    expect(kp.plan.vip).toMatchObject({ address: '10.77.0.100', up: true });
    // already running with this config: nothing to do
    const same = planKeepalived({ action: 'start', verb: 'start', cluster: kaCluster, resolve: id, observed: observed(table), runtime: labRuntime({ files: installed({ '/etc/sysconfig/keepalived': kp.plan.steps[2]!.stdin! }), keepalived: runningKa }) });
    expect(same.plan.steps).toEqual([]);
  });

  it('stop: keepalived stops (leaving table and VIP), then this profile\'s services and the VIP go in the same transaction', () => {
    const kp = planKeepalived({ action: 'stop', verb: 'stop', cluster: kaCluster, resolve: id, observed: observed(table), runtime: labRuntime({ files: installed(), keepalived: runningKa }) });
    expect(cmds(kp.plan.steps)).toEqual(['/etc/init.d/keepalived stop', 'ipvsadm -C', 'ip addr del 10.77.0.100/24 dev eth0']);
    expect(kp.plan.desired).toEqual({ services: [] });
  });

  it('a drain: keepalived.conf keeps the drained realserver at weight 0 (a reload would delete it and cut its sessions), then a reload', () => {
    const { cluster: edited, services } = editProfile(kaCluster, { realserver: 'rs2', service: 'udp/177' }, { kind: 'drain' });
    const base = planEdit(edited, id, table, { realserver: 'rs2', service: 'udp/177' }, services, 'drain');
    const kp = planKeepalived({ action: 'apply', verb: 'edit', cluster: edited, resolve: id, observed: observed(table), runtime: labRuntime({ files: installed(), keepalived: runningKa }), after: base.desired!, tableSteps: base.steps });
    expect(cmds(kp.plan.steps)).toEqual(['install -m 644 /dev/stdin /etc/keepalived/keepalived.conf', '/etc/init.d/keepalived reload']);
    expect(kp.plan.steps[0]!.stdin).toMatch(/real_server 10\.77\.0\.12 177 \{ {2}# rs2\n {4}weight 0\n/);
    expect(kp.plan.desired).toEqual(base.desired);
    // the follow-up, once its connections are gone: out of the config, reloaded
    const gone: IpvsTable = structuredClone(base.desired!);
    gone.services[1]!.destinations = gone.services[1]!.destinations.filter((d) => d.address !== '10.77.0.12');
    const follow = planKeepalived({ action: 'apply', verb: 'drain', cluster: edited, resolve: id, observed: observed(base.desired!), runtime: labRuntime({ files: installed({ '/etc/keepalived/keepalived.conf': kp.plan.steps[0]!.stdin! }), keepalived: runningKa }), after: gone });
    expect(follow.plan.steps[0]!.stdin).not.toContain('real_server 10.77.0.12 177');
    expect(cmds(follow.plan.steps)).toEqual(['install -m 644 /dev/stdin /etc/keepalived/keepalived.conf', '/etc/init.d/keepalived reload']);
  });

  it('an edit whose profile holds a change never applied says the reload applies it too (keepalived.conf is compiled from the whole profile)', () => {
    // rs1's weight was set to 4 in the profile; nothing applied it. Then rs2 is drained in udp/177.
    const unapplied = { ...kaCluster, realservers: kaCluster.realservers.map((r) => (r.name === 'rs1' ? { ...r, weight: 4 } : r)) };
    const { cluster: edited, services } = editProfile(unapplied, { realserver: 'rs2', service: 'udp/177' }, { kind: 'drain' });
    const base = planEdit(edited, id, table, { realserver: 'rs2', service: 'udp/177' }, services, 'drain');
    const kp = planKeepalived({ action: 'apply', verb: 'edit', cluster: edited, resolve: id, observed: observed(table), runtime: labRuntime({ files: installed(), keepalived: runningKa }), after: base.desired!, tableSteps: base.steps });
    const note = kp.plan.summary!.find((l) => l.startsWith('keepalived.conf is compiled from the whole profile'));
    expect(note).toMatch(/2 change\(s\)/);
    expect(note).toMatch(/10\.77\.0\.11/);
    // without an unapplied change there is no such note
    const { cluster: e2, services: s2 } = editProfile(kaCluster, { realserver: 'rs2', service: 'udp/177' }, { kind: 'drain' });
    const b2 = planEdit(e2, id, table, { realserver: 'rs2', service: 'udp/177' }, s2, 'drain');
    const k2 = planKeepalived({ action: 'apply', verb: 'edit', cluster: e2, resolve: id, observed: observed(table), runtime: labRuntime({ files: installed(), keepalived: runningKa }), after: b2.desired!, tableSteps: b2.steps });
    expect(k2.plan.summary!.some((l) => l.startsWith('keepalived.conf is compiled from the whole profile'))).toBe(false);
  });

  it('install from the running script: keepalived\'s files and boot links, the script\'s link and cron line removed, then the handover', () => {
    const rt = labRuntime({
      files: { '/etc/crontabs/root': '0 3 * * * backup\n* * * * * /etc/init.d/lvs-director update >/dev/null 2>&1\n' },
      links: { '/etc/rc.d/rc3.d/S99lvs-director': '/etc/init.d/lvs-director' },
    });
    const kp = planKeepalived({ action: 'install', verb: 'install', cluster: kaCluster, resolve: id, observed: observed(table), runtime: rt });
    expect(cmds(kp.plan.steps)).toEqual([
      'install -m 755 /dev/stdin /etc/keepalived/lvs-console-notify.sh',
      'install -m 644 /dev/stdin /etc/keepalived/keepalived.conf',
      'install -m 644 /dev/stdin /etc/sysconfig/keepalived',
      `install -m 755 /dev/stdin ${RUNTIME_PATHS.lvsKernel}`,
      'ln -sfn /etc/init.d/lvs-kernel /etc/rc.d/rc3.d/S45lvs-kernel',
      'ln -sfn /etc/init.d/keepalived /etc/rc.d/rc3.d/S50keepalived',
      'rm -f /etc/rc.d/rc3.d/S99lvs-director',
      'install -m 600 /dev/stdin /etc/crontabs/root',
      'sh -c echo "$1" >> "$2/cron.update" lvs-console-crond root /etc/crontabs',
      '/etc/init.d/keepalived start',
    ]);
    expect(kp.plan.steps[7]!.stdin).toBe('0 3 * * * backup\n');
    expect(kp.plan.summary).toContain('the script runs the cluster now: keepalived takes it over without a gap (the table it will build is set first, then it starts)');
    // nothing running: files and links only, keepalived not started
    const idle = planKeepalived({ action: 'install', verb: 'install', cluster: kaCluster, resolve: id, observed: observed({ services: [] }, false), runtime: labRuntime() });
    expect(cmds(idle.plan.steps).at(-1)).toBe('ln -sfn /etc/init.d/keepalived /etc/rc.d/rc3.d/S50keepalived');
    expect(idle.plan.desired).toBeUndefined();
  });
});

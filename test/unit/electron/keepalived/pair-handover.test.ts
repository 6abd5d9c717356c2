/**
 * /etc/init.d/lvs-pair (pair-handover.ts) run by the programs that read it: sh -n by dash and busybox sh, and its verbs
 * in a private network namespace with the real `nft` and `ip` (the guard table loaded, armed, disarmed, re-armed as
 * keepalived's notify would drive it). Only ipvsadm is a stand-in here (this kernel has no IPVS; it records its argv
 * and answers --daemon like ipvsadm 1.31 does): the lab's director-pair test runs the real one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSchema, type Cluster } from '../../../../shared/model/cluster.ts';
import { GUARD_SECONDS, pairScriptText } from '../../../../electron/keepalived/pair-handover.ts';
import { notifyScriptText } from '../../../../electron/keepalived/notify-script.ts';
import { profileResolver } from '../../../../electron/lvs/plan/desired-table.ts';
import { labCluster } from '../../../fixtures/lab-cluster.ts';
import { realProofSkip } from '../../../support/require-real.ts';

const pairCluster = (extra: object = {}): Cluster =>
  clusterSchema.parse({ ...labCluster(), runtime: 'keepalived', pair: { director: { host: '10.77.0.2', user: 'root' }, gateway: '10.77.0.254', vrid: 51 }, ...extra });
const textOf = (c: Cluster) => pairScriptText(c, profileResolver(c));

describe('lvs-pair: the text', () => {
  it('carries the profile values it needs, and parses under dash and busybox sh', () => {
    const t = textOf(pairCluster());
    expect(t).toContain('\nIF=eth0\nSYNCID=51\nVIP=10.77.0.100\nVIPDEV=eth0\nPORTS=\'23\'\n');
    // a connection is synced once its handshake completes (the kernel's default 3 waits for the client's 3rd packet)
    expect(t).toContain('echo "2 50" > $f || exit 1');
    for (const sh of ['/bin/dash', '/bin/busybox']) {
      if (!existsSync(sh)) continue;
      const r = spawnSync(sh, sh.endsWith('busybox') ? ['sh', '-n'] : ['-n'], { input: t, encoding: 'utf8' });
      expect(r.status, `${sh} -n: ${r.stderr}`).toBe(0);
    }
  });
  it('lists every TCP service port once, sorted; a profile with no TCP service guards nothing', () => {
    const c = pairCluster({ tcp: [{ port: 'telnet' }, { port: 513 }, { port: 22 }] });
    expect(textOf(c)).toContain("PORTS='22, 23, 513'");
    expect(textOf(pairCluster({ tcp: [] }))).toContain("PORTS=''");
  });
  it('refuses a profile without a pair, an interface name that is not plain, and an IPv6 VIP', () => {
    expect(() => textOf(clusterSchema.parse({ ...labCluster(), runtime: 'keepalived' }))).toThrow(/no second director/);
    const c = pairCluster();
    expect(() => pairScriptText({ ...c, lvsIf: 'eth0;reboot' }, profileResolver(c))).toThrow(/not a plain interface name/);
    expect(() => pairScriptText(c, () => 'fd00::1')).toThrow(/IPv4 VIP/);
  });
  it("keepalived's notify script hands an INSTANCE transition to lvs-pair when it is installed", () => {
    expect(notifyScriptText('/tmp/x')).toContain('if [ "$1" = INSTANCE ] && [ -x /etc/init.d/lvs-pair ]; then /etc/init.d/lvs-pair "$3" </dev/null >/dev/null 2>&1; fi');
  });
});

const canRun = (() => {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (a network namespace, nft)';
  if (spawnSync('sh', ['-c', 'command -v nft']).status !== 0) return 'nft missing (bash test/lab/install-deps.sh installs nftables)';
  return undefined;
})();
const skip = realProofSkip(canRun, 'the lvs-pair namespace test');

describe.skipIf(!!skip)(`lvs-pair: its verbs with the real nft and ip in a network namespace${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-pair-'));
  const script = join(dir, 'lvs-pair');
  const calls = join(dir, 'ipvsadm.calls');
  let holder: ReturnType<typeof spawn> | undefined;
  const inNs = (line: string) => spawnSync('nsenter', ['-t', String(holder!.pid), '-n', 'sh', '-c', line], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}/bin:/usr/sbin:/usr/bin:/sbin:/bin` }, timeout: 20_000 });
  const run = (verb: string) => inNs(`sh ${script} ${verb}`);
  /** Until MASTER's background job (a forked `sh …/lvs-pair MASTER`) has finished: up to 20 s. */
  const masterJobDone = async () => {
    for (let i = 0; i < 200 && spawnSync('pgrep', ['-f', `${script} MASTER`]).status === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(spawnSync('pgrep', ['-f', `${script} MASTER`]).status, 'the MASTER job still runs after 20 s').not.toBe(0);
  };
  const guardPorts = () => {
    const r = inNs('nft -j list set ip lvs_console_pair guard_port');
    expect(r.status, r.stderr).toBe(0);
    const set = (JSON.parse(r.stdout) as { nftables: { set?: { elem?: number[] } }[] }).nftables.find((x) => x.set)!.set!;
    return set.elem ?? [];
  };

  beforeAll(() => {
    // ipvsadm stand-in: records argv; --daemon lists what was started as Debian 12's ipvsadm 1.31 prints it (seen on the
    // lab's director: "master sync daemon (mcast=eth0, syncid=51, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)")
    spawnSync('mkdir', ['-p', `${dir}/bin`]);
    writeFileSync(
      `${dir}/bin/ipvsadm`,
      `#!/bin/sh\necho "$*" >> ${calls}\nd=${dir}/daemons\ncase "$*" in\n  "-L --daemon") cat "$d" 2>/dev/null ;;\n  --start-daemon*) echo "$2 sync daemon (mcast=$4, syncid=$6, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)" >> "$d" ;;\n  --stop-daemon*) grep -v "^$2 " "$d" > "$d.n"; mv "$d.n" "$d" ;;\nesac\nexit 0\n`,
    );
    chmodSync(`${dir}/bin/ipvsadm`, 0o755);
    writeFileSync(script, textOf(pairCluster({ tcp: [{ port: 'telnet' }, { port: 513 }] })));
    holder = spawn('unshare', ['-n', 'sleep', '600'], { stdio: 'ignore' });
    // the namespace's eth0 (a veth pair: no dummy driver on every kernel)
    for (let i = 0; i < 50 && inNs('true').status !== 0; i++) spawnSync('sleep', ['0.1']);
    const r = inNs('ip link add eth0 type veth peer name eth0p && ip link set eth0 up && ip link set eth0p up');
    expect(r.status, r.stderr).toBe(0);
  });
  afterAll(() => {
    holder?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('start: both sync daemons on eth0 with syncid 51, the guard loaded and armed (this director holds no VIP)', () => {
    const r = run('start');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(calls, 'utf8')).toContain('--start-daemon master --mcast-interface eth0 --syncid 51\n');
    expect(readFileSync(calls, 'utf8')).toContain('--start-daemon backup --mcast-interface eth0 --syncid 51\n');
    const rules = inNs('nft list table ip lvs_console_pair').stdout;
    expect(rules).toMatch(/hook input priority 200;[\s\S]*ip daddr 10\.77\.0\.100 tcp dport @guard_port drop/);
    expect(rules).toMatch(/hook forward priority 200;[\s\S]*ip saddr != 10\.77\.0\.100 tcp sport @guard_port drop/);
    expect(guardPorts()).toEqual([23, 513]);
    expect(run('status').status).toBe(0);
  });

  it('start again: nothing restarted, the table not reloaded (idempotent)', () => {
    writeFileSync(calls, '');
    const handle = () => /# handle (\d+)/.exec(inNs('nft -a list chain ip lvs_console_pair input').stdout)?.[1];
    const before = handle();
    expect(run('start').status).toBe(0);
    expect(readFileSync(calls, 'utf8')).not.toContain('--start-daemon');
    expect(handle()).toBe(before);
  });

  it(`MASTER: the guard stays armed, then is disarmed ${GUARD_SECONDS} s later while the VIP is here; BACKUP arms it again`, async () => {
    expect(inNs('ip addr add 10.77.0.100/24 dev eth0 label eth0:110').status).toBe(0);
    expect(run('MASTER').status).toBe(0);
    expect(guardPorts()).toEqual([23, 513]);
    await masterJobDone();
    expect(guardPorts()).toEqual([]);
    expect(run('BACKUP').status).toBe(0);
    expect(guardPorts()).toEqual([23, 513]);
  }, 30_000);

  it('MASTER then the VIP gone before the delay (a flap back to BACKUP): the guard stays armed', async () => {
    expect(run('MASTER').status).toBe(0);
    expect(inNs('ip addr del 10.77.0.100/24 dev eth0').status).toBe(0);
    await masterJobDone();
    expect(guardPorts()).toEqual([23, 513]);
  }, 30_000);

  it('a sync daemon on another interface or syncid is restarted with the configured ones; the short format of older ipvsadm counts too', () => {
    writeFileSync(join(dir, 'daemons'), 'master sync daemon (mcast=eth1, syncid=7)\nbackup sync daemon (mcast=eth0, syncid=51)\n');
    writeFileSync(calls, '');
    expect(run('start').status).toBe(0);
    const c = readFileSync(calls, 'utf8');
    expect(c).toContain('--stop-daemon master\n--start-daemon master --mcast-interface eth0 --syncid 51\n');
    expect(c).not.toContain('--start-daemon backup');
    // syncid 5 is not 51: a prefix match would take one for the other
    writeFileSync(join(dir, 'daemons'), 'master sync daemon (mcast=eth0, syncid=5, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\nbackup sync daemon (mcast=eth0, syncid=51)\n');
    writeFileSync(calls, '');
    expect(run('start').status).toBe(0);
    expect(readFileSync(calls, 'utf8')).toContain('--stop-daemon master\n--start-daemon master --mcast-interface eth0 --syncid 51\n');
    expect(run('status').status).toBe(0);
  });
});

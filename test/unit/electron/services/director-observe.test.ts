import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/result.ts';
import { observeArgv, observeDirector, observedSysctlKeys, parseObserveOutput } from '../../../../electron/services/director-observe.ts';
import { sysctlKey, sysctlPath } from '../../../../electron/lvs/plan/sysctl-path.ts';
import type { Executor } from '../../../../electron/ssh/types.ts';
import { localDirector, type LocalDirector, natRrCluster } from './local-director.ts';

const fixture = (p: string) => readFileSync(new URL(`../../../fixtures/${p}`, import.meta.url), 'utf8');

describe('sysctl keys and paths', () => {
  it('maps dotted keys with VLAN interfaces to /proc/sys paths and back', () => {
    expect(sysctlPath('net.ipv4.conf.eth0/100.send_redirects')).toBe('net/ipv4/conf/eth0.100/send_redirects');
    expect(sysctlKey('net/ipv4/conf/eth0.100/send_redirects')).toBe('net.ipv4.conf.eth0/100.send_redirects');
    expect(() => sysctlPath('net.ipv4.. ')).toThrow();
  });
});

const cluster = natRrCluster;
const keys = observedSysctlKeys(cluster, '10.0.0.100');

let ld: LocalDirector | undefined;
afterEach(() => ld?.cleanup());

describe('observe (the constant script on a local stand-in director)', () => {
  it('reads the table, the addresses and the sysctls in one exec', async () => {
    ld = localDirector();
    ld.setTable(fixture('ipvsadm/S-n.1.2.1.nat-rr.txt'));
    const calls: string[][] = [];
    const ex: Executor = { label: ld.exec.label, exec: (argv, o) => (calls.push(argv), ld!.exec.exec(argv, o)) };
    const s = await observeDirector(ex, 'table', keys);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.slice(3)).toEqual(['lvs-console-observe', 'table', '-', '-', '/proc/sys/net/ipv4/conf/all/send_redirects', '/proc/sys/net/ipv4/conf/eth0/send_redirects', '/proc/sys/net/ipv4/ip_forward', '/proc/sys/net/ipv4/vs/expire_quiescent_template']);
    expect(s.table.services).toHaveLength(1);
    expect(s.table.services[0]!.destinations.map((d) => d.address)).toEqual(['192.168.188.82', '192.168.188.83']);
    expect(s.saveText).toBe(fixture('ipvsadm/S-n.1.2.1.nat-rr.txt'));
    expect(s.addresses.map((a) => a.address)).toEqual(['10.0.0.1']);
    // This kernel has no IPVS: its sysctl is simply absent (planStart says so instead of setting it).
    expect(Object.keys(s.sysctls).sort()).toEqual(keys.filter((k) => !k.startsWith('net.ipv4.vs.')).sort());
    expect(s.list).toBeUndefined();
  });

  it('status mode reads the listing with connections instead (the table comes from ipvsadm -L -n); counters only when asked', async () => {
    ld = localDirector();
    const s = await observeDirector(ld.exec, 'status', keys);
    expect([s.list?.variant, s.stats, s.rate]).toEqual(['plain', undefined, undefined]);
    expect(s.saveText).toBeUndefined();
    expect(s.table).toEqual({ services: [] });
    const both = await observeDirector(ld.exec, 'status', keys, { counters: { stats: true, rate: true } });
    expect([both.list?.variant, both.stats?.variant, both.rate?.variant]).toEqual(['plain', 'stats', 'rate']);
    const rate = await observeDirector(ld.exec, 'status', keys, { counters: { rate: true } });
    expect([rate.stats, rate.rate?.variant]).toEqual([undefined, 'rate']);
  });

  it('a status runs one ipvsadm per listing it shows, no more', () => {
    const argv = (c: { stats?: boolean; rate?: boolean }) => observeArgv('status', [], c);
    expect(argv({})[5]).toBe('-');
    expect(argv({ stats: true })[5]).toBe('stats');
    expect(argv({ stats: true, rate: true })[5]).toBe('stats,rate');
    // The script runs --stats / --rate only when $2 names them.
    const script = argv({})[2]!;
    expect(script).toMatch(/case \$counters in \*,stats,\*\) sec stats ipvsadm -L -n --stats --exact;; esac/);
    expect(script).toMatch(/case \$counters in \*,rate,\*\) sec rate ipvsadm -L -n --rate --exact;; esac/);
  });

  it('a counter listing asked for but missing from the output is an error naming the command', () => {
    const out = '@@lvs-console begin list\nIP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n\n@@lvs-console end list 0\n@@lvs-console begin addr\n\n@@lvs-console end addr 0\n@@lvs-console begin sysctl\n\n@@lvs-console end sysctl 0\n';
    expect(parseObserveOutput('director 10.0.0.1', 'status', keys, out, '').stats).toBeUndefined();
    expect(() => parseObserveOutput('director 10.0.0.1', 'status', keys, out, '', { stats: true })).toThrow('director 10.0.0.1: ipvsadm -L -n --stats --exact: no output');
  });

  it('ipvsadm missing (exit 127): NOT_FOUND "director 10.0.0.1: observe: ipvsadm not found (…)"', async () => {
    const ex: Executor = { label: 'director 10.0.0.1', exec: async () => ({ code: 127, signal: null, stdout: '', stderr: 'ipvsadm: not found\n', durationMs: 1 }) };
    const err = (await observeDirector(ex, 'table', keys).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('director 10.0.0.1: observe: ipvsadm not found (ipvsadm: not found)');
    expect(err.step).toBe('observe');
  });

  it('a failing section names the host and the command', () => {
    const out = '@@lvs-console begin save\n\n@@lvs-console end save 1\n';
    const err = "@@lvs-console begin save\nCan't initialize ipvs: Protocol not available\n";
    expect(() => parseObserveOutput('director 10.0.0.1', 'table', keys, out, err)).toThrow("director 10.0.0.1: ipvsadm -S -n: Can't initialize ipvs: Protocol not available");
  });

  it('reads the runtime when asked: each file (or its absence) and the facts, in the same exec', async () => {
    ld = localDirector();
    const dir = mkdtempSync(join(tmpdir(), 'obs-rt-'));
    try {
      writeFileSync(join(dir, 'lvs.conf'), 'VIP=10.0.0.100\n');
      writeFileSync(join(dir, 'empty'), '');
      const files = [join(dir, 'lvs.conf'), join(dir, 'missing.conf'), join(dir, 'empty')];
      const s = await observeDirector(ld.exec, 'table', keys, { files });
      expect([...s.runtime!.files]).toEqual([
        [files[0], 'VIP=10.0.0.100\n'],
        [files[1], undefined],
        [files[2], ''],
      ]);
      // this machine: /etc/init.d exists; keepalived is not running here
      expect(s.runtime!.dirs.has('/etc/init.d') || !existsSync('/etc/init.d')).toBe(true);
      expect(s.runtime!.keepalived.pid).toBeUndefined();
      expect(() => observeArgv('table', [], {}, ['/etc/../x'])).toThrow(/bad path/);
      expect(() => observeArgv('table', [], {}, ['relative'])).toThrow(/bad path/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the script is a constant: the interface and mode travel as arguments', () => {
    const argv = observeArgv('table', ['net.ipv4.conf.eth9.send_redirects']);
    expect(argv[2]).not.toContain('eth9');
    expect(argv.at(-1)).toBe('/proc/sys/net/ipv4/conf/eth9/send_redirects');
  });
});


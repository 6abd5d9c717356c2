/**
 * The collector scripts run by the shells that run them on real hosts (dash: Debian realservers; busybox sh: the lab's
 * director and small realservers), in throwaway network namespaces with real routes, addresses and listeners, and read
 * back by the parsers. Needs root; skipped otherwise.
 */
import { existsSync } from 'node:fs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { directorSysctls } from '../../../../electron/lvs/plan/director-plan.ts';
import { directorCollectArgv, parseDirectorCollect } from '../../../../electron/doctor/director-collect.ts';
import { parseRealserverCollect, realserverCollectArgv } from '../../../../electron/doctor/realserver-collect.ts';
import { labCluster } from '../../../fixtures/lab-cluster.ts';

const root = process.getuid?.() === 0 && process.platform === 'linux';
const made: string[] = [];
const procs: ChildProcess[] = [];
afterAll(() => {
  for (const p of procs) p.kill('SIGKILL');
  for (const ns of made) spawnSync('ip', ['netns', 'del', ns]);
});

const ip = (...a: string[]) => {
  const r = spawnSync('ip', a, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${a.join(' ')}: ${r.stderr}`);
};

/** A director namespace (10.99.0.1 + the VIP on eth0:110) wired to a realserver namespace (10.99.0.11, TCP 23 open). */
function pairOfNamespaces(tag: string): { d: string; r: string } {
  const d = `dc-${process.pid}-${tag}`;
  const r = `rc-${process.pid}-${tag}`;
  made.push(d, r);
  ip('netns', 'add', d);
  ip('netns', 'add', r);
  ip('-n', d, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', r);
  for (const n of [d, r]) for (const l of ['lo', 'eth0']) ip('-n', n, 'link', 'set', l, 'up');
  ip('-n', d, 'addr', 'add', '10.99.0.1/24', 'dev', 'eth0');
  ip('-n', d, 'addr', 'add', '10.99.0.100/24', 'dev', 'eth0', 'label', 'eth0:110');
  ip('-n', r, 'addr', 'add', '10.99.0.11/24', 'dev', 'eth0');
  ip('-n', r, 'route', 'add', 'default', 'via', '10.99.0.1', 'dev', 'eth0');
  const nc = spawn('ip', ['netns', 'exec', r, 'busybox', 'nc', '-ll', '-p', '23', '-e', '/bin/cat'], { stdio: 'ignore' });
  procs.push(nc);
  for (let i = 0; i < 50 && !/:23\b/.test(spawnSync('ip', ['netns', 'exec', r, 'ss', '-H', '-l', '-t', '-n'], { encoding: 'utf8' }).stdout); i++) spawnSync('sleep', ['0.1']);
  return { d, r };
}

describe.skipIf(!root)('the collectors, run for real', () => {
  for (const shell of [['dash'], ['busybox', 'sh']]) {
    it(`${shell.join(' ')}: the director collector's output parses, with the VIP, the sysctls and the probe results`, () => {
      const { d } = pairOfNamespaces(shell.length === 1 ? 'dash' : 'bb');
      const keys = directorSysctls(labCluster()).map((s) => s.key);
      const argv = directorCollectArgv(keys, [23], ['10.99.0.11', '10.99.0.12']);
      const run = spawnSync('ip', ['netns', 'exec', d, ...shell, ...argv.slice(1)], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const o = parseDirectorCollect('director', run.stdout, { tcpPorts: [23], realservers: ['10.99.0.11', '10.99.0.12'] });
      expect(o.addresses?.find((a) => a.address === '10.99.0.100')?.label).toBe('eth0:110');
      // IPVS's own sysctls (net.ipv4.vs.*) exist only where ip_vs is loaded: absent on a kernel without it.
      expect(Object.keys(o.sysctls ?? {}).sort()).toEqual(keys.filter((k) => !k.startsWith('net.ipv4.vs.') || existsSync(`/proc/sys/${k.replace(/\./g, '/')}`)).sort());
      expect(o.probes).toEqual({ '10.99.0.11': { icmp: true, tcp: { 23: true } }, '10.99.0.12': { icmp: false, tcp: { 23: false } } });
      // this machine's kernel may or may not have IPVS: either a table or ipvsadm's own words
      expect(o.ipvs?.ok ? o.table : o.ipvs?.error).toBeTruthy();
    });
    it(`${shell.join(' ')}: the realserver collector's output parses, with the routes, the listeners and the boot probe`, () => {
      const { r } = pairOfNamespaces(shell.length === 1 ? 'rdash' : 'rbb');
      const run = spawnSync('ip', ['netns', 'exec', r, ...shell, ...realserverCollectArgv('eth0').slice(1)], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const o = parseRealserverCollect({ name: 'rs1', address: '10.99.0.11', os: 'linux', netIf: 'eth0', gateway: '10.99.0.1', stamp: 's' }, run.stdout);
      expect(o.routes?.map((x) => `${x.dest}/${x.prefix}`)).toEqual(['default/0', '10.99.0.0/24']);
      expect(o.listeners).toContainEqual({ protocol: 'tcp', port: 23 });
      expect(o.boot && 'spec' in o.boot ? o.boot.spec.subnets : o.boot).toEqual([{ dest: '10.99.0.0', prefix: 24, ownIp: '10.99.0.11' }]);
    });
  }
});

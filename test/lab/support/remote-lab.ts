/**
 * What the remote-verb lab tests and bench:lab share: whether the lab can run here, bringing it up (`npm run lab:up`,
 * idempotent) for one test file at a time, running commands on lab hosts (`lab.sh exec`), running lvsctl in-process, and
 * putting the lab back in its boot state (empty table, no VIP, boot sysctls, realserver routes as at boot).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterSchema, type Cluster, type ClusterInput } from '../../../shared/model/cluster.ts';
import type { CliIo } from '../../../electron/cli/io.ts';
import { main } from '../../../electron/cli/lvsctl.ts';
import { TX_DIR } from '../../../electron/lvs/plan/transaction.ts';
import { realProofSkip } from '../../support/require-real.ts';

/** The repository root. */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Where lab tests save artifacts (git-ignored). */
export const OUT = join(REPO, 'test', 'lab', 'out');
const LAB_SH = join(REPO, 'test', 'lab', 'lab.sh');

/** Why the lab cannot run here (undefined when it can): it needs Linux, root and the lab scripts. */
export function labUnavailable(): string | undefined {
  return realProofSkip(labMissing(), 'the lab tests (the real IPVS kernel)');
}

function labMissing(): string | undefined {
  if (process.platform !== 'linux') return `the lab needs Linux (this is ${process.platform})`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'the lab needs root (network namespaces, qemu); CI runs it as root';
  if (!existsSync(LAB_SH)) return `${LAB_SH} is missing`;
  return undefined;
}

/** The running lab: its profile files, the (script runtime) profile, and the VIP. */
export interface Lab {
  profileFile: string;
  /** The same cluster with runtime "keepalived" (lab:up's `profile-keepalived:` line). */
  profileKeepalivedFile: string;
  /** The director pair (director + director2, floating gateway; runtime "keepalived"): lab:up's `profile-ha:` line. */
  profileHaFile: string;
  cluster: Cluster;
  input: ClusterInput;
  vip: string;
  /** A private XDG_CONFIG_HOME (the CLI trust store lives there) and an empty known_hosts file. */
  home: string;
  emptyKnownHosts: string;
}

let lockHolder: ChildProcess | undefined;

/**
 * Makes this process the only lab test user until it exits (or labRelease): vitest may run test files in parallel, and
 * the lab has one director. An flock(1) on .lab/tests.lock is held by a child `cat` that lives as long as its stdin, a pipe
 * from this process, so a crashed test file releases it too. Waits (at most `maxMs`) while another file holds it.
 */
export function labHold(maxMs = 60 * 60_000): void {
  if (lockHolder) return;
  const dir = join(REPO, '.lab');
  mkdirSync(dir, { recursive: true });
  const marker = join(dir, `tests.lock.${process.pid}`);
  rmSync(marker, { force: true });
  const child = spawn('flock', [join(dir, 'tests.lock'), 'sh', '-c', 'echo "$PPID" > "$1"; exec cat', 'sh', marker], { stdio: ['pipe', 'ignore', 'inherit'] });
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  const end = Date.now() + maxMs;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (!existsSync(marker)) {
    if (child.exitCode !== null) throw new Error(`flock ${join(dir, 'tests.lock')} exited (${child.exitCode}): is util-linux installed?`);
    if (Date.now() > end) {
      child.kill();
      throw new Error(`another lab test file held ${join(dir, 'tests.lock')} for more than ${Math.round(maxMs / 60_000)} min`);
    }
    Atomics.wait(nap, 0, 0, 250);
  }
  rmSync(marker, { force: true });
  lockHolder = child;
}

/** Lets the next lab test file have the lab (also happens by itself when this process exits). */
export function labRelease(): void {
  lockHolder?.stdin?.end();
  lockHolder = undefined;
}

/**
 * Holds the lab (labHold), then `npm run lab:up` (idempotent); parses the `profile: PATH`, `profile-keepalived: PATH`,
 * `profile-ha: PATH` and `vip: ADDR` lines it ends with.
 */
export function labUp(): Lab {
  labHold();
  const r = spawnSync('npm', ['run', '-s', 'lab:up'], { cwd: REPO, encoding: 'utf8', timeout: 20 * 60_000 });
  if (r.status !== 0) throw new Error(`npm run lab:up failed (exit ${r.status}):\n${r.stdout}\n${r.stderr.slice(-4000)}`);
  const profileFile = /^profile: (.+)$/m.exec(r.stdout)?.[1]?.trim();
  const profileKeepalivedFile = /^profile-keepalived: (.+)$/m.exec(r.stdout)?.[1]?.trim();
  const profileHaFile = /^profile-ha: (.+)$/m.exec(r.stdout)?.[1]?.trim();
  const vip = /^vip: (.+)$/m.exec(r.stdout)?.[1]?.trim();
  if (!profileFile || !profileKeepalivedFile || !profileHaFile || !vip) {
    throw new Error(`npm run lab:up did not print "profile:", "profile-keepalived:", "profile-ha:" and "vip:" lines:\n${r.stdout}`);
  }
  const input = JSON.parse(readFileSync(profileFile, 'utf8')) as ClusterInput;
  const home = mkdtempSync(join(tmpdir(), 'lvslab-home-'));
  const emptyKnownHosts = join(home, 'known_hosts');
  writeFileSync(emptyKnownHosts, '');
  // The CLI's trust store goes to $XDG_CONFIG_HOME: keep the tests' trust decisions out of root's own config.
  process.env.XDG_CONFIG_HOME = home;
  mkdirSync(OUT, { recursive: true });
  return { profileFile, profileKeepalivedFile, profileHaFile, cluster: clusterSchema.parse(input), input, vip, home, emptyKnownHosts };
}

/** Output of a command on a lab host. */
export interface LabResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `lab.sh exec HOST CMD…` (one word with spaces = a shell line on that host). */
export function labExec(host: string, ...cmd: string[]): LabResult {
  const r = spawnSync('bash', [LAB_SH, 'exec', host, ...cmd], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** labExec that must succeed; returns stdout. */
export function labSh(host: string, line: string): string {
  const r = labExec(host, line);
  if (r.code !== 0) throw new Error(`lab exec ${host} "${line}" failed (exit ${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** `lab.sh VERB ARGS…` (reboot, kill, start, service, link, rekey, keepalived). */
export function labCmd(...args: string[]): LabResult {
  const r = spawnSync('bash', [LAB_SH, ...args], { cwd: REPO, encoding: 'utf8', timeout: 10 * 60_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** What an lvsctl run printed. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs lvsctl in-process (the same code as the binary) with captured streams and an optional stdin. */
export async function lvsctl(args: string[], stdin = ''): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), readStdin: async () => stdin };
  const code = await main(args, io);
  return { code, out, err };
}

/** lvsctl with the lab profile and no ~/.ssh/known_hosts (only the profile's pre-trusted keys and the test store). */
export function labCtl(lab: Lab, ...args: string[]): Promise<CliRun> {
  return lvsctl(['--profile', lab.profileFile, '--known-hosts', lab.emptyKnownHosts, ...args]);
}

/** Writes a variant of the lab profile (e.g. 100 realservers, no known hosts) and returns its path. */
export function writeProfile(lab: Lab, name: string, change: (p: ClusterInput) => ClusterInput): string {
  const file = join(lab.home, `${name}.json`);
  writeFileSync(file, JSON.stringify(change(structuredClone(lab.input)), null, 2));
  return file;
}

/** The lab profile with `n` extra (not existing) realservers 10.77.0.101…: for 2 services × n realservers tables. */
export function bigProfile(lab: Lab, n: number): string {
  const net = lab.vip.split('.').slice(0, 3).join('.');
  return writeProfile(lab, `big-${n}`, (p) => ({
    ...p,
    id: `lvslab-big-${n}`,
    realservers: Array.from({ length: n }, (_, i) => ({ host: `${net}.${101 + i}`, name: `big${i + 1}` })),
  }));
}

/** A realserver's lab name and address from the profile. */
export function realservers(lab: Lab): { name: string; ip: string }[] {
  return lab.cluster.realservers.map((r) => ({ name: r.name ?? r.host, ip: r.host }));
}

/**
 * Back to the boot state, whatever a test left: no lvs-director install, empty table, no VIP, the boot sysctls
 * (ip_forward 0, send_redirects 1), every realserver's cable plugged in and link up with its boot routes (subnet route,
 * default via the director). Returns what it found different, for the log.
 */
export function restoreBootState(lab: Lab): void {
  const d = lab.cluster.director.host;
  const net = d.split('.').slice(0, 3).join('.');
  labExec(
    'director',
    [
      'rm -f /etc/rc.d/rc3.d/S99lvs-director /etc/rc3.d/S99lvs-director /etc/init.d/lvs-director /etc/lvs.conf /etc/lvs.conf.bak.* /etc/init.d/lvs-director.bak.*',
      // the keepalived runtime: stopped, its config, options, boot links and the console's files gone
      '/etc/init.d/keepalived stop >/dev/null 2>&1',
      'rm -f /etc/keepalived/keepalived.conf /etc/keepalived/lvs-console-notify.sh /etc/sysconfig/keepalived /etc/init.d/lvs-kernel /etc/rc.d/rc3.d/S45lvs-kernel /etc/rc.d/rc3.d/S50keepalived /var/lib/lvs-console/vrrp-*',
      "if [ -f /etc/crontabs/root ]; then grep -v 'lvs-director' /etc/crontabs/root > /tmp/ct.$$; cat /tmp/ct.$$ > /etc/crontabs/root; rm -f /tmp/ct.$$; echo root >> /etc/crontabs/cron.update; fi",
      'ipvsadm -C',
      `ip addr del ${lab.vip}/${lab.cluster.vipPrefix} dev eth0 2>/dev/null`,
      'sysctl -q -w net.ipv4.ip_forward=0; sysctl -q -w net.ipv4.conf.all.send_redirects=1; sysctl -q -w net.ipv4.conf.eth0.send_redirects=1',
      `rm -f /tmp/lvs-console.* ${TX_DIR}/lvs-console.*`,
      'true',
    ].join('; '),
  );
  for (const rs of realservers(lab)) {
    labCmd('link', rs.name, 'up'); // a cable pulled with `lab.sh link NAME down`
    labExec(rs.name, `ip link set eth0 up; ip route del ${d} dev eth0 2>/dev/null; ip route replace ${net}.0/24 dev eth0 proto kernel scope link src ${rs.ip}; ip route replace default via ${d} dev eth0; true`);
  }
}

/** `ip -4 route show` of a realserver, sorted (to compare with the boot routes). */
export function routesOf(name: string): string {
  return labSh(name, 'ip -4 route show').split('\n').map((l) => l.trimEnd()).filter(Boolean).sort().join('\n');
}

/**
 * A real `telnet` from the client to ADDR:23, kept open until the realserver's login prompt shows or `waitMs` passes
 * (a loaded CI machine with the emulated director can take seconds; this waits, it does not time the path). Returns the
 * realserver's name from "rs2 login:" ('' when none came) and what telnet printed, for the failure message.
 */
export function telnetGreeting(addr: string, waitMs = 20_000): { banner: string; output: string } {
  const secs = Math.ceil(waitMs / 1000);
  // job control (set -m): the background pipeline gets its own process group, so one kill ends sleep and telnet both
  const script = [
    'set -m; out=$(mktemp)',
    '{ sleep "$2" | timeout "$2" stdbuf -o0 telnet "$1" 23 >"$out" 2>&1; } &',
    'job=$!; i=0',
    'while [ "$i" -lt $(( $2 * 10 )) ]; do grep -q "login:" "$out" && break; kill -0 "$job" 2>/dev/null || break; sleep 0.1; i=$((i + 1)); done',
    'kill -- -"$job" 2>/dev/null; wait "$job" 2>/dev/null',
    'cat "$out"; rm -f "$out"',
  ].join('\n');
  const output = labExec('client', 'bash', '-c', script, '_', addr, String(secs)).stdout.replace(/\r/g, '');
  return { banner: /(?:^|\s)(rs\d+) login:/m.exec(output)?.[1] ?? '', output };
}

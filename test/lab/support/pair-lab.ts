/**
 * What the director-pair lab test and its bench:lab module share: lvsctl on the pair profile, both directors put back
 * in their boot state, and sessions through the VIP from the client that stay open across a failover: a telnet
 * session (a real `telnet` client fed from a file; it "answers" when a line sent to it brings a new prompt from the
 * realserver's login: "Password:" or "Login incorrect"/"login:", which no local echo can fake) and an X session
 * (`Xvfb -query VIP`: xdm's greeter on a realserver draws over its own X connection to the client, routed via the
 * pair's floating gateway; it "redraws" when, after `xrefresh` has exposed every window, a screenshot still shows the
 * greeter: the same xlogin window id, not a blank screen).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lvsctl, labExec, labSh, OUT, REPO, type CliRun, type Lab } from './remote-lab.ts';
import { TX_DIR } from '../../../electron/lvs/plan/transaction.ts';

export { sleep, until } from './until.ts';
import { sleep, until } from './until.ts';

/** lvsctl on the pair profile (lab:up's `profile-ha:`), with only the profile's pre-trusted host keys. */
export function haCtl(lab: Lab, ...args: string[]): Promise<CliRun> {
  return lvsctl(['--profile', lab.profileHaFile, '--known-hosts', lab.emptyKnownHosts, ...args]);
}

/** The lab's VM names and addresses of the pair. */
export const VMS = [
  { vm: 'director', ip: '10.77.0.1' },
  { vm: 'director2', ip: '10.77.0.2' },
] as const;

/** A lab VM back in its boot state (no keepalived runtime, table, VIP, gateway; boot sysctls). Quiet when it is down. */
export function resetDirectorVm(vm: string, vip: string, gateway: string): void {
  labExec(
    vm,
    [
      'grep -q " /etc/keepalived " /proc/mounts && umount /etc/keepalived',
      '/etc/init.d/keepalived stop >/dev/null 2>&1',
      'rm -f /etc/keepalived/keepalived.conf /etc/keepalived/lvs-console-notify.sh /etc/sysconfig/keepalived /etc/init.d/lvs-kernel /etc/rc.d/rc3.d/S45lvs-kernel /etc/rc.d/rc3.d/S50keepalived /var/lib/lvs-console/vrrp-*',
      'rm -f /etc/rc.d/rc3.d/S99lvs-director /etc/init.d/lvs-director /etc/lvs.conf',
      'ipvsadm -C',
      `ip addr del ${vip}/24 dev eth0 2>/dev/null; ip addr del ${gateway}/24 dev eth0 2>/dev/null`,
      'sysctl -q -w net.ipv4.ip_forward=0; sysctl -q -w net.ipv4.conf.all.send_redirects=1; sysctl -q -w net.ipv4.conf.eth0.send_redirects=1',
      `rm -f /tmp/lvs-console.* ${TX_DIR}/lvs-console.*`,
      'sync; true',
    ].join('; '),
  );
}

/** Which lab VM holds `address` now (by the lab's own ssh), '' when none. */
export function holderOf(address: string): string {
  return VMS.filter((d) => labExec(d.vm, `ip -o addr show dev eth0 | grep -qF ' ${address}/'`).code === 0)
    .map((d) => d.vm)
    .join('+');
}

const PROMPTS = /Password:|Login incorrect|login:/g;

/** A telnet session from the client to VIP:23 that stays open: send lines, see whether the realserver answers. */
export class TelnetSession {
  private readonly base: string;
  constructor(
    readonly tag: string,
    private readonly vip: string,
  ) {
    this.base = `/tmp/pair-${tag}`;
  }

  /** Opens it and waits (up to 20 s) for the realserver's login prompt; returns which realserver ("rs2") or undefined. */
  async open(): Promise<string | undefined> {
    const b = this.base;
    labExec('client', `sh -c 'rm -f ${b}.in ${b}.out; : > ${b}.in; nohup sh -c "tail -f ${b}.in 2>/dev/null | telnet ${this.vip} 23" </dev/null >${b}.out 2>&1 & echo $! > ${b}.pid'`);
    return until(20_000, 200, () => /(rs\d+) login:/.exec(this.output())?.[1]);
  }

  /** What the session printed so far. */
  output(): string {
    return labExec('client', `cat ${this.base}.out`).stdout;
  }

  private prompts(): number {
    return (this.output().match(PROMPTS) ?? []).length;
  }

  /**
   * Sends one line (a user name or a wrong password) and waits up to `ms` for a new prompt from the realserver's login;
   * true when it came (the session answers end to end).
   */
  async answers(ms = 15_000): Promise<boolean> {
    const before = this.prompts();
    labExec('client', `sh -c 'printf "lvsprobe\\r\\n" >> ${this.base}.in'`);
    return (await until(ms, 200, () => this.prompts() > before)) === true;
  }

  /** Whether the client's telnet is still running (it exits when the connection is closed or reset). */
  alive(): boolean {
    return labExec('client', `sh -c 'pgrep -f "telnet ${this.vip} 23" >/dev/null'`).code === 0 && !/Connection closed/.test(this.output());
  }

  close(): void {
    labExec('client', `sh -c 'pkill -f "tail -f ${this.base}.in"; [ -f ${this.base}.pid ] && kill "$(cat ${this.base}.pid)" 2>/dev/null; true'`);
  }
}

/** An X session from the client: `Xvfb :N -query VIP`, xdm's greeter drawn by a realserver. */
export class XSession {
  constructor(
    readonly display: number,
    private readonly vip: string,
  ) {}

  /** Starts Xvfb and waits (up to `ms`) for xdm's login window; returns its window id or undefined. */
  async open(ms = 90_000): Promise<string | undefined> {
    const d = this.display;
    labExec('client', `sh -c 'Xvfb :${d} -query ${this.vip} -listen tcp -ac -screen 0 640x480x16 </dev/null >/tmp/pair-x${d}.log 2>&1 & echo $! > /tmp/pair-x${d}.pid'`);
    return until(ms, 500, () => this.loginWindow());
  }

  /** The id of the greeter's "xlogin" window now, or undefined. */
  loginWindow(): string | undefined {
    return /^\s*(0x[0-9a-f]+) "xlogin"/m.exec(labExec('client', `xwininfo -root -tree -display :${this.display}`).stdout)?.[1];
  }

  /**
   * Exposes every window (xrefresh maps a window over the screen and unmaps it: each client must redraw its part),
   * waits, and takes a screenshot: its grey-level standard deviation (a blank screen is ~0) and the login window id.
   */
  async redraw(file: string): Promise<{ sd: number; window?: string }> {
    const d = this.display;
    labExec('client', 'xrefresh', '-display', `:${d}`);
    await sleep(3000);
    const png = join(OUT, file);
    labExec('client', 'import', '-display', `:${d}`, '-window', 'root', png);
    const sd = Number(labSh('client', `convert ${png} -colorspace Gray -format '%[fx:standard_deviation]' info:`).trim());
    return { sd, window: this.loginWindow() };
  }

  /** Which realserver manages the display (its xdm's process list names the client's display). */
  servedBy(rsNames: readonly string[]): string {
    return rsNames.filter((rs) => new RegExp(`^-(client|[0-9.]+):${this.display}\\b`, 'm').test(labExec(rs, 'ps -eo args').stdout)).join('+');
  }

  close(): void {
    labExec('client', `sh -c '[ -f /tmp/pair-x${this.display}.pid ] && kill "$(cat /tmp/pair-x${this.display}.pid)"; rm -f /tmp/pair-x${this.display}.pid; true'`);
  }
}

/** The client's source address in the lab (test/lab/README.md). */
export const CLIENT_IP = '10.77.0.50';

/** ESTABLISHED IPVS connections from the client to VIP:23 in `vm`'s table (`ipvsadm -L -n -c`; the backup's come from the sync daemon). */
export function establishedTelnets(vm: string, vip: string): number {
  const esc = (a: string) => a.replace(/\./g, '\\.');
  const row = new RegExp(`^TCP\\s+\\S+\\s+ESTABLISHED\\s+${esc(CLIENT_IP)}:\\d+\\s+${esc(vip)}:23\\s`);
  return labExec(vm, 'ipvsadm -L -n -c').stdout.split('\n').filter((l) => row.test(l)).length;
}

/**
 * Waits (up to `ms`) until `backup`'s table holds at least `n` ESTABLISHED telnets from the client (carried there by
 * the master's sync daemon); the ms it took, or undefined. The master's kernel sends a connection's state when it becomes
 * ESTABLISHED, but its sync thread only flushes a buffer that is not full after IPVS_SYNC_FLUSH_TIME (2 s), checking
 * every IPVS_SYNC_CHECK_PERIOD (1 s; include/net/ip_vs.h): 2–3 s after the connection opened.
 */
export async function waitSynced(backup: string, vip: string, n: number, ms = 10_000): Promise<number | undefined> {
  const t0 = Date.now();
  return (await until(ms, 250, () => establishedTelnets(backup, vip) >= n)) ? Date.now() - t0 : undefined;
}

/** What one failover measured (ms). */
export interface FailoverTiming {
  /** From just before `lab.sh kill VM` started until its qemu process was seen gone (polled every 2 ms): the kill is inside. */
  killCmdMs: number;
  /** From qemu gone until the client's ARP entry for the VIP held the backup's MAC (its gratuitous ARP arrived). */
  garpMs?: number;
  /** From qemu gone until the first NEW telnet started after it got a realserver's greeting: "director killed → served by the backup". */
  firstNewMs?: number;
  /** The same from just before `lab.sh kill` started (an upper bound: includes the script's own start before its SIGKILL). */
  firstNewFromCmdMs?: number;
  /** New telnets started after qemu was gone: how many, and how many got no greeting within 3 s (SYN retransmits included). */
  attempts: { total: number; failed: number };
}

const LAB_SH = join(REPO, 'test/lab/lab.sh');
const pidFile = (vm: string) => join(REPO, '.lab', 'run', vm === 'director2' ? 'qemu-director2.pid' : 'qemu.pid');
const gone = (pid: number) => {
  try {
    return /^State:\s+[ZX]/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
};

/**
 * The client's probe (bash): `ip -ts monitor neigh` (UTC timestamps) into `neigh`, and until `stop` exists a NEW telnet
 * to VIP:23 every 100 ms, each in the background (connect and the first byte within 3 s), appending to `probe` a line
 * `START_MS END_MS ok|FAIL`.
 */
export function probeScript(vip: string, probe: string, neigh: string, stop: string): string {
  return [
    `TZ=UTC ip -ts monitor neigh > ${neigh} 2>&1 & mon=$!`,
    `: > ${probe}`,
    `while [ ! -e ${stop} ]; do`,
    `  ( s=$(date +%s%3N); if timeout 3 bash -c 'exec 3<>/dev/tcp/${vip}/23 && head -c 1 <&3 >/dev/null' 2>/dev/null; then r=ok; else r=FAIL; fi; echo "$s $(date +%s%3N) $r" >> ${probe} ) &`,
    '  sleep 0.1',
    'done',
    'kill $mon; wait',
  ].join('\n');
}

/**
 * Kills the director VM `master` with `lab.sh kill` (SIGKILL of qemu) and times the failover as the client sees it.
 * Before the kill the client starts a NEW telnet to VIP:23 every 100 ms (each: connect and the realserver's first byte
 * within 3 s, in the background so the pace holds), with `ip -ts monitor neigh` watching its ARP entries; the kill
 * moment is when the qemu process is gone (polled every 2 ms from here; the whole `lab.sh kill` also reported).
 * Only telnets STARTED after that count (before it the old master may still serve them): the first one with a
 * greeting is the figure (served by the backup: nothing else holds the VIP then). Resolution: the 100 ms pace.
 */
export async function killAndTime(vip: string, master: string, backup: string, maxMs = 30_000): Promise<FailoverTiming> {
  const probe = join(OUT, 'pair-probe.txt');
  const neigh = join(OUT, 'pair-probe.neigh');
  const stop = join(OUT, 'pair-probe.stop');
  mkdirSync(OUT, { recursive: true });
  for (const f of [probe, neigh, stop]) rmSync(f, { force: true });
  const backupMac = labExec(backup, 'cat /sys/class/net/eth0/address').stdout.trim().toLowerCase();
  if (!/^[0-9a-f:]{17}$/.test(backupMac)) throw new Error(`${backup}: no MAC address on eth0 ('${backupMac}')`);
  const pid = Number(readFileSync(pidFile(master), 'utf8').trim());
  if (!Number.isInteger(pid) || gone(pid)) throw new Error(`${master}: its qemu (pid file ${pidFile(master)}) is not running`);
  const script = probeScript(vip, probe, neigh, stop);
  const child = spawn('bash', [LAB_SH, 'exec', 'client', 'bash', '-c', script], { cwd: REPO, stdio: 'ignore' });
  const closed = new Promise<void>((r) => child.on('close', () => r()));
  // whole lines only (the probe appends while this reads)
  const lines = () => (existsSync(probe) ? readFileSync(probe, 'utf8') : '').split('\n').filter((l) => /^\d+ \d+ (ok|FAIL)$/.test(l)).map((l) => l.split(' '));
  try {
    // the probe works before the kill: a few greetings through the VIP from the master
    if (!(await until(15_000, 100, () => lines().filter((l) => l[2] === 'ok').length >= 3))) throw new Error('the client\'s telnet probe got no greeting through the VIP before the kill');
    const t0 = Date.now();
    const kill = spawn('bash', [LAB_SH, 'kill', master], { cwd: REPO, stdio: 'ignore' });
    const killed = new Promise<number | null>((r) => kill.on('close', (code) => r(code)));
    let tGone: number | undefined;
    while (tGone === undefined && Date.now() - t0 < 20_000) {
      if (gone(pid)) tGone = Date.now();
      else await sleep(2);
    }
    if ((await killed) !== 0 || tGone === undefined) throw new Error(`lab.sh kill ${master} failed`);
    const after = () => lines().filter((l) => Number(l[0]) >= tGone!);
    await until(maxMs, 100, () => after().some((l) => l[2] === 'ok'));
    const ok = after().filter((l) => l[2] === 'ok').map((l) => Number(l[1]));
    const first = ok.length ? Math.min(...ok) : undefined;
    writeFileSync(stop, '');
    await Promise.race([closed, sleep(10_000)]);
    const esc = vip.replace(/\./g, '\\.');
    const garp = readFileSync(neigh, 'utf8')
      .split('\n')
      .map((l) => new RegExp(`^\\[(\\S+)\\] ${esc} dev \\S+ lladdr (\\S+)`).exec(l))
      .filter((m): m is RegExpExecArray => m !== null && m[2]!.toLowerCase() === backupMac)
      .map((m) => Date.parse(`${m[1]}Z`))
      .find((t) => t >= tGone!);
    const done = after();
    return {
      killCmdMs: tGone - t0,
      ...(garp !== undefined ? { garpMs: garp - tGone } : {}),
      ...(first !== undefined ? { firstNewMs: first - tGone, firstNewFromCmdMs: first - t0 } : {}),
      attempts: { total: done.length, failed: done.filter((l) => l[2] === 'FAIL').length },
    };
  } finally {
    writeFileSync(stop, '');
    await Promise.race([closed, sleep(10_000)]);
    child.kill();
  }
}

/** What newConnectionsDuring saw. */
export interface NewConnections {
  ok: number;
  /** The failed ones: "START FAIL END" (epoch seconds). */
  failed: string[];
  /** The slowest first byte of the ones that got one (ms). */
  slowestMs: number;
}

/**
 * New connections through the VIP every 100 ms from the client while `during` runs (each: TCP connect to VIP:23 and
 * telnetd's first byte, in the background so they keep their pace; from 1.5 s before `during` to 1.5 s after). A
 * connection fails when it is reset or refused, or gets no byte in `timeoutS` (default 10 s); one that waits for its retransmissions (a
 * pair's takeover guard holds the segments of a connection not synced yet) is not a failure: the slowest wait is
 * returned. Each connection's line is in OUT/pair-conn-TAG.txt.
 */
export async function newConnectionsDuring(vip: string, tag: string, during: () => Promise<void>, timeoutS = 10): Promise<NewConnections> {
  const file = join(OUT, `pair-conn-${tag}.txt`);
  const script = [
    `: > ${file}`,
    'while [ ! -e /tmp/pair-conn.stop ]; do',
    `  ( t=$(date +%s.%N); if timeout ${timeoutS} bash -c 'exec 3<>/dev/tcp/${vip}/23 && head -c 1 <&3 >/dev/null' 2>/dev/null; then echo "$t ok $(date +%s.%N)"; else echo "$t FAIL $(date +%s.%N)"; fi >> ${file} ) &`,
    '  sleep 0.1',
    'done; wait',
  ].join('\n');
  labExec('client', 'rm -f /tmp/pair-conn.stop');
  const child = spawn('bash', [join(REPO, 'test/lab/lab.sh'), 'exec', 'client', 'bash', '-c', script], { cwd: REPO, stdio: 'ignore' });
  const done = new Promise<void>((r) => child.on('close', () => r()));
  await sleep(1500);
  try {
    await during();
    await sleep(1500);
  } finally {
    labExec('client', 'touch /tmp/pair-conn.stop');
    await Promise.race([done, sleep(15_000)]);
    child.kill();
  }
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const failed = lines.filter((l) => l.split(' ')[1] === 'FAIL');
  const waits = lines.filter((l) => l.split(' ')[1] === 'ok').map((l) => (Number(l.split(' ')[2]) - Number(l.split(' ')[0])) * 1000);
  return { ok: lines.length - failed.length, failed, slowestMs: Math.round(Math.max(0, ...waits)) };
}

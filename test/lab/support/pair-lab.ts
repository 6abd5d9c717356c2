/**
 * What the director-pair lab test and its bench:lab module share: lvsctl on the pair profile, both directors put back
 * in their boot state, and sessions through the VIP from the client that stay open across a failover: a telnet
 * session (a real `telnet` client fed from a file; it "answers" when a line sent to it brings a new prompt from the
 * realserver's login: "Password:" or "Login incorrect"/"login:", which no local echo can fake) and an X session
 * (`Xvfb -query VIP`: xdm's greeter on a realserver draws over its own X connection to the client, routed via the
 * pair's floating gateway; it "redraws" when, after `xrefresh` has exposed every window, a screenshot still shows the
 * greeter: the same xlogin window id, not a blank screen).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { lvsctl, labExec, labSh, OUT, REPO, type CliRun, type Lab } from './remote-lab.ts';
import { TX_DIR } from '../../../electron/lvs/plan/transaction.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `f` every `everyMs` until it returns something truthy or `ms` pass (then undefined). */
export async function until<T>(ms: number, everyMs: number, f: () => Promise<T> | T): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) return undefined;
    await sleep(everyMs);
  }
}

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

/**
 * Time from `t0` until a NEW telnet to VIP:23 from the client gets a realserver's greeting byte (each attempt: 1 s
 * connect+greeting timeout, back to back). ms, or undefined after `maxMs`.
 */
export function firstNewTelnetMs(vip: string, t0: number, maxMs = 30_000): number | undefined {
  const script = `end=$(( $(date +%s) + ${Math.ceil(maxMs / 1000)} )); while [ $(date +%s) -lt $end ]; do if timeout 1 bash -c 'exec 3<>/dev/tcp/${vip}/23 && head -c 1 <&3 >/dev/null' 2>/dev/null; then date +%s%3N; exit 0; fi; done; exit 1`;
  const r = spawnSync('bash', [join(REPO, 'test/lab/lab.sh'), 'exec', 'client', 'bash', '-c', script], { cwd: REPO, encoding: 'utf8', timeout: maxMs + 30_000 });
  const at = Number(r.stdout.trim());
  return r.status === 0 && Number.isFinite(at) ? at - t0 : undefined;
}

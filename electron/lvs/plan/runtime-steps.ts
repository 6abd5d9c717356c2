/**
 * The plan steps that change the director's runtime (its config files, boot links, cron, keepalived), as real commands
 * a person could run by hand, and that the apply transaction runs all-or-nothing with the table (transaction.ts maps
 * each to an op; TX_SCRIPT keeps the old file for rollback). Pure.
 */
import { DIRECTOR, type PlanStep } from '../../../shared/model/plan.ts';
import { AppError } from '../../../shared/result.ts';

/** Where the runtimes keep their files on a director. */
export const RUNTIME_PATHS = {
  /** The seed's configuration, read by the lvs-director script. */
  lvsConf: '/etc/lvs.conf',
  /** The seed's director script (boot + cron). */
  lvsDirector: '/etc/init.d/lvs-director',
  /** Its cron entry on systems with /etc/cron.d. */
  cronD: '/etc/cron.d/lvs-director',
  keepalivedConf: '/etc/keepalived/keepalived.conf',
  /** The kernel settings the keepalived runtime needs at boot, before keepalived starts (LVS_KERNEL_SCRIPT). */
  lvsKernel: '/etc/init.d/lvs-kernel',
  /** keepalived's daemon options: RHEL-style (the lab's init script) and Debian-style. */
  keepalivedSysconfig: '/etc/sysconfig/keepalived',
  keepalivedDefault: '/etc/default/keepalived',
} as const;

/**
 * The options the console starts keepalived with: -D detailed log; -I and -V keep the IPVS table and the VIP when
 * keepalived stops, so moving a running cluster to the script runtime (or stopping the daemon) never cuts service; the
 * console's own stop removes them in the same transaction.
 */
export const KEEPALIVED_OPTIONS = '-D -I -V';

/** What the director runs the cluster with, as observed (services/director-observe.ts reads it). */
export interface DirectorRuntime {
  /** Each file asked for: its text, or undefined when it does not exist. */
  files: Map<string, string | undefined>;
  keepalived: { bin?: string; pid?: number; args?: string };
  /** The rc3.d folder of the boot (/etc/rc.d/rc3.d or /etc/rc3.d), its symbolic links (path → target). */
  rcDir?: string;
  links: Map<string, string>;
  /** Which of /etc/cron.d, /etc/crontabs, /var/spool/cron/crontabs, /etc/sysconfig, /etc/default, /etc/init.d exist. */
  dirs: Set<string>;
}

/** Whether keepalived runs with the options that keep the table and the VIP when it stops (-I/--dont-release-ipvs, -V/--dont-release-vrrp). */
export function keepsTableOnStop(args: string | undefined): boolean {
  const words = (args ?? '').split(/\s+/);
  const has = (short: string, long: string) => words.some((w) => w === long || (/^-[A-Za-z]+$/.test(w) && w.includes(short)));
  return has('I', '--dont-release-ipvs') && has('V', '--dont-release-vrrp');
}

/** An absolute path of plain names (what the transaction script accepts as a target). */
export const PLAIN_PATH = /^(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9_.@+-]+)+$/;

function plain(path: string, what: string): string {
  if (!PLAIN_PATH.test(path)) throw new AppError('INVALID_INPUT', `${what}: not a plain absolute path: ${path}`);
  return path;
}

/** keepalived's init script (the transaction falls back to `systemctl ACTION keepalived` where it is missing). */
export const KEEPALIVED_INIT = '/etc/init.d/keepalived';
/** A director pair's handover script (keepalived/pair-handover.ts): both sync daemons and the takeover guard. */
export const PAIR_INIT = '/etc/init.d/lvs-pair';

/** `install -m MODE /dev/stdin PATH` with the content on stdin: the file replaced atomically (old kept for rollback). */
export function installStep(path: string, content: string, mode: string, why: string, opts: { check?: 'sh' } = {}): PlanStep {
  if (!/^[0-7]{3,4}$/.test(mode)) throw new AppError('INVALID_INPUT', `install ${path}: bad mode ${mode}`);
  return { host: DIRECTOR, argv: ['install', '-m', mode, '/dev/stdin', plain(path, 'install')], stdin: content, why, ...(opts.check ? { check: opts.check } : {}) };
}

/** `rm -f PATH` (the old file kept for rollback). */
export function removeStep(path: string, why: string): PlanStep {
  return { host: DIRECTOR, argv: ['rm', '-f', plain(path, 'remove')], why };
}

/** `ln -sfn TARGET LINK`: a boot link (the old link, or its absence, kept for rollback). */
export function linkStep(target: string, link: string, why: string): PlanStep {
  return { host: DIRECTOR, argv: ['ln', '-sfn', plain(target, 'link target'), plain(link, 'link')], why };
}

/** The shell line that tells busybox crond to re-read a user's crontab. */
export const CROND_RELOAD_SCRIPT = 'echo "$1" >> "$2/cron.update"';

/** Tells busybox crond to re-read USER's crontab in DIR (after the crontab file was installed). */
export function crondReloadStep(dir: string, user: string, why: string): PlanStep {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(user)) throw new AppError('INVALID_INPUT', `crond: bad user ${user}`);
  return { host: DIRECTOR, argv: ['sh', '-c', CROND_RELOAD_SCRIPT, 'lvs-console-crond', user, plain(dir, 'crontabs directory')], why };
}

/** `/etc/init.d/keepalived start|reload|stop`. */
export function keepalivedStep(action: 'start' | 'reload' | 'stop', why: string): PlanStep {
  return { host: DIRECTOR, argv: [KEEPALIVED_INIT, action], why };
}

import type { PlanStep } from '../../shared/model/plan.ts';
import { AppError } from '../../shared/result.ts';
import { atomicWriteStep } from '../shell/remote-file.ts';
import { hpuxBootScript, hpuxRcConfig, linuxBootScript, SYSTEMD_SCRIPT_PATH, systemdUnit, type BootSpec } from './boot-script.ts';
import type { BootProbe } from './boot-probe.ts';
import { subnetsOf } from './iface-addr-parse.ts';

/**
 * lvs-route at boot, as data: which layout a realserver uses (from the boot probe), the files and links that layout
 * needs for a BootSpec, a verify that compares them with what the probe saw ("fixed at boot": installed, current,
 * enabled), and the install / uninstall plans (argv steps, each with its why). Install writes only what is missing or
 * different (idempotent: a second install plans nothing); uninstall removes exactly what install makes.
 */

/** How a realserver runs boot scripts. */
export type BootKind =
  /** HP-UX rc(1M): /sbin/init.d + /sbin/rc3.d S200 + /sbin/rc2.d K800, control variable in /etc/rc.config.d. */
  | 'hpux-rc'
  /** Red Hat SysV: /etc/rc.d/init.d + /etc/rc.d/rc3.d and rc5.d S99 (the seed's steps). */
  | 'sysv-rc.d'
  /** Debian-style SysV: /etc/init.d + /etc/rcN.d S99 for the runlevels 2–5 that exist (Debian boots to 2). */
  | 'sysv-etc'
  /** systemd: a oneshot unit running the Linux script, enabled for multi-user.target. */
  | 'systemd';

/** One file the layout installs. */
export interface BootFile {
  path: string;
  mode: string;
  content: string;
  /** Check it with `sh -n` before it replaces anything (scripts and the rc.config.d file). */
  shellCheck: boolean;
  why: string;
}

/** One symbolic link the layout installs. */
export interface BootLink {
  path: string;
  target: string;
  why: string;
}

/** What a realserver needs so its routes are fixed at boot. */
export interface BootLayout {
  kind: BootKind;
  files: BootFile[];
  links: BootLink[];
  /** systemd: the unit name `systemctl enable` makes the wants link for (the link is in `links` too, for verify). */
  unit?: string;
}

const UNIT = 'lvs-route.service';
const UNIT_PATH = `/etc/systemd/system/${UNIT}`;
const WANTS_LINK = `/etc/systemd/system/multi-user.target.wants/${UNIT}`;

/** The init the probe shows; UNSUPPORTED (naming the host and what is missing) when lvs-route cannot be installed. */
export function bootKind(label: string, os: 'linux' | 'hpux', probe: BootProbe): BootKind {
  const has = (d: string) => probe.dirs.includes(d);
  const err = (msg: string) => new AppError('UNSUPPORTED', `${label}: ${msg}`, { host: label, step: 'boot probe' });
  const uos = probe.uname === 'HP-UX' ? 'hpux' : probe.uname === 'Linux' ? 'linux' : undefined;
  if (!uos) throw err(`uname -s says '${probe.uname}': lvs-route is for Linux and HP-UX realservers`);
  if (uos !== os) throw err(`the profile says ${os === 'hpux' ? 'HP-UX' : 'Linux'} but uname -s says ${probe.uname}`);
  if (os === 'hpux') {
    const missing = ['/sbin/init.d', '/sbin/rc2.d', '/sbin/rc3.d', '/etc/rc.config.d'].filter((d) => !has(d));
    if (missing.length) throw err(`no ${missing.join(', ')}: not the HP-UX rc(1M) layout`);
    if (!probe.tools.includes('/usr/sbin/route') || !probe.tools.includes('/usr/bin/netstat')) throw err('/usr/sbin/route or /usr/bin/netstat not found');
    return 'hpux-rc';
  }
  if (!probe.tools.some((t) => /\/ip$/.test(t))) throw err('iproute2 `ip` not found (lvs-route and the live fix use it)');
  if (probe.systemdBooted) {
    if (!probe.tools.some((t) => /\/systemctl$/.test(t))) throw err('systemd runs but systemctl was not found');
    if (!has('/etc/systemd/system') || !has('/usr/local/sbin')) throw err('systemd runs but /etc/systemd/system or /usr/local/sbin is missing');
    return 'systemd';
  }
  if (has('/etc/rc.d/init.d') && (has('/etc/rc.d/rc3.d') || has('/etc/rc.d/rc5.d'))) return 'sysv-rc.d';
  if (has('/etc/init.d') && ['/etc/rc2.d', '/etc/rc3.d', '/etc/rc4.d', '/etc/rc5.d'].some(has)) return 'sysv-etc';
  throw err(`no known init layout: not systemd${probe.pid1 ? ` (PID 1 is ${probe.pid1})` : ''}, no /etc/rc.d/init.d + rc3.d, no /etc/init.d + rcN.d`);
}

/** The files and links of `kind` for `spec` (the probe says which runlevel directories exist). */
export function bootLayout(kind: BootKind, spec: BootSpec, probe: Pick<BootProbe, 'dirs'>): BootLayout {
  const why = `the seed's lvs-route, run at boot: default via ${spec.gateway}, no subnet route on ${spec.netIf}`;
  switch (kind) {
    case 'hpux-rc': {
      const script = '/sbin/init.d/lvs-route';
      return {
        kind,
        files: [
          { path: script, mode: '755', content: hpuxBootScript(spec), shellCheck: true, why },
          { path: '/etc/rc.config.d/lvs-route', mode: '444', content: hpuxRcConfig(spec), shellCheck: true, why: 'its rc(1M) control variable LVS_ROUTE=1' },
        ],
        links: [
          { path: '/sbin/rc3.d/S200lvs-route', target: script, why: 'run it (start) on the way to run level 3' },
          { path: '/sbin/rc2.d/K800lvs-route', target: script, why: 'its stop counterpart one level down, as rc(1M) places kill scripts' },
        ],
      };
    }
    case 'sysv-rc.d': {
      const levels = ['3', '5'].filter((n) => probe.dirs.includes(`/etc/rc.d/rc${n}.d`));
      return {
        kind,
        files: [{ path: '/etc/rc.d/init.d/lvs-route', mode: '755', content: linuxBootScript(spec), shellCheck: true, why }],
        links: levels.map((n) => ({ path: `/etc/rc.d/rc${n}.d/S99lvs-route`, target: '../init.d/lvs-route', why: `run it at boot in run level ${n}` })),
      };
    }
    case 'sysv-etc': {
      const levels = ['2', '3', '4', '5'].filter((n) => probe.dirs.includes(`/etc/rc${n}.d`));
      return {
        kind,
        files: [{ path: '/etc/init.d/lvs-route', mode: '755', content: linuxBootScript(spec), shellCheck: true, why }],
        links: levels.map((n) => ({ path: `/etc/rc${n}.d/S99lvs-route`, target: '../init.d/lvs-route', why: `run it at boot in run level ${n}` })),
      };
    }
    case 'systemd':
      return {
        kind,
        unit: UNIT,
        files: [
          { path: SYSTEMD_SCRIPT_PATH, mode: '755', content: linuxBootScript(spec), shellCheck: true, why },
          { path: UNIT_PATH, mode: '644', content: systemdUnit(spec), shellCheck: false, why: 'the systemd unit that runs it once the network is online' },
        ],
        links: [{ path: WANTS_LINK, target: UNIT_PATH, why: 'enabled: multi-user.target wants it' }],
      };
  }
}

/** Bytes of a text in UTF-8 (what `wc -c` counts on the realserver). */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** The state of one file, link or the unit's enablement. */
export interface BootItem {
  kind: 'file' | 'link' | 'enabled';
  path: string;
  state: 'ok' | 'missing' | 'differs' | 'mode' | 'target' | 'disabled';
  /** Plain words for the admin ("/etc/init.d/lvs-route differs from what the console would write (edited by hand?)"). */
  what: string;
}

/** "Fixed at boot": verify's answer, separate from the live route check ("fixed now"). */
export interface BootVerify {
  kind: BootKind;
  /** Every file and link present (whatever their content). */
  installed: boolean;
  /** Installed, every file equal to what would be written now, modes and link targets right, and enabled (systemd). */
  current: boolean;
  items: BootItem[];
  /** The items that are not ok, as sentences. */
  problems: string[];
}

/** Compares the layout with what the probe saw (pure). */
export function verifyBoot(layout: BootLayout, probe: BootProbe): BootVerify {
  const items: BootItem[] = [];
  for (const f of layout.files) {
    const seen = probe.files[f.path];
    if (!seen) items.push({ kind: 'file', path: f.path, state: 'missing', what: `${f.path} is not installed` });
    else if (seen.content !== f.content || seen.size !== utf8Length(f.content)) items.push({ kind: 'file', path: f.path, state: 'differs', what: `${f.path} differs from what the console would write now (edited by hand, or the profile changed)` });
    else if (seen.mode !== f.mode) items.push({ kind: 'file', path: f.path, state: 'mode', what: `${f.path} has mode ${seen.mode}, not ${f.mode}` });
    else items.push({ kind: 'file', path: f.path, state: 'ok', what: `${f.path} is current` });
  }
  for (const l of layout.links) {
    const seen = probe.links[l.path];
    if (seen === undefined) items.push({ kind: 'link', path: l.path, state: 'missing', what: `${l.path} is missing: lvs-route would not run at boot there` });
    else if (seen !== l.target) items.push({ kind: 'link', path: l.path, state: 'target', what: `${l.path} points to ${seen}, not ${l.target}` });
    else items.push({ kind: 'link', path: l.path, state: 'ok', what: `${l.path} → ${l.target}` });
  }
  if (layout.unit) {
    const e = probe.enabled ?? '';
    items.push(
      e === 'enabled'
        ? { kind: 'enabled', path: layout.unit, state: 'ok', what: `${layout.unit} is enabled` }
        : { kind: 'enabled', path: layout.unit, state: 'disabled', what: `${layout.unit} is ${e || 'not known to systemd'}, not enabled` },
    );
  }
  const bad = items.filter((i) => i.state !== 'ok');
  return {
    kind: layout.kind,
    installed: !items.some((i) => i.state === 'missing'),
    current: bad.length === 0,
    items,
    problems: bad.map((i) => i.what),
  };
}

/**
 * The install plan: only what verify found missing or wrong, in an order that never leaves a link to a missing script:
 * files (atomic write: temp file, `sh -n` for scripts, backup of a different old file, rename), systemd's daemon-reload,
 * then links (`ln -snf`; HP-UX ln has no -n: `ln -sf`, as the seed does) or `systemctl enable`. Empty when current.
 */
export function installPlan(host: string, layout: BootLayout, verify: BootVerify, stamp: string): PlanStep[] {
  const steps: PlanStep[] = [];
  const bad = (kind: BootItem['kind'], path: string) => verify.items.some((i) => i.kind === kind && i.path === path && i.state !== 'ok');
  let unitWritten = false;
  for (const f of layout.files) {
    if (!bad('file', f.path)) continue;
    steps.push(atomicWriteStep(host, f.path, f.content, { mode: f.mode, stamp, shellCheck: f.shellCheck, why: f.why }));
    if (f.path === UNIT_PATH) unitWritten = true;
  }
  if (layout.unit) {
    if (unitWritten) steps.push({ host, argv: ['systemctl', 'daemon-reload'], why: 'make systemd read the new unit' });
    if (bad('enabled', layout.unit) || bad('link', WANTS_LINK)) {
      steps.push({ host, argv: ['systemctl', 'enable', layout.unit], why: 'start it at every boot (multi-user.target wants it)' });
    }
    return steps;
  }
  const ln = layout.kind === 'hpux-rc' ? ['ln', '-sf'] : ['ln', '-snf'];
  for (const l of layout.links) if (bad('link', l.path)) steps.push({ host, argv: [...ln, l.target, l.path], why: l.why });
  return steps;
}

/**
 * The uninstall plan: exactly what install makes, where the probe saw it: systemd disable (removes the wants link), the
 * links, the files, then daemon-reload. Backups install made of older files (PATH.bak.STAMP) are left in place.
 */
export function uninstallPlan(host: string, layout: BootLayout, probe: BootProbe): PlanStep[] {
  const steps: PlanStep[] = [];
  if (layout.unit && (probe.links[WANTS_LINK] !== undefined || probe.enabled === 'enabled')) {
    steps.push({ host, argv: ['systemctl', 'disable', layout.unit], why: 'no longer start it at boot' });
  }
  for (const l of layout.links) {
    if (layout.unit && l.path === WANTS_LINK) continue;
    if (probe.links[l.path] !== undefined) steps.push({ host, argv: ['rm', '-f', l.path], why: `remove the boot link ${l.path}` });
  }
  for (const f of layout.files) if (probe.files[f.path]) steps.push({ host, argv: ['rm', '-f', f.path], why: `remove ${f.path}` });
  if (layout.unit && probe.files[UNIT_PATH]) steps.push({ host, argv: ['systemctl', 'daemon-reload'], why: 'make systemd forget the unit' });
  return steps;
}

/** Which realserver, and where its replies must go (routeGateway). */
export interface BootTarget {
  /** The realserver's name, for steps and messages. */
  host: string;
  os: 'linux' | 'hpux';
  /** The seed's NET_INTERFACE. */
  netIf: string;
  gateway: string;
}

/** Everything the install-route / uninstall-route / verify of one realserver needs, from one boot probe. */
export interface BootPlan {
  spec: BootSpec;
  layout: BootLayout;
  verify: BootVerify;
  /** Steps to install (empty when current). */
  install: PlanStep[];
  /** Steps to uninstall (empty when nothing is installed). */
  uninstall: PlanStep[];
}

/**
 * From the probe of one realserver to its boot plan (pure): the layout its init wants, the script for its interface's
 * subnets, verify, and both plans. Throws UNSUPPORTED naming the host when the init or the tools are not ones we know,
 * or when the interface has no IPv4 address (nothing to compute the subnet route from).
 */
export function planBoot(t: BootTarget, probe: BootProbe, stamp: string): BootPlan {
  const kind = bootKind(t.host, t.os, probe);
  const subnets = subnetsOf(probe.addrs);
  if (subnets.length === 0) {
    throw new AppError('UNSUPPORTED', `${t.host}: ${t.netIf} has no IPv4 address with a subnet: nothing for lvs-route to remove (is NET_INTERFACE right?)`, { host: t.host, step: 'boot probe' });
  }
  const spec: BootSpec = { os: t.os, host: t.host, netIf: t.netIf, gateway: t.gateway, subnets };
  const layout = bootLayout(kind, spec, probe);
  const verify = verifyBoot(layout, probe);
  return { spec, layout, verify, install: installPlan(t.host, layout, verify, stamp), uninstall: uninstallPlan(t.host, layout, probe) };
}

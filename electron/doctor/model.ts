/**
 * The doctor's data: what was observed along the path desktop → VIP → director → realserver → login screen, and what
 * is wrong with it (findings). Pure types; collectors (director-collect.ts, realserver-collect.ts, and the desktop's own
 * probes in the app) fill the observations, diagnose.ts turns them into findings.
 */
import type { IpvsTable } from '../../shared/model/ipvs.ts';
import type { PlanStep } from '../../shared/model/plan.ts';
import type { IpAddr } from '../lvs/ipvs/ip-addr-parse.ts';
import type { BootPlan } from '../realserver/boot-install.ts';
import type { Route } from '../realserver/route-types.ts';
import type { Listener } from '../realserver/service-status.ts';

/** What the desktop saw (undefined fields were not checked, e.g. no TCP 23 service in the profile). */
export interface DesktopObs {
  /** Something on the VIP answered (a TCP connect to a service port, or a ping). */
  vipReachable: boolean;
  /** The telnet banner read through VIP:23 ('' or null when none came). */
  telnetBanner?: string | null;
  /**
   * The telnet server behind VIP:23 sent something (its option negotiation at least) within the timeout: the path
   * desktop → VIP → director → realserver → back through the director works even when login(1) was too slow to print
   * its prompt in time (a loaded realserver).
   */
  telnetSpoke?: boolean;
  /** An XDMCP Query to VIP:177 got Willing. */
  xdmcpWilling?: boolean;
  /** The X server Connect me would start (path), null when none was found. */
  xServer?: string | null;
  /** The telnet client Connect me would start, null when none was found. */
  telnetClient?: string | null;
}

/** What one director probe saw of one realserver (from the director: the path the NAT traffic takes). */
export interface DirectorProbe {
  icmp: boolean;
  /** TCP port → connect succeeded. */
  tcp: Record<number, boolean>;
  /** An XDMCP Query from the director to the realserver's UDP 177 got Willing (undefined: not asked). */
  xdmcp?: boolean;
}

/** The lvs-director script runtime (/etc/init.d/lvs-director, its boot link, the cron `update`). */
export interface ScriptRuntimeObs {
  installed: boolean;
  bootLink: boolean;
  cronEntry: boolean;
  crondRunning: boolean;
  /** What the installed script would load (`lvs-director rules`), when it ran. */
  rules?: IpvsTable;
  /** Why `rules` could not be read (e.g. /etc/lvs.conf unreadable). */
  rulesError?: string;
}

/** The keepalived runtime. */
export interface KeepalivedObs {
  configured: boolean;
  running: boolean;
  /** The table its configuration describes (the keepalived engineer's parser), when read. */
  configTable?: IpvsTable;
  /** VRRP state of this director (MASTER / BACKUP / FAULT), when known. */
  vrrpState?: string;
  /** A pair's /etc/init.d/lvs-pair (both sync daemons, the takeover guard): its `status` passed, failed, or no script. */
  pairHandover?: 'ok' | 'down' | 'missing';
}

/** One director. */
export interface DirectorObs {
  /** 'director' or the pair director's host: how findings name it. */
  name: string;
  /** Set when nothing could be observed (SSH failed, the collector failed): the message. */
  error?: string;
  /** ipvsadm ran and talked to the kernel; error = what it said. */
  ipvs?: { ok: boolean; error?: string };
  /** The live IPVS table (`ipvsadm -S -n`). */
  table?: IpvsTable;
  addresses?: IpAddr[];
  /** sysctl key → value ('net.ipv4.ip_forward' → '1'). */
  sysctls?: Record<string, string>;
  script?: ScriptRuntimeObs;
  keepalived?: KeepalivedObs;
  /** Realserver address → what this director saw when probing it. */
  probes?: Record<string, DirectorProbe>;
}

/** One realserver, as its own collector exec saw it. */
export interface RealserverObs {
  /** The profile's name for it (name ?? host). */
  name: string;
  /** Its address (resolved). */
  address: string;
  /** Set when its collector could not run (SSH failed…): the message. */
  error?: string;
  os?: 'linux' | 'hpux';
  routes?: Route[];
  /** The lvs-route boot plan (verify + install steps), or why it could not be made. */
  boot?: BootPlan | { error: string };
  /** The display manager running (xdm, gdm, dtlogin…), null when none. */
  displayManager?: string | null;
  listeners?: Listener[];
}

/** Everything one doctor run observed. */
export interface DoctorObservations {
  desktop?: DesktopObs;
  /** The profile's director first, then the pair's second director (if any). */
  directors: DirectorObs[];
  realservers: RealserverObs[];
}

/** A named action of the app / lvsctl, for fixes that are a whole verb rather than a few commands. */
export type DoctorAction =
  | 'director.start'
  | 'director.reconcile'
  | 'director.install'
  | 'realserver.route-fix'
  | 'realserver.install-route';

/** How a finding can be fixed: commands (previewable, run on `steps[i].host`), or a named action. */
export type DoctorFix = { kind: 'steps'; steps: PlanStep[] } | { kind: 'action'; action: DoctorAction; target?: string; why: string };

/** What a finding is about. */
export interface FindingSubject {
  kind: 'desktop' | 'director' | 'realserver' | 'cluster';
  name: string;
}

/** One thing wrong, at its root. */
export interface Finding {
  /** Stable id of the kind of finding (FINDING_IDS), e.g. 'director.ip-forward-off'. */
  id: FindingId;
  /** Unique within one run: id, subject and detail (e.g. 'realserver.service-not-listening:rs1:tcp/23'). */
  key: string;
  severity: 'error' | 'warning';
  subject: FindingSubject;
  /** What is wrong, with the values seen. */
  what: string;
  /** Why it matters: the seed's reason, in one or two plain sentences. */
  why: string;
  fix?: DoctorFix;
  /** Symptoms elsewhere that this finding explains (reported here instead of as findings of their own). */
  explains?: string[];
}

/** Every kind of finding the doctor knows. */
export const FINDING_IDS = [
  'desktop.no-x-server',
  'desktop.no-telnet-client',
  'desktop.vip-unreachable',
  'desktop.telnet-through-vip',
  'desktop.xdmcp-through-vip',
  'director.unreachable',
  'director.ipvs-unavailable',
  'director.vip-missing',
  'director.vip-on-both',
  'director.ip-forward-off',
  'director.redirects-on',
  'director.table-empty',
  'director.table-drift',
  'director.config-drift',
  'director.runtime-missing',
  'director.runtime-not-running',
  'director.pair-roles',
  'director.pair-handover',
  'realserver.down',
  'realserver.unreachable',
  'realserver.subnet-route',
  'realserver.default-route',
  'realserver.boot-script-missing',
  'realserver.boot-script-stale',
  'realserver.boot-script-unknown',
  'realserver.display-manager-stopped',
  'realserver.xdmcp-no-answer',
  'realserver.service-not-listening',
  'realserver.service-unreachable',
] as const;
/** One of FINDING_IDS. */
export type FindingId = (typeof FINDING_IDS)[number];

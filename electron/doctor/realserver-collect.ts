/**
 * The doctor's look at one realserver, in ONE exec: its routes, its processes (display manager), its listening sockets
 * and the lvs-route boot probe, per OS (`uname -s` decides on the host). The script is a constant; the LVS interface and
 * the boot probe's own script text travel as positional arguments.
 */
import { AppError } from '../../shared/result.ts';
import { planBoot } from '../realserver/boot-install.ts';
import { BOOT_PROBE_SCRIPT, parseBootProbe } from '../realserver/boot-probe.ts';
import { parseHpuxRoutes } from '../realserver/hpux-route-parse.ts';
import { parseListening, parseRoutes4, PROC_NET_FUNCTIONS } from '../realserver/proc-net.ts';
import { findDisplayManager, LINUX_PROCESS_NAMES_FUNCTION, OS_NAME_LINE, parseListeners } from '../realserver/service-status.ts';
import { parseCollectSections, SEC } from './collect-sections.ts';
import type { RealserverObs } from './model.ts';

/**
 * $1 = the LVS interface, $2 = the boot probe script. Sections: uname, routes, ps, listen, boot. Two programs on Linux
 * (the boot probe's ip and ls) and one fork, where there were sixteen.
 * Linux: the routes, the process names and the listening sockets read from /proc by the shell (routes4 and listening:
 * realserver/proc-net.ts, what `ip -4 route show` and `ss -H -l -t -u -n` print; pscomm: what `ps -e -o comm=` prints);
 * HP-UX: `netstat -rnv`, `ps -e`, `netstat -an`.
 */
export const REALSERVER_COLLECT_SCRIPT = [
  'ifname=$1; boot=$2',
  'PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH',
  SEC,
  LINUX_PROCESS_NAMES_FUNCTION,
  PROC_NET_FUNCTIONS,
  // the OS once (on Linux without starting a program)
  OS_NAME_LINE,
  'un() { printf "%s\\n" "$u"; return $ur; }',
  'sec uname un',
  'if [ "$u" = HP-UX ]; then',
  '  sec routes /usr/bin/netstat -rnv; sec ps /usr/bin/ps -e; sec listen /usr/bin/netstat -an',
  'else',
  '  sec routes routes4; sec ps pscomm; sec listen listening',
  'fi',
  // the boot probe in a subshell of this shell (a fork, not a new sh), told the OS
  'bootp() { ( set -- "$ifname" "$u"; eval "$boot" ); }',
  'sec boot bootp',
].join('\n');

/** argv of the collector exec. */
export function realserverCollectArgv(netIf: string): string[] {
  if (!/^[A-Za-z0-9_.:-]{1,15}$/.test(netIf)) throw new Error(`realserver collect: bad interface name ${netIf}`);
  return ['sh', '-c', REALSERVER_COLLECT_SCRIPT, 'lvs-console-doctor', netIf, BOOT_PROBE_SCRIPT];
}

/** What parseRealserverCollect needs to know about the realserver. */
export interface RealserverCollectContext {
  name: string;
  address: string;
  os: 'linux' | 'hpux';
  netIf: string;
  /** Where its replies must go (routeGateway): the boot plan's script points there. */
  gateway: string;
  /** Backup stamp for the boot plan's install steps. */
  stamp: string;
}

/**
 * Parses the collector's stdout into a RealserverObs (pure). A part that failed or could not be parsed leaves its field
 * unset (the doctor then says nothing about it) except the boot probe, whose error is kept (boot-script-unknown); output
 * that is not the collector's at all is a PARSE_ERROR naming the host.
 */
export function parseRealserverCollect(ctx: RealserverCollectContext, stdout: string): RealserverObs {
  const label = ctx.name;
  const sections = parseCollectSections(label, stdout);
  const uname = sections.get('uname');
  if (!uname || uname.rc !== 0) throw new AppError('PARSE_ERROR', `${label}: collect: no uname section`, { host: label, step: 'collect' });
  const os = uname.out.trim() === 'HP-UX' ? 'hpux' : uname.out.trim() === 'Linux' ? 'linux' : undefined;
  if (!os) throw new AppError('UNSUPPORTED', `${label}: uname -s says '${uname.out.trim()}': only Linux and HP-UX realservers`, { host: label, step: 'uname -s' });
  const obs: RealserverObs = { name: ctx.name, address: ctx.address, os };
  const ok = (n: string) => {
    const s = sections.get(n);
    return s && s.rc === 0 ? s.out : undefined;
  };
  const part = <T>(step: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new AppError('PARSE_ERROR', `${label}: ${step}: ${e instanceof Error ? e.message : String(e)}`, { host: label, step, cause: e });
    }
  };
  const routes = ok('routes');
  if (routes !== undefined) obs.routes = part(os === 'hpux' ? 'netstat -rnv' : 'read routes', () => (os === 'hpux' ? parseHpuxRoutes(routes) : parseRoutes4(routes)));
  const ps = ok('ps');
  if (ps !== undefined) obs.displayManager = findDisplayManager(os, ps) ?? null;
  const listen = ok('listen');
  if (listen !== undefined) obs.listeners = part(os === 'hpux' ? 'netstat -an' : 'read listening sockets', () => (os === 'hpux' ? parseListeners(os, listen) : parseListening(listen)));
  const boot = sections.get('boot');
  try {
    if (!boot || boot.rc !== 0) throw new AppError('COMMAND_FAILED', `boot probe: exit ${boot?.rc ?? 'missing'}`);
    obs.boot = planBoot({ host: ctx.name, os: ctx.os, netIf: ctx.netIf, gateway: ctx.gateway }, parseBootProbe(label, boot.out), ctx.stamp);
  } catch (e) {
    obs.boot = { error: e instanceof Error ? e.message : String(e) };
  }
  return obs;
}

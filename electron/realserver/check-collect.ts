/**
 * realserver check in ONE exec: `uname -s`, `uptime`, the process list and the listening sockets, as marked sections
 * (shell/marked-sections.ts). The OS decides which ps / listener command runs (uname's answer, read once into a
 * variable), so a Linux and an HP-UX realserver both need one round trip; an OS the console does not know gets no ps
 * or listener section, and the parser says UNSUPPORTED. The script is a constant built from the argv constants of
 * service-status.ts; it takes no arguments.
 */
import { AppError } from '../../shared/result.ts';
import { parseSections, SECTION_FUNCTION, type Section } from '../shell/marked-sections.ts';
import { shellQuote } from '../shell/shell-quote.ts';
import { parseListening, PROC_NET_FUNCTIONS } from './proc-net.ts';
import { findDisplayManager, LINUX_PROCESS_NAMES_FUNCTION, listenArgv, OS_NAME_LINE, parseListeners, processListArgv } from './service-status.ts';
import { parseUptime } from './uptime-parse.ts';

/** What check found on one realserver. */
export interface RealserverCheckReport {
  name: string;
  /** `uname -s` as printed (Linux, HP-UX). */
  uname: string;
  os: 'linux' | 'hpux';
  load: [number, number, number];
  users: number;
  /** The display manager running, if any. */
  displayManager?: string;
  telnetListening: boolean;
  xdmcpListening: boolean;
  /** Everything that would keep the realserver from serving telnet / XDMCP (empty when fine). */
  problems: string[];
}

/** The check script (sections uname, uptime, then ps and listen for Linux and HP-UX). */
export const CHECK_SCRIPT = [
  SECTION_FUNCTION,
  LINUX_PROCESS_NAMES_FUNCTION,
  PROC_NET_FUNCTIONS,
  OS_NAME_LINE,
  'un() { printf "%s\\n" "$u"; return $ur; }',
  'sec uname un',
  'sec uptime uptime',
  'case $u in',
  // Linux: the listening sockets from /proc/net (proc-net.ts), `ss` only on a host without procfs
  '  Linux) sec ps pscomm; sec listen listening ;;',
  `  HP-UX) sec ps ${shellQuote(processListArgv('hpux'))}; sec listen ${shellQuote(listenArgv('hpux'))} ;;`,
  'esac',
  'exit 0',
].join('\n');

/** argv of the check (one exec). */
export function checkArgv(): string[] {
  return ['sh', '-c', CHECK_SCRIPT, 'lvs-console-check'];
}

/** `uname -s` → the OS the parsers know; UNSUPPORTED for anything else. */
export function osFromUname(label: string, uname: string): 'linux' | 'hpux' {
  const u = uname.trim();
  if (u === 'Linux') return 'linux';
  if (u === 'HP-UX') return 'hpux';
  throw new AppError('UNSUPPORTED', `${label}: uname -s says '${u}': only Linux and HP-UX realservers can be checked`, { host: label, step: 'uname -s' });
}

/** The error for a section whose command failed, worded as execChecked words a failed exec (NOT_FOUND for exit 127). */
function sectionError(label: string, step: string, program: string, s: Section): AppError {
  const msg = (s.stderr.trim() || s.stdout.trim()).split('\n')[0] ?? '';
  if (s.rc === 127 || /(?:^|: )(?:command )?not found$/m.test(s.stderr.trim())) {
    return new AppError('NOT_FOUND', `${label}: ${step}: ${program} not found${msg ? ` (${msg})` : ''}`, { host: label, step });
  }
  return new AppError('COMMAND_FAILED', `${label}: ${step}: exit ${s.rc}${msg ? `: ${msg}` : ''}`, { host: label, step });
}

/**
 * Parses the check's stdout and stderr (pure). Errors name the host (`label`) and the command: PARSE_ERROR for output
 * that is not the script's, COMMAND_FAILED / NOT_FOUND for a command that failed, UNSUPPORTED for an unknown OS.
 */
export function parseCheck(label: string, name: string, stdout: string, stderr = ''): RealserverCheckReport {
  const part = <T>(step: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof AppError && e.host) throw e;
      throw new AppError('PARSE_ERROR', `${label}: ${step}: ${e instanceof Error ? e.message : String(e)}`, { host: label, step, cause: e });
    }
  };
  const { sections } = part('check', () => parseSections(stdout, stderr));
  const need = (n: string, step: string) => {
    const s = sections.get(n);
    if (!s) throw new AppError('PARSE_ERROR', `${label}: ${step}: no output (the check's output was cut?)`, { host: label, step });
    return s;
  };
  const u = need('uname', 'uname -s');
  if (u.rc !== 0) throw sectionError(label, 'uname -s', 'uname', u);
  const t = need('uptime', 'uptime');
  if (t.rc !== 0) throw sectionError(label, 'uptime', 'uptime', t);
  const uname = u.stdout.trim();
  const up = part('uptime', () => parseUptime(t.stdout));
  const os = osFromUname(label, uname);
  const psStep = os === 'linux' ? 'the process list (/proc/*/comm)' : shellQuote(processListArgv(os));
  const listenStep = shellQuote(listenArgv(os));
  const ps = need('ps', psStep);
  if (ps.rc !== 0) throw sectionError(label, psStep, processListArgv(os)[0]!, ps);
  const ls = need('listen', listenStep);
  if (ls.rc !== 0) throw sectionError(label, listenStep, listenArgv(os)[0]!, ls);
  const listeners = part(listenStep, () => (os === 'linux' ? parseListening(ls.stdout) : parseListeners(os, ls.stdout)));
  const dm = findDisplayManager(os, ps.stdout);
  const telnet = listeners.some((l) => l.protocol === 'tcp' && l.port === 23);
  const xdmcp = listeners.some((l) => l.protocol === 'udp' && l.port === 177);
  const problems: string[] = [];
  if (!dm) problems.push(`no display manager running (${os === 'hpux' ? 'dtlogin' : 'xdm, gdm, kdm…'}): XDMCP logins will fail`);
  if (!xdmcp) problems.push('nothing listens on UDP 177 (XDMCP)');
  if (!telnet) problems.push('nothing listens on TCP 23 (telnet)');
  return {
    name,
    uname,
    os,
    load: up.load,
    users: up.users,
    ...(dm ? { displayManager: dm } : {}),
    telnetListening: telnet,
    xdmcpListening: xdmcp,
    problems,
  };
}

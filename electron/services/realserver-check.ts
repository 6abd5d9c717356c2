/**
 * realserver check: what a realserver needs for the seed's telnet + XDMCP service: its OS (`uname -s`), load and
 * logged-in users (`uptime`), a running display manager (xdm/gdm/kdm…, dtlogin on HP-UX), telnet listening on TCP 23
 * and XDMCP on UDP 177. Two round trips: uname + uptime in one exec, then the process list and the listeners together.
 */
import { AppError } from '../../shared/result.ts';
import { shellQuote } from '../shell/shell-quote.ts';
import { findDisplayManager, listenArgv, parseListeners, processListArgv } from '../realserver/service-status.ts';
import { parseUptime } from '../realserver/uptime-parse.ts';
import { execChecked } from '../ssh/exec-checked.ts';
import type { Executor } from '../ssh/types.ts';
import { realserverName, type ClusterContext } from './cluster-context.ts';
import { forEachRealserver, type PerHost } from './per-host.ts';
import { parseSections, SECTION_FUNCTION } from '../shell/marked-sections.ts';

/** `uname -s` and `uptime` in one exec, as sections "uname" and "uptime". */
export const IDENTIFY_SCRIPT = [SECTION_FUNCTION, 'sec uname uname -s', 'sec uptime uptime'].join('\n');

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

/** `uname -s` → the OS the parsers know; UNSUPPORTED for anything else. */
export function osFromUname(label: string, uname: string): 'linux' | 'hpux' {
  const u = uname.trim();
  if (u === 'Linux') return 'linux';
  if (u === 'HP-UX') return 'hpux';
  throw new AppError('UNSUPPORTED', `${label}: uname -s says '${u}': only Linux and HP-UX realservers can be checked`, { host: label, step: 'uname -s' });
}

/** Runs argv and returns stdout, or throws naming the host and the command. */
async function run(exec: Executor, argv: string[]): Promise<string> {
  const step = shellQuote(argv);
  return (await execChecked(exec, argv, [0], step, { timeoutMs: 30_000 })).stdout;
}

/** Checks one realserver over its executor. */
export async function checkRealserver(exec: Executor, name: string): Promise<RealserverCheckReport> {
  const label = exec.label;
  const idStep = 'uname -s; uptime';
  const r = await execChecked(exec, ['sh', '-c', IDENTIFY_SCRIPT, 'lvs-console-identify'], [0], idStep, { timeoutMs: 30_000 });
  let uname: string;
  let up: ReturnType<typeof parseUptime>;
  try {
    const { sections } = parseSections(r.stdout, r.stderr);
    const u = sections.get('uname');
    const t = sections.get('uptime');
    if (!u || u.rc !== 0) throw new AppError('COMMAND_FAILED', `${label}: uname -s: ${u?.stderr.trim() || 'failed'}`, { host: label, step: 'uname -s' });
    if (!t || t.rc !== 0) throw new AppError('COMMAND_FAILED', `${label}: uptime: ${t?.stderr.trim() || 'failed'}`, { host: label, step: 'uptime' });
    uname = u.stdout.trim();
    up = parseUptime(t.stdout);
  } catch (e) {
    if (e instanceof AppError && e.host) throw e;
    throw new AppError('PARSE_ERROR', `${label}: ${idStep}: ${e instanceof Error ? e.message : String(e)}`, { host: label, step: idStep, cause: e });
  }
  const os = osFromUname(label, uname);
  const [ps, listening] = await Promise.all([run(exec, processListArgv(os)), run(exec, listenArgv(os))]);
  let listeners;
  try {
    listeners = parseListeners(os, listening);
  } catch (e) {
    throw new AppError('PARSE_ERROR', `${label}: ${shellQuote(listenArgv(os))}: ${e instanceof Error ? e.message : String(e)}`, { host: label, step: shellQuote(listenArgv(os)), cause: e });
  }
  const dm = findDisplayManager(os, ps);
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

/** realserver check for one cluster. */
export class RealserverChecks {
  constructor(private readonly ctx: ClusterContext) {}

  /** Checks the named realservers (or all) in parallel. */
  check(which: string | 'all'): Promise<PerHost<RealserverCheckReport>[]> {
    const rss = this.ctx.selectRealservers(which);
    return forEachRealserver(rss, (rs) => checkRealserver(this.ctx.realserverExecutor(rs), realserverName(rs)));
  }
}

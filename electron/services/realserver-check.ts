/**
 * realserver check: what a realserver needs for the seed's telnet + XDMCP service: its OS (`uname -s`), load and
 * logged-in users (`uptime`), a running display manager (xdm/gdm/kdm…, dtlogin on HP-UX), telnet listening on TCP 23
 * and XDMCP on UDP 177. ONE exec per realserver (realserver/check-collect.ts: the four commands as marked sections);
 * every realserver at once.
 */
import { AppError } from '../../shared/result.ts';
import { checkArgv, parseCheck, type RealserverCheckReport } from '../realserver/check-collect.ts';
import { parseUptime, type UptimeInfo } from '../realserver/uptime-parse.ts';
import { execChecked } from '../ssh/exec-checked.ts';
import type { Executor } from '../ssh/types.ts';
import { realserverName, type ClusterContext } from './cluster-context.ts';
import { forEachRealserver, type PerHost } from './per-host.ts';

export { osFromUname, type RealserverCheckReport } from '../realserver/check-collect.ts';

/** How long one realserver's check may take (the exec; connecting has its own bound). */
const CHECK_TIMEOUT_MS = 30_000;

/** Checks one realserver over its executor: one exec, parsed by parseCheck. */
export async function checkRealserver(exec: Executor, name: string): Promise<RealserverCheckReport> {
  const r = await execChecked(exec, checkArgv(), [0], 'realserver check (uname -s; uptime; ps; listeners)', { shared: true, timeoutMs: CHECK_TIMEOUT_MS });
  return parseCheck(exec.label, name, r.stdout, r.stderr);
}

/** One realserver's load averages and users: one exec of `uptime` (what the sampler asks every 6th tick; a full check starts four programs). */
export async function readLoad(exec: Executor): Promise<UptimeInfo> {
  const r = await execChecked(exec, ['uptime'], [0], 'uptime', { shared: true, timeoutMs: CHECK_TIMEOUT_MS });
  try {
    return parseUptime(r.stdout);
  } catch (e) {
    throw new AppError('PARSE_ERROR', `${exec.label}: uptime: ${e instanceof Error ? e.message : String(e)}`, { host: exec.label, step: 'uptime', cause: e });
  }
}

/** realserver check for one cluster. */
export class RealserverChecks {
  constructor(private readonly ctx: ClusterContext) {}

  /** Checks the named realservers (or all) in parallel. */
  check(which: string | 'all'): Promise<PerHost<RealserverCheckReport>[]> {
    const rss = this.ctx.selectRealservers(which);
    return forEachRealserver(rss, (rs) => checkRealserver(this.ctx.realserverExecutor(rs), realserverName(rs)));
  }

  /** The load of the named realservers (or all) in parallel: one `uptime` each. */
  load(which: string | 'all'): Promise<PerHost<UptimeInfo>[]> {
    return forEachRealserver(this.ctx.selectRealservers(which), (rs) => readLoad(this.ctx.realserverExecutor(rs)));
  }
}

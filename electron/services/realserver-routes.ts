/**
 * realserver route-check / route-fix: the seed's lvs-route from the console. Reads the realserver's routes over SSH
 * (`ip -4 route show` on Linux, `netstat -rnv` on HP-UX), checks them with checkRoutes (default via the director, no
 * subnet route on the LVS interface), and for a fix runs the planned steps in order, then checks again.
 */
import { routeGateway } from '../realserver/route-fix.ts';
import type { Realserver } from '../../shared/model/cluster.ts';
import { AppError } from '../../shared/result.ts';
import { parseHpuxRoutes } from '../realserver/hpux-route-parse.ts';
import { parseLinuxRoutes } from '../realserver/linux-route-parse.ts';
import { checkRoutes, routeReadArgv, type RouteCheckResult } from '../realserver/route-check.ts';
import type { Route } from '../realserver/route-types.ts';
import { shellQuote } from '../shell/shell-quote.ts';
import { execChecked } from '../ssh/exec-checked.ts';
import type { Executor } from '../ssh/types.ts';
import { realserverName, type ClusterContext } from './cluster-context.ts';

/** The route state of one realserver. */
export interface RouteReport extends RouteCheckResult {
  name: string;
  directorIp: string;
  routes: Route[];
  /** route-fix: the commands that ran, in order. */
  ran?: string[];
}

/** Reads and parses the routes of one realserver. */
export async function readRoutes(exec: Executor, os: Realserver['os']): Promise<Route[]> {
  const argv = routeReadArgv(os);
  const step = shellQuote(argv);
  const r = await execChecked(exec, argv, [0], step, { timeoutMs: 30_000 });
  try {
    return os === 'hpux' ? parseHpuxRoutes(r.stdout) : parseLinuxRoutes(r.stdout);
  } catch (e) {
    throw new AppError('PARSE_ERROR', `${exec.label}: ${step}: ${e instanceof Error ? e.message : String(e)}`, { host: exec.label, step, cause: e });
  }
}

/** route-check / route-fix for the realservers of one cluster. */
export class RealserverRoutes {
  constructor(private readonly ctx: ClusterContext) {}

  /**
   * Where replies must go: the director's address on the LVS subnet (its resolved SSH host, the seed's one-interface
   * topology), or a director pair's floating gateway (routeGateway: it follows the active director).
   */
  private async directorIp(): Promise<string> {
    const resolve = await this.ctx.resolver();
    return routeGateway(this.ctx.cluster, resolve(this.ctx.cluster.director.host));
  }

  /** Checks one realserver's routes. */
  async check(rs: Realserver): Promise<RouteReport> {
    const exec = this.ctx.realserverExecutor(rs);
    const directorIp = await this.directorIp();
    const routes = await readRoutes(exec, rs.os);
    const res = checkRoutes({ os: rs.os, host: realserverName(rs), netIf: rs.netIf, directorIp, routes });
    return { ...res, name: realserverName(rs), directorIp, routes };
  }

  /**
   * Fixes one realserver's routes: runs checkRoutes' steps in order (host route to the director first, so it stays
   * reachable; then the default route; then the subnet routes deleted), stopping at the first failure with an error
   * naming the realserver and the command; then checks again and fails if the routes are still not right.
   */
  async fix(rs: Realserver, opts: { dryRun?: boolean } = {}): Promise<RouteReport> {
    const first = await this.check(rs);
    if (first.ok || opts.dryRun) return first;
    const exec = this.ctx.realserverExecutor(rs);
    const ran: string[] = [];
    for (const step of first.steps) {
      const cmd = shellQuote(step.argv);
      // okCodes: the planner's, each with its reason where checkRoutes builds the step.
      await execChecked(exec, step.argv, step.okCodes ?? [0], cmd, { sudo: true, timeoutMs: 30_000, suffix: ran.length ? ` (after: ${ran.join('; ')})` : '' });
      ran.push(cmd);
    }
    const after = await this.check(rs);
    if (!after.ok) throw new AppError('COMMAND_FAILED', `${exec.label}: route-fix: still wrong after the fix: ${after.problems.join('; ')}`, { host: exec.label, step: 'route-fix', detail: { ran } });
    return { ...after, ran };
  }
}

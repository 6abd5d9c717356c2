/**
 * realserver route-check / route-fix: the seed's lvs-route from the console. Reads the realserver's routes over SSH
 * (`ip -4 route show` on Linux, `netstat -rnv` on HP-UX) together with the address this console's SSH session comes from
 * ($SSH_CLIENT: this desktop, or the director when the realserver is reached through it), checks them with checkRoutes
 * (default via the director, no subnet route on the LVS interface), and for a fix runs the planned steps in order, then
 * checks again.
 *
 * The console's own path to the realserver is part of the plan (issue 9 §3): once the fix is in, the realserver replies to
 * everything but the gateway through the director. When the session comes from another address (a desktop on the LVS
 * subnet, not reaching it through the director) and the director does not forward yet, the fix would cut the very
 * session that runs it, so the plan first turns forwarding on on the director (previewed, like every step). If an answer
 * is lost all the same, the fix is verified through the director, and the report says what ran and over which path.
 */
import { createHash } from 'node:crypto';
import type { Realserver } from '../../shared/model/cluster.ts';
import type { PlanStep } from '../../shared/model/plan.ts';
import { AppError } from '../../shared/result.ts';
import { parseHpuxRoutes } from '../realserver/hpux-route-parse.ts';
import { parseLinuxRoutes } from '../realserver/linux-route-parse.ts';
import { checkRoutes, routeReadArgv, type RouteCheckResult } from '../realserver/route-check.ts';
import { routeGateway } from '../realserver/route-fix.ts';
import { inSubnet, type Route } from '../realserver/route-types.ts';
import { shellQuote } from '../shell/shell-quote.ts';
import { execChecked } from '../ssh/exec-checked.ts';
import type { Executor } from '../ssh/types.ts';
import { realserverName, type ClusterContext } from './cluster-context.ts';
import { runSteps, stepText, type RanDetail } from './run-steps.ts';

/** The route state of one realserver. */
export interface RouteReport extends RouteCheckResult {
  name: string;
  /** Where replies must go: the director, or the pair's floating gateway. */
  directorIp: string;
  routes: Route[];
  /** The address this console's session to the realserver comes from ($SSH_CLIENT), when the realserver said. */
  peer?: string;
  /** How the console reaches the realserver. */
  path: 'direct' | 'via-director';
  /** Steps on the director that keep the console's path working across the fix (run first). */
  directorSteps: PlanStep[];
  /** sha256 of directorSteps + steps: route-fix with it runs exactly these (refused when they changed). */
  fingerprint: string;
  /** route-fix: the commands that ran, in order ("director: …" for the director's). */
  ran?: string[];
  /** route-fix: how it was verified, when not simply over the same path ("the answer to … was lost; verified through the director"). */
  notes?: string[];
}

/** A routes read: the peer address line, then the route table (the session's $SSH_CLIENT is not secret). */
function routesArgv(os: Realserver['os']): string[] {
  return ['sh', '-c', 'echo "peer ${SSH_CLIENT%% *}"; exec "$@"', 'lvs-console-routes', ...routeReadArgv(os)];
}

/** Reads and parses the routes of one realserver, and the address its SSH session comes from. */
export async function readRoutes(exec: Executor, os: Realserver['os']): Promise<{ routes: Route[]; peer?: string }> {
  const argv = routeReadArgv(os);
  const step = shellQuote(argv);
  const r = await execChecked(exec, routesArgv(os), [0], step, { timeoutMs: 30_000 });
  const [first, ...rest] = r.stdout.split('\n');
  const peer = /^peer (\d{1,3}(?:\.\d{1,3}){3})$/.exec((first ?? '').trim())?.[1];
  try {
    const text = rest.join('\n');
    return { routes: os === 'hpux' ? parseHpuxRoutes(text) : parseLinuxRoutes(text), ...(peer ? { peer } : {}) };
  } catch (e) {
    throw new AppError('PARSE_ERROR', `${exec.label}: ${step}: ${e instanceof Error ? e.message : String(e)}`, { host: exec.label, step, cause: e });
  }
}

/** Whether the fix changes how the realserver answers `peer`: it lies in a subnet the fix removes, or behind the default route it replaces. */
export function fixMovesPeer(peer: string, gateway: string, routes: readonly Route[], steps: readonly PlanStep[]): boolean {
  if (peer === gateway) return false;
  const removed = steps.flatMap((s) => {
    const i = s.argv.indexOf('del');
    const target = i >= 0 ? s.argv[i + 1] : undefined;
    // `ip route del NET/P dev IF` or HP-UX `route delete net NET netmask M GW`
    const m = target ? /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(target) : null;
    if (m) return [{ dest: m[1]!, prefix: Number(m[2]) }];
    const n = s.argv.indexOf('net');
    return s.argv[1] === 'delete' && n > 0 ? routes.filter((r) => r.dest === s.argv[n + 1] && r.prefix > 0 && r.prefix < 32).map((r) => ({ dest: r.dest, prefix: r.prefix })) : [];
  });
  if (removed.some((r) => inSubnet(peer, r.dest, r.prefix))) return true;
  const onLink = routes.some((r) => r.dest !== 'default' && r.prefix > 0 && inSubnet(peer, r.dest, r.prefix) && !removed.some((x) => x.dest === r.dest && x.prefix === r.prefix));
  const defaultChanges = steps.some((s) => s.argv.includes('default'));
  return !onLink && defaultChanges;
}

/** The fingerprint of a route fix's steps. */
export function routeFixFingerprint(directorSteps: readonly PlanStep[], steps: readonly PlanStep[]): string {
  const canon = [...directorSteps, ...steps].map((s) => ({ host: s.host, argv: s.argv }));
  return createHash('sha256').update(JSON.stringify(canon)).digest('hex');
}

/** True for an error that means the answer never came back (the command may well have run). */
function lostAnswer(e: unknown): boolean {
  return e instanceof AppError && (e.code === 'TIMEOUT' || (e.code === 'CONNECT_FAILED' && (e.detail as { connectionLost?: boolean } | undefined)?.connectionLost === true));
}

/** route-check / route-fix for the realservers of one cluster. */
export class RealserverRoutes {
  constructor(private readonly ctx: ClusterContext) {}

  /** Where replies must go: the pair's floating gateway when there is a pair, else the director's address on the LVS subnet. */
  private async gatewayIp(): Promise<{ gateway: string; directorIp: string }> {
    const resolve = await this.ctx.resolver();
    const directorIp = resolve(this.ctx.cluster.director.host);
    return { gateway: routeGateway(this.ctx.cluster, directorIp), directorIp };
  }

  /** Checks one realserver's routes (over `exec`, default its usual path). */
  async check(rs: Realserver, exec: Executor = this.ctx.realserverExecutor(rs)): Promise<RouteReport> {
    const { gateway } = await this.gatewayIp();
    const { routes, peer } = await readRoutes(exec, rs.os);
    const res = checkRoutes({ os: rs.os, host: realserverName(rs), netIf: rs.netIf, directorIp: gateway, routes });
    const path = rs.ssh?.viaDirector ? 'via-director' : 'direct';
    return { ...res, name: realserverName(rs), directorIp: gateway, routes, ...(peer ? { peer } : {}), path, directorSteps: [], fingerprint: routeFixFingerprint([], res.steps) };
  }

  /**
   * The fix as a preview: the realserver's steps, and first the director's forwarding when the fix would otherwise cut
   * this console's own session to the realserver (see the file comment).
   */
  async preview(rs: Realserver): Promise<RouteReport> {
    const first = await this.check(rs);
    if (first.ok || !first.peer || !fixMovesPeer(first.peer, first.directorIp, first.routes, first.steps)) return first;
    const fwd = await execChecked(this.ctx.director, ['cat', '/proc/sys/net/ipv4/ip_forward'], [0], 'read net.ipv4.ip_forward', { timeoutMs: 30_000 });
    if (fwd.stdout.trim() === '1') return first;
    const name = realserverName(rs);
    const directorSteps: PlanStep[] = [
      {
        host: 'director',
        argv: ['sysctl', '-w', 'net.ipv4.ip_forward=1'],
        why: `keep this console's SSH session to ${name} working: after the fix ${name} answers ${first.peer} through the director, which drops those packets while it does not forward (the seed starts the director before anyone relies on it; or reach realservers through the director: ssh.viaDirector)`,
      },
    ];
    return { ...first, directorSteps, fingerprint: routeFixFingerprint(directorSteps, first.steps) };
  }

  /**
   * Fixes one realserver's routes: the director's steps (if any), then checkRoutes' steps in order (host route to the
   * director first, so it stays reachable; then the default route; then the subnet routes deleted), stopping at the first
   * failure with an error naming the realserver, the command and what already ran. With `fingerprint`, refuses
   * (PLAN_STALE) when the plan differs from the preview. Then checks again, over the same path, or through the director
   * when the answer over the same path was lost; fails if the routes are still not right.
   */
  async fix(rs: Realserver, opts: { dryRun?: boolean; fingerprint?: string } = {}): Promise<RouteReport> {
    const first = await this.preview(rs);
    const exec = this.ctx.realserverExecutor(rs);
    if (opts.fingerprint !== undefined && opts.fingerprint !== first.fingerprint) {
      throw new AppError('PLAN_STALE', `${exec.label}: changed since you looked: route-fix would now run ${[...first.directorSteps, ...first.steps].map((s) => stepText(s)).join('; ') || 'nothing'}. Nothing ran; review the fresh preview.`, {
        host: exec.label,
        step: 'route-fix',
        detail: { changes: ['route-fix steps changed'], preview: first },
      });
    }
    if (first.ok || opts.dryRun) return first;
    const ran: string[] = [];
    const notes: string[] = [];
    if (first.directorSteps.length) ran.push(...(await runSteps(this.ctx.director, first.directorSteps)).map((c) => `director: ${c}`));
    try {
      ran.push(...(await runSteps(exec, first.steps)));
    } catch (e) {
      if (!lostAnswer(e) || rs.ssh?.viaDirector) throw withRan(e, ran);
      const done = (e instanceof AppError ? ((e.detail as Partial<RanDetail> | undefined)?.ran ?? []) : []).length;
      ran.push(...first.steps.slice(0, done).map(stepText));
      notes.push(`the answer to \`${stepText(first.steps[done]!)}\` was lost over the direct path (${e instanceof Error ? e.message : String(e)}); checked through the director instead`);
      return this.verify(rs, ran, notes, this.ctx.realserverExecutorViaDirector(rs));
    }
    return this.verify(rs, ran, notes, exec);
  }

  /** The check after a fix, over `exec`; through the director when the answer over `exec` is lost. */
  private async verify(rs: Realserver, ran: string[], notes: string[], exec: Executor): Promise<RouteReport> {
    let after: RouteReport;
    try {
      after = await this.check(rs, exec);
    } catch (e) {
      if (!lostAnswer(e) || exec === this.ctx.realserverExecutorViaDirector(rs)) throw withRan(e, ran);
      notes.push(`no answer over the direct path after the fix (${e instanceof Error ? e.message : String(e)}); checked through the director`);
      after = await this.check(rs, this.ctx.realserverExecutorViaDirector(rs));
    }
    const label = this.ctx.realserverExecutor(rs).label;
    if (!after.ok) throw new AppError('COMMAND_FAILED', `${label}: route-fix: still wrong after the fix: ${after.problems.join('; ')} (ran: ${ran.join('; ')})`, { host: label, step: 'route-fix', detail: { ran } });
    return { ...after, ran, ...(notes.length ? { notes } : {}) };
  }
}

/** The error with what ran before it said (so nobody reads "nothing applied" when something did). */
function withRan(e: unknown, ran: string[]): unknown {
  if (!(e instanceof AppError) || ran.length === 0) return e;
  const inner = (e.detail as Partial<RanDetail> | undefined)?.ran ?? [];
  const all = [...ran, ...inner.filter((c) => !ran.includes(c))];
  return new AppError(e.code, `${e.message}${e.message.includes('(after:') ? '' : ` (already ran: ${all.join('; ')})`}`, { ...(e.host ? { host: e.host } : {}), ...(e.step ? { step: e.step } : {}), detail: { ...(e.detail as object | undefined), ran: all }, cause: e });
}

import type { PlanStep } from '../../shared/model/plan.ts';
import { routeOpArgv, routeOpWhy, type RouteOp, type Subnet } from './route-fix.ts';
import { inSubnet, type Route } from './route-types.ts';

/** What the seed's lvs-route wants on a realserver's LVS interface. */
export interface RouteCheckInput {
  os: 'linux' | 'hpux';
  /** The realserver's name for steps and messages. */
  host: string;
  /** LVS interface (the seed's NET_INTERFACE: eth0 / lan0). */
  netIf: string;
  /** The director's address on the LVS subnet (not the VIP): every reply must go through it. */
  directorIp: string;
  routes: Route[];
}

/** Result of the check: ok only when the default route is via the director and no subnet route is left on netIf. */
export interface RouteCheckResult {
  ok: boolean;
  problems: string[];
  steps: PlanStep[];
}

/** The check as data: what is wrong, and the route operations (route-fix.ts) that fix it, in order. */
export interface RouteFixNeed {
  ok: boolean;
  problems: string[];
  ops: RouteOp[];
}

/**
 * The seed's lvs-route, as a check and a plan: default route via the director, the subnet route on the LVS interface
 * removed, and (so the director stays reachable once the subnet route is gone) a host route to the director on that
 * interface. Steps are ordered so the director is never unreachable in between: host route, default, then delete subnets.
 * `directorIp` is where replies must go: the director, or the pair's floating gateway (routeGateway). The argv come from
 * routeOpArgv, the same function the boot script embeds.
 */
export function checkRoutes(input: RouteCheckInput): RouteCheckResult {
  const { ok, problems, ops } = routeFixNeed(input);
  const steps: PlanStep[] = ops.map((o) => ({ host: input.host, argv: routeOpArgv(input.os, input.netIf, o), why: routeOpWhy(input.netIf, o) }));
  return { ok, problems, steps };
}

/** What checkRoutes finds, as route operations (only those the observed routes need). */
export function routeFixNeed(input: RouteCheckInput): RouteFixNeed {
  const { routes, netIf, directorIp } = input;
  const problems: string[] = [];
  const onIf = routes.filter((r) => r.dev === undefined || r.dev === netIf);
  const defaults = routes.filter((r) => r.dest === 'default' && r.prefix === 0);
  const viaDirector = defaults.filter((r) => r.gateway === directorIp && (r.dev === undefined || r.dev === netIf));
  const otherDefaults = defaults.filter((r) => !viaDirector.includes(r));
  const hostRoute = onIf.find((r) => r.prefix === 32 && r.dest === directorIp);
  // Subnet routes: network routes (not default, not host routes) on the LVS interface. HP-UX shows them with flag U and no G.
  const subnetRoutes = onIf.filter((r) => r.prefix > 0 && r.prefix < 32 && !isGatewayed(r, input.os));

  if (viaDirector.length === 0) problems.push(`no default route via the director ${directorIp} on ${netIf}`);
  for (const d of otherDefaults) problems.push(`default route via ${d.gateway ?? '(on-link)'}${d.dev ? ` on ${d.dev}` : ''} bypasses the director`);
  for (const s of subnetRoutes) problems.push(`subnet route ${s.dest}/${s.prefix} on ${netIf} lets replies bypass the director (NAT needs them to go through it)`);

  const ops: RouteOp[] = [];
  if (problems.length > 0) {
    const needsHostRoute = !hostRoute && subnetRoutes.some((s) => inSubnet(directorIp, s.dest, s.prefix));
    // Linux: the subnet route carries the own address as `src` (absent on routes added by hand: not needed to delete).
    // HP-UX: an interface route names the host's own address as its gateway.
    const subnets: Subnet[] = subnetRoutes.map((s) => ({ dest: s.dest, prefix: s.prefix, ownIp: s.gateway ?? '' }));
    if (input.os === 'linux') {
      if (needsHostRoute || (!hostRoute && subnets.length > 0)) ops.push({ op: 'add-host-route', gateway: directorIp });
      if (viaDirector.length === 0 || otherDefaults.length > 0) ops.push({ op: 'set-default', gateway: directorIp });
    } else {
      const ownIp = subnets[0]?.ownIp;
      if (ownIp && (needsHostRoute || !hostRoute)) ops.push({ op: 'add-host-route', gateway: directorIp, ownIp });
      for (const d of otherDefaults) ops.push({ op: 'delete-default', gateway: d.gateway ?? '' });
      if (viaDirector.length === 0) ops.push({ op: 'set-default', gateway: directorIp });
    }
    for (const subnet of subnets) ops.push({ op: 'delete-subnet', subnet });
  }
  return { ok: problems.length === 0, problems, ops };
}

function isGatewayed(r: Route & { flags?: string }, os: 'linux' | 'hpux'): boolean {
  if (os === 'hpux') return (r.flags ?? '').includes('G');
  return r.gateway !== undefined;
}

/** The argv that reads a realserver's routes, per OS (parsed by parseLinuxRoutes / parseHpuxRoutes). */
export function routeReadArgv(os: 'linux' | 'hpux'): string[] {
  return os === 'linux' ? ['ip', '-4', 'route', 'show'] : ['/usr/bin/netstat', '-rnv'];
}

import type { PlanStep } from '../../shared/model/plan.ts';
import { inSubnet, prefixToMask, type Route } from './route-types.ts';

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

/**
 * The seed's lvs-route, as a check and a plan: default route via the director, the subnet route on the LVS interface
 * removed, and (so the director stays reachable once the subnet route is gone) a host route to the director on that
 * interface. Steps are ordered so the director is never unreachable in between: host route, default, then delete subnets.
 */
export function checkRoutes(input: RouteCheckInput): RouteCheckResult {
  const { routes, netIf, directorIp, host } = input;
  const problems: string[] = [];
  const onIf = routes.filter((r) => r.dev === undefined || r.dev === netIf);
  const defaults = routes.filter((r) => r.dest === 'default' && r.prefix === 0);
  const viaDirector = defaults.filter((r) => r.gateway === directorIp && (r.dev === undefined || r.dev === netIf));
  const otherDefaults = defaults.filter((r) => !viaDirector.includes(r));
  const hostRoute = onIf.find((r) => r.prefix === 32 && r.dest === directorIp);
  // Subnet routes: network routes (not default, not host routes) on the LVS interface. HP-UX shows them with flag U and no G.
  const subnets = onIf.filter((r) => r.prefix > 0 && r.prefix < 32 && !isGatewayed(r, input.os));

  if (viaDirector.length === 0) problems.push(`no default route via the director ${directorIp} on ${netIf}`);
  for (const d of otherDefaults) problems.push(`default route via ${d.gateway ?? '(on-link)'}${d.dev ? ` on ${d.dev}` : ''} bypasses the director`);
  for (const s of subnets) problems.push(`subnet route ${s.dest}/${s.prefix} on ${netIf} lets replies bypass the director (NAT needs them to go through it)`);

  const steps: PlanStep[] = [];
  if (problems.length > 0) {
    const needsHostRoute = !hostRoute && subnets.some((s) => inSubnet(directorIp, s.dest, s.prefix));
    if (input.os === 'linux') {
      if (needsHostRoute || (!hostRoute && subnets.length > 0)) {
        steps.push({ host, argv: ['ip', 'route', 'replace', `${directorIp}/32`, 'dev', netIf, 'scope', 'link'], why: `keep the director ${directorIp} reachable on ${netIf} once the subnet route is gone` });
      }
      if (viaDirector.length === 0 || otherDefaults.length > 0) {
        steps.push({ host, argv: ['ip', 'route', 'replace', 'default', 'via', directorIp, 'dev', netIf], why: 'all replies must leave through the director (LVS-NAT)' });
      }
      for (const s of subnets) {
        steps.push({ host, argv: ['ip', 'route', 'del', `${s.dest}/${s.prefix}`, 'dev', netIf], why: `remove the subnet route ${s.dest}/${s.prefix} (the seed's lvs-route)` });
      }
    } else {
      // HP-UX route(1M): route add host DEST GATEWAY COUNT (count 0 = the gateway is this host's interface);
      // route delete net DEST netmask MASK GATEWAY; route add default GATEWAY 1.
      const ownIp = subnets[0]?.gateway;
      if (ownIp && (needsHostRoute || !hostRoute)) {
        steps.push({ host, argv: ['/usr/sbin/route', 'add', 'host', directorIp, ownIp, '0'], why: `keep the director ${directorIp} reachable on ${netIf} once the subnet route is gone` });
      }
      for (const d of otherDefaults) {
        steps.push({ host, argv: ['/usr/sbin/route', 'delete', 'default', d.gateway ?? ''], why: `the default route via ${d.gateway} bypasses the director` });
      }
      if (viaDirector.length === 0) {
        steps.push({ host, argv: ['/usr/sbin/route', 'add', 'default', directorIp, '1'], why: 'all replies must leave through the director (LVS-NAT)' });
      }
      for (const s of subnets) {
        steps.push({ host, argv: ['/usr/sbin/route', 'delete', 'net', s.dest, 'netmask', prefixToMask(s.prefix), s.gateway ?? ''], why: `remove the subnet route ${s.dest}/${s.prefix} (the seed's lvs-route)` });
      }
    }
  }
  return { ok: problems.length === 0, problems, steps };
}

function isGatewayed(r: Route & { flags?: string }, os: 'linux' | 'hpux'): boolean {
  if (os === 'hpux') return (r.flags ?? '').includes('G');
  return r.gateway !== undefined;
}

/** The argv that reads a realserver's routes, per OS (parsed by parseLinuxRoutes / parseHpuxRoutes). */
export function routeReadArgv(os: 'linux' | 'hpux'): string[] {
  return os === 'linux' ? ['ip', '-4', 'route', 'show'] : ['/usr/bin/netstat', '-rnv'];
}

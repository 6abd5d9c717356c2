import type { Cluster } from '../../shared/model/cluster.ts';
import { prefixToMask } from './route-types.ts';

/**
 * The ONE source of the seed's lvs-route commands: each route change is an operation (data), and routeOpArgv turns it
 * into the argv a realserver runs. The live fix (route-check.ts) runs these argv over SSH; the boot script
 * (boot-script.ts) embeds the same argv, shell-quoted, so what fixes routes now is what fixes them at boot.
 */

/** The OS families whose route commands we know. */
export type RouteOs = 'linux' | 'hpux';

/** One subnet (interface) route on the LVS interface, as the kernel makes it for the realserver's own address. */
export interface Subnet {
  /** Network address (10.77.0.0). */
  dest: string;
  prefix: number;
  /** The realserver's own address on that subnet (Linux: the route's `src`; HP-UX: the interface route's gateway). */
  ownIp: string;
}

/** A route change on a realserver's LVS interface. */
export type RouteOp =
  /** Host route to the gateway on the LVS interface, so it stays reachable once the subnet route is gone. */
  | { op: 'add-host-route'; gateway: string; ownIp?: string }
  /** Undo of add-host-route. */
  | { op: 'delete-host-route'; gateway: string; ownIp?: string }
  /** Default route via the gateway (all replies through the director: LVS-NAT). */
  | { op: 'set-default'; gateway: string }
  /** Remove a default route via another gateway (HP-UX: route(1M) has no replace). */
  | { op: 'delete-default'; gateway: string; dev?: string }
  /** The seed's lvs-route: remove the subnet route from the LVS interface. */
  | { op: 'delete-subnet'; subnet: Subnet }
  /** Undo of delete-subnet: the subnet route as the kernel made it. */
  | { op: 'restore-subnet'; subnet: Subnet };

/** HP-UX route(1M), 10.20 and 11i: /usr/sbin/route. */
export const HPUX_ROUTE = '/usr/sbin/route';

/**
 * The argv of one route operation on `netIf`.
 * Linux (iproute2): `ip route replace|del|add …` (replace is idempotent; the kernel's own subnet route is restored with
 *   `proto kernel scope link src OWN`, exactly as the kernel made it).
 * HP-UX route(1M): `route add|delete [net|host] DEST [netmask MASK] GATEWAY [COUNT]`; COUNT 0 = the gateway is this
 *   host's own interface address (interface route), 1 = a remote gateway (HP-UX Reference, route(1M), 10.20 / 11i).
 */
export function routeOpArgv(os: RouteOs, netIf: string, o: RouteOp): string[] {
  if (os === 'linux') {
    switch (o.op) {
      case 'add-host-route':
        return ['ip', 'route', 'replace', `${o.gateway}/32`, 'dev', netIf, 'scope', 'link'];
      case 'delete-host-route':
        return ['ip', 'route', 'del', `${o.gateway}/32`, 'dev', netIf];
      case 'set-default':
        return ['ip', 'route', 'replace', 'default', 'via', o.gateway, 'dev', netIf];
      case 'delete-default':
        return ['ip', 'route', 'del', 'default', 'via', o.gateway, ...(o.dev ? ['dev', o.dev] : [])];
      case 'delete-subnet':
        return ['ip', 'route', 'del', `${o.subnet.dest}/${o.subnet.prefix}`, 'dev', netIf];
      case 'restore-subnet':
        return ['ip', 'route', 'add', `${o.subnet.dest}/${o.subnet.prefix}`, 'dev', netIf, 'proto', 'kernel', 'scope', 'link', 'src', o.subnet.ownIp];
    }
  }
  switch (o.op) {
    case 'add-host-route':
      return [HPUX_ROUTE, 'add', 'host', o.gateway, needOwn(o), '0'];
    case 'delete-host-route':
      return [HPUX_ROUTE, 'delete', 'host', o.gateway, needOwn(o)];
    case 'set-default':
      return [HPUX_ROUTE, 'add', 'default', o.gateway, '1'];
    case 'delete-default':
      return [HPUX_ROUTE, 'delete', 'default', o.gateway];
    case 'delete-subnet':
      return [HPUX_ROUTE, 'delete', 'net', o.subnet.dest, 'netmask', prefixToMask(o.subnet.prefix), o.subnet.ownIp];
    case 'restore-subnet':
      return [HPUX_ROUTE, 'add', 'net', o.subnet.dest, 'netmask', prefixToMask(o.subnet.prefix), o.subnet.ownIp, '0'];
  }
}

function needOwn(o: { gateway: string; ownIp?: string }): string {
  if (!o.ownIp) throw new Error(`HP-UX host route to ${o.gateway}: the interface's own address is needed (route(1M) COUNT 0)`);
  return o.ownIp;
}

/** Why each operation is done, for plan steps and the boot script's comments. */
export function routeOpWhy(netIf: string, o: RouteOp): string {
  switch (o.op) {
    case 'add-host-route':
      return `keep ${o.gateway} reachable on ${netIf} once the subnet route is gone`;
    case 'delete-host-route':
      return `the host route to ${o.gateway} is not needed once the subnet route is back`;
    case 'set-default':
      return `all replies must leave through ${o.gateway} (LVS-NAT: the director de-masquerades them)`;
    case 'delete-default':
      return `the default route via ${o.gateway} bypasses the director`;
    case 'delete-subnet':
      return `remove the subnet route ${o.subnet.dest}/${o.subnet.prefix} from ${netIf} (the seed's lvs-route): replies to clients on the subnet must not bypass the director`;
    case 'restore-subnet':
      return `put the subnet route ${o.subnet.dest}/${o.subnet.prefix} back on ${netIf} (undo of lvs-route)`;
  }
}

/**
 * The whole fix for a realserver whose LVS interface carries `subnets`: host route to the gateway (only needed when the
 * gateway lies in a subnet being removed, but harmless otherwise: it is always added so the boot script does not depend
 * on what the routes were), the default route, then the subnet routes removed. Ordered so the gateway is never
 * unreachable in between.
 */
export function fullFixOps(gateway: string, subnets: readonly Subnet[]): RouteOp[] {
  const ownIp = subnets[0]?.ownIp;
  return [
    { op: 'add-host-route', gateway, ...(ownIp ? { ownIp } : {}) },
    { op: 'set-default', gateway },
    ...subnets.map((subnet): RouteOp => ({ op: 'delete-subnet', subnet })),
  ];
}

/** The undo of fullFixOps (the boot script's `stop`): subnet routes back first, then the host route removed. */
export function fullUndoOps(gateway: string, subnets: readonly Subnet[]): RouteOp[] {
  const ownIp = subnets[0]?.ownIp;
  return [...subnets.map((subnet): RouteOp => ({ op: 'restore-subnet', subnet })), { op: 'delete-host-route', gateway, ...(ownIp ? { ownIp } : {}) }];
}

/**
 * Where a realserver's replies must go: the pair's floating gateway when the profile has a director pair (it follows the
 * active director), else the director's own address on the LVS subnet.
 */
export function routeGateway(cluster: Pick<Cluster, 'pair'>, directorIp: string): string {
  return cluster.pair?.gateway ?? directorIp;
}

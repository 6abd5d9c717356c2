/**
 * The IPVS table a cluster profile asks for: every TCP and UDP service on the VIP, each with every enabled realserver,
 * exactly as the seed's lvs-director script builds it (one-interface NAT: same port on the realserver as on the VIP).
 * Pure: name resolution is injected.
 */
import { effectivePersistence, type Cluster, type Forwarding } from '../../../shared/model/cluster.ts';
import { destinationKey, serviceKey, type IpvsForward, type IpvsService, type IpvsTable } from '../../../shared/model/ipvs.ts';
import { isIPv4, isIPv6 } from '../../../shared/model/validators.ts';
import { portNumber } from '../../../shared/model/well-known-ports.ts';
import { AppError } from '../../../shared/result.ts';

/** Turns a host as written in a profile (name or address) into an address. Throws an AppError naming the host if it can't. */
export type Resolve = (host: string) => string;

const FORWARD: Record<Forwarding, IpvsForward> = { masq: 'masq', route: 'route', tunnel: 'tunnel' };

/** 'inet' or 'inet6' for an address literal; throws if `address` is not one. */
export function familyOf(address: string, what: string): 'inet' | 'inet6' {
  if (isIPv4(address)) return 'inet';
  if (isIPv6(address)) return 'inet6';
  throw new AppError('INVALID_INPUT', `${what}: '${address}' is not an IPv4 or IPv6 address`);
}

/**
 * The table `cluster` asks for: its services on its VIP, each with every enabled realserver not excluded from it.
 * `resolve` maps the VIP and realserver hosts to addresses (addresses may pass through). */
export function desiredTable(cluster: Cluster, resolve: Resolve): IpvsTable {
  const vip = resolve(cluster.vip);
  const family = familyOf(vip, `VIP ${cluster.vip}`);
  const reals = cluster.realservers
    .filter((r) => r.enabled)
    .map((r) => {
      const address = resolve(r.host);
      const f = familyOf(address, `realserver ${r.host}`);
      // Only tunnel destinations may differ in family from the service (kernel ≥ 5.3); NAT and DR cannot.
      if (f !== family && cluster.forwarding !== 'tunnel')
        throw new AppError('INVALID_INPUT', `realserver ${r.host} (${address}) is ${f === 'inet' ? 'IPv4' : 'IPv6'} but the VIP ${vip} is not`);
      return { r, address };
    });
  const seen = new Map<string, string>();
  for (const { r, address } of reals) {
    const k = address.toLowerCase();
    if (seen.has(k)) throw new AppError('INVALID_INPUT', `realservers ${seen.get(k)} and ${r.host} both resolve to ${address}`);
    seen.set(k, r.host);
  }
  const services: IpvsService[] = [];
  for (const protocol of ['tcp', 'udp'] as const) {
    for (const s of cluster[protocol]) {
      const port = portNumber(s.port, protocol);
      if (port === undefined) throw new AppError('INVALID_INPUT', `${protocol} service '${String(s.port)}' is not a known ${protocol.toUpperCase()} port`);
      const p = effectivePersistence(protocol, s);
      services.push({
        protocol,
        address: vip,
        port,
        family,
        scheduler: s.scheduler ?? cluster.scheduler,
        ...(p ? { persistent: p.netmask !== undefined ? { timeout: p.timeout, netmask: p.netmask } : { timeout: p.timeout } } : {}),
        // A realserver excluded from this service (a per-service drain or disable) is left out of it only.
        destinations: reals.filter(({ r }) => !r.exclude?.includes(`${protocol}/${port}`)).map(({ r, address }) => ({ address, port, forward: FORWARD[cluster.forwarding], weight: r.weight })),
      });
    }
  }
  return { services };
}

/**
 * An offline resolver for a profile: address literals pass through; a name is looked up among the profile's own
 * mappings (a realserver's display `name` → its address `host`, a realserver host name → its `ssh.host` address) and the
 * optional `extra` map; anything else is an error saying which name could not be resolved.
 */
export function profileResolver(cluster: Cluster, extra: Readonly<Record<string, string>> = {}): Resolve {
  const names = new Map<string, string>();
  const isAddr = (s: string | undefined): boolean => !!s && (isIPv4(s) || isIPv6(s));
  for (const r of cluster.realservers) {
    if (r.name && isAddr(r.host)) names.set(r.name.toLowerCase(), r.host);
    if (!isAddr(r.host) && isAddr(r.ssh?.host)) names.set(r.host.toLowerCase(), r.ssh!.host!);
  }
  for (const [k, v] of Object.entries(extra)) names.set(k.toLowerCase(), v);
  return (host: string) => {
    if (isAddr(host)) return host;
    const a = names.get(host.toLowerCase());
    if (a !== undefined) return a;
    throw new AppError('INVALID_INPUT', `cannot resolve '${host}' offline: use an address, give it one in the profile (a realserver's name with an address host), or map it (lvsctl plan --hosts NAME=ADDR)`);
  };
}

/** Which profile realserver a destination address belongs to (for summaries): host name or undefined. */
export function realserverFor(cluster: Cluster, resolve: Resolve, address: string): string | undefined {
  for (const r of cluster.realservers) {
    try {
      if (resolve(r.host).toLowerCase() === address.toLowerCase()) return r.name ?? r.host;
    } catch {
      // an unresolvable realserver cannot be this destination
    }
  }
  return undefined;
}

/** "tcp 10.0.0.1:23 → 10.0.0.2:23": a readable name for one destination of one service. */
export function describeDestination(svc: Parameters<typeof serviceKey>[0], d: Parameters<typeof destinationKey>[0]): string {
  return `${serviceKey(svc)} → ${destinationKey(d)}`;
}

/**
 * fast-check generators of IPVS tables for the planner's property tests. Addresses and ports come from small pools so
 * two random tables overlap often (same service, same realserver, different options), which is where diffs get hard.
 */
import fc from 'fast-check';
import { SCHEDULERS } from '../../../../../shared/model/cluster.ts';
import { destinationKey, serviceKey, type IpvsDestination, type IpvsService, type IpvsTable } from '../../../../../shared/model/ipvs.ts';

const V4_VIPS = ['10.0.0.1', '10.0.0.2', '192.168.1.1'];
const V6_VIPS = ['2001:db8::1', '2001:db8::a:b'];
const V4_REALS = ['10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.1.4', '172.16.0.9', '192.168.2.200'];
const V6_REALS = ['2001:db8:1::1', '2001:db8:1::2', '2001:db8:1::ff', 'fd00::1'];
const PORTS = [22, 23, 80, 177, 6000];

// Every tunnel encapsulation ipvsadm 1.31 takes (ipip is the default, left out of the model when absent; remcsum is
// GUE-only: the save parser refuses gre with it).
const TUN_TYPES = ['ipip', 'gre:csum', 'gre:nocsum', 'gue:6080:nocsum', 'gue:5555:remcsum', 'gue:1:csum'];
// Persistence netmasks: the default (/32, 128) written out, and wider ones.
const V4_MASKS = ['255.255.255.255', '255.255.255.0', '255.255.0.0', '255.0.0.0'];
const V6_MASKS = ['128', '64', '48'];
// -b flags per scheduler, as ipvsadm prints them: sh-*, mh-*, and flag-N for the others.
const SCHED_FLAGS: Record<string, string[]> = { sh: ['sh-fallback', 'sh-port'], mh: ['mh-fallback', 'mh-port'] };
const OTHER_FLAGS = ['flag-1', 'flag-2', 'flag-3'];

/** A connection threshold: mostly small, sometimes up to ipvsadm's limit (2^32 - 1); absent 1 time in 3. */
const arbThreshold = fc.option(fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 2 ** 32 - 1 })), { nil: undefined, freq: 3 });

/** Random -b flags for a scheduler (and -o for UDP services). */
export const arbFlags = (scheduler: string, protocol: IpvsService['protocol']): fc.Arbitrary<string[]> =>
  fc.tuple(fc.boolean(), fc.subarray(SCHED_FLAGS[scheduler] ?? OTHER_FLAGS)).map(([ops, b]) => [...(ops && protocol === 'udp' ? ['ops'] : []), ...b]);

const arbDest = (family: 'inet' | 'inet6', port: number): fc.Arbitrary<IpvsDestination> =>
  fc
    .record({
      address: fc.constantFrom(...(family === 'inet' ? V4_REALS : V6_REALS)),
      port: fc.constantFrom(port, port, port === 0 ? 80 : 8080),
      forward: fc.constantFrom('masq', 'route', 'tunnel') as fc.Arbitrary<IpvsDestination['forward']>,
      weight: fc.oneof(fc.constantFrom(0, 1, 2), fc.integer({ min: 0, max: 65535 })),
      upperThreshold: arbThreshold,
      lowerThreshold: arbThreshold,
      tunType: fc.option(fc.constantFrom(...TUN_TYPES), { nil: undefined }),
    })
    .map((d) => {
      // As ipvsadm stores it: -g/-i destinations of a port service get the service's port (fwmark services: port 0).
      const p = d.forward === 'masq' || port === 0 ? d.port : port;
      const out: IpvsDestination = { address: d.address, port: p, forward: d.forward, weight: d.weight };
      if (d.upperThreshold) out.upperThreshold = d.upperThreshold;
      if (d.lowerThreshold) out.lowerThreshold = d.lowerThreshold;
      if (d.forward === 'tunnel' && d.tunType) out.tunType = d.tunType;
      return out;
    });

/** One random virtual service (tcp/udp/sctp/fwmark, IPv4 or IPv6) with unique destinations. */
export const arbService: fc.Arbitrary<IpvsService> = fc
  .record({
    protocol: fc.constantFrom('tcp', 'udp', 'sctp', 'fwmark') as fc.Arbitrary<IpvsService['protocol']>,
    family: fc.constantFrom('inet', 'inet', 'inet6') as fc.Arbitrary<'inet' | 'inet6'>,
    vipIdx: fc.nat(2),
    port: fc.constantFrom(...PORTS),
    fwmark: fc.integer({ min: 1, max: 3 }),
    scheduler: fc.constantFrom(...SCHEDULERS),
    persistent: fc.option(fc.record({ timeout: fc.oneof(fc.constantFrom(1, 300, 360), fc.integer({ min: 1, max: 2678400 })), mask: fc.nat(3) }), { nil: undefined }),
    pe: fc.boolean(),
    flagSeed: fc.nat(),
  })
  .chain((s) => {
    const vips = s.family === 'inet' ? V4_VIPS : V6_VIPS;
    const isMark = s.protocol === 'fwmark';
    const svc: IpvsService = {
      protocol: s.protocol,
      address: isMark ? '' : vips[s.vipIdx % vips.length]!,
      port: isMark ? 0 : s.port,
      family: s.family,
      scheduler: s.scheduler,
      destinations: [],
    };
    if (isMark) svc.fwmark = s.fwmark;
    if (s.persistent) {
      const masks = s.family === 'inet' ? V4_MASKS : V6_MASKS;
      // mask index past the pool: no netmask given (the default)
      svc.persistent = s.persistent.mask < masks.length ? { timeout: s.persistent.timeout, netmask: masks[s.persistent.mask]! } : { timeout: s.persistent.timeout };
      if (s.pe) svc.persistenceEngine = 'sip';
    }
    return fc
      .tuple(arbFlags(s.scheduler, s.protocol), fc.uniqueArray(arbDest(s.family, isMark ? 0 : s.port), { maxLength: 6, selector: (d) => destinationKey(d) }))
      .map(([flags, destinations]) => ({ ...svc, ...(flags.length ? { flags } : {}), destinations }));
  });

/** A random table: services unique by key. */
export const arbTable: fc.Arbitrary<IpvsTable> = fc.uniqueArray(arbService, { maxLength: 5, selector: (s) => serviceKey(s) }).map((services) => ({ services }));

/** The table without thresholds: what survives `ipvsadm -S` (which does not save -x/-y). */
export function withoutThresholds(t: IpvsTable): IpvsTable {
  return {
    services: t.services.map((s) => ({
      ...s,
      destinations: s.destinations.map((d) => {
        const o = { ...d };
        delete o.upperThreshold;
        delete o.lowerThreshold;
        return o;
      }),
    })),
  };
}

/** Adds random-looking connection counters (which a diff must ignore). */
export function withCounters(t: IpvsTable, seed = 7): IpvsTable {
  let n = seed;
  const next = () => (n = (n * 1103515245 + 12345) % 2147483648) % 1000;
  return {
    services: t.services.map((s) => ({
      ...s,
      stats: { conns: next(), inPkts: next(), outPkts: next(), inBytes: next(), outBytes: next() },
      destinations: s.destinations.map((d) => ({ ...d, activeConns: next(), inactiveConns: next(), persistConns: next() })),
    })),
  };
}

/** How a live destination differs from the desired one (arbLiveFrom). */
const DEST_FATES = ['keep', 'keep', 'weight', 'forward', 'upper', 'lower', 'both', 'clear', 'tun', 'local', 'port', 'drop'] as const;
/** How a live service differs from the desired one: one option at a time, all of them, or gone. */
const SERVICE_FATES = ['keep', 'keep', 'scheduler', 'persistence', 'netmask', 'pe', 'flags', 'all', 'drop'] as const;

/** `d` with the change `fate` names (arbLiveFrom); t is a fresh threshold, tun a tunnel type. */
function editDest(s: IpvsService, d: IpvsDestination, fate: (typeof DEST_FATES)[number], w: number, t: number, tun: string): IpvsDestination[] {
  const o: IpvsDestination = { ...d };
  switch (fate) {
    case 'drop':
      return [];
    case 'weight':
      o.weight = w;
      break;
    case 'forward': {
      // masq ↔ route ↔ tunnel, only where the port survives it (ipvsadm gives -g/-i the service port)
      if (d.forward === 'masq' && d.port !== s.port && s.protocol !== 'fwmark') break;
      o.forward = d.forward === 'masq' ? 'route' : d.forward === 'route' ? 'tunnel' : 'masq';
      delete o.tunType;
      if (o.forward === 'tunnel' && tun !== 'ipip') o.tunType = tun;
      break;
    }
    case 'upper':
      o.upperThreshold = t;
      break;
    case 'lower':
      o.lowerThreshold = t;
      break;
    case 'both':
      o.upperThreshold = t;
      o.lowerThreshold = Math.max(1, t >> 1);
      break;
    case 'clear':
      delete o.upperThreshold;
      delete o.lowerThreshold;
      break;
    case 'tun':
      if (d.forward === 'tunnel') {
        if (tun === 'ipip') delete o.tunType;
        else o.tunType = tun;
      }
      break;
    case 'local':
      // the kernel reports a destination on one of the director's own addresses as Local, whatever it was added with
      o.forward = 'local';
      delete o.tunType;
      break;
    case 'port':
      // another port is another destination (only -m keeps its own port on a port service)
      if (d.forward === 'masq' || s.protocol === 'fwmark') o.port = d.port + 1;
      break;
  }
  return [o];
}

/**
 * A live table derived from `desired` by random edits (so services and realservers mostly overlap): per service keep,
 * drop, or change one option (scheduler with its flags, persistence timeout, netmask, persistence engine, flags) or all
 * of them; per destination keep, drop, or change weight, forwarding, either threshold or both, clear them, tunnel type,
 * report it as Local, or its port; plus random extra services.
 */
export function arbLiveFrom(desired: IpvsTable): fc.Arbitrary<IpvsTable> {
  const perService = desired.services.map((s) =>
    fc
      .record({
        fate: fc.constantFrom(...SERVICE_FATES),
        other: arbService,
        flags: arbFlags(s.scheduler, s.protocol),
        dests: fc.array(
          fc.record({ fate: fc.constantFrom(...DEST_FATES), w: fc.integer({ min: 0, max: 9 }), t: fc.integer({ min: 1, max: 9000 }), tun: fc.constantFrom(...TUN_TYPES) }),
          { minLength: s.destinations.length, maxLength: s.destinations.length },
        ),
      })
      .map(({ fate, other, flags, dests }): IpvsService | undefined => {
        if (fate === 'drop') return undefined;
        const out: IpvsService = { ...s };
        const otherFlags = (other.flags ?? []).filter((f) => f !== 'ops' || s.protocol === 'udp');
        if (fate === 'scheduler' || fate === 'all') {
          out.scheduler = other.scheduler;
          out.flags = otherFlags;
        }
        if (fate === 'persistence' || fate === 'all') {
          out.persistent = other.persistent && s.persistent ? { ...s.persistent, timeout: other.persistent.timeout } : other.persistent;
          if (!out.persistent) delete out.persistenceEngine;
        }
        if (fate === 'netmask' && s.persistent) out.persistent = { timeout: s.persistent.timeout, ...(s.persistent.netmask === undefined ? { netmask: s.family === 'inet' ? '255.255.0.0' : '48' } : {}) };
        if ((fate === 'pe' || fate === 'all') && out.persistent) out.persistenceEngine = out.persistenceEngine ? undefined : 'sip';
        if (fate === 'flags') out.flags = flags;
        out.destinations = s.destinations.flatMap((d, i) => editDest(s, d, dests[i]!.fate, dests[i]!.w, dests[i]!.t, dests[i]!.tun));
        for (const k of ['persistent', 'flags', 'persistenceEngine'] as const) {
          const v = (out as unknown as Record<string, unknown>)[k];
          if (v === undefined || (Array.isArray(v) && v.length === 0)) delete (out as unknown as Record<string, unknown>)[k];
        }
        // two edits may now name the same destination (a port moved onto another): keep the first
        const seen = new Set<string>();
        out.destinations = out.destinations.filter((d) => !seen.has(destinationKey(d)) && seen.add(destinationKey(d)));
        return out;
      }),
  );
  return fc.tuple(fc.tuple(...perService), arbTable).map(([kept, extra]) => {
    const services = kept.filter((s): s is IpvsService => s !== undefined);
    const keys = new Set(services.map((s) => serviceKey(s)));
    for (const e of extra.services) if (!keys.has(serviceKey(e))) services.push(e);
    return { services };
  });
}

/** A desired table and a live table that mostly overlaps it. */
export const arbDesiredAndLive: fc.Arbitrary<[IpvsTable, IpvsTable]> = arbTable.chain((d) => fc.tuple(fc.constant(d), fc.oneof(arbLiveFrom(d), arbTable)));

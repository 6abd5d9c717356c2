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

const arbDest = (family: 'inet' | 'inet6', port: number): fc.Arbitrary<IpvsDestination> =>
  fc
    .record({
      address: fc.constantFrom(...(family === 'inet' ? V4_REALS : V6_REALS)),
      port: fc.constantFrom(port, port, port === 0 ? 80 : 8080),
      forward: fc.constantFrom('masq', 'route', 'tunnel') as fc.Arbitrary<IpvsDestination['forward']>,
      weight: fc.oneof(fc.constantFrom(0, 1, 2), fc.integer({ min: 0, max: 65535 })),
      upperThreshold: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
      lowerThreshold: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
      tunType: fc.option(fc.constantFrom('gre:csum', 'gue:6080:nocsum', 'gue:5555:remcsum'), { nil: undefined }),
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
    persistent: fc.option(fc.record({ timeout: fc.integer({ min: 1, max: 2678400 }), mask: fc.boolean() }), { nil: undefined }),
    ops: fc.boolean(),
    shFlags: fc.subarray(['sh-fallback', 'sh-port']),
    pe: fc.boolean(),
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
    if (s.persistent) svc.persistent = s.persistent.mask ? { timeout: s.persistent.timeout, netmask: s.family === 'inet' ? '255.255.255.0' : '64' } : { timeout: s.persistent.timeout };
    if (s.persistent && s.pe) svc.persistenceEngine = 'sip';
    // ipvsadm allows one-packet scheduling (-o) for UDP services only.
    const flags = [...(s.ops && s.protocol === 'udp' ? ['ops'] : []), ...(s.scheduler === 'sh' ? s.shFlags : [])];
    if (flags.length) svc.flags = flags;
    return fc.uniqueArray(arbDest(s.family, isMark ? 0 : s.port), { maxLength: 6, selector: (d) => destinationKey(d) }).map((destinations) => ({ ...svc, destinations }));
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

/**
 * A live table derived from `desired` by random edits (so services and realservers mostly overlap): per service keep,
 * drop, or change options; per destination keep, drop, or change weight/forwarding/thresholds; plus random extras.
 */
export function arbLiveFrom(desired: IpvsTable): fc.Arbitrary<IpvsTable> {
  const perService = desired.services.map((s) =>
    fc
      .record({
        fate: fc.constantFrom('keep', 'keep', 'edit', 'drop'),
        other: arbService,
        dests: fc.array(fc.record({ fate: fc.constantFrom('keep', 'keep', 'weight', 'forward', 'thresh', 'drop'), w: fc.integer({ min: 0, max: 9 }) }), {
          minLength: s.destinations.length,
          maxLength: s.destinations.length,
        }),
      })
      .map(({ fate, other, dests }): IpvsService | undefined => {
        if (fate === 'drop') return undefined;
        const opts = fate === 'edit' ? { scheduler: other.scheduler, persistent: other.persistent, flags: other.flags, persistenceEngine: other.persistenceEngine } : {};
        const ds = s.destinations.flatMap((d, i): IpvsDestination[] => {
          const f = dests[i]!;
          if (f.fate === 'drop') return [];
          if (f.fate === 'weight') return [{ ...d, weight: f.w }];
          // masq → route only where the port survives it (ipvsadm gives -g the service port).
          if (f.fate === 'forward' && (d.forward !== 'masq' || d.port === s.port || s.protocol === 'fwmark')) return [{ ...d, forward: d.forward === 'masq' ? 'route' : 'masq', tunType: undefined }];
          if (f.fate === 'thresh') return [{ ...d, upperThreshold: f.w + 1 }];
          return [{ ...d }];
        });
        const out: IpvsService = { ...s, ...opts, destinations: ds };
        for (const k of ['persistent', 'flags', 'persistenceEngine', 'tunType'] as const) if ((out as unknown as Record<string, unknown>)[k] === undefined) delete (out as unknown as Record<string, unknown>)[k];
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

/**
 * status: one view of the director merged from the observe sections (the table and connections from `ipvsadm -L -n`,
 * counters from `--stats` and rates from `--rate` when they were asked for), plus the VIP and the sysctls; and its
 * text rendering.
 */
import type { PairStatus } from '../keepalived/pair-plan.ts';
import type { Cluster } from '../../shared/model/cluster.ts';
import { destinationKey, serviceKey, type IpvsCounters, type IpvsListedService, type IpvsRates } from '../../shared/model/ipvs.ts';
import { realserverFor, type Resolve } from '../lvs/plan/desired-table.ts';
import { findAddress } from '../lvs/ipvs/ip-addr-parse.ts';
import { compareDests, compareServices } from '../lvs/ipvs/ipvs-rules.ts';
import type { DirectorState } from './director-observe.ts';
import { describeConfigDrift, type ConfigDrift } from './runtime-drift.ts';

/** One realserver line of the status. */
export interface StatusDestination {
  address: string;
  port: number;
  /** The profile's name for this address, when it is one of its realservers. */
  name?: string;
  forward: string;
  weight: number;
  activeConns: number;
  inactiveConns: number;
  stats?: IpvsCounters;
  rate?: IpvsRates;
}

/** One virtual service of the status. */
export interface StatusService {
  key: string;
  protocol: string;
  address: string;
  port: number;
  scheduler: string;
  persistent?: { timeout: number; netmask?: string };
  stats?: IpvsCounters;
  rate?: IpvsRates;
  destinations: StatusDestination[];
}

/** The health of one destination (a realserver in one service), as the runtime judges it. */
export interface DestinationHealth {
  /** "udp/177" */
  service: string;
  realserver: string;
  address: string;
  /** pass / fail (out of that service) / unknown (could not be checked) / unchecked (check: none). */
  verdict: 'pass' | 'fail' | 'unknown' | 'unchecked';
  detail: string;
}

/** The whole status. */
export interface StatusView {
  director: string;
  vip: { address: string; up: boolean; label?: string };
  sysctls: Record<string, string>;
  services: StatusService[];
  /** What runs the cluster on the director (the profile's runtime). */
  runtime?: 'script' | 'keepalived';
  /** Per destination, when asked: the console's probe (script runtime) or keepalived's checkers, and where from. */
  health?: { source: string; destinations: DestinationHealth[] };
  /** The runtime config next to the profile and the kernel (runtime-drift.ts), when asked. */
  config?: ConfigDrift;
  /** A director pair: each director's role, where the VIP is, the last failovers (the table above is the VIP holder's). */
  pair?: PairStatus;
}

/** A pair's roles as text lines ("10.77.0.1 (primary): MASTER, VIP here"), the failovers, the problems. */
export function formatPair(p: PairStatus): string[] {
  const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return [
    ...p.directors.map((d) => `director ${d.host} (${d.which}): ${d.role}${d.vip ? ', VIP here' : ''}${d.gateway ? ', gateway here' : ''}${d.since ? ` since ${when(d.since)}` : ''}${d.note ? ` (${d.note})` : ''}`),
    ...(p.failovers.length ? [`last failovers: ${p.failovers.map((f) => `${when(f.at)} → ${f.director}`).join(', ')}`] : ['no failover recorded']),
    ...p.problems.map((x) => `PROBLEM: ${x}`),
  ];
}

/** Indexes a listing by service key and destination key. */
function index(list: { services: IpvsListedService[] } | undefined) {
  const m = new Map<string, { svc: IpvsListedService; dests: Map<string, IpvsListedService['destinations'][number]> }>();
  for (const s of list?.services ?? []) m.set(serviceKey(s), { svc: s, dests: new Map(s.destinations.map((d) => [destinationKey(d), d])) });
  return m;
}

/** Merges an observed director (mode 'status') into a StatusView. `vip` is the resolved VIP address. */
export function statusView(cluster: Cluster, resolve: Resolve, state: DirectorState, vip: string): StatusView {
  const lists = [index(state.list), index(state.stats), index(state.rate)] as const;
  const on = findAddress(state.addresses, vip);
  const services = [...state.table.services].sort(compareServices).map((s): StatusService => {
    const k = serviceKey(s);
    const [l, st, rt] = lists.map((x) => x.get(k));
    return {
      key: k,
      protocol: s.protocol,
      address: s.address,
      port: s.port,
      scheduler: s.scheduler,
      ...(s.persistent ? { persistent: s.persistent } : {}),
      ...(st?.svc.stats ? { stats: st.svc.stats } : {}),
      ...(rt?.svc.rate ? { rate: rt.svc.rate } : {}),
      destinations: [...s.destinations].sort(compareDests).map((d): StatusDestination => {
        const dk = destinationKey(d);
        const name = realserverFor(cluster, resolve, d.address);
        const ld = l?.dests.get(dk);
        const sd = st?.dests.get(dk);
        const rd = rt?.dests.get(dk);
        return {
          address: d.address,
          port: d.port,
          ...(name ? { name } : {}),
          forward: ld?.forward ?? d.forward,
          weight: ld?.weight ?? d.weight,
          activeConns: ld?.activeConns ?? 0,
          inactiveConns: ld?.inactiveConns ?? 0,
          ...(sd?.stats ? { stats: sd.stats } : {}),
          ...(rd?.rate ? { rate: rd.rate } : {}),
        };
      }),
    };
  });
  return {
    director: state.label,
    vip: { address: vip, up: on.length > 0, ...(on[0] ? { label: on[0].label } : {}) },
    sysctls: state.sysctls,
    services,
  };
}

const FORWARD_NAME: Record<string, string> = { masq: 'Masq', route: 'Route', tunnel: 'Tunnel', local: 'Local' };

/** Lays out rows as left-aligned columns. */
function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/**
 * The status as text: a header (VIP, forwarding, redirects), then the table with connections, and the cumulative
 * counters and rates when the status carries them (`--stats`, `--rate`).
 */
export function formatStatus(v: StatusView): string {
  const sys = Object.entries(v.sysctls)
    .map(([k, val]) => `${k.replace(/^net\.ipv4\./, '')}=${val}`)
    .join(' ');
  const head = `${v.director}: VIP ${v.vip.address} ${v.vip.up ? `up${v.vip.label ? ` on ${v.vip.label}` : ''}` : 'DOWN'}; ${sys}${v.runtime ? `; runtime ${v.runtime}` : ''}`;
  const tail = [
    ...(v.pair ? formatPair(v.pair) : []),
    ...(v.health ? [`health: ${v.health.source}`] : []),
    ...(v.config
      ? v.config.state === 'matches'
        ? [`${v.config.path} says what the profile and the kernel say`]
        : v.config.state === 'differs'
          ? [`${v.config.path} disagrees (drift):`, ...v.config.items.map((i) => `  ${i.what}: ${describeConfigDrift(v.config!, i)}`)]
          : [`${v.config.path}: ${v.config.detail ?? v.config.state}`]
      : []),
  ];
  const tailText = tail.length ? `${tail.join('\n')}\n` : '';
  if (v.services.length === 0) return `${head}\nthe IPVS table is empty\n${tailText}`;
  const all = v.services.flatMap((s) => [s, ...s.destinations]);
  const withStats = all.some((x) => x.stats);
  const withRate = all.some((x) => x.rate);
  const health = new Map((v.health?.destinations ?? []).map((h) => [`${h.service} ${h.address}`, h]));
  const healthOf = (s: StatusService, d: StatusDestination) => {
    const h = health.get(`${s.protocol}/${s.port} ${d.address}`);
    return h ? (h.verdict === 'pass' ? 'up' : h.verdict === 'fail' ? `DOWN: ${h.detail}` : h.verdict === 'unchecked' ? 'not checked' : `unknown: ${h.detail}`) : '';
  };
  const rows: string[][] = [
    [
      'Service / realserver', 'Sched/Fwd', 'Weight', 'Active', 'InAct',
      ...(withStats ? ['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'] : []),
      ...(withRate ? ['CPS', 'InBPS', 'OutBPS'] : []),
      ...(v.health ? ['Health'] : []),
    ],
  ];
  const counters = (s?: IpvsCounters, r?: IpvsRates) => [
    ...(withStats ? [s?.conns, s?.inPkts, s?.outPkts, s?.inBytes, s?.outBytes].map((n) => String(n ?? '-')) : []),
    ...(withRate ? [r?.cps, r?.inBps, r?.outBps].map((n) => String(n ?? '-')) : []),
  ];
  for (const s of v.services) {
    const sched = `${s.scheduler}${s.persistent ? ` persistent ${s.persistent.timeout}` : ''}`;
    rows.push([`${s.protocol.toUpperCase()} ${s.address}:${s.port}`, sched, '', '', '', ...counters(s.stats, s.rate), ...(v.health ? [''] : [])]);
    for (const d of s.destinations) {
      rows.push([
        `  -> ${d.address}:${d.port}${d.name ? ` (${d.name})` : ''}`,
        FORWARD_NAME[d.forward] ?? d.forward,
        String(d.weight),
        String(d.activeConns),
        String(d.inactiveConns),
        ...counters(d.stats, d.rate),
        ...(v.health ? [healthOf(s, d)] : []),
      ]);
    }
  }
  return `${head}\n${columns(rows)}\n${tailText}`;
}

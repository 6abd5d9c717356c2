/**
 * Plain value types for an IPVS table, as every parser produces and the planner consumes (kube-proxy style:
 * no behaviour, just data). Addresses are kept as printed by `ipvsadm -n` (IPv6 without brackets).
 */

/** ipvsadm's protocol keywords: -t, -u, --sctp-service, -f. */
export type IpvsProtocol = 'tcp' | 'udp' | 'sctp' | 'fwmark';
/** Forwarding method of a destination as ipvsadm -L prints it (Masq/Route/Tunnel/Local). */
export type IpvsForward = 'masq' | 'route' | 'tunnel' | 'local';

/** Identifies a virtual service: protocol + address + port, or fwmark (address '' / port 0 then, plus family). */
export interface IpvsServiceKey {
  protocol: IpvsProtocol;
  /** VIP address; for fwmark services: '' */
  address: string;
  /** Port; 0 for fwmark services (and for port-0 persistent templates). */
  port: number;
  /** Firewall mark for fwmark services. */
  fwmark?: number;
  /** Address family; needed for fwmark services (ipvsadm -6 -f). */
  family: 'inet' | 'inet6';
}

/** Traffic counters (--stats) or rates (--rate) of a service or destination. */
export interface IpvsCounters {
  conns: number;
  inPkts: number;
  outPkts: number;
  inBytes: number;
  outBytes: number;
}

/** Rates per second (--rate). */
export interface IpvsRates {
  cps: number;
  inPps: number;
  outPps: number;
  inBps: number;
  outBps: number;
}

/** One realserver entry under a virtual service. */
export interface IpvsDestination {
  address: string;
  port: number;
  forward: IpvsForward;
  weight: number;
  /** --x upper connection threshold (0 = none). */
  upperThreshold?: number;
  /** --y lower connection threshold (0 = none). */
  lowerThreshold?: number;
  /** Tunnel encapsulation when forward = tunnel and not plain ipip. */
  tunType?: string;
  activeConns?: number;
  inactiveConns?: number;
  persistConns?: number;
  stats?: IpvsCounters;
  rate?: IpvsRates;
}

/** One virtual service with its realservers. */
export interface IpvsService extends IpvsServiceKey {
  scheduler: string;
  /** Persistence timeout in seconds (undefined = not persistent). */
  persistent?: { timeout: number; netmask?: string };
  /** Scheduler/service flags, e.g. ['ops'] for one-packet scheduling, or sh-fallback, sh-port. */
  flags?: string[];
  /** Alternate persistence engine (`pe sip` in -L, `--pe sip` in -S); absent when none. */
  persistenceEngine?: string;
  stats?: IpvsCounters;
  rate?: IpvsRates;
  destinations: IpvsDestination[];
}

/** A whole IPVS table. */
export interface IpvsTable {
  services: IpvsService[];
}

/** One entry of the connection table (`ipvsadm -L -n -c`). */
export interface IpvsConnection {
  protocol: string;
  /** Seconds left (ipvsadm prints mm:ss). */
  expires: number;
  state: string;
  source: { address: string; port: number };
  virtual: { address: string; port: number };
  destination: { address: string; port: number };
  /** Persistence engine name and data (`ipvsadm -L -n -c --persistent-conn`, only for entries that have them). */
  peName?: string;
  peData?: string;
}

/**
 * A destination as one `ipvsadm -L -n` variant shows it: only the columns that variant prints are set (e.g. --stats
 * shows no forward/weight, --thresholds no weight). Address and port are always there.
 */
export type IpvsListedDestination = Pick<IpvsDestination, 'address' | 'port'> & Partial<Omit<IpvsDestination, 'address' | 'port'>>;

/** A virtual service as one `ipvsadm -L -n` variant shows it (--stats/--rate show no scheduler or persistence). */
export type IpvsListedService = IpvsServiceKey &
  Partial<Omit<IpvsService, keyof IpvsServiceKey | 'destinations'>> & { destinations: IpvsListedDestination[] };

/** A stable string key for a virtual service, e.g. "tcp 10.0.0.1:23" or "fwmark 7 inet". */
export function serviceKey(s: IpvsServiceKey): string {
  if (s.protocol === 'fwmark') return `fwmark ${s.fwmark ?? 0} ${s.family}`;
  return `${s.protocol} ${s.family === 'inet6' ? `[${s.address}]` : s.address}:${s.port}`;
}

/** A stable string key for a destination within a service, e.g. "10.0.0.2:23". */
export function destinationKey(d: Pick<IpvsDestination, 'address' | 'port'>): string {
  return d.address.includes(':') ? `[${d.address}]:${d.port}` : `${d.address}:${d.port}`;
}

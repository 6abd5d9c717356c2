/**
 * ipvsadm rule builders: a table (shared/model/ipvs.ts) → the argv tails ipvsadm takes, and the exact text `ipvsadm -S -n`
 * prints for it (which is also what `ipvsadm -R` reads on stdin). Pure; no I/O.
 *
 * Save format, from ipvsadm 1.31 ipvsadm.c (print_service_entry / print_tunnel_rule / addrport_to_anyname with FMT_RULE |
 * FMT_NUMERIC; print_title prints nothing for FMT_RULE, list_all prints no version banner for FMT_RULE):
 *
 *   service:  "-A %s -s %s"  svc_name, sched_name
 *             then " -p %u" timeout                       if persistent
 *                  " -M %s" inet_ntoa(netmask)            IPv4, persistent, netmask != 255.255.255.255
 *                  " -M %i" netmask                       IPv6, persistent, netmask != 128
 *                  " --pe %s"                             if a persistence engine is set (persistenceEngine)
 *                  " -o"                                  one-packet scheduling (flag 'ops')
 *                  " -b " + sched flags joined by ","     sh-fallback,sh-port | mh-fallback,mh-port | flag-1,flag-2,flag-3
 *   svc_name: "-t|-u|--sctp-service ADDR:PORT"  (IPv6: "[ADDR]:PORT")   or   "-f %u"  /  "-f %u -6" (IPv6 fwmark)
 *   dest:     "-a %s -r %s %s -w %d"  svc_name, ADDR:PORT, -m|-i|-g (Local is saved as -g), weight
 *             tunnel: + " --tun-type ipip" | " --tun-type gre <flag>" | " --tun-type gue --tun-port %d <flag>"
 *             (thresholds -x/-y are NOT saved by ipvsadm -S)
 *   Checked against the lab director (ipvsadm 1.31, kernel 6.1): a table with IPv4/IPv6, tcp/udp/sctp/fwmark, sh/mh flags,
 *   -o, --pe sip, -M, ipip/gue/gre tunnels, -g/-m, weight 0 came back from `ipvsadm -R` + `ipvsadm -S -n` byte for byte.
 *   Kernel rules seen there: -o is refused for anything but UDP ("One-Packet Scheduling is only for UDP virtual
 *   services"), and a -g/-i destination of a non-fwmark service always gets the service's port (a -g to :2323 on a :23
 *   service is stored as :23; ipvsadm.c process_options does that for -a/-e); destinationPortAsStored() applies it.
 *   order:    services sorted by ipvs_cmp_services (fwmark, af, protocol, address, port), destinations by ipvs_cmp_dests
 *             (address, port), libipvs.c. Both subtract unsigned 32-bit words into an int, so e.g. 192.168.0.1 sorts
 *             BEFORE 10.0.0.1 (the difference wraps negative); that quirk is reproduced in compareServices/compareDests.
 */
import { AppError } from '../../../shared/result.ts';
import type { IpvsDestination, IpvsForward, IpvsService, IpvsServiceKey, IpvsTable } from '../../../shared/model/ipvs.ts';

/** The program every step built from these tails runs. */
export const IPVSADM = 'ipvsadm';

/** "ADDR:PORT" as ipvsadm -n prints and takes it; IPv6 in brackets. */
export function addrPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The service selector: ['-t', 'VIP:PORT'] | ['-u', …] | ['--sctp-service', …] | ['-f', 'N'] (+ '-6' for IPv6 fwmark). */
export function serviceTarget(key: IpvsServiceKey): string[] {
  switch (key.protocol) {
    case 'tcp':
      return ['-t', addrPort(key.address, key.port)];
    case 'udp':
      return ['-u', addrPort(key.address, key.port)];
    case 'sctp':
      return ['--sctp-service', addrPort(key.address, key.port)];
    case 'fwmark':
      if (key.fwmark === undefined || key.fwmark < 1) throw new AppError('INVALID_INPUT', 'fwmark service without a firewall mark ≥ 1');
      return key.family === 'inet6' ? ['-f', String(key.fwmark), '-6'] : ['-f', String(key.fwmark)];
  }
}

/** Scheduler flags in the order ipvsadm's print_sched_flags writes them. */
const SCHED_FLAG_ORDER = ['sh-fallback', 'sh-port', 'mh-fallback', 'mh-port', 'flag-1', 'flag-2', 'flag-3'];

/** The -b flags of a service (everything in `flags` but 'ops'), in ipvsadm's order. */
export function schedFlags(svc: Pick<IpvsService, 'flags'>): string[] {
  const f = (svc.flags ?? []).filter((x) => x !== 'ops');
  for (const x of f) if (!SCHED_FLAG_ORDER.includes(x)) throw new AppError('INVALID_INPUT', `unknown service flag '${x}'`);
  return [...new Set(f)].sort((a, b) => SCHED_FLAG_ORDER.indexOf(a) - SCHED_FLAG_ORDER.indexOf(b));
}

/** True when the netmask is the default one ipvsadm leaves out (/32 for IPv4, 128 for IPv6). */
function isDefaultNetmask(svc: IpvsService, mask: string | undefined): boolean {
  return mask === undefined || mask === (svc.family === 'inet6' ? '128' : '255.255.255.255');
}

/** ipvsadm's own check: one-packet scheduling only for UDP services. */
function checkOps(svc: Pick<IpvsService, 'protocol' | 'flags'>, bad: (why: string) => never): void {
  if (svc.flags?.includes('ops') && svc.protocol !== 'udp') bad('One-Packet Scheduling is only for UDP virtual services (-o)');
}

/** Service options after the selector: -s, -p, -M, --pe, -o, -b (same order as the save format). */
function serviceOptions(svc: IpvsService): string[] {
  checkOps(svc, (why) => {
    throw new AppError('INVALID_INPUT', `${serviceTarget(svc).join(' ')}: ${why}`);
  });
  const out = ['-s', svc.scheduler];
  if (svc.persistent) {
    out.push('-p', String(svc.persistent.timeout));
    if (!isDefaultNetmask(svc, svc.persistent.netmask)) out.push('-M', svc.persistent.netmask!);
  }
  if (svc.persistenceEngine) out.push('--pe', svc.persistenceEngine);
  if (svc.flags?.includes('ops')) out.push('-o');
  const b = schedFlags(svc);
  if (b.length) out.push('-b', b.join(','));
  return out;
}

/** `-A` (or `-E` with op 'edit') argv tail for a virtual service, e.g. ['-A','-u','10.0.0.1:177','-s','wlc','-p','360']. */
export function serviceArgs(svc: IpvsService, op: 'add' | 'edit' = 'add'): string[] {
  return [op === 'add' ? '-A' : '-E', ...serviceTarget(svc), ...serviceOptions(svc)];
}

/** `-D` argv tail deleting a virtual service (and all its destinations). */
export function deleteServiceArgs(key: IpvsServiceKey): string[] {
  return ['-D', ...serviceTarget(key)];
}

const FORWARD_SWITCH: Record<IpvsForward, string> = { masq: '-m', route: '-g', tunnel: '-i', local: '-g' };

/** The forwarding switch ipvsadm takes for a method (-m NAT, -g direct routing, -i IPIP tunnel; Local is saved as -g). */
export function forwardSwitch(f: IpvsForward): string {
  return FORWARD_SWITCH[f];
}

const TUN_FLAG_OPTS: Record<string, string> = { nocsum: '--tun-nocsum', csum: '--tun-csum', remcsum: '--tun-remcsum' };

/**
 * Tunnel options for a tunnel destination. `tunType` is what `ipvsadm -L -n --tun-info` shows in TunnelInfo:
 * "ipip" (default when absent), "gre:FLAG" or "gue:PORT:FLAG" with FLAG nocsum|csum|remcsum.
 */
export function tunnelOptions(d: Pick<IpvsDestination, 'forward' | 'tunType'>): string[] {
  if (d.forward !== 'tunnel') return [];
  const t = d.tunType ?? 'ipip';
  const parts = t.split(':');
  const flag = (s: string | undefined): string => {
    const o = s === undefined ? undefined : TUN_FLAG_OPTS[s];
    if (!o) throw new AppError('INVALID_INPUT', `tunnel type '${t}': unknown checksum flag '${s ?? ''}'`);
    return o;
  };
  if (parts[0] === 'ipip' && parts.length === 1) return ['--tun-type', 'ipip'];
  if (parts[0] === 'gre' && parts.length === 2) return ['--tun-type', 'gre', flag(parts[1])];
  if (parts[0] === 'gue' && parts.length === 3 && /^\d{1,5}$/.test(parts[1]!)) return ['--tun-type', 'gue', '--tun-port', parts[1]!, flag(parts[2])];
  throw new AppError('INVALID_INPUT', `tunnel type '${t}' is not ipip, gre:FLAG or gue:PORT:FLAG`);
}

/** `-a` (or `-e` with op 'edit') argv tail for a destination: -r ADDR:PORT, forwarding, -w, -x/-y when set, tunnel options. */
export function destinationArgs(svc: IpvsServiceKey, dest: IpvsDestination, op: 'add' | 'edit' = 'add'): string[] {
  const out = [op === 'add' ? '-a' : '-e', ...serviceTarget(svc), '-r', addrPort(dest.address, dest.port), forwardSwitch(dest.forward), '-w', String(dest.weight)];
  if (dest.upperThreshold) out.push('-x', String(dest.upperThreshold));
  if (dest.lowerThreshold) out.push('-y', String(dest.lowerThreshold));
  out.push(...tunnelOptions(dest));
  return out;
}

/**
 * The port a destination ends up with after `ipvsadm -a/-e`: ipvsadm.c (process_options) sets the destination port to
 * the service port for -g and -i when the service is not a fwmark service ("The destination port must be equal to the
 * service port if the IP_VS_CONN_F_TUNNEL or IP_VS_CONN_F_DROUTE is set"); NAT keeps its own port.
 */
export function destinationPortAsStored(svc: Pick<IpvsServiceKey, 'port' | 'protocol'>, d: Pick<IpvsDestination, 'forward' | 'port'>): number {
  return svc.protocol !== 'fwmark' && (d.forward === 'route' || d.forward === 'tunnel') ? svc.port : d.port;
}

/** `-d` argv tail deleting one destination of a service. */
export function deleteDestinationArgs(svc: IpvsServiceKey, dest: Pick<IpvsDestination, 'address' | 'port'>): string[] {
  return ['-d', ...serviceTarget(svc), '-r', addrPort(dest.address, dest.port)];
}

/** The address as 32-bit words (1 for IPv4, 4 for IPv6), as libipvs compares them. */
export function addressWords(address: string): number[] {
  if (!address.includes(':')) {
    // Dotted quad, read by hand: this runs for every destination of every diff.
    let w = 0;
    let part = 0;
    let digits = 0;
    let dots = 0;
    for (let i = 0; i <= address.length; i++) {
      const c = i < address.length ? address.charCodeAt(i) : 46;
      if (c >= 48 && c <= 57 && digits < 3) {
        part = part * 10 + (c - 48);
        digits++;
      } else if (c === 46 && digits > 0 && part <= 255) {
        w = w * 256 + part;
        part = 0;
        digits = 0;
        dots++;
      } else throw new AppError('INVALID_INPUT', `not an IPv4 address: ${address}`);
    }
    if (dots !== 4) throw new AppError('INVALID_INPUT', `not an IPv4 address: ${address}`);
    return [w];
  }
  // "::ffff:1.2.3.4": the trailing dotted quad is the last two 16-bit groups.
  let a = address;
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (v4) {
    const w = addressWords(v4[2]!)[0]!;
    a = `${v4[1]}${(w >>> 16).toString(16)}:${(w & 0xffff).toString(16)}`;
  }
  const halves = a.split('::');
  if (halves.length > 2) throw new AppError('INVALID_INPUT', `not an IPv6 address: ${address}`);
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((h) => (/^[0-9a-fA-F]{1,4}$/.test(h) ? parseInt(h, 16) : NaN)));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = 8 - head.length - rest.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) throw new AppError('INVALID_INPUT', `not an IPv6 address: ${address}`);
  const groups = [...head, ...Array<number>(fill).fill(0), ...rest];
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) throw new AppError('INVALID_INPUT', `not an IPv6 address: ${address}`);
  return [0, 2, 4, 6].map((i) => ((groups[i]! << 16) | groups[i + 1]!) >>> 0);
}

/** C's `int r = (u32)a - (u32)b`: the difference wrapped to a signed 32-bit int (libipvs's comparators do this). */
const cdiff = (a: number, b: number): number => (a - b) | 0;

const PROTO_NUMBER: Record<IpvsServiceKey['protocol'], number> = { tcp: 6, udp: 17, sctp: 132, fwmark: 0 };
const AF_NUMBER = { inet: 2, inet6: 10 } as const;

/** libipvs ipvs_cmp_services: fwmark, af, protocol, address words, port (each difference wrapped to int). */
export function compareServices(a: IpvsServiceKey, b: IpvsServiceKey): number {
  let r = cdiff(a.fwmark ?? 0, b.fwmark ?? 0);
  if (r) return r;
  r = AF_NUMBER[a.family] - AF_NUMBER[b.family];
  if (r) return r;
  // ipvsadm -f sets protocol IPPROTO_TCP ("a sane value, even though it is not used"), so fwmark compares as tcp.
  r = PROTO_NUMBER[a.protocol === 'fwmark' ? 'tcp' : a.protocol] - PROTO_NUMBER[b.protocol === 'fwmark' ? 'tcp' : b.protocol];
  if (r) return r;
  if (a.protocol !== 'fwmark' && b.protocol !== 'fwmark') {
    const wa = addressWords(a.address);
    const wb = addressWords(b.address);
    for (let i = 0; !r && i < wa.length; i++) r = cdiff(wa[i]!, wb[i] ?? 0);
    if (r) return r;
  }
  return a.port - b.port;
}

/** libipvs ipvs_cmp_dests: address words, then port (differences wrapped to int). */
export function compareDests(a: Pick<IpvsDestination, 'address' | 'port'>, b: Pick<IpvsDestination, 'address' | 'port'>): number {
  const wa = addressWords(a.address);
  const wb = addressWords(b.address);
  let r = wa.length - wb.length;
  for (let i = 0; !r && i < wa.length; i++) r = cdiff(wa[i]!, wb[i]!);
  return r || a.port - b.port;
}

/** Destinations in ipvs_cmp_dests order (a sorted copy; each address is parsed once, not per comparison). */
export function sortDests<D extends Pick<IpvsDestination, 'address' | 'port'>>(dests: readonly D[]): D[] {
  const keyed = dests.map((d) => ({ d, w: addressWords(d.address) }));
  keyed.sort((a, b) => {
    let r = a.w.length - b.w.length;
    for (let i = 0; !r && i < a.w.length; i++) r = cdiff(a.w[i]!, b.w[i]!);
    return r || a.d.port - b.d.port;
  });
  return keyed.map((k) => k.d);
}

/** Services in ipvs_cmp_services order (a sorted copy). */
export function sortServices<S extends IpvsServiceKey>(services: readonly S[]): S[] {
  return [...services].sort(compareServices);
}

/** The svc_name part of a save line: "-t 10.0.0.1:23" or "-f 7 -6". */
function saveServiceName(key: IpvsServiceKey): string {
  return serviceTarget(key).join(' ');
}

/** One "-A …" save line (without newline), exactly as ipvsadm -S -n prints it. */
export function formatServiceSaveLine(svc: IpvsService): string {
  let line = `-A ${saveServiceName(svc)} -s ${svc.scheduler}`;
  if (svc.persistent) {
    line += ` -p ${svc.persistent.timeout}`;
    if (!isDefaultNetmask(svc, svc.persistent.netmask)) line += ` -M ${svc.persistent.netmask}`;
  }
  if (svc.persistenceEngine) line += ` --pe ${svc.persistenceEngine}`;
  if (svc.flags?.includes('ops')) line += ' -o';
  const b = schedFlags(svc);
  if (b.length) line += ` -b ${b.join(',')}`;
  return line;
}

/** One "-a …" save line (without newline), exactly as ipvsadm -S -n prints it (thresholds are not saved). */
export function formatDestinationSaveLine(svc: IpvsServiceKey, d: IpvsDestination): string {
  const tun = tunnelOptions(d);
  return `-a ${saveServiceName(svc)} -r ${addrPort(d.address, d.port)} ${forwardSwitch(d.forward)} -w ${d.weight}${tun.length ? ` ${tun.join(' ')}` : ''}`;
}

/**
 * Like formatSaveLines, plus " -x N -y M" on destinations with connection thresholds (which `ipvsadm -S` leaves out but
 * `ipvsadm -R` reads): the text to restore a table with, so thresholds survive. Identical to formatSaveLines otherwise.
 */
export function formatRestoreLines(table: IpvsTable): string {
  let out = '';
  for (const svc of sortServices(table.services)) {
    out += `${formatServiceSaveLine(svc)}\n`;
    for (const d of sortDests(svc.destinations)) {
      let line = formatDestinationSaveLine(svc, d);
      if (d.upperThreshold) line += ` -x ${d.upperThreshold}`;
      if (d.lowerThreshold) line += ` -y ${d.lowerThreshold}`;
      out += `${line}\n`;
    }
  }
  return out;
}

/**
 * The whole table as the exact text `ipvsadm -S -n` prints: services and destinations sorted as libipvs sorts them, one
 * line each, every line ending in "\n" ('' for an empty table). Feed it to `ipvsadm -R` to restore the table in one go.
 */
export function formatSaveLines(table: IpvsTable): string {
  let out = '';
  for (const svc of sortServices(table.services)) {
    out += `${formatServiceSaveLine(svc)}\n`;
    for (const d of sortDests(svc.destinations)) out += `${formatDestinationSaveLine(svc, d)}\n`;
  }
  return out;
}

/** One ipvsadm command as data: what parseRuleArgs makes of an argv tail (or of one `ipvsadm -R` line). */
export type IpvsRule =
  | { cmd: 'clear' }
  | { cmd: 'restore' }
  | { cmd: 'add-service' | 'edit-service'; service: IpvsService }
  | { cmd: 'delete-service'; service: IpvsServiceKey }
  | { cmd: 'add-dest' | 'edit-dest'; service: IpvsServiceKey; dest: IpvsDestination }
  | { cmd: 'delete-dest'; service: IpvsServiceKey; dest: Pick<IpvsDestination, 'address' | 'port'> };

const COMMANDS: Record<string, IpvsRule['cmd']> = {
  '-A': 'add-service', '--add-service': 'add-service',
  '-E': 'edit-service', '--edit-service': 'edit-service',
  '-D': 'delete-service', '--delete-service': 'delete-service',
  '-C': 'clear', '--clear': 'clear',
  '-R': 'restore', '--restore': 'restore',
  '-a': 'add-dest', '--add-server': 'add-dest',
  '-e': 'edit-dest', '--edit-server': 'edit-dest',
  '-d': 'delete-dest', '--delete-server': 'delete-dest',
};

// "10.0.0.1:23", "[2001:db8::1]:23", or without ":PORT" (a -r for a fwmark service, or the service's port)
const ADDR_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3}))(?::(\d{1,5}))?$/;

/**
 * Parses an ipvsadm argv tail (numeric addresses only, long or short options, one option per word) back into an
 * IpvsRule, with ipvsadm's defaults: scheduler wlc, -p without a value = 300 s, forwarding -g, weight 1. The inverse of
 * serviceArgs/destinationArgs, used by the table simulator and for `ipvsadm -R` lines. Throws INVALID_INPUT naming the
 * word it does not understand.
 */
export function parseRuleArgs(args: readonly string[]): IpvsRule {
  const bad = (why: string): never => {
    throw new AppError('INVALID_INPUT', `ipvsadm ${args.join(' ')}: ${why}`);
  };
  let cmd: IpvsRule['cmd'] | undefined;
  let proto: IpvsServiceKey['protocol'] | undefined;
  let target: string | undefined;
  let v6 = false;
  const svc: Partial<IpvsService> = {};
  let persistent: { timeout: number; netmask?: string } | undefined;
  const flags: string[] = [];
  let real: string | undefined;
  const dest: Partial<IpvsDestination> = {};
  let tunType: string | undefined;
  let tunPort: string | undefined;
  let tunFlag: string | undefined;
  const num = (v: string | undefined, what: string, max: number): number => {
    if (v === undefined || !/^\d+$/.test(v) || Number(v) > max) return bad(`${what} needs a number 0–${max}, got '${v ?? ''}'`);
    return Number(v);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const val = () => (i + 1 < args.length ? args[++i]! : bad(`${a} needs a value`));
    if (COMMANDS[a]) {
      if (cmd) bad(`two commands (${a})`);
      cmd = COMMANDS[a];
    } else if (a === '-t' || a === '--tcp-service') [proto, target] = ['tcp', val()];
    else if (a === '-u' || a === '--udp-service') [proto, target] = ['udp', val()];
    else if (a === '--sctp-service') [proto, target] = ['sctp', val()];
    else if (a === '-f' || a === '--fwmark-service') [proto, target] = ['fwmark', val()];
    else if (a === '-6' || a === '--ipv6') v6 = true;
    else if (a === '-s' || a === '--scheduler') svc.scheduler = val();
    else if (a === '-p' || a === '--persistent') {
      // -p takes an optional value: the next word if it is a number.
      persistent = { ...persistent, timeout: args[i + 1] !== undefined && /^\d+$/.test(args[i + 1]!) ? num(args[++i], '-p', 2678400) : 300 };
    } else if (a === '-M' || a === '--netmask') persistent = { timeout: persistent?.timeout ?? 0, netmask: val() };
    else if (a === '--pe') svc.persistenceEngine = val();
    else if (a === '-o' || a === '--ops') flags.push('ops');
    else if (a === '-b' || a === '--sched-flags') flags.push(...val().split(','));
    else if (a === '-r' || a === '--real-server') real = val();
    else if (a === '-m' || a === '--masquerading') dest.forward = 'masq';
    else if (a === '-g' || a === '--gatewaying') dest.forward = 'route';
    else if (a === '-i' || a === '--ipip') dest.forward = 'tunnel';
    else if (a === '-w' || a === '--weight') dest.weight = num(val(), '-w', 65535);
    else if (a === '-x' || a === '--u-threshold') dest.upperThreshold = num(val(), '-x', 2 ** 32 - 1);
    else if (a === '-y' || a === '--l-threshold') dest.lowerThreshold = num(val(), '-y', 2 ** 32 - 1);
    else if (a === '--tun-type') tunType = val();
    else if (a === '--tun-port') tunPort = String(num(val(), '--tun-port', 65535));
    else if (a === '--tun-nocsum' || a === '--tun-csum' || a === '--tun-remcsum') tunFlag = a.slice(6);
    else bad(`unknown word '${a}'`);
  }
  if (!cmd) return bad('no command (-A/-E/-D/-C/-R/-a/-e/-d)');
  if (cmd === 'clear' || cmd === 'restore') {
    if (args.length !== 1) bad(`${args[0]} takes no options`);
    return { cmd };
  }
  if (!proto || target === undefined) return bad('no service (-t/-u/--sctp-service/-f)');
  let key: IpvsServiceKey;
  if (proto === 'fwmark') {
    const mark = num(target, '-f', 2 ** 32 - 1);
    if (mark < 1) bad('fwmark must be ≥ 1');
    key = { protocol: 'fwmark', address: '', port: 0, fwmark: mark, family: v6 ? 'inet6' : 'inet' };
  } else {
    const m = ADDR_PORT.exec(target);
    if (!m || m[3] === undefined) return bad(`service '${target}' is not ADDR:PORT`);
    const address = m[1] ?? m[2]!;
    addressWords(address);
    key = { protocol: proto, address, port: num(m[3], 'port', 65535), family: m[1] ? 'inet6' : 'inet' };
  }
  if (cmd === 'delete-service') return { cmd, service: key };
  if (cmd === 'add-service' || cmd === 'edit-service') {
    if (persistent && persistent.timeout === 0) bad('-M without -p');
    const service: IpvsService = { ...key, scheduler: svc.scheduler ?? 'wlc', destinations: [] };
    if (persistent) service.persistent = persistent.netmask !== undefined && !isDefaultNetmask(service, persistent.netmask) ? persistent : { timeout: persistent.timeout };
    if (svc.persistenceEngine !== undefined) service.persistenceEngine = svc.persistenceEngine;
    if (flags.length) service.flags = [...(flags.includes('ops') ? ['ops'] : []), ...schedFlags({ flags })];
    checkOps(service, bad);
    return { cmd, service };
  }
  if (real === undefined) return bad('no -r ADDR:PORT');
  const r = ADDR_PORT.exec(real);
  if (!r) return bad(`real server '${real}' is not ADDR[:PORT]`);
  const address = r[1] ?? r[2]!;
  addressWords(address);
  const port = r[3] !== undefined ? num(r[3], 'port', 65535) : key.port;
  if (cmd === 'delete-dest') return { cmd, service: key, dest: { address, port } };
  const forward = dest.forward ?? 'route';
  const d: IpvsDestination = { address, port: destinationPortAsStored(key, { forward, port }), forward, weight: dest.weight ?? 1 };
  if (dest.upperThreshold) d.upperThreshold = dest.upperThreshold;
  if (dest.lowerThreshold) d.lowerThreshold = dest.lowerThreshold;
  if (d.forward === 'tunnel' && tunType !== undefined) {
    const flag = tunFlag ?? 'nocsum';
    if (tunType === 'gre') d.tunType = `gre:${flag}`;
    else if (tunType === 'gue') d.tunType = `gue:${tunPort ?? bad('--tun-type gue needs --tun-port')}:${flag}`;
    else if (tunType !== 'ipip') bad(`unknown --tun-type '${tunType}'`);
  }
  return { cmd, service: key, dest: d };
}

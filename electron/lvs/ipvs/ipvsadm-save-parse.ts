/**
 * Parser for `ipvsadm -S -n` output, which is also what `ipvsadm -R` reads. Pure and strict: every line must be an -A
 * (add service) or -a (add realserver) command; anything else is AppError('PARSE_ERROR', 'line N: …').
 *
 * Format, from ipvsadm.c (1.31) print_service_entry / print_tunnel_rule with FMT_RULE|FMT_NUMERIC:
 *   "-A %s -s %s" svc_name sched [" -p %u" [" -M %s" (IPv4 mask) | " -M %i" (IPv6 prefix)]] [" --pe %s"] [" -o"] [" -b %s"]
 *   "-a %s -r %s %s -w %d" svc_name ADDR:PORT -m|-i|-g weight
 *        tunnel: + " --tun-type ipip" | " --tun-type gre --tun-nocsum|--tun-csum" | " --tun-type gue --tun-port %d <csum flag>"
 *   svc_name: "-t ADDR:PORT" | "-u ADDR:PORT" | "--sctp-service ADDR:PORT" | "-f %u" | "-f %u -6"   (IPv6 as [ADDR]:PORT)
 * Since -R also reads hand-written files, the options of one command may come in any order, -x/-y thresholds are read,
 * and ipvsadm's defaults apply when an option is left out: -s wlc, -p 300, -g, -w 1, realserver port = service port.
 * Older ipvsadm (< 1.30) saved tunnel realservers as plain "-i"; that reads as ipip, like "--tun-type ipip".
 */
import type { IpvsDestination, IpvsForward, IpvsService, IpvsServiceKey } from '../../../shared/model/ipvs.ts';
import { destinationKey, serviceKey } from '../../../shared/model/ipvs.ts';
import { isIpv4, parseEndpoint, canonicalAddress } from './ipvs-address-parse.ts';
import { SCHED_FLAGS } from './ipvsadm-list-parse.ts';
import { contentRange, fields, lineError, parseUint, splitLines } from './ipvs-text.ts';

/** A parsed `ipvsadm -S -n` dump (or -R input): the whole table. */
export interface IpvsSaveResult {
  kind: 'save';
  services: IpvsService[];
}

// Scheduler name, e.g. "wlc" (IP_VS_SCHEDNAME_MAXLEN 16).
const SCHED_RE = /^[a-z][a-z0-9_]{0,15}$/;
// Persistence engine name, e.g. "sip".
const PE_RE = /^[A-Za-z0-9_]{1,16}$/;
const DEFAULT_PERSISTENT_TIMEOUT = 300; // IPVS_SVC_PERSISTENT_TIMEOUT in ipvsadm.c
const MAX_TIMEOUT = 86400 * 31; // ipvsadm.c MAX_TIMEOUT
const SERVICE_OPTS: Record<string, Exclude<IpvsServiceKey['protocol'], 'fwmark'>> = { '-t': 'tcp', '-u': 'udp', '--sctp-service': 'sctp' };
const FORWARD_OPTS: Record<string, IpvsForward> = { '-m': 'masq', '-i': 'tunnel', '-g': 'route' };
const TUN_CSUM_OPTS: Record<string, string> = { '--tun-nocsum': 'nocsum', '--tun-csum': 'csum', '--tun-remcsum': 'remcsum' };

/** "ADDR:PORT", "[V6]:PORT" or a bare address (port then defaults), for -t/-u/--sctp-service/-r arguments. */
function parseTarget(s: string): { address: string; port: number | undefined } | null {
  const ep = parseEndpoint(s);
  if (ep) return ep;
  if (s.startsWith('[') && s.endsWith(']')) {
    const a = canonicalAddress(s.slice(1, -1));
    return a && a.includes(':') ? { address: a, port: undefined } : null;
  }
  return isIpv4(s) ? { address: s, port: undefined } : null;
}

/** Reads one command's options: the selector (service key), and the others by name. */
function readCommand(f: string[], lineNo: number, line: string) {
  const key: Partial<IpvsServiceKey> = {};
  const opts = new Map<string, string | true>();
  let v6 = false;
  const take = (k: number, opt: string): string => {
    const v = f[k];
    if (v === undefined || (v.startsWith('-') && !/^-\d/.test(v))) throw lineError(lineNo, `option ${opt} needs a value`, line);
    return v;
  };
  const set = (opt: string, v: string | true) => {
    if (opts.has(opt)) throw lineError(lineNo, `option ${opt} given twice`, line);
    opts.set(opt, v);
  };
  for (let k = 1; k < f.length; k++) {
    const o = f[k]!;
    if (SERVICE_OPTS[o] || o === '-f') {
      if (key.protocol) throw lineError(lineNo, 'more than one virtual service given', line);
      const v = take(++k, o);
      if (o === '-f') {
        const mark = parseUint(v);
        if (!(mark >= 1)) throw lineError(lineNo, `firewall mark '${v}' is not a number ≥ 1`, line);
        Object.assign(key, { protocol: 'fwmark', address: '', port: 0, fwmark: mark });
      } else {
        const t = parseTarget(v);
        if (!t) throw lineError(lineNo, `'${v}' is not a numeric ADDRESS:PORT (save with ipvsadm -S -n)`, line);
        Object.assign(key, { protocol: SERVICE_OPTS[o], address: t.address, port: t.port ?? 0, family: t.address.includes(':') ? 'inet6' : 'inet' });
      }
    } else if (o === '-6') {
      if (v6) throw lineError(lineNo, 'option -6 given twice', line);
      v6 = true;
    } else if (o === '-p') {
      const v = f[k + 1];
      if (v !== undefined && !v.startsWith('-')) set('-p', f[++k]!);
      else set('-p', true);
    } else if (o === '-s' || o === '-M' || o === '--pe' || o === '-b' || o === '-r' || o === '-w' || o === '-x' || o === '-y' || o === '--tun-type' || o === '--tun-port') {
      set(o, take(++k, o));
    } else if (o === '-o' || o === '--ops') {
      set('-o', true);
    } else if (FORWARD_OPTS[o]) {
      if (opts.has('forward')) throw lineError(lineNo, 'more than one forwarding method given', line);
      opts.set('forward', o);
    } else if (TUN_CSUM_OPTS[o]) {
      if (opts.has('csum')) throw lineError(lineNo, 'more than one tunnel checksum option given', line);
      opts.set('csum', o);
    } else {
      throw lineError(lineNo, `unknown or unsupported option '${o}'`, line);
    }
  }
  if (!key.protocol) throw lineError(lineNo, 'no virtual service (-t, -u, --sctp-service or -f)', line);
  if (key.protocol === 'fwmark') key.family = v6 ? 'inet6' : 'inet';
  else if (v6) throw lineError(lineNo, '-6 is only for fwmark services', line);
  return { key: key as IpvsServiceKey, opts };
}

/** Throws if the command has options that do not belong to it. */
function onlyOptions(opts: Map<string, string | true>, allowed: string[], cmd: string, lineNo: number, line: string): void {
  for (const o of opts.keys()) {
    if (!allowed.includes(o)) throw lineError(lineNo, `option ${o === 'forward' ? 'for the forwarding method' : o === 'csum' ? '--tun-*csum' : o} does not belong to ${cmd}`, line);
  }
}

/** The -A command → a service without destinations. */
function parseAddService(f: string[], lineNo: number, line: string): IpvsService {
  const { key, opts } = readCommand(f, lineNo, line);
  onlyOptions(opts, ['-s', '-p', '-M', '--pe', '-o', '-b'], '-A', lineNo, line);
  const svc: IpvsService = { ...key, scheduler: 'wlc', destinations: [] };
  const sched = opts.get('-s');
  if (typeof sched === 'string') {
    if (!SCHED_RE.test(sched)) throw lineError(lineNo, `'${sched}' is not a scheduler name`, line);
    svc.scheduler = sched;
  }
  const p = opts.get('-p');
  const mask = opts.get('-M');
  if (p !== undefined) {
    const timeout = p === true ? DEFAULT_PERSISTENT_TIMEOUT : parseUint(p, MAX_TIMEOUT);
    if (!(timeout >= 1)) throw lineError(lineNo, `persistence timeout '${String(p)}' is not 1–${MAX_TIMEOUT} seconds`, line);
    svc.persistent = { timeout };
    if (typeof mask === 'string') {
      if (key.family === 'inet6') {
        if (Number.isNaN(parseUint(mask, 128))) throw lineError(lineNo, `IPv6 netmask '${mask}' is not a prefix length 0–128`, line);
        if (mask !== '128') svc.persistent.netmask = mask;
      } else {
        if (!isIpv4(mask)) throw lineError(lineNo, `netmask '${mask}' is not a dotted quad`, line);
        if (mask !== '255.255.255.255') svc.persistent.netmask = mask;
      }
    }
  } else if (mask !== undefined) throw lineError(lineNo, '-M without -p (a netmask only applies to persistent services)', line);
  const pe = opts.get('--pe');
  if (typeof pe === 'string') {
    if (!PE_RE.test(pe)) throw lineError(lineNo, `'${pe}' is not a persistence engine name`, line);
    svc.persistenceEngine = pe;
  }
  const flags: string[] = [];
  const b = opts.get('-b');
  if (typeof b === 'string') {
    const names = b.split(',');
    for (const n of names) {
      if (!(SCHED_FLAGS as readonly string[]).includes(n)) throw lineError(lineNo, `unknown scheduler flag '${n}'`, line);
      if (flags.includes(n)) throw lineError(lineNo, `scheduler flag '${n}' given twice`, line);
      flags.push(n);
    }
    flags.sort((x, y) => (SCHED_FLAGS as readonly string[]).indexOf(x) - (SCHED_FLAGS as readonly string[]).indexOf(y));
  }
  if (opts.has('-o')) flags.push('ops');
  if (flags.length) svc.flags = flags;
  return svc;
}

/** The -a command → the service key it belongs to and the destination. */
function parseAddDest(f: string[], lineNo: number, line: string): { key: IpvsServiceKey; dest: IpvsDestination } {
  const { key, opts } = readCommand(f, lineNo, line);
  onlyOptions(opts, ['-r', 'forward', '-w', '-x', '-y', '--tun-type', '--tun-port', 'csum'], '-a', lineNo, line);
  const r = opts.get('-r');
  if (typeof r !== 'string') throw lineError(lineNo, '-a without -r ADDRESS:PORT', line);
  const t = parseTarget(r);
  if (!t) throw lineError(lineNo, `realserver '${r}' is not a numeric ADDRESS:PORT (save with ipvsadm -S -n)`, line);
  const fwd = opts.get('forward');
  const forward = typeof fwd === 'string' ? FORWARD_OPTS[fwd]! : 'route';
  const w = opts.get('-w');
  const weight = typeof w === 'string' ? parseUint(w, 65535) : 1;
  if (Number.isNaN(weight)) throw lineError(lineNo, `weight '${String(w)}' is not 0–65535`, line);
  const dest: IpvsDestination = { address: t.address, port: t.port ?? key.port, forward, weight };
  for (const [opt, field] of [['-x', 'upperThreshold'], ['-y', 'lowerThreshold']] as const) {
    const v = opts.get(opt);
    if (typeof v === 'string') {
      const n = parseUint(v);
      if (Number.isNaN(n)) throw lineError(lineNo, `${opt} '${v}' is not an unsigned number`, line);
      if (n) dest[field] = n;
    }
  }
  const tt = opts.get('--tun-type');
  const tport = opts.get('--tun-port');
  const csum = opts.get('csum');
  if (tt !== undefined || tport !== undefined || csum !== undefined) {
    if (forward !== 'tunnel') throw lineError(lineNo, 'tunnel options on a realserver that is not -i (tunnel)', line);
    const csumName = typeof csum === 'string' ? TUN_CSUM_OPTS[csum] : undefined;
    if (tt === undefined || tt === 'ipip') {
      if (tport !== undefined || csum !== undefined) throw lineError(lineNo, 'ipip tunnels take no --tun-port or checksum option', line);
    } else if (tt === 'gre') {
      if (tport !== undefined || !csumName || csumName === 'remcsum') throw lineError(lineNo, 'gre tunnels need --tun-nocsum or --tun-csum and no --tun-port', line);
      dest.tunType = `gre:${csumName}`;
    } else if (tt === 'gue') {
      const port = typeof tport === 'string' ? parseUint(tport, 65535) : NaN;
      if (!(port >= 1) || !csumName) throw lineError(lineNo, 'gue tunnels need --tun-port 1–65535 and a checksum option', line);
      dest.tunType = `gue:${port}:${csumName}`;
    } else throw lineError(lineNo, `unknown tunnel type '${String(tt)}' (ipip, gue or gre)`, line);
  }
  return { key, dest };
}

/**
 * Parses `ipvsadm -S -n` output (one -A per service, its -a lines after it). An empty input is an empty table.
 * Throws AppError('PARSE_ERROR', 'line N: …') for any other line, a duplicate, or an -a before its service's -A.
 */
export function parseIpvsadmSave(text: string): IpvsSaveResult {
  const lines = splitLines(text);
  const { first, end } = contentRange(lines);
  const services: IpvsService[] = [];
  const byKey = new Map<string, { svc: IpvsService; dests: Set<string> }>();
  for (let i = first; i < end; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    const f = fields(line);
    if (f.length === 0) throw lineError(lineNo, 'blank line inside the ipvsadm -S output');
    if (f[0] === '-A') {
      const svc = parseAddService(f, lineNo, line);
      const k = serviceKey(svc);
      if (byKey.has(k)) throw lineError(lineNo, `service ${k} added twice`, line);
      byKey.set(k, { svc, dests: new Set() });
      services.push(svc);
    } else if (f[0] === '-a') {
      const { key, dest } = parseAddDest(f, lineNo, line);
      const k = serviceKey(key);
      const entry = byKey.get(k);
      if (!entry) throw lineError(lineNo, `realserver for service ${k}, which no earlier -A line added`, line);
      const dk = destinationKey(dest);
      if (entry.dests.has(dk)) throw lineError(lineNo, `realserver ${dk} added twice to ${k}`, line);
      entry.dests.add(dk);
      entry.svc.destinations.push(dest);
    } else {
      throw lineError(lineNo, 'expected an ipvsadm -S line starting with -A or -a', line);
    }
  }
  return { kind: 'save', services };
}

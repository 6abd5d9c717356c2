/**
 * `lvsctl ipvs parse [--json] [--hz N] < OUTPUT` and `lvsctl ipvs save [--hz N] < OUTPUT`.
 *
 * OUTPUT is any of: `ipvsadm -L -n` (plain, --stats, --rate, --thresholds, --persistent-conn, --tun-info, --exact),
 * `ipvsadm -L -n -c`, `ipvsadm -S -n`, `ipvsadm -L --timeout`, or /proc/net/ip_vs (its persistence timeouts are in
 * jiffies: give the director's HZ with --hz). The format is detected.
 *
 * `parse` prints readable tables, or with --json one object whose shape is stable (keys in this order; optional keys
 * are left out when the output does not show them):
 *   list:        {kind:"list", variant:"plain"|"stats"|"rate"|"thresholds"|"persistent-conn"|"tun-info",
 *                 ipvsVersion?, connTableSize?, approximate, services:[SERVICE]}
 *   save:        {kind:"save", services:[SERVICE]}
 *   proc:        {kind:"proc", ipvsVersion, connTableSize, hz?, services:[SERVICE], persistenceJiffies:{KEY:n}, notes:[…]}
 *   connections: {kind:"connections", persistentConn, connections:[{protocol, expires (seconds), state,
 *                 source:{address,port}, virtual:{…}, destination:{…}, peName?, peData?}]}
 *   timeout:     {kind:"timeout", tcp, tcpFin, udp}
 *   SERVICE:     {protocol:"tcp"|"udp"|"sctp"|"fwmark", address, port, fwmark?, family:"inet"|"inet6", scheduler?,
 *                 persistent?:{timeout, netmask?}, persistenceEngine?, flags?, stats?, rate?, destinations:[DEST]}
 *   DEST:        {address, port, forward?:"masq"|"route"|"tunnel"|"local", weight?, tunType?, upperThreshold?,
 *                 lowerThreshold?, activeConns?, inactiveConns?, persistConns?, stats?:{conns, inPkts, outPkts, inBytes,
 *                 outBytes}, rate?:{cps, inPps, outPps, inBps, outBps}}
 *   Addresses are as `ipvsadm -n` prints them (IPv6 canonical, without brackets); "approximate" is true when counters
 *   were printed with K/M/G/T (rounded down; use ipvsadm --exact).
 *
 * `save` prints the table as exactly the lines `ipvsadm -S -n` would print for it (formatSaveLines), ready for
 * `ipvsadm -R`. It needs a format that shows the whole table: plain or --tun-info listing, -S -n, or /proc/net/ip_vs.
 *
 * Exit codes: 0 ok; 1 the input could not be parsed (stderr names the line) or holds no table; 2 usage.
 */
import { AppError } from '../../../shared/result.ts';
import type { IpvsConnection, IpvsListedDestination, IpvsListedService } from '../../../shared/model/ipvs.ts';
import { parseArgs } from '../args.ts';
import { EXIT, type CliCommand, type CliIo } from '../io.ts';
import { ipvsTableOf, parseIpvsOutput, type IpvsParsed } from '../../lvs/ipvs/ipvs-detect.ts';
import { formatSaveLines } from '../../lvs/ipvs/ipvs-rules.ts';

const USAGE = `usage: lvsctl ipvs parse [--json] [--hz N] < OUTPUT
       lvsctl ipvs save [--hz N] < OUTPUT
OUTPUT: ipvsadm -L -n [--stats|--rate|--thresholds|--persistent-conn|--tun-info] [--exact], ipvsadm -L -n -c,
        ipvsadm -S -n, ipvsadm -L --timeout or /proc/net/ip_vs (detected). --hz: the director's HZ, for /proc/net/ip_vs
        persistence timeouts (they are in jiffies).
`;

/** A service in the documented JSON key order. */
function jsonService(s: IpvsListedService): Record<string, unknown> {
  return {
    protocol: s.protocol,
    address: s.address,
    port: s.port,
    fwmark: s.fwmark,
    family: s.family,
    scheduler: s.scheduler,
    persistent: s.persistent && { timeout: s.persistent.timeout, netmask: s.persistent.netmask },
    persistenceEngine: s.persistenceEngine,
    flags: s.flags,
    stats: s.stats && { ...s.stats },
    rate: s.rate && { ...s.rate },
    destinations: s.destinations.map(jsonDest),
  };
}

/** A destination in the documented JSON key order. */
function jsonDest(d: IpvsListedDestination): Record<string, unknown> {
  return {
    address: d.address,
    port: d.port,
    forward: d.forward,
    weight: d.weight,
    tunType: d.tunType,
    upperThreshold: d.upperThreshold,
    lowerThreshold: d.lowerThreshold,
    activeConns: d.activeConns,
    inactiveConns: d.inactiveConns,
    persistConns: d.persistConns,
    stats: d.stats && { ...d.stats },
    rate: d.rate && { ...d.rate },
  };
}

/** A connection in the documented JSON key order. */
function jsonConnection(c: IpvsConnection): Record<string, unknown> {
  return { protocol: c.protocol, expires: c.expires, state: c.state, source: c.source, virtual: c.virtual, destination: c.destination, peName: c.peName, peData: c.peData };
}

/** The stable JSON view of any parsed output (undefined keys vanish in JSON.stringify). */
export function ipvsJson(p: IpvsParsed): Record<string, unknown> {
  switch (p.kind) {
    case 'list':
      return { kind: p.kind, variant: p.variant, ipvsVersion: p.ipvsVersion, connTableSize: p.connTableSize, approximate: p.approximate, services: p.services.map(jsonService) };
    case 'save':
      return { kind: p.kind, services: p.services.map(jsonService) };
    case 'proc':
      return { kind: p.kind, ipvsVersion: p.ipvsVersion, connTableSize: p.connTableSize, hz: p.hz, services: p.services.map(jsonService), persistenceJiffies: p.persistenceJiffies, notes: p.notes };
    case 'connections':
      return { kind: p.kind, persistentConn: p.persistentConn, connections: p.connections.map(jsonConnection) };
    case 'timeout':
      return { kind: p.kind, tcp: p.tcp, tcpFin: p.tcpFin, udp: p.udp };
  }
}

/** Left-aligned columns separated by two spaces; each row's cells as strings. */
function table(rows: string[][], indent = ''): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

const ep = (a: string, port: number) => (a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`);

/** "TCP 10.0.0.1:80" / "FWM 7 (IPv6)". */
function serviceName(s: IpvsListedService): string {
  if (s.protocol === 'fwmark') return `FWM ${s.fwmark}${s.family === 'inet6' ? ' (IPv6)' : ''}`;
  return `${s.protocol.toUpperCase()} ${ep(s.address, s.port)}`;
}

/** The destination columns a human table can show, in display order, with how to read each. */
const DEST_COLUMNS: [string, (d: IpvsListedDestination) => string | number | undefined][] = [
  ['FORWARD', (d) => d.forward],
  ['TUNNEL', (d) => d.tunType],
  ['WEIGHT', (d) => d.weight],
  ['UTHRESHOLD', (d) => d.upperThreshold],
  ['LTHRESHOLD', (d) => d.lowerThreshold],
  ['PERSIST', (d) => d.persistConns],
  ['ACTIVE', (d) => d.activeConns],
  ['INACTIVE', (d) => d.inactiveConns],
  ['CONNS', (d) => d.stats?.conns],
  ['INPKTS', (d) => d.stats?.inPkts],
  ['OUTPKTS', (d) => d.stats?.outPkts],
  ['INBYTES', (d) => d.stats?.inBytes],
  ['OUTBYTES', (d) => d.stats?.outBytes],
  ['CPS', (d) => d.rate?.cps],
  ['INPPS', (d) => d.rate?.inPps],
  ['OUTPPS', (d) => d.rate?.outPps],
  ['INBPS', (d) => d.rate?.inBps],
  ['OUTBPS', (d) => d.rate?.outBps],
];

/** Readable services: one header line each, then its realservers as a table. */
function humanServices(services: IpvsListedService[]): string {
  if (services.length === 0) return 'no virtual services\n';
  let out = '';
  for (const s of services) {
    const parts = [serviceName(s)];
    if (s.scheduler) parts.push(`scheduler ${s.scheduler}`);
    if (s.persistent) parts.push(`persistent ${s.persistent.timeout}s${s.persistent.netmask ? ` mask ${s.persistent.netmask}` : ''}`);
    if (s.persistenceEngine) parts.push(`pe ${s.persistenceEngine}`);
    if (s.flags?.length) parts.push(`flags ${s.flags.join(',')}`);
    if (s.stats) parts.push(`conns ${s.stats.conns} inpkts ${s.stats.inPkts} outpkts ${s.stats.outPkts} inbytes ${s.stats.inBytes} outbytes ${s.stats.outBytes}`);
    if (s.rate) parts.push(`cps ${s.rate.cps} inpps ${s.rate.inPps} outpps ${s.rate.outPps} inbps ${s.rate.inBps} outbps ${s.rate.outBps}`);
    out += `\n${parts.join('  ')}\n`;
    if (s.destinations.length === 0) {
      out += '  (no realservers)\n';
      continue;
    }
    const cols = DEST_COLUMNS.filter(([, get]) => s.destinations.some((d) => get(d) !== undefined));
    const rows = [['REALSERVER', ...cols.map(([h]) => h)]];
    for (const d of s.destinations) rows.push([ep(d.address, d.port), ...cols.map(([, get]) => String(get(d) ?? '-'))]);
    out += table(rows, '  ');
  }
  return out;
}

const mmss = (s: number) => `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;

/** The human-readable rendering of any parsed output. */
export function ipvsHuman(p: IpvsParsed): string {
  const realservers = (ss: IpvsListedService[]) => ss.reduce((n, s) => n + s.destinations.length, 0);
  switch (p.kind) {
    case 'list': {
      const head = `ipvsadm -L -n${p.variant === 'plain' ? '' : ` --${p.variant}`} listing${p.ipvsVersion ? `, IPVS ${p.ipvsVersion}` : ''}${
        p.connTableSize !== undefined ? ` (connection table size ${p.connTableSize})` : ''
      }: ${p.services.length} services, ${realservers(p.services)} realservers${p.approximate ? ' (counters rounded by ipvsadm; --exact gives exact ones)' : ''}\n`;
      return head + humanServices(p.services);
    }
    case 'save':
      return `ipvsadm -S -n rules: ${p.services.length} services, ${realservers(p.services)} realservers\n` + humanServices(p.services);
    case 'proc':
      return (
        `/proc/net/ip_vs, IPVS ${p.ipvsVersion} (connection table size ${p.connTableSize})${p.hz ? `, persistence converted at HZ=${p.hz}` : ''}: ${p.services.length} services, ${realservers(p.services)} realservers\n` +
        p.notes.map((n) => `note: ${n}\n`).join('') +
        humanServices(p.services)
      );
    case 'timeout':
      return table([
        ['TCP', 'TCPFIN', 'UDP'],
        [`${p.tcp}s`, `${p.tcpFin}s`, `${p.udp}s`],
      ]);
    case 'connections': {
      const byState = new Map<string, number>();
      for (const c of p.connections) byState.set(c.state, (byState.get(c.state) ?? 0) + 1);
      const summary = [...byState].map(([s, n]) => `${s} ${n}`).join(', ');
      let out = `ipvsadm -L -n -c: ${p.connections.length} connection entries${summary ? ` (${summary})` : ''}\n`;
      if (p.connections.length === 0) return out;
      const head = ['PRO', 'EXPIRE', 'STATE', 'SOURCE', 'VIRTUAL', 'DESTINATION'];
      const pe = p.connections.some((c) => c.peName !== undefined);
      const rows = [pe ? [...head, 'PE NAME', 'PE DATA'] : head];
      for (const c of p.connections) {
        const r = [c.protocol, mmss(c.expires), c.state, ep(c.source.address, c.source.port), ep(c.virtual.address, c.virtual.port), ep(c.destination.address, c.destination.port)];
        if (pe) r.push(c.peName ?? '-', c.peData ?? '-');
        rows.push(r);
      }
      out += table(rows);
      return out;
    }
  }
}

/** Writes an AppError from parsing as "lvsctl ipvs VERB: <stdin>: message" and returns EXIT.INVALID; rethrows others. */
function fail(io: CliIo, verb: string, e: unknown): number {
  if (e instanceof AppError && (e.code === 'PARSE_ERROR' || e.code === 'UNSUPPORTED' || e.code === 'INVALID_INPUT')) {
    io.err(`lvsctl ipvs ${verb}: <stdin>: ${e.message}\n`);
    return EXIT.INVALID;
  }
  throw e;
}

const run: CliCommand = async (args, io) => {
  const [verb, ...rest] = args;
  if (verb !== 'parse' && verb !== 'save') {
    io.err(verb ? `lvsctl ipvs: unknown verb '${verb}'\n${USAGE}` : USAGE);
    return EXIT.USAGE;
  }
  const parsed = parseArgs(rest, { values: ['hz'], booleans: verb === 'parse' ? ['json'] : [] });
  if ('error' in parsed) {
    io.err(`lvsctl ipvs ${verb}: ${parsed.error}\n${USAGE}`);
    return EXIT.USAGE;
  }
  if (parsed.positionals.length) {
    io.err(`lvsctl ipvs ${verb}: unexpected argument '${parsed.positionals[0]}' (the output is read from standard input)\n${USAGE}`);
    return EXIT.USAGE;
  }
  const hzFlag = parsed.flags.get('hz');
  let hz: number | undefined;
  if (typeof hzFlag === 'string') {
    hz = /^[1-9]\d{0,5}$/.test(hzFlag) ? Number(hzFlag) : NaN;
    if (Number.isNaN(hz)) {
      io.err(`lvsctl ipvs ${verb}: --hz '${hzFlag}' is not a positive whole number (e.g. 100, 250, 1000)\n`);
      return EXIT.USAGE;
    }
  }
  const text = await io.readStdin();
  let result: IpvsParsed;
  try {
    result = parseIpvsOutput(text, hz === undefined ? {} : { hz });
  } catch (e) {
    return fail(io, verb, e);
  }
  if (verb === 'parse') {
    io.out(parsed.flags.has('json') ? `${JSON.stringify(ipvsJson(result), null, 2)}\n` : ipvsHuman(result));
    return EXIT.OK;
  }
  try {
    const t = ipvsTableOf(result);
    const pe = t.services.find((s) => s.persistenceEngine !== undefined);
    if (pe) throw new AppError('UNSUPPORTED', `service ${serviceName(pe)} uses persistence engine '${pe.persistenceEngine}', which the save writer does not write (--pe)`);
    io.out(formatSaveLines(t));
    return EXIT.OK;
  } catch (e) {
    return fail(io, verb, e);
  }
};
export default run;

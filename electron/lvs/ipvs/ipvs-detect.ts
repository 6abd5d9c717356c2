/**
 * Recognises which ipvsadm / /proc output a text is and parses it into one tagged union, so callers (lvsctl ipvs parse,
 * the director service reading a live table) need not know which command produced it. Pure.
 *
 * Recognised by the first non-blank line:
 *   "IPVS connection entries" | "pro expire state …"      → connections  (ipvsadm -L -n -c)
 *   "Timeout (tcp tcpfin udp): …"                        → timeout      (ipvsadm -L --timeout)
 *   "-A …" | "-a …" | nothing at all                     → save         (ipvsadm -S -n; an empty table saves as nothing)
 *   "IP Virtual Server version …" then the kernel's single-spaced title and hex addresses → proc (/proc/net/ip_vs)
 *   "IP Virtual Server version …" | "Prot LocalAddress:Port …"                          → list (ipvsadm -L -n …)
 */
import { AppError } from '../../../shared/result.ts';
import type { IpvsDestination, IpvsService, IpvsTable } from '../../../shared/model/ipvs.ts';
import { parseIpvsadmConnections, type IpvsConnectionsResult } from './ipvsadm-conn-parse.ts';
import { COMPLETE_LIST_VARIANTS, parseIpvsadmList, type IpvsListResult } from './ipvsadm-list-parse.ts';
import { parseIpvsadmSave, type IpvsSaveResult } from './ipvsadm-save-parse.ts';
import { parseIpvsadmTimeout, type IpvsTimeoutResult } from './ipvsadm-timeout-parse.ts';
import { parseProcIpVs, type IpvsProcResult, type ProcIpVsOptions } from './proc-ip-vs-parse.ts';
import { excerpt, fields, headLines } from './ipvs-text.ts';

/** Any parsed IPVS output, tagged by `kind`. */
export type IpvsParsed = IpvsListResult | IpvsConnectionsResult | IpvsSaveResult | IpvsTimeoutResult | IpvsProcResult;
/** The formats this module recognises. */
export type IpvsFormat = IpvsParsed['kind'];

export type { IpvsListResult, IpvsConnectionsResult, IpvsSaveResult, IpvsTimeoutResult, IpvsProcResult, ProcIpVsOptions };

// /proc/net/ip_vs's third line, exactly (ipvsadm pads "RemoteAddress:Port" to a column instead).
const PROC_TITLE2_RE = /^ {2}-> RemoteAddress:Port Forward Weight ActiveConn InActConn[ \t]*$/;
// A /proc/net/ip_vs service or realserver address: "TCP  C0A80A64:0050", "FWM  0000000A", "  -> C0A8BC53:0050",
// "TCP  [2001:0db8:…]:0050".
const PROC_ADDR_RE = /^(?:[0-9A-F]{8}(?::[0-9A-F]{4})?|\[[0-9a-f:]{39}\]:[0-9A-F]{4})$/;

/** Which format `text` is in. Throws AppError('PARSE_ERROR') naming the first line if it is none of them. */
export function detectIpvsFormat(text: string): IpvsFormat {
  // Only the first lines matter: a 100,000-entry connection table is not split here.
  const { lines, firstLineNo } = headLines(text, 4);
  if (lines.length === 0) return 'save';
  const head = lines[0]!.trim();
  if (head === 'IPVS connection entries' || head.startsWith('pro expire ')) return 'connections';
  if (head.startsWith('Timeout (tcp tcpfin udp):')) return 'timeout';
  if (head.startsWith('-A ') || head.startsWith('-a ')) return 'save';
  if (head.startsWith('Prot LocalAddress:Port')) return 'list';
  if (head.startsWith('IP Virtual Server version ')) {
    if (lines.length > 2 && PROC_TITLE2_RE.test(lines[2]!)) {
      // The kernel's title; ipvsadm -L's collapses to the same words, so look at the first data line too.
      const data = lines.length > 3 ? fields(lines[3]!) : [];
      if (data.length === 0 || PROC_ADDR_RE.test(data[1] ?? '')) return 'proc';
    }
    return 'list';
  }
  throw new AppError('PARSE_ERROR', `line ${firstLineNo}: not ipvsadm -L -n, -L -n -c, -S -n, -L --timeout or /proc/net/ip_vs output: ${excerpt(lines[0]!)}`, {
    detail: { line: firstLineNo },
  });
}

/** Detects the format and parses the text. `hz` is needed for /proc/net/ip_vs with persistent services. */
export function parseIpvsOutput(text: string, opts: ProcIpVsOptions = {}): IpvsParsed {
  switch (detectIpvsFormat(text)) {
    case 'connections':
      return parseIpvsadmConnections(text);
    case 'timeout':
      return parseIpvsadmTimeout(text);
    case 'save':
      return parseIpvsadmSave(text);
    case 'proc':
      return parseProcIpVs(text, opts);
    case 'list':
      return parseIpvsadmList(text);
  }
}

/** Strips a listed destination down to what a table holds (no live counters). */
function tableDest(d: IpvsDestination): IpvsDestination {
  const out: IpvsDestination = { address: d.address, port: d.port, forward: d.forward, weight: d.weight };
  if (d.upperThreshold) out.upperThreshold = d.upperThreshold;
  if (d.lowerThreshold) out.lowerThreshold = d.lowerThreshold;
  if (d.tunType !== undefined) out.tunType = d.tunType;
  return out;
}

/**
 * The IPVS table a parsed output describes: services with scheduler, persistence, flags and destinations with forward,
 * weight (thresholds, tunnel type when set); live counters are dropped. Works for save, proc and the plain and --tun-info listings;
 * throws AppError('UNSUPPORTED') for the others, which do not show a whole table.
 */
export function ipvsTableOf(parsed: IpvsParsed): IpvsTable {
  if (parsed.kind === 'connections' || parsed.kind === 'timeout') throw new AppError('UNSUPPORTED', `${parsed.kind} output holds no IPVS table`);
  if (parsed.kind === 'list' && !COMPLETE_LIST_VARIANTS.includes(parsed.variant)) {
    throw new AppError('UNSUPPORTED', `an ipvsadm -L -n --${parsed.variant} listing does not show schedulers, forwarding methods and weights; give plain ipvsadm -L -n or ipvsadm -S -n output`);
  }
  const services: IpvsService[] = parsed.services.map((s) => {
    if (s.scheduler === undefined) throw new AppError('INTERNAL', `service without a scheduler in a ${parsed.kind} result`);
    const svc: IpvsService = { protocol: s.protocol, address: s.address, port: s.port, family: s.family, scheduler: s.scheduler, destinations: [] };
    if (s.fwmark !== undefined) svc.fwmark = s.fwmark;
    if (s.persistent) svc.persistent = { ...s.persistent };
    if (s.flags) svc.flags = [...s.flags];
    if (s.persistenceEngine !== undefined) svc.persistenceEngine = s.persistenceEngine;
    svc.destinations = s.destinations.map((d) => {
      if (d.forward === undefined || d.weight === undefined) throw new AppError('INTERNAL', `realserver without forward/weight in a ${parsed.kind} result`);
      return tableDest(d as IpvsDestination);
    });
    return svc;
  });
  return { services };
}

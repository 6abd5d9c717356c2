/**
 * Parser for `ipvsadm -L --timeout` (also `-L -n --timeout`). Pure and strict.
 *
 * Format, from ipvsadm.c (1.31) list_timeout:  "Timeout (tcp tcpfin udp): %d %d %d"  (seconds)
 */
import { AppError } from '../../../shared/result.ts';
import { contentRange, lineError, parseUint, splitLines } from './ipvs-text.ts';

/** The three IPVS connection timeouts in seconds (what `ipvsadm --set tcp tcpfin udp` sets; 0 = unchanged there). */
export interface IpvsTimeoutResult {
  kind: 'timeout';
  tcp: number;
  tcpFin: number;
  udp: number;
}

// "Timeout (tcp tcpfin udp): 900 120 300" (trailing blanks allowed)
const TIMEOUT_RE = /^Timeout \(tcp tcpfin udp\): (\d{1,10}) (\d{1,10}) (\d{1,10})[ \t]*$/;

/** Parses `ipvsadm -L --timeout`. Throws AppError('PARSE_ERROR', 'line N: …') for anything but that one line. */
export function parseIpvsadmTimeout(text: string): IpvsTimeoutResult {
  const lines = splitLines(text);
  const { first, end } = contentRange(lines);
  if (first >= end) throw new AppError('PARSE_ERROR', 'line 1: empty input, expected ipvsadm -L --timeout output');
  const m = TIMEOUT_RE.exec(lines[first]!);
  const v = m ? [m[1]!, m[2]!, m[3]!].map((x) => parseUint(x)) : [];
  if (!m || v.some((x) => Number.isNaN(x))) throw lineError(first + 1, 'expected "Timeout (tcp tcpfin udp): TCP TCPFIN UDP"', lines[first]!);
  if (end > first + 1) throw lineError(first + 2, 'unexpected line after the timeout line', lines[first + 1]!);
  return { kind: 'timeout', tcp: v[0]!, tcpFin: v[1]!, udp: v[2]! };
}

import { AppError } from '../../shared/result.ts';
import { maskToPrefix, type Route } from './route-types.ts';

/**
 * Parses HP-UX `netstat -rnv` (HP-UX 10.20 / 11i; format from the HP-UX Reference, routing(7) and netstat(1)):
 *   Routing tables
 *   Dest/Netmask                    Gateway            Flags Refs Use  Interface  Pmtu
 *   127.0.0.1/255.255.255.255       127.0.0.1          UH    0    68   lo0        4608
 *   15.13.136.0/255.255.248.0       15.13.136.66       U     1    153  lan0       1500
 *   default/0.0.0.0                 15.13.136.11       UG    3    40   lan0       1500
 * The Use column is absent on some releases; a long Dest/Netmask may stand alone on its line with the rest on the next.
 * Interface routes (no G flag) name the host's own address as gateway: returned as `gateway` too, with no G they are on-link.
 */
export function parseHpuxRoutes(text: string): (Route & { flags: string })[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const out: (Route & { flags: string })[] = [];
  let pendingDest: { value: string; line: number } | undefined;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line === 'Routing tables' || /^Dest(ination)?(\/Netmask)?\s+Gateway\s+Flags/.test(line)) return;
    let tok = line.split(/\s+/);
    if (tok.length === 1 && /\//.test(tok[0]!)) {
      pendingDest = { value: tok[0]!, line: i + 1 };
      return;
    }
    if (pendingDest) {
      tok = [pendingDest.value, ...tok];
      pendingDest = undefined;
    }
    // DEST/MASK GW FLAGS REFS [USE] IF [PMTU]
    if (tok.length < 5 || tok.length > 7) throw new AppError('PARSE_ERROR', `netstat -rnv: line ${i + 1}: unexpected "${line}"`);
    const [destMask, gw, flags] = tok as [string, string, string];
    const m = /^(default|\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,3}(?:\.\d{1,3}){3}|0x[0-9a-f]{8})$/i.exec(destMask);
    if (!m || !/^[UGHDMCLRSB]+$/.test(flags) || !/^\d{1,3}(\.\d{1,3}){3}$/.test(gw)) {
      throw new AppError('PARSE_ERROR', `netstat -rnv: line ${i + 1}: unexpected "${line}"`);
    }
    const ifIndex = tok.findIndex((t, j) => j >= 4 && /^[a-z]+[0-9]+(:[0-9]+)?$/.test(t));
    if (ifIndex < 0) throw new AppError('PARSE_ERROR', `netstat -rnv: line ${i + 1}: no interface column in "${line}"`);
    const mask = m[2]!.startsWith('0x') ? [0, 1, 2, 3].map((b) => parseInt(m[2]!.slice(2 + b * 2, 4 + b * 2), 16)).join('.') : m[2]!;
    let prefix: number;
    try {
      prefix = m[1] === 'default' ? 0 : maskToPrefix(mask);
    } catch (e) {
      throw new AppError('PARSE_ERROR', `netstat -rnv: line ${i + 1}: ${(e as Error).message}`);
    }
    out.push({ dest: m[1]!, prefix, gateway: gw, dev: tok[ifIndex], flags, line: i + 1 });
  });
  if (pendingDest) throw new AppError('PARSE_ERROR', `netstat -rnv: line ${pendingDest.line}: destination without gateway/flags`);
  return out;
}

/**
 * Parse benchmarks (figures, not assertions): a generated 100,000-entry `ipvsadm -L -n -c` table (goal ≤ 100 ms) and a
 * 1,000-realserver `ipvsadm -L -n` listing (goal ≤ 5 ms), plus the same through format detection and a 1,000-realserver
 * /proc/net/ip_vs. Inputs come from test/fixtures/ipvsadm/render.ts, which prints ipvsadm 1.31's exact formats.
 */
import { measure, report } from '../measure.ts';
import { parseIpvsadmConnections } from '../../../electron/lvs/ipvsadm-conn-parse.ts';
import { parseIpvsadmList } from '../../../electron/lvs/ipvsadm-list-parse.ts';
import { parseProcIpVs } from '../../../electron/lvs/proc-ip-vs-parse.ts';
import { parseIpvsOutput } from '../../../electron/lvs/ipvs-detect.ts';
import { generateConnections, generateService, renderConnections, renderList, renderProc } from '../../fixtures/ipvsadm/render.ts';

export default async function parseBench(): Promise<void> {
  const conns = renderConnections(generateConnections(100_000));
  const listing = renderList([generateService(1000, 5)], 'plain');
  const stats = renderList([{ ...generateService(1000, 5), stats: { conns: 1, inPkts: 2, outPkts: 3, inBytes: 4e9, outBytes: 5e12 } }].map((s) => ({
    protocol: s.protocol, address: s.address, port: s.port, family: s.family, stats: s.stats,
    destinations: s.destinations.map((d, i) => ({ address: d.address, port: d.port, stats: { conns: i, inPkts: i * 1000, outPkts: i * 999, inBytes: i * 1e7, outBytes: i * 3e8 } })),
  })), 'stats');
  const proc = renderProc([generateService(1000, 5)], { hz: 250 });
  console.log(`inputs: -L -n -c ${(conns.length / 1e6).toFixed(1)} MB (100,000 entries), -L -n ${(listing.length / 1e3).toFixed(0)} kB (1,000 realservers)`);
  if (parseIpvsadmConnections(conns).connections.length !== 100_000) throw new Error('connection parse lost entries');
  if (parseIpvsadmList(listing).services[0]!.destinations.length !== 1000) throw new Error('listing parse lost realservers');

  report('parse ipvsadm -L -n -c, 100,000 entries', await measure(() => parseIpvsadmConnections(conns), 11, 2), 100);
  report('detect + parse ipvsadm -L -n -c, 100,000 entries', await measure(() => parseIpvsOutput(conns), 11, 2), 100);
  report('parse ipvsadm -L -n, 1,000 realservers', await measure(() => parseIpvsadmList(listing), 51, 10), 5);
  report('detect + parse ipvsadm -L -n, 1,000 realservers', await measure(() => parseIpvsOutput(listing), 51, 10), 5);
  report('parse ipvsadm -L -n --stats, 1,000 realservers', await measure(() => parseIpvsadmList(stats), 51, 10));
  report('parse /proc/net/ip_vs, 1,000 realservers', await measure(() => parseProcIpVs(proc, { hz: 250 }), 51, 10));
}

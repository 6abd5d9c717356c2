/**
 * Parse benchmarks (figures, not assertions): a generated 100,000-entry `ipvsadm -L -n -c` table (goal ≤ 100 ms) and a
 * 1,000-realserver `ipvsadm -L -n` listing (goal ≤ 5 ms), plus the same through format detection and a 1,000-realserver
 * /proc/net/ip_vs. Inputs come from test/fixtures/ipvsadm/render.ts, which prints ipvsadm 1.31's exact formats.
 */
import { measure, report } from '../measure.ts';
import { parseIpvsadmConnections } from '../../../electron/lvs/ipvs/ipvsadm-conn-parse.ts';
import { parseIpvsadmList } from '../../../electron/lvs/ipvs/ipvsadm-list-parse.ts';
import { parseProcIpVs } from '../../../electron/lvs/ipvs/proc-ip-vs-parse.ts';
import { parseIpvsOutput } from '../../../electron/lvs/ipvs/ipvs-detect.ts';
import { generateConnections, generateService, renderConnections, renderList, renderProc } from '../../fixtures/ipvsadm/render.ts';

/**
 * This machine's floor for the 100,000-entry job, to read the figures against on a shared, loaded host: scan 7.5 MB
 * character by character and allocate the 400,000 small objects the result holds. The parse cannot beat it.
 */
function floor(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum = (sum + text.charCodeAt(i)) | 0;
  const objs: object[] = [];
  for (let i = 0; i < 100_000; i++) objs.push({ p: 'TCP', e: i, s: 'X', a: { address: 'a', port: i }, b: { address: 'b', port: i }, c: { address: 'c', port: i } });
  return sum + objs.length;
}

/** CPU milliseconds (user + system) of one call, which a loaded machine inflates less than wall time. */
function cpuMs(fn: () => unknown): number {
  const c = process.cpuUsage();
  fn();
  const u = process.cpuUsage(c);
  return (u.user + u.system) / 1000;
}

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

  const floorMs = await measure(() => floor(conns), 21, 5);
  report('floor: scan 7.5 MB + allocate 400,000 objects (reference)', floorMs);
  const connMs = await measure(() => parseIpvsadmConnections(conns), 21, 5);
  report('parse ipvsadm -L -n -c, 100,000 entries', connMs, 100);
  const cpu = Array.from({ length: 7 }, () => cpuMs(() => parseIpvsadmConnections(conns))).sort((a, b) => a - b)[3]!;
  console.log(`  -> ${(connMs.median / floorMs.median).toFixed(1)}× the floor; median CPU time ${cpu.toFixed(1)} ms (load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`);
  report('detect + parse ipvsadm -L -n -c, 100,000 entries', await measure(() => parseIpvsOutput(conns), 11, 2), 100);
  report('parse ipvsadm -L -n, 1,000 realservers', await measure(() => parseIpvsadmList(listing), 51, 10), 5);
  report('detect + parse ipvsadm -L -n, 1,000 realservers', await measure(() => parseIpvsOutput(listing), 51, 10), 5);
  report('parse ipvsadm -L -n --stats, 1,000 realservers', await measure(() => parseIpvsadmList(stats), 51, 10));
  report('parse /proc/net/ip_vs, 1,000 realservers', await measure(() => parseProcIpVs(proc, { hz: 250 }), 51, 10));
}

/**
 * The planner's diff for a 1,000-realserver cluster (telnet + xdmcp on the VIP, so 2,000 destinations): in sync, one
 * weight changed, every weight changed, and from an empty table; plus the full `ipvsadm -R` text. Figures, not verdicts.
 */
import { clusterSchema } from '../../../shared/model/cluster.ts';
import type { IpvsTable } from '../../../shared/model/ipvs.ts';
import { desiredTable } from '../../../electron/lvs/plan/desired-table.ts';
import { formatSaveLines } from '../../../electron/lvs/ipvs/ipvs-rules.ts';
import { diffTables } from '../../../electron/lvs/plan/table-diff.ts';
import { measure, report } from '../measure.ts';

/** Runs the diff benchmarks and prints one line each. */
export default async function bench(): Promise<void> {
  const cluster = clusterSchema.parse({
    id: 'bench',
    name: 'bench',
    director: { host: '10.0.0.2', user: 'root' },
    vip: '10.0.0.50',
    tcp: [{ port: 'telnet' }],
    udp: [{ port: 'xdmcp' }],
    realservers: Array.from({ length: 1000 }, (_, i) => ({ host: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}` })),
  });
  const desired = desiredTable(cluster, (h) => h);
  const withCounters = (t: IpvsTable): IpvsTable => ({
    services: t.services.map((s) => ({ ...s, destinations: s.destinations.map((d, i) => ({ ...d, activeConns: i % 7, inactiveConns: i % 13 })) })),
  });
  const inSync = withCounters(desired);
  const oneChange = structuredClone(inSync);
  oneChange.services[0]!.destinations[500]!.weight = 9;
  const allChanged: IpvsTable = { services: inSync.services.map((s) => ({ ...s, destinations: s.destinations.map((d) => ({ ...d, weight: d.weight + 1 })) })) };
  const empty: IpvsTable = { services: [] };
  const dests = desired.services.reduce((n, s) => n + s.destinations.length, 0);
  console.log(`1,000 realservers × ${desired.services.length} services = ${dests} destinations`);
  for (const [name, live] of [
    ['in sync', inSync],
    ['one weight changed', oneChange],
    ['every weight changed', allChanged],
    ['from an empty table', empty],
  ] as const) {
    const steps = diffTables(desired, live).length;
    report(`diff 1,000 realservers: ${name} (${steps} step${steps === 1 ? '' : 's'})`, await measure(() => diffTables(desired, live)));
  }
  const text = formatSaveLines(desired);
  report(`formatSaveLines (ipvsadm -R text, ${(text.length / 1024).toFixed(0)} KiB)`, await measure(() => formatSaveLines(desired)));
}

import { effectivePersistence, type Cluster } from '../../shared/model/cluster.ts';
import { portNumber } from '../../shared/model/well-known-ports.ts';
import { applyClusterToConf } from './conf-model.ts';
import { parseLvsConf, type LvsConfDoc } from './conf-parse.ts';
import { setConfVariable } from './conf-write.ts';

const HEADER = `# /etc/lvs.conf: LVS-NAT director configuration, read by /etc/init.d/lvs-director.
# Written by LVS Console; hand edits are kept (only the variables below are rewritten).
`;

/**
 * The lvs.conf the director's own script (director-init-script.ts) needs to load exactly the table the console plans for
 * `cluster`: the seed's six variables, plus the ones the seed's script had fixed (VIP_PREFIX, SCHEDULER, SCHEDULERS,
 * PERSISTENT, WEIGHTS, RIPS_DISABLED, FORWARD). Starts from `existing` (the director's current file) so unknown variables
 * and comments survive; only lines whose meaning changes are rewritten.
 */
export function directorConf(cluster: Cluster, existing?: LvsConfDoc): LvsConfDoc {
  let doc = applyClusterToConf(existing ?? parseLvsConf(HEADER, '/etc/lvs.conf'), cluster);
  const set = (name: string, value: string) => {
    doc = setConfVariable(doc, name, value);
  };
  set('VIP_PREFIX', String(cluster.vipPrefix));
  set('SCHEDULER', cluster.scheduler);
  set('FORWARD', cluster.forwarding);
  const schedulers: string[] = [];
  const persistent: string[] = [];
  for (const proto of ['tcp', 'udp'] as const) {
    for (const s of cluster[proto]) {
      const port = portNumber(s.port, proto)!;
      if (s.scheduler && s.scheduler !== cluster.scheduler) schedulers.push(`${proto}:${port}:${s.scheduler}`);
      const p = effectivePersistence(proto, s);
      if (p) persistent.push(`${proto}:${port}:${p.timeout}${p.netmask ? `:${p.netmask}` : ''}`);
    }
  }
  set('SCHEDULERS', schedulers.join(' '));
  set('PERSISTENT', persistent.join(' '));
  set('WEIGHTS', cluster.realservers.filter((r) => r.weight !== 1).map((r) => `${r.host}=${r.weight}`).join(' '));
  set('RIPS_DISABLED', cluster.realservers.filter((r) => !r.enabled).map((r) => r.host).join(' '));
  return doc;
}

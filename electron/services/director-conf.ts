/**
 * The /etc/lvs.conf install-director writes for the director's own script (LVS_DIRECTOR_SCRIPT): the seed's variables
 * from the profile (VIP, VIP_IF, LVS_IF, TPORTS, UPORTS, RIPS: enabled realservers only) plus the extra ones the script
 * reads (VIP_PREFIX, SCHEDULER, PERSISTENT, WEIGHTS). Pure. What the script cannot express is returned as warnings.
 */
import { effectivePersistence, type Cluster } from '../../shared/model/cluster.ts';
import { portNumber } from '../../shared/model/well-known-ports.ts';
import { applyClusterToConf } from '../lvs/conf-model.ts';
import { parseLvsConf, type LvsConfDoc } from '../lvs/conf-parse.ts';
import { setConfVariable, writeLvsConf } from '../lvs/conf-write.ts';

/** The header of a generated file. */
export const DIRECTOR_CONF_HEADER = [
  '# /etc/lvs.conf -- read by /etc/init.d/lvs-director (start | stop | reload | status | update | rules).',
  '# Written by LVS Console (lvsctl install-director) from the cluster profile; `lvsctl conf pull` shows it.',
  '# The seed\'s variables: VIP VIP_IF LVS_IF TPORTS UPORTS RIPS; extra: VIP_PREFIX SCHEDULER PERSISTENT WEIGHTS.',
  '',
].join('\n');

/** lvs.conf text for `cluster` (optionally edited into an existing file, keeping its comments) and the warnings. */
export function directorConfText(cluster: Cluster, existing?: LvsConfDoc): { text: string; warnings: string[] } {
  const warnings: string[] = [];
  const enabled = cluster.realservers.filter((r) => r.enabled);
  let doc = existing ?? parseLvsConf(DIRECTOR_CONF_HEADER, '/etc/lvs.conf');
  doc = applyClusterToConf(doc, { ...cluster, realservers: enabled });
  doc = setConfVariable(doc, 'VIP_PREFIX', String(cluster.vipPrefix));
  doc = setConfVariable(doc, 'SCHEDULER', cluster.scheduler);
  const persistent: string[] = [];
  for (const proto of ['tcp', 'udp'] as const) {
    for (const s of cluster[proto]) {
      const port = portNumber(s.port, proto);
      if (s.scheduler && s.scheduler !== cluster.scheduler) warnings.push(`${proto} ${String(s.port)}: the director script uses one SCHEDULER (${cluster.scheduler}) for every service, not ${s.scheduler}`);
      const p = effectivePersistence(proto, s);
      if (!p || port === undefined) continue;
      if (p.netmask !== undefined) warnings.push(`${proto} ${String(s.port)}: the director script has no persistence netmask (-M ${p.netmask})`);
      persistent.push(`${proto}:${port}:${p.timeout}`);
    }
  }
  doc = setConfVariable(doc, 'PERSISTENT', persistent);
  doc = setConfVariable(
    doc,
    'WEIGHTS',
    enabled.filter((r) => r.weight !== 1).map((r) => `${r.host}=${r.weight}`),
  );
  if (cluster.forwarding !== 'masq') warnings.push(`forwarding ${cluster.forwarding}: the director script always adds realservers with -m (NAT)`);
  return { text: writeLvsConf(doc), warnings };
}

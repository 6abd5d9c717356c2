/**
 * Drift across the three places a cluster lives: the profile, the director's runtime config (/etc/lvs.conf for the
 * script runtime, keepalived.conf for keepalived: what the director loads at boot, checks by cron, or builds itself)
 * and the kernel's table. One item per destination (or service) of this profile's VIP where the config disagrees with
 * the profile or with the kernel, saying all three. Differences the runtime makes on purpose are not drift: a
 * destination keepalived holds at weight 0 because its check fails, one drained to weight 0 and still in the kernel
 * (and keepalived.conf) until its connections are gone.
 */
import { clusterSchema, type Cluster } from '../../shared/model/cluster.ts';
import { destinationKey, serviceKey, type IpvsTable } from '../../shared/model/ipvs.ts';
import { readKeepalivedTable } from '../keepalived/keepalived-conf-read.ts';
import { confVariables, parseLvsConf } from '../lvs/conf/conf-parse.ts';
import { clusterFromDirectorConf } from '../lvs/conf/director-conf.ts';
import { desiredTable, realserverFor, type Resolve } from '../lvs/plan/desired-table.ts';
import { splitByOwner } from '../lvs/plan/ownership.ts';
import { RUNTIME_PATHS } from '../lvs/plan/runtime-steps.ts';

/** The runtime config next to the profile and the kernel. */
export interface ConfigDrift {
  runtime: Cluster['runtime'];
  path: string;
  /** matches: no item; differs: items; missing: no file; other-vip: the file is another cluster's; unreadable: see detail. */
  state: 'matches' | 'differs' | 'missing' | 'other-vip' | 'unreadable';
  detail?: string;
  items: { what: string; profile: string; config: string; kernel: string }[];
}

/** The runtime config file of a profile's runtime. */
export function runtimeConfigPath(cluster: Cluster): string {
  return cluster.runtime === 'keepalived' ? RUNTIME_PATHS.keepalivedConf : RUNTIME_PATHS.lvsConf;
}

type Row = Map<string, { service: string; dest?: string; weight?: number; address?: string }>;

/** Service and destination keys of a table → what it says (present, weight). */
function rows(t: IpvsTable): Row {
  const out: Row = new Map();
  for (const s of t.services) {
    const sk = serviceKey(s);
    out.set(sk, { service: sk });
    for (const d of s.destinations) out.set(`${sk} ${destinationKey(d)}`, { service: sk, dest: destinationKey(d), weight: d.weight, address: d.address });
  }
  return out;
}

/** The three-way comparison (see the module comment). `text`: the config file's content, undefined when missing. */
export function runtimeDrift(cluster: Cluster, resolve: Resolve, live: IpvsTable, text: string | undefined): ConfigDrift {
  const path = runtimeConfigPath(cluster);
  const base = { runtime: cluster.runtime, path, items: [] as ConfigDrift['items'] };
  if (text === undefined) return { ...base, state: 'missing', detail: `${path} is not on the director` };
  const vip = resolve(cluster.vip);
  let config: IpvsTable;
  try {
    if (cluster.runtime === 'keepalived') config = readKeepalivedTable(text, path);
    else {
      const vars = confVariables(parseLvsConf(text, path));
      const v = vars.get('VIP')?.value;
      if (v !== undefined && v !== cluster.vip && v !== vip) return { ...base, state: 'other-vip', detail: `${path} is for VIP ${v}: another cluster's` };
      // What the file says, not what the profile says: its realservers start enabled, weight 1, in every service.
      const fresh = { ...cluster, realservers: cluster.realservers.map(({ exclude: _x, ...r }) => ({ ...r, enabled: true, weight: 1 })) };
      config = desiredTable(clusterSchema.parse(clusterFromDirectorConf(vars, fresh)), resolve);
    }
  } catch (e) {
    return { ...base, state: 'unreadable', detail: e instanceof Error ? e.message : String(e) };
  }
  const p = rows(desiredTable(cluster, resolve));
  const c = rows(splitByOwner(config, vip).own);
  const k = rows(splitByOwner(live, vip).own);
  const say = (r: ReturnType<Row['get']>) => (r === undefined ? 'absent' : r.dest === undefined ? 'present' : `weight ${r.weight}`);
  const items: ConfigDrift['items'] = [];
  for (const key of [...new Set([...p.keys(), ...c.keys(), ...k.keys()])].sort()) {
    const [pp, cc, kk] = [p.get(key), c.get(key), k.get(key)];
    const any = pp ?? cc ?? kk!;
    const same = (a: typeof pp, b: typeof pp) => (a === undefined) === (b === undefined) && (a?.weight === b?.weight || a?.dest === undefined);
    // keepalived holds a failing destination at weight 0: health, not drift
    const kernelOk = same(cc, kk) || (cluster.runtime === 'keepalived' && cc !== undefined && kk?.weight === 0);
    // drained and still there until its connections are gone, not in the profile: in the config and the kernel at
    // weight 0 (keepalived.conf keeps it), or out of the config and at weight 0 in the kernel (lvs.conf's RIPS_DISABLED)
    const draining = pp === undefined && ((cc?.weight === 0 && (kk === undefined || kk.weight === 0)) || (cc === undefined && kk?.weight === 0));
    if ((same(pp, cc) && kernelOk) || draining) continue;
    const name = any.address ? realserverFor(cluster, resolve, any.address) : undefined;
    items.push({ what: any.dest ? `${name ? `${name} (${any.dest})` : any.dest} in ${any.service}` : `service ${any.service}`, profile: say(pp), config: say(cc), kernel: say(kk) });
  }
  return { ...base, state: items.length ? 'differs' : 'matches', items };
}

/** One item for people: "rs2 (10.77.0.12:177) in udp 10.77.0.100:177: profile absent · /etc/lvs.conf weight 1 · kernel weight 1". */
export function describeConfigDrift(d: ConfigDrift, item: ConfigDrift['items'][number]): string {
  return `profile: ${item.profile} · ${d.path}: ${item.config} · kernel: ${item.kernel}`;
}

/**
 * Writes the lab's cluster profiles (each validated with shared/model's clusterSchema) for `lvsctl --profile` and the app:
 *   OUT_FILE             the cluster on the seed's lvs-director script (runtime "script"), director 10.77.0.1
 *   KEEPALIVED_FILE      the same cluster with runtime "keepalived"
 *   HA_FILE              the director pair: runtime "keepalived", pair.director = director2, pair.gateway = the floating
 *                        gateway address (the lab configures neither the VIP nor the gateway: the product does)
 * lab.sh calls it as: tsx test/lab/write-profile.ts OUT_FILE [KEEPALIVED_FILE HA_FILE], with the facts in the environment:
 *   LAB_DIRECTOR_IP, LAB_VIP, LAB_KEY (absolute path of the lab's private key), LAB_KNOWN_HOSTS (file of OpenSSH
 *   known_hosts lines), LAB_REALSERVERS ("rs1=10.77.0.11 rs2=10.77.0.12 …"), LAB_RS_VIA_DIRECTOR ("true"/"false"), and for
 *   the other two LAB_DIRECTOR2_IP and LAB_GATEWAY.
 * Exits 1 naming the file and every invalid field when a profile does not validate; writes nothing then.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { clusterSchema, describeIssues, type ClusterInput } from '../../shared/model/cluster.ts';

/** The environment variable NAME, or exit 1 saying it is missing. */
function need(name: string): string {
  const v = process.env[name];
  if (!v) {
    console.error(`write-profile: ${name} is not set`);
    process.exit(1);
  }
  return v;
}

/** How the lab's SSH target for a director looks (root, the lab key). */
function directorTarget(host: string) {
  return { host, port: 22, user: 'root', auth: { method: 'key' as const, keyPath: need('LAB_KEY') } };
}

/** Builds the lab profile from the environment (see the file comment). */
export function labProfile(): ClusterInput {
  const knownHosts = readFileSync(need('LAB_KNOWN_HOSTS'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const viaDirector = need('LAB_RS_VIA_DIRECTOR') === 'true';
  const realservers = need('LAB_REALSERVERS')
    .split(/\s+/)
    .filter(Boolean)
    .map((pair) => {
      const m = /^([a-z0-9-]+)=([0-9.]+)$/.exec(pair);
      if (!m?.[1] || !m[2]) {
        console.error(`write-profile: LAB_REALSERVERS entry "${pair}" is not NAME=ADDRESS`);
        process.exit(1);
      }
      return { host: m[2], name: m[1], os: 'linux' as const, netIf: 'eth0', ssh: { viaDirector } };
    });
  return {
    id: 'lvslab',
    name: 'LVS lab (qemu director, namespace realservers)',
    director: directorTarget(need('LAB_DIRECTOR_IP')),
    vip: need('LAB_VIP'),
    vipPrefix: 24,
    vipIf: 'eth0:110',
    lvsIf: 'eth0',
    scheduler: 'wlc',
    forwarding: 'masq',
    tcp: [{ port: 'telnet' }],
    udp: [{ port: 'xdmcp' }],
    realservers,
    knownHosts,
  };
}

/** The same cluster on keepalived (one director). */
export function labKeepalivedProfile(base: ClusterInput): ClusterInput {
  return { ...base, id: 'lvslab-keepalived', name: 'LVS lab on keepalived (one director)', runtime: 'keepalived' };
}

/** The director pair: director (preferred master) and director2, keepalived, the floating gateway. */
export function labPairProfile(base: ClusterInput): ClusterInput {
  return {
    ...base,
    id: 'lvslab-ha',
    name: 'LVS lab director pair (keepalived VRRP)',
    runtime: 'keepalived',
    pair: { director: directorTarget(need('LAB_DIRECTOR2_IP')), gateway: need('LAB_GATEWAY') },
  };
}

const [out, kaOut, haOut] = process.argv.slice(2);
if (!out || (kaOut === undefined) !== (haOut === undefined)) {
  console.error('usage: write-profile.ts OUT_FILE [KEEPALIVED_FILE HA_FILE]');
  process.exit(2);
}
const base = labProfile();
const files: [string, ClusterInput][] = [[out, base]];
if (kaOut && haOut) files.push([kaOut, labKeepalivedProfile(base)], [haOut, labPairProfile(base)]);
// Validate all first: nothing is written unless every profile is valid.
for (const [file, profile] of files) {
  const parsed = clusterSchema.safeParse(profile);
  if (!parsed.success) {
    console.error(`write-profile: ${file}: the lab profile does not validate:\n  ${describeIssues(parsed.error).join('\n  ')}`);
    process.exit(1);
  }
}
for (const [file, profile] of files) {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(profile, null, 2)}\n`, { mode: 0o644 });
  renameSync(`${file}.tmp`, file);
}

/**
 * Writes the lab's cluster profile (validated with shared/model's clusterSchema) for `lvsctl --profile` and the app.
 * lab.sh calls it as: tsx test/lab/write-profile.ts OUT_FILE, with the facts in the environment:
 *   LAB_DIRECTOR_IP, LAB_VIP, LAB_KEY (absolute path of the lab's private key), LAB_KNOWN_HOSTS (file of OpenSSH
 *   known_hosts lines), LAB_REALSERVERS ("rs1=10.77.0.11 rs2=10.77.0.12 …"), LAB_RS_VIA_DIRECTOR ("true"/"false").
 * Exits 1 naming every invalid field when the profile does not validate.
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
    director: { host: need('LAB_DIRECTOR_IP'), port: 22, user: 'root', auth: { method: 'key', keyPath: need('LAB_KEY') } },
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

const out = process.argv[2];
if (!out) {
  console.error('usage: write-profile.ts OUT_FILE');
  process.exit(2);
}
const profile = labProfile();
const parsed = clusterSchema.safeParse(profile);
if (!parsed.success) {
  console.error(`write-profile: the lab profile does not validate:\n  ${describeIssues(parsed.error).join('\n  ')}`);
  process.exit(1);
}
writeFileSync(`${out}.tmp`, `${JSON.stringify(profile, null, 2)}\n`, { mode: 0o644 });
renameSync(`${out}.tmp`, out);

/**
 * What one lvsctl run holds for its profile: the cluster's SSH sessions (THE wiring, services/cluster-sessions.ts) with
 * host keys in THE host-key store (the same document the web host uses, under $LVS_CONSOLE_HOME or the user's config
 * folder), secrets from LVSCTL_SECRET_<REF> environment variables (never a command line), and the cluster's ONE
 * ClusterService. An edit saves the profile file back atomically.
 */
import { renameSync, writeFileSync } from 'node:fs';
import type { Cluster } from '../../shared/model/cluster.ts';
import { ClusterSessions } from '../services/cluster-sessions.ts';
import { ClusterService } from '../services/cluster-service.ts';
import { openNodeStores } from '../store/node-stores.ts';
import type { LayeredTrust } from '../ssh/layered-trust.ts';
import type { AuditSink, SecretSource, SessionEvent } from '../ssh/types.ts';

/** The environment variable a secret reference is read from: LVSCTL_SECRET_ + the ref upper-cased, other chars → '_'. */
export function secretEnvName(ref: string): string {
  return `LVSCTL_SECRET_${ref.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** A SecretSource over environment variables (see secretEnvName). */
export function envSecrets(env: NodeJS.ProcessEnv = process.env): SecretSource {
  return { get: async (ref) => env[secretEnvName(ref)] };
}

/** Options of openCliCluster. */
export interface CliClusterOptions {
  cluster: Cluster;
  /** The profile file: an edit writes the edited profile back to it (none: edits are refused). */
  profileFile?: string;
  /** --trust-new-host-key: accept (and store) unknown host keys. Never accepts a changed key. */
  trustNew?: boolean;
  /** --known-hosts FILE: read this file instead of ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  /** The store folder (default: defaultConfigDir(): $LVS_CONSOLE_HOME, %APPDATA%\lvs-console, $XDG_CONFIG_HOME/lvs-console). */
  storeDir?: string;
  env?: NodeJS.ProcessEnv;
  audit?: AuditSink;
  onEvent?: (e: SessionEvent) => void;
  /** false: no held shells (ClusterSessionDeps.heldShells; the benchmarks compare both ways). */
  heldShells?: boolean;
}

/** One run's cluster: its service, the trust the prompt trusts through, and close() for the sessions. */
export interface CliCluster {
  service: ClusterService;
  trust: LayeredTrust;
  close(): Promise<void>;
}

/** Writes a profile file atomically (temp file in the same folder, then rename). */
export function writeProfileFile(file: string, cluster: Cluster): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(cluster, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Opens the cluster for one lvsctl run (nothing connects until the first command). */
export function openCliCluster(o: CliClusterOptions): CliCluster {
  const stores = openNodeStores(o.storeDir !== undefined ? { dir: o.storeDir } : {});
  const sessions = new ClusterSessions({
    hostKeys: stores.hostKeys,
    secrets: envSecrets(o.env),
    trustNew: o.trustNew ?? false,
    ...(o.knownHostsFile !== undefined ? { knownHostsFiles: [o.knownHostsFile] } : {}),
    ...(o.audit ? { audit: o.audit } : {}),
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    ...(o.heldShells === false ? { heldShells: false } : {}),
  });
  let profile = o.cluster;
  const file = o.profileFile;
  const service = new ClusterService({
    profile: () => profile,
    context: (c) => sessions.context(c),
    ...(file !== undefined
      ? {
          save: (c: Cluster) => {
            writeProfileFile(file, c);
            profile = c;
          },
        }
      : {}),
  });
  return { service, trust: sessions.trust(o.cluster), close: () => sessions.closeAll() };
}

/**
 * The SSH wiring lvsctl uses: one SessionPool for the run, host keys checked against the CLI trust store (FileTrustStore)
 * layered under known_hosts (~/.ssh/known_hosts or --known-hosts FILE) and the profile's own knownHosts lines, secrets
 * from the environment (LVSCTL_SECRET_<REF>, never a command line), and an ExecutorSource for ClusterContext.
 */
import type { Cluster } from '../../shared/model/cluster.ts';
import { FileTrustStore } from '../ssh/file-trust-store.ts';
import { LayeredTrust, userKnownHostsPath } from '../ssh/layered-trust.ts';
import { SessionPool } from '../ssh/session-pool.ts';
import type { AuditSink, SecretSource, SessionEvent } from '../ssh/types.ts';
import type { ExecutorSource } from './cluster-context.ts';

/** Options of openCliSessions. */
export interface CliSessionOptions {
  cluster: Cluster;
  /** --trust-new-host-key: accept (and store) unknown host keys. Never accepts a changed key. */
  trustNew?: boolean;
  /** --known-hosts FILE: read this file instead of ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  /** The CLI trust store file (default: FileTrustStore's default path). */
  trustStorePath?: string;
  env?: NodeJS.ProcessEnv;
  audit?: AuditSink;
  onEvent?: (e: SessionEvent) => void;
}

/** The environment variable a secret reference is read from: LVSCTL_SECRET_ + the ref upper-cased, other chars → '_'. */
export function secretEnvName(ref: string): string {
  return `LVSCTL_SECRET_${ref.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** A SecretSource over environment variables (see secretEnvName). */
export function envSecrets(env: NodeJS.ProcessEnv = process.env): SecretSource {
  return { get: async (ref) => env[secretEnvName(ref)] };
}

/** What a CLI run holds: the pool (close it at the end), the trust (the prompt trusts through it) and the source. */
export interface CliSessions {
  pool: SessionPool;
  trust: LayeredTrust;
  source: ExecutorSource;
  close(): Promise<void>;
}

/** Opens the sessions for one lvsctl run (nothing connects until the first exec). */
export function openCliSessions(o: CliSessionOptions): CliSessions {
  const trust = new LayeredTrust({
    store: new FileTrustStore(o.trustStorePath),
    knownHostsFiles: o.knownHostsFile !== undefined ? [o.knownHostsFile] : [userKnownHostsPath()],
    ...(o.cluster.knownHosts?.length ? { extraLines: { source: `profile ${o.cluster.id} knownHosts`, lines: o.cluster.knownHosts } } : {}),
  });
  const pool = new SessionPool({
    trust,
    secrets: envSecrets(o.env),
    trustNew: o.trustNew ?? false,
    ...(o.audit ? { audit: o.audit } : {}),
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
  });
  return { pool, trust, source: { executor: (t) => pool.session(t) }, close: () => pool.closeAll() };
}

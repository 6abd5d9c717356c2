/**
 * The app's SSH wiring: one SessionPool per cluster profile (its knownHosts lines are part of the trust), host keys
 * trusted in the app's store (layered over ~/.ssh/known_hosts), secrets from the secret store, every command audited.
 * A pool is rebuilt when its profile changes and closed when the profile is deleted.
 */
import type { Cluster } from '../../shared/model/cluster.ts';
import { ClusterContext } from '../services/cluster-context.ts';
import { LayeredTrust, userKnownHostsPath } from '../ssh/layered-trust.ts';
import { SessionPool } from '../ssh/session-pool.ts';
import type { AuditSink, HostKeyTrust, SecretSource, SessionEvent } from '../ssh/types.ts';

/** What the pools need from the app. */
export interface ClusterSessionDeps {
  hostKeys: HostKeyTrust;
  secrets: SecretSource;
  audit: AuditSink;
  onEvent?: (e: SessionEvent) => void;
  /** Windows agent choice from settings. */
  windowsAgent?: 'pageant' | 'openssh';
}

/** Pools and contexts by cluster id. */
export class ClusterSessions {
  private readonly entries = new Map<string, { json: string; pool: SessionPool; ctx: ClusterContext }>();

  constructor(private readonly deps: ClusterSessionDeps) {}

  /** The context for this profile (reused while the profile is unchanged). */
  context(cluster: Cluster): ClusterContext {
    const json = JSON.stringify(cluster);
    const e = this.entries.get(cluster.id);
    if (e && e.json === json) return e.ctx;
    if (e) void e.pool.closeAll();
    const trust = new LayeredTrust({
      store: this.deps.hostKeys,
      knownHostsFiles: [userKnownHostsPath()],
      ...(cluster.knownHosts?.length ? { extraLines: { source: `profile ${cluster.id} knownHosts`, lines: cluster.knownHosts } } : {}),
    });
    const pool = new SessionPool({
      trust,
      secrets: this.deps.secrets,
      audit: this.deps.audit,
      ...(this.deps.windowsAgent ? { agent: { windowsAgent: this.deps.windowsAgent } } : {}),
      ...(this.deps.onEvent ? { onEvent: this.deps.onEvent } : {}),
    });
    const ctx = new ClusterContext(cluster, { executor: (t) => pool.session(t) });
    this.entries.set(cluster.id, { json, pool, ctx });
    return ctx;
  }

  /** Closes the sessions of one cluster (profile deleted). */
  async drop(id: string): Promise<void> {
    const e = this.entries.get(id);
    this.entries.delete(id);
    await e?.pool.closeAll();
  }

  /** Closes every session. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.drop(id)));
  }
}

/**
 * THE SSH wiring of a cluster, for the app, the web host and lvsctl alike: one SessionPool per cluster whose host keys
 * are checked against the ONE writable host-key store (electron/store/host-key-store.ts: the app's electron-store
 * document, or the same document as a JSON file for lvsctl and the web host) layered under the read-only known_hosts
 * sources (~/.ssh/known_hosts or a given file, and the profile's own `knownHosts` lines). Contexts are rebuilt when the
 * profile changes; the pool (its held sessions) only when what reaches the hosts changes (SSH targets, known hosts).
 */
import type { Cluster } from '../../shared/model/cluster.ts';
import { LayeredTrust, userKnownHostsPath } from '../ssh/layered-trust.ts';
import { SessionPool } from '../ssh/session-pool.ts';
import type { AuditSink, HostKeyTrust, SecretSource, SessionEvent, WindowsAgent } from '../ssh/types.ts';
import { ClusterContext } from './cluster-context.ts';

/** What the pools need. */
export interface ClusterSessionDeps {
  /** The one writable host-key store (new trust goes here). */
  hostKeys: HostKeyTrust;
  secrets: SecretSource;
  audit?: AuditSink;
  onEvent?: (e: SessionEvent) => void;
  /** Windows agent choice from settings. */
  windowsAgent?: WindowsAgent;
  /** Accept (and store) unknown host keys (lvsctl --trust-new-host-key). Never a changed one. */
  trustNew?: boolean;
  /** known_hosts files read; default ~/.ssh/known_hosts (lvsctl --known-hosts FILE replaces it). */
  knownHostsFiles?: string[];
  /** false: no held shell on any session (SessionPoolOptions.heldShells). */
  heldShells?: boolean;
}

/** The trust a cluster's sessions use: the profile's knownHosts and the known_hosts files over the store. */
export function clusterTrust(cluster: Cluster, deps: Pick<ClusterSessionDeps, 'hostKeys' | 'knownHostsFiles'>): LayeredTrust {
  return new LayeredTrust({
    store: deps.hostKeys,
    knownHostsFiles: deps.knownHostsFiles ?? [userKnownHostsPath()],
    ...(cluster.knownHosts?.length ? { extraLines: { source: `profile ${cluster.id} knownHosts`, lines: cluster.knownHosts } } : {}),
  });
}

/** What of a profile decides how its hosts are reached (a change rebuilds the pool). */
function reachKey(c: Cluster): string {
  return JSON.stringify([c.director, c.realservers.map((r) => [r.host, r.ssh ?? null]), c.knownHosts ?? [], c.pair?.director ?? null]);
}

/** Pools and contexts by cluster id. */
export class ClusterSessions {
  private readonly entries = new Map<string, { reach: string; json: string; pool: SessionPool; trust: LayeredTrust; ctx: ClusterContext }>();

  constructor(private readonly deps: ClusterSessionDeps) {}

  /** The context for this profile (reused while the profile is unchanged; the sessions while its hosts are). */
  context(cluster: Cluster): ClusterContext {
    return this.entry(cluster).ctx;
  }

  /** The host-key trust of this profile's sessions (lvsctl's prompt trusts through it). */
  trust(cluster: Cluster): LayeredTrust {
    return this.entry(cluster).trust;
  }

  private entry(cluster: Cluster) {
    const json = JSON.stringify(cluster);
    const reach = reachKey(cluster);
    const e = this.entries.get(cluster.id);
    if (e && e.json === json) return e;
    if (e && e.reach === reach) {
      const next = { ...e, json, ctx: new ClusterContext(cluster, { executor: (t) => e.pool.session(t) }) };
      this.entries.set(cluster.id, next);
      return next;
    }
    if (e) void e.pool.closeAll();
    const trust = clusterTrust(cluster, this.deps);
    const pool = new SessionPool({
      trust,
      secrets: this.deps.secrets,
      ...(this.deps.audit ? { audit: this.deps.audit } : {}),
      ...(this.deps.trustNew ? { trustNew: true } : {}),
      ...(this.deps.windowsAgent ? { agent: { windowsAgent: this.deps.windowsAgent } } : {}),
      ...(this.deps.onEvent ? { onEvent: this.deps.onEvent } : {}),
      ...(this.deps.heldShells === false ? { heldShells: false } : {}),
    });
    const entry = { reach, json, pool, trust, ctx: new ClusterContext(cluster, { executor: (t) => pool.session(t) }) };
    this.entries.set(cluster.id, entry);
    return entry;
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

/**
 * ClusterContext: one cluster profile + the SSH layer → an Executor for the director and for each realserver (a
 * realserver's ssh settings merged over the director's, `viaDirector` = reached through the director: the SSH layer's
 * resolve-target.ts), and name resolution done once on the director. Every service takes one of these, so tests can hand in fake Executors.
 */
import type { Cluster, Realserver } from '../../shared/model/cluster.ts';
import { AppError } from '../../shared/result.ts';
import type { Resolve } from '../lvs/plan/desired-table.ts';
import { resolveDirectorTarget, resolveRealserverTarget, type ResolvedTarget } from '../ssh/resolve-target.ts';
import type { Executor } from '../ssh/types.ts';
import { resolveOnDirector } from './director-resolve.ts';

/** What services need from the SSH layer: an Executor per host (SessionPool.session fits: one session per host, reused). */
export interface ExecutorSource {
  executor(target: ResolvedTarget): Executor;
}

/** A realserver's display name: its `name`, else its host (the label its errors carry). */
export function realserverName(rs: Realserver): string {
  return rs.name ?? rs.host;
}

/**
 * A director pair's profile as seen from its second director: `director` and `pair.director` swapped (so every
 * director-side service works on the second one unchanged; swapping again gives the profile back).
 */
export function swapDirectors(cluster: Cluster): Cluster {
  if (!cluster.pair) throw new AppError('INVALID_INPUT', `profile ${cluster.id} has no second director (pair)`);
  return { ...cluster, director: cluster.pair.director, pair: { ...cluster.pair, director: cluster.director } };
}

/** A cluster with its executors and (lazily, once) its name resolution. */
export class ClusterContext {
  /** The director's executor. */
  readonly director: Executor;
  private resolving?: Promise<Resolve>;
  private readonly rsExec = new Map<Realserver, Executor>();
  private peer?: ClusterContext;
  private pairExec?: Executor;

  constructor(
    readonly cluster: Cluster,
    private readonly source: ExecutorSource,
  ) {
    this.director = source.executor(resolveDirectorTarget(cluster.director));
  }

  /** A pair: the context of the other director (swapDirectors), on the same sessions. */
  secondary(): ClusterContext {
    this.peer ??= new ClusterContext(swapDirectors(this.cluster), this.source);
    return this.peer;
  }

  /** The realserver's executor (created on first use, then reused). */
  realserverExecutor(rs: Realserver): Executor {
    let e = this.rsExec.get(rs);
    if (!e) {
      e = this.source.executor(resolveRealserverTarget(this.cluster.director, rs));
      this.rsExec.set(rs, e);
    }
    return e;
  }

  /** The second director's executor when the profile has a director pair (created on first use). */
  pairDirectorExecutor(): Executor | undefined {
    const pair = this.cluster.pair;
    if (!pair) return undefined;
    this.pairExec ??= this.source.executor(resolveDirectorTarget(pair.director));
    return this.pairExec;
  }

  /**
   * The realserver's executor through the director (as with `ssh.viaDirector`), whatever the profile says: the path a
   * route fix verifies over when the direct one was cut.
   */
  realserverExecutorViaDirector(rs: Realserver): Executor {
    if (rs.ssh?.viaDirector) return this.realserverExecutor(rs);
    return this.source.executor(resolveRealserverTarget(this.cluster.director, { ...rs, ssh: { ...rs.ssh, viaDirector: true } }));
  }

  /**
   * The realservers a command names: `all` → every one in the profile; otherwise the one whose name or host equals
   * `which` (case-insensitive). Throws INVALID_INPUT listing the known names.
   */
  selectRealservers(which: string | 'all'): Realserver[] {
    const all = this.cluster.realservers;
    if (which === 'all') return all;
    const w = which.toLowerCase();
    const found = all.filter((r) => realserverName(r).toLowerCase() === w || r.host.toLowerCase() === w);
    if (found.length === 0) throw new AppError('INVALID_INPUT', `no realserver '${which}' in profile ${this.cluster.id} (known: ${all.map(realserverName).join(', ') || 'none'})`);
    return found;
  }

  /**
   * Resolves the VIP, the director's host and the realserver hosts: addresses pass through, names are looked up on the
   * director in one exec the first time (only when some host is a name).
   */
  resolver(): Promise<Resolve> {
    if (!this.resolving) {
      const hosts = [this.cluster.vip, this.cluster.director.host, ...this.cluster.realservers.map((r) => r.host)];
      this.resolving = resolveOnDirector(this.director, hosts);
      this.resolving.catch(() => {
        this.resolving = undefined; // a failed lookup is retried next time
      });
    }
    return this.resolving;
  }
}

/** The shape every remote verb module (director verbs, realserver, conf, install-director) implements. */
import type { Cluster } from '../../../shared/model/cluster.ts';
import type { ClusterContext } from '../../services/cluster-context.ts';
import type { ClusterService } from '../../services/cluster-service.ts';
import type { CliIo } from '../io.ts';

/** What every remote verb gets: the profile, the output mode, the cluster's service and its executors. */
export interface RemoteRun {
  cluster: Cluster;
  profileFile: string;
  json: boolean;
  /** The cluster's one ClusterService (every change goes through it). */
  service: ClusterService;
  ctx: ClusterContext;
}

/** A remote verb: its own arguments (after the verb) → exit code. Throws AppError for failures (printed by the caller). */
export type RemoteVerb = (run: RemoteRun, args: string[], io: CliIo) => Promise<number>;

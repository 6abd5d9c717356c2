/** The shape every remote verb module (director verbs, realserver, conf, install-director) implements. */
import type { Cluster } from '../../../shared/model/cluster.ts';
import type { ClusterContext } from '../../services/cluster-context.ts';
import type { CliIo } from '../io.ts';

/** What every remote verb gets: the profile, the output mode and the cluster's executors. */
export interface RemoteRun {
  cluster: Cluster;
  profileFile: string;
  json: boolean;
  ctx: ClusterContext;
}

/** A remote verb: its own arguments (after the verb) → exit code. Throws AppError for failures (printed by the caller). */
export type RemoteVerb = (run: RemoteRun, args: string[], io: CliIo) => Promise<number>;

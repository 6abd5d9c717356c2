/**
 * What the bench:lab modules share: the lab brought up (idempotent), a held SSH session pool on a cluster profile, and
 * a fresh OpenSSH command line to the director (no connection sharing) to compare with.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Cluster } from '../../../../shared/model/cluster.ts';
import { openCliCluster } from '../../../../electron/cli/cli-cluster.ts';
import type { ClusterContext } from '../../../../electron/services/cluster-context.ts';
import type { ClusterService } from '../../../../electron/services/cluster-service.ts';
import { loadProfile } from '../../../../electron/services/profile-file.ts';
import { labUnavailable, labUp, REPO, type Lab } from '../../../lab/support/remote-lab.ts';

const run = promisify(execFile);

/** The lab, or undefined (after printing why) when it cannot run here. */
export function benchLab(): Lab | undefined {
  const why = labUnavailable();
  if (why) {
    console.log(`skipped: ${why}`);
    return undefined;
  }
  return labUp();
}

/**
 * The cluster's service (and its context) over a held session pool for a profile file, as lvsctl opens it. Close
 * `sessions` when done. `heldShells: false`: every command on a channel of its own (to compare with the held shells).
 */
export async function heldContext(lab: Lab, profileFile: string, opts: { heldShells?: boolean } = {}): Promise<{ cluster: Cluster; ctx: ClusterContext; svc: ClusterService; sessions: { close(): Promise<void> } }> {
  const cluster = await loadProfile(profileFile);
  const cc = openCliCluster({ cluster, knownHostsFile: lab.emptyKnownHosts, ...(opts.heldShells === false ? { heldShells: false } : {}) });
  return { cluster, ctx: cc.service.context(), svc: cc.service, sessions: cc };
}

/** Runs a command on the director with a FRESH OpenSSH connection (no ControlMaster): handshake + auth + exec. */
export async function freshSsh(lab: Lab, command: string): Promise<string> {
  const args = [
    '-F', '/dev/null',
    '-i', join(REPO, '.lab', 'id_ed25519'),
    '-o', 'IdentitiesOnly=yes',
    '-o', 'BatchMode=yes',
    '-o', `UserKnownHostsFile=${join(REPO, '.lab', 'known_hosts')}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'ControlMaster=no',
    '-o', 'ControlPath=none',
    `root@${lab.cluster.director.host}`,
    command,
  ];
  return (await run('ssh', args, { timeout: 60_000 })).stdout;
}

/** "12.3×" */
export const ratio = (a: number, b: number): string => `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×`;

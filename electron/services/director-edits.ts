/**
 * Edits of a running cluster from the console: reconcile (minimal diff of the live table against the profile), and
 * per-realserver set weight / drain / disable / enable. Each edit changes the PROFILE first (the caller saves it), then
 * reconciles: observe → diffTables → one transaction (applyPlan) → verify. A drain is a graceful removal: weight 0 now,
 * and the destination is deleted once its connections are gone (drainFollowUp, run by the sampler on every tick).
 */
import type { Cluster, Realserver } from '../../shared/model/cluster.ts';
import { AppError } from '../../shared/result.ts';
import { desiredTable } from '../lvs/plan/desired-table.ts';
import { planDrainFollowUp } from '../lvs/plan/graceful-drain.ts';
import type { Plan } from '../../shared/model/plan.ts';
import { applyStepsToTable, diffTables } from '../lvs/plan/table-diff.ts';
import type { ClusterContext } from './cluster-context.ts';
import { realserverName } from './cluster-context.ts';
import { applyPlan, type ApplyOptions, type ApplyReport } from './director-apply.ts';
import { observeDirector, observedSysctlKeys, type DirectorState } from './director-observe.ts';

/** What a reconcile did (or would do, for a dry run). */
export interface ReconcileOutcome {
  plan: Plan;
  before: DirectorState;
  report?: ApplyReport;
}

/** How a per-realserver edit changes the profile. */
export type RealserverEdit = { kind: 'weight'; weight: number } | { kind: 'drain' } | { kind: 'disable' } | { kind: 'enable' };

/**
 * The profile after an edit of realserver `which` (name or host). drain = disabled, removed gracefully (see
 * reconcile's `graceful`); disable = disabled, removed now; enable = enabled (weight 0 is lifted to 1 so it takes traffic).
 */
export function editProfile(cluster: Cluster, which: string, edit: RealserverEdit): { cluster: Cluster; rs: Realserver } {
  const w = which.toLowerCase();
  const idx = cluster.realservers.findIndex((r) => realserverName(r).toLowerCase() === w || r.host.toLowerCase() === w);
  if (idx < 0) throw new AppError('INVALID_INPUT', `realserver: no '${which}' in profile ${cluster.id}`);
  const old = cluster.realservers[idx]!;
  const rs: Realserver =
    edit.kind === 'weight'
      ? { ...old, weight: edit.weight }
      : edit.kind === 'enable'
        ? { ...old, enabled: true, weight: old.weight === 0 ? 1 : old.weight }
        : { ...old, enabled: false };
  const realservers = cluster.realservers.slice();
  realservers[idx] = rs;
  return { cluster: { ...cluster, realservers }, rs };
}

/**
 * reconcile: the live table made equal to the profile with the fewest commands (zero when in sync). With `graceful`,
 * realservers leaving the table get weight 0 first and are deleted later by drainFollowUp.
 */
export async function reconcile(ctx: ClusterContext, opts: { dryRun?: boolean; graceful?: boolean; apply?: Omit<ApplyOptions, 'sysctlKeys'> } = {}): Promise<ReconcileOutcome> {
  const resolve = await ctx.resolver();
  const keys = observedSysctlKeys(ctx.cluster, resolve(ctx.cluster.vip));
  const before = await observeDirector(ctx.director, 'table', keys);
  const want = desiredTable(ctx.cluster, resolve);
  // A graceful drain's `-e … -w 0` is final for this transaction; its follow-up (the delete once drained) is
  // drainFollowUp's job on a later tick, so the marker is dropped here.
  const steps = diffTables(want, before.table, { graceful: opts.graceful ?? false }).map(({ followUp: _f, ...s }) => s);
  // What the table must look like after these steps (with graceful drains it still holds the weight-0 destinations).
  const plan: Plan = { verb: 'diff', steps, desired: applyStepsToTable(before.table, steps), summary: steps.map((s) => s.why) };
  if (opts.dryRun || steps.length === 0) return { plan, before };
  const report = await applyPlan(ctx.director, plan, before, { ...opts.apply, sysctlKeys: keys });
  return { plan, before, report };
}

/**
 * The second half of a drain: deletes destinations that are at weight 0, not wanted by the profile, and have no
 * connections left (ActiveConn + InActConn = 0, from `ipvsadm -L -n`). Returns the deleted ones; [] when none is ready.
 */
export async function drainFollowUp(ctx: ClusterContext, state?: DirectorState): Promise<string[]> {
  const resolve = await ctx.resolver();
  const keys = observedSysctlKeys(ctx.cluster, resolve(ctx.cluster.vip));
  const live = state ?? (await observeDirector(ctx.director, 'status', keys));
  // A status observation's table comes from `ipvsadm -L -n`, so it carries ActiveConn / InActConn; without them
  // (a table-mode observation) no destination counts as drained and nothing is deleted.
  const { steps } = planDrainFollowUp(desiredTable(ctx.cluster, resolve), live.table);
  if (steps.length === 0) return [];
  const plan: Plan = { verb: 'drain', steps, desired: applyStepsToTable(live.table, steps) };
  await applyPlan(ctx.director, plan, live, { sysctlKeys: keys });
  return steps.map((s) => s.why);
}

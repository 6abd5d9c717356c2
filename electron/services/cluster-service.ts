/**
 * THE director application service of one cluster: what the app's handlers, the web host and lvsctl all call. Reads
 * (observe, status, probe, preview) run freely; every change (the verbs start/stop/reload/update, reconcile, the
 * per-realserver edits, the drain follow-up, config pushes, install) runs behind the cluster's ONE write lock.
 *
 * A change is previewed first: observe → plan (pure planners in lvs/plan) → the exact commands plus a fingerprint of the
 * plan and of what it was planned from (plan-fingerprint.ts). run(change, { fingerprint }) takes the lock, observes and
 * plans again, and refuses with PLAN_STALE ("changed since you looked: …", with a fresh preview in the error's detail)
 * when the fingerprint differs; otherwise it applies the plan as ONE transaction on the director (director-apply.ts)
 * and, for an edit, saves the edited profile. The profile is re-read for every operation, so an edit saved by another
 * window is seen.
 */
import { effectiveCheck, type Cluster } from '../../shared/model/cluster.ts';
import { portNumber } from '../../shared/model/well-known-ports.ts';
import type { Plan, PlanStep } from '../../shared/model/plan.ts';
import { AppError } from '../../shared/result.ts';
import type { FallRise } from '../health/hysteresis.ts';
import { parseServiceProbe, planServiceProbe, serviceProbeTimeoutMs, withRouteProblems, type RealserverProbe } from '../health/service-probe.ts';
import { directorProbeArgv } from '../health/lean-probe.ts';
import { desiredTable, type Resolve } from '../lvs/plan/desired-table.ts';
import { planReload, planStart, planStop, planUpdate, type UpdateJudge } from '../lvs/plan/director-plan.ts';
import { keepalivedRuntimeFiles, planKeepalived, type KeepalivedAction, type KeepalivedPlan } from '../keepalived/keepalived-plan.ts';
import { lvsConfChange, planScriptInstall, scriptRuntimeFiles } from '../lvs/plan/script-runtime.ts';
import { RUNTIME_PATHS } from '../lvs/plan/runtime-steps.ts';
import { parseIpvsadmSave } from '../lvs/ipvs/ipvsadm-save-parse.ts';
import { shellQuote } from '../shell/shell-quote.ts';
import { readKeepalivedCheckers, testKeepalivedConf } from './keepalived-remote.ts';
import type { CheckerDestination } from '../keepalived/state-parse.ts';
import { runtimeConfigPath, runtimeDrift } from './runtime-drift.ts';
import { planDrainFollowUp } from '../lvs/plan/graceful-drain.ts';
import { splitByOwner } from '../lvs/plan/ownership.ts';
import { editProfile, planEdit } from '../lvs/plan/realserver-edit.ts';
import { applyStepsToTable, diffTables } from '../lvs/plan/table-diff.ts';
import { buildTransaction, type Transaction } from '../lvs/plan/transaction.ts';
import { execChecked } from '../ssh/exec-checked.ts';
import { realserverName, swapDirectors, type ClusterContext } from './cluster-context.ts';
import { pairStatus, planMakeMaster, planUndo, ROLE_FILES, type MakeMasterPlan, type ObservedWithRuntime, type PairStatus, type RoleObservation } from '../keepalived/pair-plan.ts';
import type { PlanStep as Step } from '../../shared/model/plan.ts';
import { RealserverRoutes } from './realserver-routes.ts';
import { pullConf, pushConf } from './conf-remote.ts';
import { applyPlan, type ApplyOptions, type ApplyReport } from './director-apply.ts';
import { observeDirector, observedSysctlKeys, type DirectorState, type ObserveCounters } from './director-observe.ts';
import { describeBasisChanges, fingerprintOf, planBasis, type Change, type PlanBasis } from './plan-fingerprint.ts';
import { statusView, type DestinationHealth, type StatusView } from './status-view.ts';
import { newTxid } from './txid.ts';
import { WriteLock } from './write-lock.ts';

export type { Change, PlanBasis } from './plan-fingerprint.ts';

/**
 * What the health probe saw of one realserver: a verdict per service (parseServiceProbe; `name` is the profile host,
 * `display` its display name), with its route check folded in when routes were checked (withRouteProblems): `routes`
 * says what the check found, or why it could not run (then the director's verdicts stand).
 */
export interface ProbeReport extends RealserverProbe {
  display: string;
  routes?: { ok: boolean; problems: string[] } | { error: string };
}

/** Options of probe. */
export interface ProbeOptions {
  /**
   * Also check each realserver's routes (over SSH, on the realserver, in parallel): wrong routes fail every service. Only
   * realservers that pass some check are asked (one that fails everything is out anyway, and may not even answer SSH).
   */
  routes?: boolean;
}

/** One health round: the results, the hysteresis to judge them with, and where they come from (in words). */
export interface HealthRound {
  results: ProbeReport[];
  policy: FallRise;
  source: string;
  /** A director pair: both directors' roles and the last failovers (read in the same round). */
  pair?: PairStatus;
}

/**
 * keepalived's checker view as probe reports, per enabled realserver and per service keepalived has it in: a
 * destination without checkers is not checked, an alive one passes, a dead one fails (weight 0 in the kernel).
 */
export function fromCheckers(cluster: Cluster, resolve: Resolve, dests: readonly CheckerDestination[]): ProbeReport[] {
  const vip = resolve(cluster.vip).toLowerCase();
  return cluster.realservers
    .filter((r) => r.enabled)
    .map((r) => {
      const address = resolve(r.host);
      const services = dests
        .filter((d) => d.vip.toLowerCase() === vip && d.address.toLowerCase() === address.toLowerCase())
        .map((d): ProbeReport['services'][number] => {
          const svc = cluster[d.protocol === 'udp' ? 'udp' : 'tcp'].find((x) => portNumber(x.port, d.protocol === 'udp' ? 'udp' : 'tcp') === d.vport);
          const check = svc ? effectiveCheck(d.protocol === 'udp' ? 'udp' : 'tcp', svc).kind : 'none';
          if (d.checkers.length === 0) return { protocol: d.protocol, port: d.vport, check, verdict: 'unchecked', detail: 'keepalived: no checker (check: none)' };
          const what = d.checkers.map((c) => `${c.method} ${c.up ? 'up' : 'DOWN'}`).join(', ');
          return d.alive
            ? { protocol: d.protocol, port: d.vport, check, verdict: 'pass', detail: `keepalived: ${what}` }
            : { protocol: d.protocol, port: d.vport, check, verdict: 'fail', detail: `keepalived: ${what} (weight 0 until it passes)` };
        });
      return { name: r.host, address, display: realserverName(r), icmp: true, services };
    });
}

/** update's judge from a probe: pass or unchecked → in, fail → out (why), unknown → as it is. */
export function judgeOf(probe: readonly ProbeReport[]): UpdateJudge {
  const by = new Map(probe.map((p) => [p.name, new Map(p.services.map((s) => [`${s.protocol}/${s.port}`, s]))]));
  return (service, rs) => {
    const s = by.get(rs.host)?.get(service);
    if (!s) return { verdict: 'as-is', why: 'not probed' };
    if (s.verdict === 'fail') return { verdict: 'out', why: s.detail };
    if (s.verdict === 'unknown') return { verdict: 'as-is', why: s.detail };
    return { verdict: 'in' };
  };
}

/** The probe as the plan basis keeps it: "udp/177 10.77.0.12 out" per (service, realserver), sorted. */
export function probeBasis(probe: readonly ProbeReport[]): string[] {
  const word = { pass: 'in', unchecked: 'in', fail: 'out', unknown: 'as-is' } as const;
  return probe.flatMap((p) => p.services.map((s) => `${s.protocol}/${s.port} ${p.name} ${word[s.verdict]}`)).sort();
}

/** A preview: the exact commands a change would run, what they were planned from, and the fingerprint of both. */
export interface Preview {
  change: Change;
  /** The profile the plan is for (for an edit: the profile as the edit leaves it). */
  cluster: Cluster;
  plan: Plan;
  /** The transaction the plan becomes (undefined when the plan has no step). */
  transaction?: Transaction;
  /** The director as observed for this plan. */
  before: DirectorState;
  /** update: what the probe saw. */
  probe?: ProbeReport[];
  /** On the keepalived runtime: the compiled config (its config test's expected warnings) and whether the plan installs it. */
  keepalived?: Pick<KeepalivedPlan, 'conf' | 'installsConf'>;
  /** A director pair: the same change on the second director (its own observation, plan and transaction). */
  peer?: Preview;
  basis: PlanBasis;
  /** sha256 of the basis (canonical JSON): what run() must be given to run exactly this. */
  fingerprint: string;
}

/** What run did: the preview it ran, the apply report (undefined when there was nothing to do), whether the profile was saved. */
export interface RunOutcome extends Preview {
  report?: ApplyReport;
  /** A director pair: the second director's apply report. */
  peerReport?: ApplyReport;
  /** A director pair after a start/install/stop: both directors' roles as read back. */
  pair?: PairStatus;
  /** An edit's profile was saved. */
  saved: boolean;
  /** install-director on the script runtime: the installed script's `rules` compared with the console's plan. */
  installCheck?: { rulesMatchPlan: boolean; rulesDiff: string[] };
}

/** Options of run. */
export interface RunOptions {
  /** The fingerprint of the preview the admin confirmed; a different fresh plan is refused (PLAN_STALE). Omitted: no check. */
  fingerprint?: string;
  /** The basis of that preview when the caller has it (lvsctl's saved plan file), to say what changed. */
  basis?: PlanBasis;
  /** Passed to applyPlan (progress, tests' hooks). */
  apply?: Omit<ApplyOptions, 'sysctlKeys' | 'txid'>;
}

/** The lock and the recent previews of one cluster id: shared by every ClusterService object of that cluster. */
export class ClusterState {
  /** The cluster's write lock. */
  readonly lock = new WriteLock();
  private readonly previews = new Map<string, PlanBasis>();

  /** Keeps a preview's basis (the last 32) so a stale run can say what changed. */
  remember(fingerprint: string, basis: PlanBasis): void {
    this.previews.delete(fingerprint);
    this.previews.set(fingerprint, basis);
    while (this.previews.size > 32) this.previews.delete(this.previews.keys().next().value!);
  }

  /** A remembered basis. */
  recall(fingerprint: string): PlanBasis | undefined {
    return this.previews.get(fingerprint);
  }
}

/** What a ClusterService needs. */
export interface ClusterServiceDeps {
  /** The cluster's profile as saved now (re-read for every operation). */
  profile(): Cluster;
  /** Executors and name resolution for a profile (SessionPool-backed in the app and lvsctl; stand-ins in tests). */
  context(cluster: Cluster): ClusterContext;
  /** Saves an edited profile (the app's store, lvsctl's profile file). Required for edits. */
  save?(cluster: Cluster): void | Promise<void>;
  /** The lock and preview memory shared with other service objects of this cluster; a new one when omitted. */
  state?: ClusterState;
  /**
   * A director pair: which director this service object works on. 'secondary' is the pair's own view of its second
   * director (profile() gives swapDirectors of the profile); the primary object runs every change on both.
   */
  role?: 'primary' | 'secondary';
}

/** How long a pair's change waits for VRRP to settle the VIP on exactly one director. */
const PAIR_SETTLE_MS = 20_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What make-master previews and runs. */
export interface MakeMasterPreview {
  target: string;
  plan: MakeMasterPlan;
  /** The director the yield steps run on (its host), when there is one. */
  on?: string;
  pair: PairStatus;
  fingerprint: string;
}

/** Added to the probe's own bound (serviceProbeTimeoutMs): the SSH round trip and a slow (TCG) director. */
const PROBE_SLACK_MS = 15_000;

/** A short name for a change ("start", "drain rs2 (tcp/23)"), for the lock and messages. */
export function describeChange(c: Change): string {
  if (c.kind === 'verb') return c.verb;
  if (c.kind === 'install') return 'install-director';
  if (c.kind === 'reconcile') return 'reconcile';
  const what = c.edit.kind === 'weight' ? `set the weight of ${c.realserver} to ${c.edit.weight}` : `${c.edit.kind} ${c.realserver}`;
  return `${what}${c.service ? ` (${c.service})` : ''}`;
}

/** The director application service of one cluster. */
export class ClusterService {
  private readonly state: ClusterState;

  constructor(private readonly deps: ClusterServiceDeps) {
    this.state = deps.state ?? new ClusterState();
  }

  /** The profile as saved now. */
  get cluster(): Cluster {
    return this.deps.profile();
  }

  /** The write lock (for changes outside this class that must not interleave with ours, e.g. a route fix). */
  get lock(): WriteLock {
    return this.state.lock;
  }

  /** The context (executors, resolution) of the profile as saved now. */
  context(): ClusterContext {
    return this.deps.context(this.cluster);
  }

  /** The resolver, the VIP address and the sysctl keys observe reads, for a profile. */
  private async basics(cluster: Cluster, ctx: ClusterContext): Promise<{ resolve: Resolve; vip: string; keys: string[] }> {
    const resolve = await ctx.resolver();
    const vip = resolve(cluster.vip);
    return { resolve, vip, keys: observedSysctlKeys(cluster, vip) };
  }

  /** Observes the director (table, VIP, sysctls; 'status' adds the listing with connections and the counters asked for). Read-only. */
  async observe(mode: 'table' | 'status' = 'table', counters: ObserveCounters = {}): Promise<DirectorState> {
    const cluster = this.cluster;
    const ctx = this.deps.context(cluster);
    const { keys } = await this.basics(cluster, ctx);
    return observeDirector(ctx.director, mode, keys, { counters });
  }

  /**
   * One status observation with everything a caller maps from it (the app's drift and samples); with `config`, the
   * runtime config is read in the same exec and compared with the profile and the kernel (view.config). Read-only.
   */
  async snapshot(
    counters: ObserveCounters = {},
    opts: { config?: boolean; pair?: PairStatus } = {},
  ): Promise<{ cluster: Cluster; resolve: Resolve; vip: string; state: DirectorState; view: StatusView }> {
    // a director pair (opts.pair: its status, read by the caller): observe the director serving reads (holder())
    if (opts.pair && this.isPair() && this.holder(opts.pair) === 'secondary') {
      const snap = await this.peer().snapshot(counters, { ...(opts.config ? { config: true } : {}) });
      return { ...snap, cluster: this.cluster, view: { ...snap.view, pair: opts.pair } };
    }
    if (opts.pair) {
      const { pair, ...rest } = opts;
      const snap = await this.snapshot(counters, rest);
      return { ...snap, view: { ...snap.view, pair } };
    }
    const cluster = this.cluster;
    const ctx = this.deps.context(cluster);
    const { resolve, vip, keys } = await this.basics(cluster, ctx);
    const path = runtimeConfigPath(cluster);
    const state = await observeDirector(ctx.director, 'status', keys, { counters, ...(opts.config ? { files: [path] } : {}) });
    const view: StatusView = { ...statusView(cluster, resolve, state, vip), runtime: cluster.runtime };
    if (opts.config) view.config = runtimeDrift(cluster, resolve, state.table, state.runtime!.files.get(path));
    return { cluster, resolve, vip, state, view };
  }

  /**
   * status: the live table with its connections (the seed's `ipvsadm -L`), the VIP and the sysctls, the runtime and
   * its config next to the profile and the kernel; `counters.stats` adds the cumulative counters, `counters.rate` the
   * kernel's rate estimates; `opts.health` the health of every destination (health(): the probe, or keepalived's
   * checkers; the realservers' routes are `realserver route-check`'s). Read-only.
   */
  async status(counters: ObserveCounters = {}, opts: { health?: boolean } = {}): Promise<StatusView> {
    if (!this.isPair()) return this.statusOne(counters, opts);
    // A pair: both directors' roles; the table, VIP and health from the one holding the VIP (the first director when
    // neither does, the second when the first cannot be reached).
    const pair = await this.pairStatus();
    const view = await (this.holder(pair) === 'secondary' ? this.peer().statusOne(counters, opts) : this.statusOne(counters, opts));
    return { ...view, pair };
  }

  /** status of this object's director alone. */
  async statusOne(counters: ObserveCounters = {}, opts: { health?: boolean } = {}): Promise<StatusView> {
    const [snap, h] = await Promise.all([this.snapshot(counters, { config: true }), opts.health ? this.health() : undefined]);
    if (!h) return snap.view;
    const destinations: DestinationHealth[] = h.results.flatMap((r) =>
      r.services.map((sv) => ({ service: `${sv.protocol}/${sv.port}`, realserver: r.display, address: r.address, verdict: sv.verdict, detail: sv.detail })),
    );
    return { ...snap.view, health: { source: h.source, destinations } };
  }

  /**
   * Probes the enabled realservers from the director in one exec, per (service, realserver): TCP connect, XDMCP Query →
   * Willing, the profile's UDP payload/reply (service-probe.ts), all in parallel; with `routes`, also each realserver's
   * routes (on the realserver). Read-only.
   */
  async probe(cluster: Cluster = this.cluster, opts: ProbeOptions = {}): Promise<ProbeReport[]> {
    const ctx = this.deps.context(cluster);
    const resolve = await ctx.resolver();
    const plan = planServiceProbe(cluster, resolve);
    if (plan.hosts.length === 0) return [];
    const exec = ctx.director;
    const step = 'probe realservers';
    // the perl probe (one process) when the director has perl, else the lean probe (a few processes per realserver)
    // when it has bash, else the health probe itself
    const r = await execChecked(exec, directorProbeArgv(plan), [0], step, { shared: true, timeoutMs: serviceProbeTimeoutMs({ timeoutSec: plan.timeoutSec, checks: plan.hosts.length * plan.services.length }) + PROBE_SLACK_MS });
    let results: RealserverProbe[];
    try {
      results = parseServiceProbe(r.stdout, plan);
    } catch (e) {
      throw new AppError('PARSE_ERROR', `${exec.label}: ${step}: ${e instanceof Error ? e.message : String(e)}`, { host: exec.label, step, cause: e });
    }
    const byHost = new Map(cluster.realservers.map((rs) => [rs.host, rs]));
    const reports: ProbeReport[] = results.map((p) => ({ ...p, display: realserverName(byHost.get(p.name)!) }));
    return opts.routes ? this.withRoutes(cluster, reports) : reports;
  }

  /** Each report with its realserver's route check folded in (only those that pass some check are asked). */
  private withRoutes(cluster: Cluster, reports: ProbeReport[]): Promise<ProbeReport[]> {
    const ctx = this.deps.context(cluster);
    const byHost = new Map(cluster.realservers.map((rs) => [rs.host, rs]));
    const routes = new RealserverRoutes(ctx);
    return Promise.all(
      reports.map(async (p): Promise<ProbeReport> => {
        if (!p.services.some((s) => s.verdict === 'pass')) return p;
        try {
          const rc = await routes.check(byHost.get(p.name)!);
          return { ...withRouteProblems(p, rc.problems), display: p.display, routes: { ok: rc.ok, problems: rc.problems } };
        } catch (e) {
          return { ...p, routes: { error: e instanceof Error ? e.message : String(e) } };
        }
      }),
    );
  }

  /**
   * One health round for the console's live view: on the script runtime the director's probe per (service,
   * realserver) (probe), judged with the profile's fall/rise by the caller. Read-only.
   */
  async health(opts: ProbeOptions = {}): Promise<HealthRound> {
    if (this.isPair()) {
      // A pair: the roles first; keepalived's checkers are read on the director holding the VIP (the first when neither
      // does, the second when the first cannot be reached)
      const pair = await this.pairStatus();
      const round = await (this.holder(pair) === 'secondary' ? this.peer().health(opts) : this.healthOne(opts));
      return { ...round, pair };
    }
    return this.healthOne(opts);
  }

  /** Which director of a pair status serves reads: the VIP holder, the first when neither holds it, the second when the first is unreachable. */
  private holder(pair: PairStatus): 'primary' | 'secondary' {
    const [p, s2] = [pair.directors.find((d) => d.which === 'primary')!, pair.directors.find((d) => d.which === 'secondary')!];
    return p.role === 'UNREACHABLE' || (s2.vip && !p.vip) ? 'secondary' : 'primary';
  }

  /** health on this object's director alone. */
  async healthOne(opts: ProbeOptions = {}): Promise<HealthRound> {
    const cluster = this.cluster;
    const h = cluster.health;
    if (cluster.runtime === 'keepalived') {
      // keepalived's own checkers are the truth on this runtime (they set the weights): read their view back. They
      // applied the retries already, so each result counts at once.
      const ctx = this.deps.context(cluster);
      const resolve = await ctx.resolver();
      const results = fromCheckers(cluster, resolve, await readKeepalivedCheckers(ctx.director));
      return {
        results: opts.routes ? await this.withRoutes(cluster, results) : results,
        policy: { fall: 1, rise: 1 },
        source: `keepalived's checkers on the director (every ${h.intervalSec} s; out after ${h.fall} failure(s), a failing realserver keeps its sessions at weight 0)`,
      };
    }
    const results = await this.probe(cluster, opts);
    return {
      results,
      policy: { fall: h.fall, rise: h.rise },
      source: `the director probes every service of every realserver every ${h.intervalSec} s (out after ${h.fall} failure(s) in a row, back after ${h.rise} pass(es))`,
    };
  }

  /** Whether this object runs changes on a director pair (the primary's view of a profile with a pair). */
  private isPair(cluster: Cluster = this.cluster): boolean {
    return cluster.pair !== undefined && (this.deps.role ?? 'primary') === 'primary';
  }

  /** The service object of the pair's second director (same sessions; no lock of its own is used). */
  private peer(): ClusterService {
    return new ClusterService({
      profile: () => swapDirectors(this.cluster),
      context: (c) => this.deps.context(swapDirectors(c)).secondary(),
      role: 'secondary',
    });
  }

  /**
   * Observes and plans `change` without running anything (and without the lock): the preview the admin confirms. A
   * director pair: both directors are observed and planned (either unreachable = no preview, nothing changed), and
   * one fingerprint covers both.
   */
  async preview(change: Change): Promise<Preview> {
    if (!this.isPair()) return this.previewOne(change);
    const [own, raw] = await Promise.all([this.previewOne(change), this.peer().previewOne(change)]);
    // the second director's steps say where they run (plan-render prints "[on …]" for a host other than the director)
    const host = `second director ${raw.cluster.director.host}`;
    const peer: Preview = { ...raw, plan: { ...raw.plan, steps: raw.plan.steps.map((st) => ({ ...st, host })) } };
    const basis: PlanBasis = { ...own.basis, peer: peer.basis };
    const fingerprint = fingerprintOf(basis);
    this.state.remember(fingerprint, basis);
    return { ...own, peer, basis, fingerprint };
  }

  /** preview on this object's director alone. */
  async previewOne(change: Change): Promise<Preview> {
    const saved = this.cluster;
    const ctx = this.deps.context(saved);
    let cluster = saved;
    let services: string[] = [];
    if (change.kind === 'edit') ({ cluster, services } = editProfile(saved, { realserver: change.realserver, ...(change.service ? { service: change.service } : {}) }, change.edit));
    const { resolve, vip, keys } = await this.basics(cluster, ctx);
    const ka = cluster.runtime === 'keepalived';
    const which = this.deps.role ?? 'primary';
    // The runtime's files come with the table: every change writes them in the same transaction.
    const before = await observeDirector(ctx.director, 'table', keys, { files: ka ? keepalivedRuntimeFiles() : scriptRuntimeFiles() });
    const rt = before.runtime!;
    let plan: Plan;
    let probe: ProbeReport[] | undefined;
    let kp: KeepalivedPlan | undefined;
    const onKeepalived = (action: KeepalivedAction, base?: Plan): Plan => {
      kp = planKeepalived({
        action,
        verb: base?.verb ?? (change.kind === 'verb' ? change.verb : change.kind === 'install' ? 'install' : 'diff'),
        cluster,
        resolve,
        observed: before,
        runtime: rt,
        ...(base?.desired ? { after: base.desired } : {}),
        ...(base ? { tableSteps: base.steps, notes: base.summary ?? [] } : {}),
        ...(cluster.pair ? { which } : {}),
      });
      return kp.plan;
    };
    switch (change.kind) {
      case 'verb':
        if (ka && change.verb !== 'update') plan = onKeepalived(change.verb);
        else if (ka) plan = onKeepalived('update');
        else if (change.verb === 'start') plan = planStart(cluster, before, resolve);
        else if (change.verb === 'stop') plan = planStop(cluster, before, resolve);
        else if (change.verb === 'reload') plan = planReload(cluster, resolve, before);
        else {
          probe = await this.probe(cluster, { routes: true });
          plan = planUpdate(cluster, before, judgeOf(probe), resolve);
        }
        break;
      case 'reconcile': {
        // Only this profile's services (other VIPs' are someone else's). Graceful: a realserver leaving the table gets
        // weight 0 now; the drain follow-up deletes it once its connections are gone (the marker is the follow-up's
        // business, not this transaction's).
        const { own, foreign } = splitByOwner(before.table, vip);
        const steps = diffTables(desiredTable(cluster, resolve), own, { graceful: true }).map(({ followUp: _f, ...s }) => s);
        const summary = steps.map((s) => s.why);
        if (foreign.services.length) summary.push(`${foreign.services.length} service(s) of other VIPs on the director: not this profile's, left alone`);
        plan = { verb: 'diff', steps, desired: applyStepsToTable(before.table, steps), summary };
        if (ka) plan = onKeepalived('apply', plan);
        break;
      }
      case 'edit':
        plan = planEdit(cluster, resolve, before.table, { realserver: change.realserver, ...(change.service ? { service: change.service } : {}) }, services, change.edit.kind);
        if (ka) plan = onKeepalived('apply', plan);
        break;
      case 'install':
        plan = ka ? onKeepalived('install') : planScriptInstall(cluster, resolve, before, rt);
        break;
    }
    if (!ka && change.kind !== 'install') {
      const edit = change.kind === 'edit' ? { edited: cluster, realserver: change.realserver, services, kind: change.edit.kind } : undefined;
      plan = withLvsConf(plan, lvsConfChange(cluster, resolve, rt.files.get(RUNTIME_PATHS.lvsConf), edit));
    }
    const kpDone = kp as KeepalivedPlan | undefined;
    const transaction = plan.steps.length ? buildTransaction(plan, newTxid()) : undefined;
    const basis = planBasis(change, cluster, vip, before, plan, probe ? probeBasis(probe) : undefined);
    const fingerprint = fingerprintOf(basis);
    this.state.remember(fingerprint, basis);
    return {
      change,
      cluster,
      plan,
      ...(transaction ? { transaction } : {}),
      before,
      ...(probe ? { probe } : {}),
      ...(kpDone ? { keepalived: { conf: kpDone.conf, installsConf: kpDone.installsConf } } : {}),
      basis,
      fingerprint,
    };
  }

  /**
   * Runs `change` under the write lock: observes and plans again; with `opts.fingerprint`, refuses (PLAN_STALE, naming
   * what changed, a fresh preview in `detail.preview`) unless the fresh plan has exactly that fingerprint; then applies
   * it as one transaction and verifies it, and saves an edit's profile. Nothing to do = nothing run (an edit still saves).
   */
  run(change: Change, opts: RunOptions = {}): Promise<RunOutcome> {
    return this.state.lock.run(describeChange(change), () => this.runHeld(change, opts));
  }

  /** `run` for a caller that already holds the cluster's write lock (the doctor's fixes). */
  async runHeld(change: Change, opts: RunOptions = {}): Promise<RunOutcome> {
    const fresh = await this.preview(change);
    if (opts.fingerprint !== undefined && fresh.fingerprint !== opts.fingerprint) {
      const old = opts.basis ?? this.state.recall(opts.fingerprint);
      const what = old ? describeBasisChanges(old, fresh.basis) : ['that preview is not known here (made before the console restarted?)'];
      const label = fresh.before.label;
      throw new AppError('PLAN_STALE', `${label}: changed since you looked: ${what.join('; ')}. Nothing ran; review the fresh preview.`, {
        host: label,
        step: 'check the preview',
        detail: { changes: what, preview: fresh },
      });
    }
    if (fresh.peer) return this.runPair(change, fresh, opts);
    const ctx = this.deps.context(this.cluster);
    const keys = observedSysctlKeys(fresh.cluster, fresh.basis.vip.address);
    // A new keepalived.conf is config-tested ON THE DIRECTOR (its keepalived, its kernel) before anything changes.
    if (fresh.transaction && fresh.keepalived?.installsConf) {
      opts.apply?.onProgress?.({ phase: 'upload', message: 'keepalived -t: testing the new keepalived.conf on the director', txid: fresh.transaction.txid });
      await testKeepalivedConf(ctx.director, fresh.keepalived.conf, fresh.transaction.txid);
    }
    const report = fresh.transaction
      ? await applyPlan(ctx.director, fresh.plan, fresh.before, { ...opts.apply, txid: fresh.transaction.txid, sysctlKeys: keys })
      : undefined;
    const installCheck = change.kind === 'install' && fresh.cluster.runtime === 'script' ? await this.checkInstalledRules(fresh.cluster) : undefined;
    let saved = false;
    if (change.kind === 'edit') {
      if (!this.deps.save) throw new AppError('UNSUPPORTED', `${describeChange(change)}: this caller cannot save the profile`);
      await this.deps.save(fresh.cluster);
      saved = true;
    }
    return { ...fresh, ...(report ? { report } : {}), saved, ...(installCheck ? { installCheck } : {}) };
  }

  /**
   * A director pair's change (run holds the lock and checked the fingerprint): both new keepalived.conf files are
   * config-tested on their directors first; then the first director's transaction, then the second's. When the second
   * fails (its own transaction rolls itself back), the first is put back as it was observed (planUndo, one more
   * transaction): neither director is left half-configured. After a start or install the VIP must settle on exactly
   * one director (VRRP; read back for up to 20 s).
   */
  private async runPair(change: Change, fresh: Preview, opts: RunOptions): Promise<RunOutcome> {
    const peer = fresh.peer!;
    const ctx = this.deps.context(this.cluster);
    const pctx = ctx.secondary();
    const keys = observedSysctlKeys(fresh.cluster, fresh.basis.vip.address);
    const progress = opts.apply?.onProgress;
    for (const [p, c] of [[fresh, ctx], [peer, pctx]] as const) {
      if (p.transaction && p.keepalived?.installsConf) {
        progress?.({ phase: 'upload', message: `keepalived -t: testing the new keepalived.conf on ${c.director.label}`, txid: p.transaction.txid });
        await testKeepalivedConf(c.director, p.keepalived.conf, p.transaction.txid);
      }
    }
    const report = fresh.transaction ? await applyPlan(ctx.director, fresh.plan, fresh.before, { ...opts.apply, txid: fresh.transaction.txid, sysctlKeys: keys }) : undefined;
    let peerReport: ApplyReport | undefined;
    try {
      peerReport = peer.transaction ? await applyPlan(pctx.director, peer.plan, peer.before, { ...opts.apply, txid: peer.transaction.txid, sysctlKeys: keys }) : undefined;
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      if (!report) throw e;
      progress?.({ phase: 'transaction', message: `${pctx.director.label} failed: putting ${ctx.director.label} back as it was`, txid: report.txid });
      try {
        const resolve = await ctx.resolver();
        const now = await observeDirector(ctx.director, 'table', keys, { files: keepalivedRuntimeFiles() });
        const undo = planUndo(fresh.cluster, resolve, fresh.before as ObservedWithRuntime, now as ObservedWithRuntime);
        if (undo.steps.length) await applyPlan(ctx.director, undo, now, { sysctlKeys: keys });
        // the second director's transaction rolled its files, links, keepalived and table back, not its sysctls
        // (the transaction does not journal them): put those back too, when it can still be reached
        const pnow = await observeDirector(pctx.director, 'table', keys, { files: keepalivedRuntimeFiles() }).catch(() => undefined);
        if (pnow) {
          const presolve = await pctx.resolver();
          const pundo = planUndo(peer.cluster, presolve, peer.before as ObservedWithRuntime, pnow as ObservedWithRuntime);
          if (pundo.steps.length) await applyPlan(pctx.director, pundo, pnow, { sysctlKeys: keys });
        }
        throw new AppError(e instanceof AppError ? e.code : 'APPLY_FAILED', `${why}; ${ctx.director.label}, already changed, was put back as it was (${undo.steps.length} step(s)): neither director changed`, {
          host: pctx.director.label,
          ...(e instanceof AppError && e.step ? { step: e.step } : {}),
          cause: e,
          detail: { undone: ctx.director.label, undo: undo.steps.map((st) => shellQuote(st.argv)) },
        });
      } catch (u) {
        if (u instanceof AppError && u.cause === e) throw u;
        throw new AppError('APPLY_FAILED', `${why}; and putting ${ctx.director.label} back FAILED (${u instanceof Error ? u.message : String(u)}): it has the new configuration, the second director the old; check both with status`, {
          host: ctx.director.label,
          step: 'undo the first director',
          cause: u,
        });
      }
    }
    let pair: PairStatus | undefined;
    const settles = change.kind === 'install' || (change.kind === 'verb' && (change.verb === 'start' || change.verb === 'reload'));
    if (settles && (report || peerReport)) {
      const t0 = Date.now();
      for (;;) {
        pair = await this.pairStatus();
        const running = pair.directors.filter((d) => d.keepalived).length;
        if (running === 0 || pair.vipOn.length === 1 || Date.now() - t0 > PAIR_SETTLE_MS) break;
        await sleep(500);
      }
      if (pair.directors.some((d) => d.keepalived) && pair.vipOn.length !== 1) {
        throw new AppError('APPLY_FAILED', `the pair did not settle within ${PAIR_SETTLE_MS / 1000} s: ${pair.problems.join('; ')}`, { host: ctx.director.label, step: 'verify the pair', detail: { pair } });
      }
    }
    let saved = false;
    if (change.kind === 'edit') {
      if (!this.deps.save) throw new AppError('UNSUPPORTED', `${describeChange(change)}: this caller cannot save the profile`);
      await this.deps.save(fresh.cluster);
      saved = true;
    }
    return { ...fresh, ...(report ? { report } : {}), ...(peerReport ? { peerReport } : {}), ...(pair ? { pair } : {}), saved };
  }

  /**
   * A director pair's roles: both directors observed in parallel (addresses, keepalived's pid, the notify script's
   * state file and event log); a director that cannot be reached is UNREACHABLE, not an error. Read-only.
   */
  async pairStatus(): Promise<PairStatus> {
    const cluster = this.cluster;
    if (!cluster.pair) throw new AppError('INVALID_INPUT', `profile ${cluster.id} has no director pair`);
    const ctx = this.deps.context(cluster);
    const resolve = await ctx.resolver().catch(async () => ctx.secondary().resolver());
    const one = async (which: 'primary' | 'secondary', c: ClusterContext) => {
      const host = c.cluster.director.host;
      try {
        const st = await observeDirector(c.director, 'table', [], { files: [...ROLE_FILES] });
        const rt = st.runtime!;
        const observed: RoleObservation = {
          addresses: st.addresses,
          keepalivedRunning: rt.keepalived.pid !== undefined,
          ...(rt.files.get(ROLE_FILES[0]) !== undefined ? { stateFile: rt.files.get(ROLE_FILES[0])! } : {}),
          ...(rt.files.get(ROLE_FILES[1]) !== undefined ? { eventsFile: rt.files.get(ROLE_FILES[1])! } : {}),
        };
        return { which, host, observed };
      } catch (e) {
        return { which, host, error: e instanceof Error ? e.message : String(e) };
      }
    };
    return pairStatus(cluster, resolve, await Promise.all([one('primary', ctx), one('secondary', ctx.secondary())]));
  }

  /** Which director of the pair NAME means: 'primary' | 'secondary', or a director's host. INVALID_INPUT otherwise. */
  private whichDirector(name: string): 'primary' | 'secondary' {
    const c = this.cluster;
    if (!c.pair) throw new AppError('INVALID_INPUT', `profile ${c.id} has no director pair: make-master needs two directors`);
    const n = name.toLowerCase();
    if (n === 'primary' || n === c.director.host.toLowerCase()) return 'primary';
    if (n === 'secondary' || n === c.pair.director.host.toLowerCase()) return 'secondary';
    throw new AppError('INVALID_INPUT', `no director '${name}' in profile ${c.id} (known: ${c.director.host}, ${c.pair.director.host}, or primary/secondary)`);
  }

  /** "make this director master", previewed: the pair observed, the yield steps, and a fingerprint of both. Read-only. */
  async previewMakeMaster(name: string): Promise<MakeMasterPreview> {
    const target = this.whichDirector(name);
    const pair = await this.pairStatus();
    const plan = planMakeMaster(pair, target);
    const on = plan.from ? pair.directors.find((d) => d.which === plan.from)!.host : undefined;
    const basis = { makeMaster: target, roles: pair.directors.map((d) => [d.host, d.role, d.vip, d.keepalived]), steps: plan.yieldSteps.map((st: Step) => st.argv) };
    return { target: pair.directors.find((d) => d.which === target)!.host, plan, ...(on ? { on } : {}), pair, fingerprint: fingerprintOf(basis as unknown as PlanBasis) };
  }

  /**
   * Runs make-master under the write lock: observes again (refused with PLAN_STALE when the roles changed since the
   * preview), writes 1 to the yield file on the master, waits (up to 20 s) until the target holds the VIP and the other
   * does not, then writes 0 (the old master comes back as BACKUP: nopreempt). If the target does not take over, the
   * yield file is put back to 0 and the error says so. Established connections stay: the sync daemons lvs-pair runs on
   * both directors have given the target the master's connection table, and the yielding director keeps sending what it
   * still holds while the target's takeover guard holds those connections' segments (pair-handover.ts).
   */
  makeMaster(name: string, opts: { fingerprint?: string; onProgress?: (message: string) => void } = {}): Promise<MakeMasterPreview & { after: PairStatus; tookMs?: number }> {
    return this.state.lock.run(`make ${name} master`, async () => {
      const fresh = await this.previewMakeMaster(name);
      if (opts.fingerprint !== undefined && opts.fingerprint !== fresh.fingerprint) {
        throw new AppError('PLAN_STALE', `changed since you looked: the roles are now ${fresh.pair.directors.map((d) => `${d.host} ${d.role}`).join(', ')}. Nothing ran; review the fresh preview.`, {
          step: 'check the preview',
          detail: { changes: ['the roles of the pair changed'], preview: fresh },
        });
      }
      if (!fresh.plan.from) return { ...fresh, after: fresh.pair };
      const ctx = this.deps.context(this.cluster);
      const fromCtx = fresh.plan.from === 'primary' ? ctx : ctx.secondary();
      const [yieldOn, yieldOff] = fresh.plan.yieldSteps as [Step, Step];
      const t0 = Date.now();
      opts.onProgress?.(`${fromCtx.director.label}: ${yieldOn.why}`);
      await execChecked(fromCtx.director, yieldOn.argv, [0], 'make-master: yield', { sudo: true, timeoutMs: 30_000 });
      let after: PairStatus | undefined;
      let tookMs: number | undefined;
      while (Date.now() - t0 < PAIR_SETTLE_MS) {
        after = await this.pairStatus();
        const t = after.directors.find((d) => d.which === fresh.plan.target)!;
        if (t.vip && after.vipOn.length === 1) {
          tookMs = Date.now() - t0;
          break;
        }
        await sleep(200);
      }
      opts.onProgress?.(`${fromCtx.director.label}: ${yieldOff.why}`);
      await execChecked(fromCtx.director, yieldOff.argv, [0], 'make-master: back to backup', { sudo: true, timeoutMs: 30_000 });
      if (tookMs === undefined) {
        throw new AppError('APPLY_FAILED', `make-master: ${fresh.target} did not take the VIP within ${PAIR_SETTLE_MS / 1000} s (${after?.problems.join('; ') ?? ''}); the yield was withdrawn`, { host: fresh.target, step: 'make-master: wait for the VIP' });
      }
      // the old master leaves FAULT for BACKUP: wait (up to 10 s) so status shows the roles as they settle
      for (let i = 0; i < 50; i++) {
        after = await this.pairStatus();
        if (after.directors.every((d) => d.role === 'MASTER' || d.role === 'BACKUP')) break;
        await sleep(200);
      }
      return { ...fresh, after: after!, tookMs };
    });
  }

  /** Proof after install-director (script runtime): what the installed script would load equals the console's plan. */
  private async checkInstalledRules(cluster: Cluster): Promise<{ rulesMatchPlan: boolean; rulesDiff: string[] }> {
    const ctx = this.deps.context(cluster);
    const resolve = await ctx.resolver();
    const step = `${RUNTIME_PATHS.lvsDirector} rules`;
    const rr = await execChecked(ctx.director, [RUNTIME_PATHS.lvsDirector, 'rules'], [0], step, { sudo: true, timeoutMs: 30_000 });
    try {
      const installed = { services: parseIpvsadmSave(rr.stdout).services };
      const rulesDiff = diffTables(desiredTable(cluster, resolve), installed).map((st) => `${shellQuote(st.argv)}  # ${st.why}`);
      return { rulesMatchPlan: rulesDiff.length === 0, rulesDiff };
    } catch (e) {
      throw new AppError('PARSE_ERROR', `${ctx.director.label}: ${step}: ${e instanceof Error ? e.message : String(e)}`, { host: ctx.director.label, step, cause: e });
    }
  }

  /**
   * The second half of a drain: deletes this profile's destinations that are at weight 0, no longer wanted, and have no
   * connections left. `seen` (a status observation the caller already has) saves the lock when nothing is ready; what
   * runs is always re-observed under the lock. Returns what was deleted.
   */
  async drainFollowUp(seen?: DirectorState): Promise<string[]> {
    // Only this profile's services: another VIP's drained destinations are not ours to delete.
    const ready = (cluster: Cluster, resolve: Resolve, live: DirectorState) => planDrainFollowUp(desiredTable(cluster, resolve), splitByOwner(live.table, resolve(cluster.vip)).own).steps;
    if (seen) {
      const cluster = this.cluster;
      const resolve = await this.deps.context(cluster).resolver();
      if (ready(cluster, resolve, seen).length === 0) return [];
    }
    return this.state.lock.run('drain follow-up', async () => {
      const cluster = this.cluster;
      const ctx = this.deps.context(cluster);
      const { resolve, keys } = await this.basics(cluster, ctx);
      // A status observation's table comes from `ipvsadm -L -n`, so it carries ActiveConn / InActConn; without them no
      // destination counts as drained and nothing is deleted.
      const ka = cluster.runtime === 'keepalived';
      const live = await observeDirector(ctx.director, 'status', keys, ka ? { files: keepalivedRuntimeFiles() } : {});
      const steps = ready(cluster, resolve, live);
      if (steps.length === 0) return [];
      let plan: Plan = { verb: 'drain', steps, desired: applyStepsToTable(live.table, steps) };
      if (ka) {
        // keepalived.conf without the drained destinations, and a reload (the kernel follows keepalived)
        const kp = planKeepalived({ action: 'apply', verb: 'drain', cluster, resolve, observed: live, runtime: live.runtime!, after: plan.desired!, tableSteps: steps });
        plan = kp.plan;
        if (kp.installsConf) await testKeepalivedConf(ctx.director, kp.conf, newTxid());
      }
      await applyPlan(ctx.director, plan, live, { sysctlKeys: keys });
      return steps.map((s) => s.why);
    });
  }

  /** The director's /etc/lvs.conf. Read-only. */
  pullConf(): Promise<string> {
    return pullConf(this.context().director);
  }

  /** Validates `text` (named `source` in errors) and replaces the director's /etc/lvs.conf atomically, under the lock. */
  pushConf(text: string, source: string): Promise<{ path: string; backup: string }> {
    return this.state.lock.run('conf push', () => pushConf(this.context().director, text, source));
  }

  /**
   * install-director: puts the runtime the profile names on the director (previewed like every change: the exact
   * steps, one transaction), moving a running cluster from the other runtime without a gap. See script-runtime.ts and
   * keepalived-plan.ts.
   */
  installDirector(opts: RunOptions = {}): Promise<RunOutcome> {
    return this.run({ kind: 'install' }, opts);
  }
}

/** A plan with the step that writes /etc/lvs.conf appended (after the table steps: one transaction) and its notes. */
function withLvsConf(plan: Plan, conf: { steps: PlanStep[]; notes: string[] }): Plan {
  if (conf.steps.length === 0 && plan.steps.length === 0) return plan;
  return { ...plan, steps: [...plan.steps, ...conf.steps], summary: [...(plan.summary ?? []), ...conf.notes] };
}

/** The app's registry: one ClusterService (and one write lock) per cluster id, for as long as the profile exists. */
export class ClusterServices {
  private readonly services = new Map<string, ClusterService>();

  constructor(
    private readonly deps: {
      /** The saved profile, or undefined when there is none. */
      profile(id: string): Cluster | undefined;
      context(cluster: Cluster): ClusterContext;
      save(cluster: Cluster): void | Promise<void>;
    },
  ) {}

  /** The service of cluster `id`; NOT_FOUND when there is no such profile. */
  get(id: string): ClusterService {
    const load = (): Cluster => {
      const c = this.deps.profile(id);
      if (!c) throw new AppError('NOT_FOUND', `no cluster profile '${id}'`, { step: 'load profile' });
      return c;
    };
    load();
    let s = this.services.get(id);
    if (!s) {
      s = new ClusterService({ profile: load, context: (c) => this.deps.context(c), save: (c) => this.deps.save(c) });
      this.services.set(id, s);
    }
    return s;
  }

  /** Forgets a deleted profile's service. */
  forget(id: string): void {
    this.services.delete(id);
  }
}

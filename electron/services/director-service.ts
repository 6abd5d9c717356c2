/**
 * The seed's lvs-director verbs run from the console: start, stop, reload, status, update. Each one observes the
 * director (one exec), plans with the pure planners in lvs/, and — unless it is a dry run — applies the plan as one
 * transaction and verifies it (director-apply.ts). update first probes every realserver from the director in parallel.
 */
import { portNumber } from '../../shared/model/well-known-ports.ts';
import { AppError } from '../../shared/result.ts';
import { planReload, planStart, planStop, planUpdate } from '../lvs/plan/director-plan.ts';
import type { Resolve } from '../lvs/plan/desired-table.ts';
import type { Plan } from '../../shared/model/plan.ts';
import { parseProbeOutput, probeArgv, type ProbeResult } from '../health/probe-script.ts';
import { newTxid } from './txid.ts';
import { buildTransaction, type Transaction } from '../lvs/plan/transaction.ts';
import type { ClusterContext } from './cluster-context.ts';
import { realserverName } from './cluster-context.ts';
import { applyPlan, type ApplyOptions, type ApplyReport } from './director-apply.ts';
import { observeDirector, observedSysctlKeys, type DirectorState, type ObserveCounters } from './director-observe.ts';
import { statusView, type StatusView } from './status-view.ts';

/** The verbs that change the director. */
export type ChangeVerb = 'start' | 'stop' | 'reload' | 'update';

/** What a changing verb did (or, for a dry run, would do). */
export interface VerbOutcome {
  verb: ChangeVerb;
  dryRun: boolean;
  plan: Plan;
  /** The transaction the plan becomes (what a dry run shows besides the plan). */
  transaction?: Transaction;
  before: DirectorState;
  /** Set when applied. */
  report?: ApplyReport;
  /** update: what the probe saw per realserver. */
  probe?: (ProbeResult & { name: string; display: string })[];
}

/** Options of a changing verb. */
export interface VerbOptions {
  dryRun?: boolean;
  /** Passed through to applyPlan (progress, tests' cut hooks). */
  apply?: Omit<ApplyOptions, 'sysctlKeys'>;
}

/** How long the probe of all realservers may take (ping -W 2 and 3 s connects run in parallel). */
const PROBE_TIMEOUT_MS = 60_000;

/** Runs the director verbs of one cluster. */
export class DirectorService {
  constructor(private readonly ctx: ClusterContext) {}

  /** The resolver and the VIP address and sysctl keys derived from it. */
  private async basics(): Promise<{ resolve: Resolve; vip: string; keys: string[] }> {
    const resolve = await this.ctx.resolver();
    const vip = resolve(this.ctx.cluster.vip);
    return { resolve, vip, keys: observedSysctlKeys(this.ctx.cluster, vip) };
  }

  /** Observes the director (table, VIP, sysctls; with `status` the listing with connections, plus the counters asked for). */
  async observe(mode: 'table' | 'status' = 'table', counters: ObserveCounters = {}): Promise<DirectorState> {
    const { keys } = await this.basics();
    return observeDirector(this.ctx.director, mode, keys, { counters });
  }

  /**
   * status: the live table with its connections (the seed's `ipvsadm -L`), the VIP and the sysctls; with
   * `counters.stats` the cumulative connections/packets/bytes, with `counters.rate` the kernel's rate estimates.
   */
  async status(counters: ObserveCounters = {}): Promise<StatusView> {
    const { resolve, vip, keys } = await this.basics();
    const state = await observeDirector(this.ctx.director, 'status', keys, { counters });
    return statusView(this.ctx.cluster, resolve, state, vip);
  }

  /** start: VIP up, redirects off, forwarding on, the whole table in one batch. */
  start(opts: VerbOptions = {}): Promise<VerbOutcome> {
    return this.change('start', opts, async (before, b) => planStart(this.ctx.cluster, before, b.resolve));
  }

  /** stop: empty table, VIP down. */
  stop(opts: VerbOptions = {}): Promise<VerbOutcome> {
    return this.change('stop', opts, async (before, b) => planStop(this.ctx.cluster, before, b.resolve));
  }

  /** reload: the table rebuilt from the profile; the VIP stays. */
  reload(opts: VerbOptions = {}): Promise<VerbOutcome> {
    return this.change('reload', opts, async (_before, b) => planReload(this.ctx.cluster, b.resolve));
  }

  /**
   * update (the seed's cron poll): probe every enabled realserver from the director in one exec (ping + TCP connect to
   * each TCP service port, in parallel), then drop the dead from the table and add the living back.
   */
  async update(opts: VerbOptions = {}): Promise<VerbOutcome> {
    let probe: VerbOutcome['probe'];
    const outcome = await this.change('update', opts, async (before, b) => {
      probe = await this.probe(b.resolve);
      const alive = new Set(probe.filter((p) => p.alive).map((p) => p.name));
      return planUpdate(this.ctx.cluster, before, alive, b.resolve);
    });
    return { ...outcome, ...(probe ? { probe } : {}) };
  }

  /** Probes the enabled realservers from the director; results carry the profile host in `name`. */
  async probe(resolve: Resolve): Promise<(ProbeResult & { name: string; display: string })[]> {
    const c = this.ctx.cluster;
    const rss = c.realservers.filter((r) => r.enabled);
    if (rss.length === 0) return [];
    const addrs = rss.map((r) => resolve(r.host));
    const ports = [...new Set(c.tcp.map((s) => portNumber(s.port, 'tcp')).filter((p): p is number => p !== undefined))];
    const exec = this.ctx.director;
    const step = 'probe realservers';
    const r = await exec.exec(probeArgv(addrs, ports), { step, timeoutMs: PROBE_TIMEOUT_MS });
    if (r.code !== 0) throw new AppError('COMMAND_FAILED', `${exec.label}: ${step}: ${r.stderr.trim() || `exit ${r.code}`}`, { host: exec.label, step });
    let results: ProbeResult[];
    try {
      results = parseProbeOutput(r.stdout, addrs, ports);
    } catch (e) {
      throw new AppError('PARSE_ERROR', `${exec.label}: ${step}: ${e instanceof Error ? e.message : String(e)}`, { host: exec.label, step, cause: e });
    }
    // The profile host is what planUpdate matches; realserverName is only for messages.
    return results.map((p, i) => ({ ...p, name: rss[i]!.host, display: realserverName(rss[i]!) }));
  }

  /** observe → plan → (dry run: stop here) apply → verify. */
  private async change(verb: ChangeVerb, opts: VerbOptions, plan: (before: DirectorState, b: { resolve: Resolve; vip: string }) => Promise<Plan>): Promise<VerbOutcome> {
    const b = await this.basics();
    const before = await observeDirector(this.ctx.director, 'table', b.keys);
    const p = await plan(before, b);
    const transaction = p.steps.length ? buildTransaction(p, opts.apply?.txid ?? newTxid()) : undefined;
    if (opts.dryRun) return { verb, dryRun: true, plan: p, ...(transaction ? { transaction } : {}), before };
    const report = await applyPlan(this.ctx.director, p, before, { ...opts.apply, ...(transaction ? { txid: transaction.txid } : {}), sysctlKeys: b.keys });
    return { verb, dryRun: false, plan: p, ...(transaction ? { transaction } : {}), before, report };
  }
}

/**
 * createHandlers(deps): the ApiHandlers behind both transports (Electron IPC and the web host). Each method is a thin
 * call into the stores or the services: every director method goes through the cluster's ONE ClusterService (kept per
 * cluster id in a ClusterServices registry, the same class lvsctl uses), so verbs, edits, reconcile and the sampler's
 * drain follow-up share one write lock. Inputs arrive parsed by the contract, errors leave as AppError (the one dispatch
 * turns them into {ok:false, error}). Director runs stream `director.progress` events.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ApiHandlers, MethodOutput } from '../../shared/api/contract.ts';
import { clusterSchema, type Cluster, type Realserver } from '../../shared/model/cluster.ts';
import { isIPv4, isIPv6 } from '../../shared/model/validators.ts';
import { AppError, describeIssues } from '../../shared/result.ts';
import type { ConfClusterBase } from '../lvs/conf/conf-model.ts';
import { importLvsConf } from '../lvs/conf/conf-import.ts';
import { confVariables, parseLvsConf } from '../lvs/conf/conf-parse.ts';
import { importText } from '../lvs/conf/conf-text.ts';
import { writeLvsConf } from '../lvs/conf/conf-write.ts';
import { directorConf } from '../lvs/conf/director-conf.ts';
import { parseIpvsadmConnections } from '../lvs/ipvs/ipvsadm-conn-parse.ts';
import type { Plan } from '../../shared/model/plan.ts';
import { detectLaunchers } from '../launch/detect.ts';
import { pickDisplay } from '../launch/display.ts';
import { landedOn } from '../launch/landed-on.ts';
import { planLaunch } from '../launch/plan-launch.ts';
import { setSettingsChecked } from '../launch/launcher-guard.ts';
import { nodeMainDeps, type MainDeps } from '../ipc/main-deps.ts';
import type { ClusterContext } from '../services/cluster-context.ts';
import { realserverName } from '../services/cluster-context.ts';
import { ClusterSessions } from '../services/cluster-sessions.ts';
import { ClusterServices, describeChange, type Change, type MakeMasterPreview, type Preview, type ProbeReport, type RunOutcome } from '../services/cluster-service.ts';
import { probeLine } from '../services/probe-text.ts';
import { displaySteps } from '../services/plan-render.ts';
import { shellQuote } from '../shell/shell-quote.ts';
import { checkRealserver, type RealserverCheckReport } from '../services/realserver-check.ts';
import { RealserverRoutes, type RouteReport } from '../services/realserver-routes.ts';
import { RealserverBoot, type BootReport } from '../services/realserver-boot.ts';
import { DoctorService, type DoctorReport } from '../services/doctor-service.ts';
import { checkDesktop } from '../services/desktop-checks.ts';
import { stepText } from '../services/run-steps.ts';
import type { Finding } from '../doctor/model.ts';
import { execChecked } from '../ssh/exec-checked.ts';
import { sshFingerprint } from '../store/store-document.ts';
import { CONNECTIONS_MAX_OUTPUT_BYTES } from '../ssh/types.ts';
import { HealthMonitor, describeChange as describeHealthChange } from './health-monitor.ts';
import { asChange } from '../audit/audit-context.ts';
import { HostOperations, type HostOutcome } from './host-ops.ts';
import { MetricsSampler } from './metrics-sampler.ts';
import { checkProfile, nodeProfileCheckDeps, type ProfileCheckDeps } from './profile-check.ts';
import type { ApplyProgress } from '../services/director-apply.ts';
import { RunProgress } from './run-progress.ts';
import { configDriftOf, destinationCounterKey, driftOf, tableOf } from './status-mapping.ts';

type RunResult = MethodOutput<'director.run'>;

// zod 4 refuses .pick on a refined object, so the import base (what lvs.conf can't say) is built from the shape.
const baseSchema = z.object({ id: clusterSchema.shape.id, name: clusterSchema.shape.name, director: clusterSchema.shape.director });

const WINDOW_MS = { '5m': 5 * 60_000, '1h': 3600_000, '24h': 24 * 3600_000 } as const;

/** The profile fields an lvs.conf sets (the variables it has), so an import on a form changes only those. */
const CONF_FIELDS: Record<string, string[]> = {
  VIP: ['vip'],
  VIP_IF: ['vipIf'],
  LVS_IF: ['lvsIf'],
  VIP_PREFIX: ['vipPrefix'],
  SCHEDULER: ['scheduler'],
  FORWARD: ['forwarding'],
  TPORTS: ['tcp'],
  UPORTS: ['udp'],
  SCHEDULERS: ['tcp', 'udp'],
  PERSISTENT: ['tcp', 'udp'],
  RIPS: ['realservers'],
  WEIGHTS: ['realservers'],
  RIPS_DISABLED: ['realservers'],
};
function confFields(text: string, file: string): string[] {
  const vars = confVariables(parseLvsConf(importText(text, file).text, file));
  return [...new Set([...vars.keys()].flatMap((k) => CONF_FIELDS[k] ?? []))];
}

/** True while process `pid` exists (signal 0: nothing is sent). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Builds MainDeps for plain Node (the web host and the tests; `auditMaxEntries`: the audit log's memory bound, for the soak). */
export function createNodeDeps(opts: { emit: MainDeps['emit']; dataDir: string; auditMaxEntries?: number }): MainDeps {
  return nodeMainDeps({ dir: opts.dataDir, emit: opts.emit, ...(opts.auditMaxEntries ? { auditMaxEntries: opts.auditMaxEntries } : {}) });
}

/**
 * What a run changed and noticed, for the renderer: when applied, each step by its why (update and the minimal diff
 * already describe their steps in the summary), then the plan's notes ("VIP already up …"), then the probe.
 */
export function changesOf(plan: Plan, applied: boolean, probe?: readonly ProbeReport[]): string[] {
  const described = plan.verb === 'update' || plan.verb === 'diff';
  const out = applied && !described ? plan.steps.map((s) => s.why) : [];
  out.push(...(plan.summary ?? []));
  for (const p of probe ?? []) out.push(probeLine(p));
  return out;
}

/** A make-master preview in the contract's shape (its steps shown as on the director they run on). */
export function makeMasterOf(p: MakeMasterPreview): MethodOutput<'director.planMakeMaster'> {
  return {
    target: p.target,
    ...(p.on ? { on: p.on } : {}),
    steps: p.plan.yieldSteps.map((s) => ({ host: `director ${p.on ?? ''}`.trim(), command: shellQuote(s.argv), why: s.why })),
    summary: p.plan.summary,
    pair: p.pair,
    fingerprint: p.fingerprint,
  };
}

/** A preview or a run outcome in the contract's shape. */
export function runResultOf(runId: string, verb: string, p: Preview | RunOutcome, ran: boolean): RunResult {
  const applied = ran && (p as RunOutcome).report !== undefined;
  return {
    runId,
    verb,
    dryRun: !ran,
    // a director pair: both directors' steps (the second's say where they run)
    steps: [...displaySteps(p.plan, p.before.label), ...(p.peer ? displaySteps(p.peer.plan, p.peer.before.label) : [])],
    applied,
    changes: changesOf(p.plan, applied, p.probe),
    fingerprint: p.fingerprint,
    ...(ran && p.change.kind === 'edit' ? { profileSaved: (p as RunOutcome).saved } : {}),
  };
}

const shownStep = (host: string, st: { argv: string[]; stdin?: string; why: string }) => ({ host, command: stepText({ host, ...st }), why: st.why });

/** A route report in the contract's shape. */
function routeFixResult(r: RouteReport, ran: boolean): MethodOutput<'realservers.routeFix'>[number] {
  return {
    name: r.name,
    steps: [...r.directorSteps.map((st) => shownStep('director', st)), ...r.steps.map((st) => shownStep(r.name, st))],
    applied: ran && (r.ran?.length ?? 0) > 0,
    fingerprint: r.fingerprint,
    path: { via: r.path, ...(r.peer ? { peer: r.peer } : {}) },
    ...(r.ran ? { ran: r.ran } : {}),
    ...(r.notes ? { notes: r.notes } : {}),
  };
}

/** An install-route / uninstall-route report in the contract's shape. */
function bootRouteResult(r: BootReport, ran: boolean): MethodOutput<'realservers.bootRoute'>[number] {
  const v = (x: BootReport['verify']) => ({ installed: x.installed, current: x.current, problems: x.problems });
  return {
    name: r.name,
    op: r.op,
    kind: r.kind,
    gateway: r.gateway,
    steps: r.steps.map((st) => shownStep(r.name, st)),
    fingerprint: r.fingerprint,
    applied: ran && (r.ran?.length ?? 0) > 0,
    ...(r.ran ? { ran: r.ran } : {}),
    before: v(r.verify),
    ...(r.after ? { after: v(r.after) } : {}),
  };
}

/** A doctor report in the contract's shape (a fix is summarised; doctor.previewFix shows its commands). */
function reportOut(r: DoctorReport): MethodOutput<'doctor.run'> {
  return {
    ...r,
    findings: r.findings.map((f) => ({
      id: f.id,
      key: f.key,
      severity: f.severity,
      subject: f.subject,
      what: f.what,
      why: f.why,
      ...(f.explains ? { explains: f.explains } : {}),
      ...(f.fix ? { fix: f.fix.kind === 'steps' ? { kind: 'steps' as const, summary: `${f.fix.steps.length} command(s) on ${[...new Set(f.fix.steps.map((x) => x.host))].join(', ')}` } : { kind: 'action' as const, summary: f.fix.why } } : {}),
    })),
  };
}

/** Options of createHandlers. */
export interface HandlerOptions {
  /** Replaces the SSH wiring (tests hand in a stand-in director). */
  context?: (cluster: Cluster) => ClusterContext;
  /**
   * A native "open file" dialog for a private key (Electron's dialog.showOpenDialog, from main.ts); resolves the chosen
   * path, or undefined when cancelled. Absent (the web host): files.pickKeyFile answers UNSUPPORTED.
   */
  pickKeyFile?: (current: string | undefined) => Promise<string | undefined>;
  /** What clusters.check reads from the machine (default: this machine's resolver and files). */
  profileCheck?: ProfileCheckDeps;
  /** The platform app.info reports (default: process.platform). */
  platform?: NodeJS.Platform;
}

/** The handlers plus what the host must do when it stops. */
export interface AppHandlers {
  handlers: ApiHandlers;
  /** Stops sampling and closes every held SSH session (the web host on Ctrl+C / SIGTERM, Electron on quit). */
  close(): Promise<void>;
}

/** The handlers for every contract method. */
export function createHandlers(deps: MainDeps, opts: HandlerOptions = {}): ApiHandlers {
  return createAppHandlers(deps, opts).handlers;
}

/** The handlers for every contract method, and close() for the host's shutdown. */
export function createAppHandlers(deps: MainDeps, opts: HandlerOptions = {}): AppHandlers {
  const { stores } = deps;
  const sessions = new ClusterSessions({
    hostKeys: stores.hostKeys,
    secrets: stores.secrets,
    audit: deps.audit.sink,
    windowsAgent: stores.settings.get().windowsAgent,
    onEvent: (e) => {
      if (e.type === 'closed' && e.unexpected) deps.log('warn', `${e.label}: connection lost; it is re-established on the next command`);
    },
  });
  const contextOf = opts.context ?? ((c) => sessions.context(c));
  const services = new ClusterServices({ profile: (id) => stores.profiles.get(id), context: contextOf, save: (c) => void stores.profiles.save(c) });
  const ops = new HostOperations((p) => deps.emit('ops.progress', p));
  /** Programs Connect me started (connect.alive answers only for these). */
  const launched = new Set<number>();
  const ctxOf = (id: string): ClusterContext => services.get(id).context();

  const sampler = new MetricsSampler({
    service: (id) => (stores.profiles.get(id) ? services.get(id) : undefined),
    intervalSec: () => stores.settings.get().sampleIntervalSec,
    emit: (s) => deps.emit('cluster.sample', s),
    log: deps.log,
  });
  // Health per (service, realserver), pushed the moment it changes: every page's status strip, the live table, a desktop
  // notification (Electron's, from main; the web host's page shows its own) and the audit log.
  const health = new HealthMonitor({
    service: (id) => (stores.profiles.get(id) ? services.get(id) : undefined),
    emit: (h) => deps.emit('cluster.health', h),
    log: deps.log,
    // A director pair's failover (read from the directors' VRRP notify logs in the health round): the Director page,
    // the audit log and a desktop notification, like a change of health.
    onFailover: (cluster, failovers, pair) => {
      for (const f of failovers) {
        const text = `${f.director} became master (VIP ${cluster.vip} and gateway ${cluster.pair?.gateway ?? '?'}) at ${new Date(f.at).toISOString()}`;
        deps.audit.append({ time: f.at, host: `pair ${cluster.id}`, argv: ['failover', f.director], code: null, durationMs: 0, outputExcerpt: text });
        deps.log('warn', `${cluster.name}: failover: ${text}`);
        deps.emit('cluster.failover', { clusterId: cluster.id, director: f.director, at: f.at, pair });
      }
      const last = failovers[failovers.length - 1]!;
      deps.notify?.(`${cluster.name}: failover to ${last.director}`, pair.directors.map((d) => `${d.host}: ${d.role}${d.vip ? ' (VIP)' : ''}`).join('\n'));
    },
    onTransitions: (cluster, changes) => {
      for (const c of changes) {
        const text = describeHealthChange(c);
        deps.audit.append({ time: c.at, host: `health ${cluster.id}`, argv: ['health', c.realserver, c.service, c.to === 'down' ? 'out' : 'in'], code: null, durationMs: 0, outputExcerpt: text });
        deps.log(c.to === 'down' ? 'warn' : 'info', `${cluster.name}: ${text}`);
      }
      deps.notify?.(`${cluster.name}: ${changes.length === 1 ? describeHealthChange(changes[0]!) : `${changes.length} changes of health`}`, changes.map(describeHealthChange).join('\n'));
    },
  });

  /** Previews a change (nothing runs). */
  async function plan(clusterId: string, change: Change, verb: string): Promise<RunResult> {
    return runResultOf(randomUUID(), verb, await services.get(clusterId).preview(change), false);
  }

  /** Runs a change under the cluster's lock (refused when `fingerprint` is given and the plan changed), streaming progress. */
  async function run(clusterId: string, change: Change, verb: string, fingerprint: string): Promise<RunResult> {
    const svc = services.get(clusterId);
    const runId = randomUUID();
    const host = svc.context().director.label;
    const progress = new RunProgress({ clusterId, runId, host }, (p) => deps.emit('director.progress', p));
    try {
      progress.step('observe', `${verb}: observing ${host}`);
      // Every command of the run is audited as part of this change (the Log screen's "changes").
      const out = await asChange(`${describeChange(change)} (${svc.cluster.name})`, () =>
        svc.run(change, {
          fingerprint,
          apply: { onProgress: (p: ApplyProgress) => progress.step(p.phase === 'reconnect' ? 'transaction' : p.phase, `${p.phase}: ${p.message}`) },
        }),
      );
      progress.finish(`${verb}: ${out.report ? `applied ${out.plan.steps.length} change(s)` : 'nothing to do on the director'}${out.saved ? '; profile saved' : ''}`);
      return runResultOf(runId, verb, out, true);
    } catch (e) {
      progress.fail(e instanceof AppError && e.code === 'APPLY_FAILED' ? 'rolled-back' : 'failed', e instanceof Error ? e.message : String(e));
      if (e instanceof AppError && e.code === 'PLAN_STALE') {
        // The fresh preview crosses as data: the page shows what changed and asks again.
        const d = e.detail as { changes: string[]; preview: Preview };
        throw new AppError('PLAN_STALE', e.message, { ...(e.host ? { host: e.host } : {}), ...(e.step ? { step: e.step } : {}), detail: { changes: d.changes, preview: runResultOf(randomUUID(), verb, d.preview, false) } });
      }
      throw e;
    }
  }

  const editChange = (e: { realserver: string; service?: string | undefined; edit: Extract<Change, { kind: 'edit' }>['edit'] }): Change => ({
    kind: 'edit',
    realserver: e.realserver,
    ...(e.service !== undefined ? { service: e.service } : {}),
    edit: e.edit,
  });
  const verbChange = (verb: 'start' | 'stop' | 'reload' | 'update' | 'reconcile'): Change => (verb === 'reconcile' ? { kind: 'reconcile' } : { kind: 'verb', verb });

  const handlers: ApiHandlers = {
    'clusters.list': async () => stores.profiles.list(),
    'clusters.get': async ({ clusterId }) => services.get(clusterId).cluster,
    'clusters.save': async ({ cluster }) => stores.profiles.save(cluster),
    'clusters.delete': async ({ clusterId }) => {
      sampler.watch(clusterId, false);
      health.watch(clusterId, false);
      services.forget(clusterId);
      await sessions.drop(clusterId);
      if (!stores.profiles.delete(clusterId)) throw new AppError('NOT_FOUND', `no cluster profile '${clusterId}'`);
      return {};
    },
    'clusters.importConf': async (input) => {
      if (input.source === 'director') {
        const svc = services.get(input.clusterId);
        const c = svc.cluster;
        return importLvsConf(await svc.pullConf(), `${c.director.host}:/etc/lvs.conf`, c as ConfClusterBase);
      }
      // The base: what the file cannot say (id, name, director), plus any other profile fields the form already holds,
      // kept where the file is silent (a prefix length, the scheduler…).
      const base = baseSchema.loose().safeParse(input.base);
      if (!base.success) throw new AppError('INVALID_INPUT', `base: ${describeIssues(base.error).join('; ')}`);
      const imported = importLvsConf(input.text, input.file, base.data as ConfClusterBase);
      return { ...imported, fields: confFields(input.text, input.file) };
    },
    'clusters.exportConf': async ({ clusterId }) => ({ text: writeLvsConf(directorConf(services.get(clusterId).cluster)) }),
    'secrets.set': async ({ ref, value }) => {
      stores.secrets.set(ref, value);
      return {};
    },
    'secrets.has': async ({ ref }) => ({ present: stores.secrets.has(ref) }),
    'hostKeys.trust': async ({ host, port, keyType, key, fingerprint }) => {
      // The renderer shows the fingerprint the user accepted: it must be this key's, or nothing is trusted.
      if (sshFingerprint(key) !== fingerprint) throw new AppError('INVALID_INPUT', `fingerprint: ${fingerprint} is not the fingerprint of the key offered for ${host}:${port}`);
      await stores.hostKeys.trust(host, port, keyType, key);
      deps.log('info', `trusted ${keyType} host key ${fingerprint} for ${host}:${port}`);
      return {};
    },
    // Reconcile from the app is graceful: a realserver leaving the table is drained (weight 0, deleted by the sampler once
    // its connections are gone), so a click never cuts an engineer's X or telnet session.
    'director.plan': async ({ clusterId, verb }) => plan(clusterId, verbChange(verb), verb),
    'director.run': async ({ clusterId, verb, fingerprint }) => run(clusterId, verbChange(verb), verb, fingerprint),
    'director.status': async ({ clusterId }) => {
      const svc = services.get(clusterId);
      // a director pair: both roles, and the table of the director holding the VIP
      const pair = svc.cluster.pair ? await svc.pairStatus() : undefined;
      const snap = await svc.snapshot({}, { config: true, ...(pair ? { pair } : {}) });
      const byRs = health.perRealserver(clusterId);
      for (const rs of snap.cluster.realservers) byRs[realserverName(rs)] ??= 'unknown';
      // CPS per row: the sampler's, from the growth of the connection counters (see metrics-sampler.ts).
      const cps = sampler.cps(clusterId);
      const table = tableOf(snap.view);
      for (const svc of table.services) {
        for (const d of svc.destinations) {
          const c = cps.get(destinationCounterKey(svc, d));
          if (c !== undefined) d['cps'] = c;
        }
      }
      return {
        table,
        vipUp: snap.view.vip.up,
        forwarding: snap.state.sysctls['net.ipv4.ip_forward'] === '1',
        drift: [...driftOf(snap.cluster, snap.resolve, snap.state), ...configDriftOf(snap.view.config)],
        runtime: snap.cluster.runtime,
        health: byRs,
        serviceHealth: health.state(clusterId).entries,
        ...(pair ? { pair } : {}),
        observedAt: Date.now(),
      };
    },
    'director.planMakeMaster': async ({ clusterId, director }) => makeMasterOf(await services.get(clusterId).previewMakeMaster(director)),
    'director.runMakeMaster': async ({ clusterId, director, fingerprint }) => {
      const svc = services.get(clusterId);
      const out = await svc.makeMaster(director, { fingerprint, onProgress: (m) => deps.log('info', `${svc.cluster.name}: make-master: ${m}`) });
      deps.audit.append({ time: Date.now(), host: `pair ${clusterId}`, argv: ['make-master', out.target], code: 0, durationMs: out.tookMs ?? 0, outputExcerpt: out.plan.summary.join('; ') });
      return { ...makeMasterOf(out), after: out.after, ...(out.tookMs !== undefined ? { tookMs: out.tookMs } : {}) };
    },
    'director.planEdit': async ({ clusterId, ...e }) => plan(clusterId, editChange(e), e.edit.kind),
    'director.runEdit': async ({ clusterId, fingerprint, ...e }) => run(clusterId, editChange(e), e.edit.kind, fingerprint),
    'realservers.check': async ({ clusterId, name, opId }) => {
      const ctx = ctxOf(clusterId);
      const routes = new RealserverRoutes(ctx);
      const boot = new RealserverBoot(ctx);
      // One host = its check, its live route check and its boot script check; hosts in parallel (reads), each row
      // reported as it finishes, so one realserver that does not answer never hides the others.
      const rss = ctx.selectRealservers(name ?? 'all').map((rs) => ({ rs, name: realserverName(rs) }));
      type Row = MethodOutput<'realservers.check'>[number];
      const toRow = (o: HostOutcome<{ check: RealserverCheckReport; route?: { ok: boolean; problems: string[] }; boots: Awaited<ReturnType<typeof bootReport>> }>, rs: Realserver): Row => {
        if (!o.ok) return { name: o.name, host: rs.host, os: rs.os, reachable: false, error: o.error.toData() };
        const { check: c, route, boots } = o.value;
        return {
          name: o.name,
          host: rs.host,
          os: c.uname,
          reachable: true,
          load: c.load,
          users: c.users,
          displayManager: { name: c.displayManager ?? 'none', running: c.displayManager !== undefined },
          telnet: c.telnetListening,
          ...(route ? { route } : {}),
          ...boots,
        };
      };
      const outcomes = await ops.run(
        opId,
        rss,
        'parallel',
        async ({ rs, name: n }) => {
          const [check, route, boots] = await Promise.all([
            checkRealserver(ctx.realserverExecutor(rs), n),
            routes.check(rs).then(
              (r) => ({ ok: r.ok, problems: r.problems }),
              () => undefined, // an unreachable realserver already reports its error through the check
            ),
            bootReport(boot, rs),
          ]);
          return { check, ...(route ? { route } : {}), boots };
        },
        (o, h) => ({ row: toRow(o, h.rs) }),
      );
      return outcomes.map((o, i) => toRow(o, rss[i]!.rs));
    },
    'realservers.routeFix': async ({ clusterId, name, dryRun, fingerprint, fingerprints, opId }) => {
      const svc = services.get(clusterId);
      const ctx = svc.context();
      const routes = new RealserverRoutes(ctx);
      const rss = confirmedOnly(ctx.selectRealservers(name ?? 'all').map((rs) => ({ rs, name: realserverName(rs) })), dryRun ? undefined : fingerprints);
      const fp = (n: string) => fingerprints?.[n] ?? fingerprint;
      // A preview reads (hosts in parallel); a fix changes hosts: one realserver after the other, each under the
      // cluster's write lock and audited as a change; a cancel stops before the next realserver, never inside one's fix.
      const results = await ops.run(opId, rss, dryRun ? 'parallel' : 'serial', ({ rs, name: n }) =>
        dryRun
          ? routes.preview(rs)
          : svc.lock.run(`route fix ${n}`, () => asChange(`route fix ${n} (${svc.cluster.name})`, () => routes.fix(rs, fp(n) !== undefined ? { fingerprint: fp(n)! } : {}))),
      );
      return results.map((r) => {
        if (!r.ok) {
          const ran = (r.error.detail as { ran?: string[] } | undefined)?.ran;
          return { name: r.name, steps: [], applied: (ran?.length ?? 0) > 0, ...(ran ? { ran } : {}), error: { ...r.error.toData(), detail: undefined } };
        }
        return routeFixResult(r.value, !dryRun);
      });
    },
    'realservers.bootRoute': async ({ clusterId, name, op, dryRun, fingerprint, fingerprints, opId }) => {
      const svc = services.get(clusterId);
      const ctx = svc.context();
      const boot = new RealserverBoot(ctx);
      const rss = confirmedOnly(ctx.selectRealservers(name ?? 'all').map((rs) => ({ rs, name: realserverName(rs) })), dryRun ? undefined : fingerprints);
      const fp = (n: string) => fingerprints?.[n] ?? fingerprint;
      const results = await ops.run(opId, rss, dryRun ? 'parallel' : 'serial', ({ rs, name: n }) =>
        dryRun ? boot.preview(rs, op) : svc.lock.run(`${op}-route ${n}`, () => asChange(`${op}-route ${n} (${svc.cluster.name})`, () => boot.run(rs, op, fp(n) !== undefined ? { fingerprint: fp(n)! } : {}))),
      );
      return results.map((r) => {
        if (!r.ok) {
          const ran = (r.error.detail as { ran?: string[] } | undefined)?.ran;
          return { name: r.name, op, steps: [], applied: (ran?.length ?? 0) > 0, ...(ran ? { ran } : {}), error: { ...r.error.toData(), detail: undefined } };
        }
        return bootRouteResult(r.value, !dryRun);
      });
    },
    'doctor.run': async ({ clusterId }) => reportOut(await doctorOf(clusterId).run()),
    'doctor.previewFix': async ({ clusterId, key }) => {
      const p = await doctorOf(clusterId).previewFix(key);
      return { key: p.finding.key, via: p.via, commands: p.commands, fingerprint: p.fingerprint };
    },
    'doctor.runFix': async ({ clusterId, key, fingerprint }) => {
      try {
        const o = await doctorOf(clusterId).runFix(key, fingerprint);
        return { key: o.finding.key, via: o.via, commands: o.commands, fingerprint: o.fingerprint, ran: o.ran, gone: o.gone, after: reportOut(o.after) };
      } catch (e) {
        if (e instanceof AppError && e.code === 'PLAN_STALE') {
          const p = (e.detail as { preview: { finding: Finding; via: string; commands: string[]; fingerprint: string } }).preview;
          throw new AppError('PLAN_STALE', e.message, { detail: { changes: ['the fix changed'], preview: { key: p.finding.key, via: p.via, commands: p.commands, fingerprint: p.fingerprint } } });
        }
        throw e;
      }
    },
    'connect.detect': async () => (await detectLaunchers(deps.launch.readers, stores.settings.get().launcherOverrides)).launchers,
    'connect.launch': async ({ clusterId, kind, launcherId }) => {
      const ctx = ctxOf(clusterId);
      const cluster = ctx.cluster;
      const vip = (await ctx.resolver())(cluster.vip);
      const { launchers } = await detectLaunchers(deps.launch.readers, stores.settings.get().launcherOverrides);
      const display = await pickDisplay(deps.launch.displayTaken);
      const port = kind === 'xdmcp' ? 177 : 23;
      const plan = planLaunch(launchers, { kind, ...(launcherId ? { launcherId } : {}) }, { vip, display, port }, deps.launch.platform);
      if (kind === 'xdmcp' && !plan.args.includes('-from')) {
        // XDMCP advertises the X server's addresses and the display manager connects back to one of them. A desktop with
        // several interfaces must name the one the cluster sees, or xdm tries an address it can't reach and the session
        // fails. The director's $SSH_CLIENT is exactly that address.
        const from = await desktopAddress(ctx);
        if (from) plan.args.push('-from', from);
      }
      const child = await deps.launch.spawn(plan.file, plan.args);
      if (child.pid !== undefined) launched.add(child.pid);
      deps.log('info', `Connect me: started ${plan.launcher.name} (${[plan.file, ...plan.args].join(' ')})`);
      return { ...(child.pid !== undefined ? { pid: child.pid } : {}), argv: [plan.file, ...plan.args] };
    },
    'connect.whereAmI': async ({ clusterId }) => {
      const ctx = ctxOf(clusterId);
      const cluster = ctx.cluster;
      const resolve = await ctx.resolver();
      const vip = resolve(cluster.vip);
      // $SSH_CLIENT is this desktop's address as the director sees it: the source address of its VIP connections too.
      const r = await execChecked(ctx.director, ['sh', '-c', 'echo "$SSH_CLIENT"; PATH=$PATH:/sbin:/usr/sbin; ipvsadm -L -n -c'], [0], 'ipvsadm -L -n -c', { sudo: true, timeoutMs: 30_000, maxOutputBytes: CONNECTIONS_MAX_OUTPUT_BYTES });
      const [first, ...rest] = r.stdout.split('\n');
      const client = (first ?? '').trim().split(/\s+/)[0] ?? '';
      const conns = parseIpvsadmConnections(rest.join('\n')).connections;
      const addr = landedOn(conns, client, vip, 177) ?? landedOn(conns, client, vip, 23);
      if (!addr) return {};
      const rs = cluster.realservers.find((x) => resolve(x.host) === addr);
      return { landedOn: { address: addr, name: rs ? realserverName(rs) : addr } };
    },
    'connect.alive': async ({ pid }) => {
      if (!launched.has(pid)) throw new AppError('INVALID_INPUT', `pid ${pid}: not a program Connect me started`);
      const alive = processAlive(pid);
      if (!alive) launched.delete(pid);
      return { alive };
    },
    'ops.cancel': async ({ opId }) => {
      ops.cancel(opId);
      return {};
    },
    'clusters.check': async ({ cluster }) => {
      const c = clusterSchema.safeParse(cluster);
      if (!c.success) throw new AppError('INVALID_INPUT', describeIssues(c.error, '(profile)').join('; '));
      return { problems: await checkProfile(c.data, opts.profileCheck ?? nodeProfileCheckDeps) };
    },
    'app.info': async () => {
      const p = opts.platform ?? process.platform;
      return { platform: p === 'win32' || p === 'linux' || p === 'darwin' ? p : 'other', nativeDialogs: opts.pickKeyFile !== undefined, dataDir: stores.location };
    },
    'files.pickKeyFile': async ({ current }) => {
      if (!opts.pickKeyFile) throw new AppError('UNSUPPORTED', 'no native file dialog here (the web host): type the full path of the key file');
      const path = await opts.pickKeyFile(current);
      return path ? { path } : {};
    },
    'audit.list': async ({ limit }) => deps.audit.list(limit),
    'audit.export': async ({ format }) => ({ text: deps.audit.export(format) }),
    'metrics.history': async ({ clusterId, window }) => sampler.samples(clusterId, WINDOW_MS[window]),
    'metrics.watch': async ({ clusterId, on }) => {
      services.get(clusterId);
      sampler.watch(clusterId, on);
      health.watch(clusterId, on);
      return {};
    },
    'cluster.health': async ({ clusterId }) => {
      services.get(clusterId);
      return health.state(clusterId);
    },
    'settings.get': async () => stores.settings.get(),
    'settings.set': async (patch) => setSettingsChecked(stores.settings, patch, { readers: deps.launch.readers, ...(deps.launch.confirmLauncher ? { confirm: deps.launch.confirmLauncher } : {}) }),
  };
  return {
    handlers,
    async close() {
      sampler.stopAll();
      await sessions.closeAll();
    },
  };

  /** This desktop's address as the director sees it (its $SSH_CLIENT), or undefined if that isn't an address. */
  async function desktopAddress(ctx: ClusterContext): Promise<string | undefined> {
    const r = await ctx.director.exec(['sh', '-c', 'echo "$SSH_CLIENT"'], { step: 'echo $SSH_CLIENT', timeoutMs: 30_000 });
    const a = r.stdout.trim().split(/\s+/)[0] ?? '';
    return r.code === 0 && (isIPv4(a) || isIPv6(a)) ? a : undefined;
  }

  /** The doctor of a cluster, with this desktop's own checks (its launchers and overrides). */
  function doctorOf(clusterId: string): DoctorService {
    return new DoctorService(services.get(clusterId), (i) => checkDesktop({ ...i, readers: deps.launch.readers, overrides: stores.settings.get().launcherOverrides }));
  }

  /** With per-host fingerprints, only the realservers the admin confirmed run (the others are not touched). */
  function confirmedOnly<H extends { name: string }>(hosts: H[], fingerprints: Record<string, string> | undefined): H[] {
    return fingerprints ? hosts.filter((h) => Object.hasOwn(fingerprints, h.name)) : hosts;
  }

  /** "Fixed at boot" for one realserver: lvs-route's boot plan verified (or why it could not be told). */
  async function bootReport(boot: RealserverBoot, rs: Realserver): Promise<{ boot?: { kind: string; installed: boolean; current: boolean; problems: string[] }; bootError?: string }> {
    try {
      const v = (await boot.plan(rs)).plan.verify;
      return { boot: { kind: v.kind, installed: v.installed, current: v.current, problems: v.problems } };
    } catch (e) {
      return { bootError: e instanceof Error ? e.message : String(e) };
    }
  }
}

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
import { clusterSchema, type Cluster } from '../../shared/model/cluster.ts';
import { isIPv4, isIPv6 } from '../../shared/model/validators.ts';
import { AppError, describeIssues } from '../../shared/result.ts';
import type { ConfClusterBase } from '../lvs/conf/conf-model.ts';
import { importLvsConf } from '../lvs/conf/conf-import.ts';
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
import { ClusterServices, type Change, type Preview, type RunOutcome } from '../services/cluster-service.ts';
import { displaySteps } from '../services/plan-render.ts';
import { RealserverChecks } from '../services/realserver-check.ts';
import { RealserverRoutes, type RouteReport } from '../services/realserver-routes.ts';
import { RealserverBoot, type BootReport } from '../services/realserver-boot.ts';
import { DoctorService, type DoctorReport } from '../services/doctor-service.ts';
import { checkDesktop } from '../services/desktop-checks.ts';
import { stepText } from '../services/run-steps.ts';
import type { Finding } from '../doctor/model.ts';
import { forEachRealserver } from '../services/per-host.ts';
import { execChecked } from '../ssh/exec-checked.ts';
import { sshFingerprint } from '../store/store-document.ts';
import { CONNECTIONS_MAX_OUTPUT_BYTES } from '../ssh/types.ts';
import { MetricsSampler } from './metrics-sampler.ts';
import type { ApplyProgress } from '../services/director-apply.ts';
import { RunProgress } from './run-progress.ts';
import { driftOf, tableOf } from './status-mapping.ts';

type RunResult = MethodOutput<'director.run'>;

// zod 4 refuses .pick on a refined object, so the import base (what lvs.conf can't say) is built from the shape.
const baseSchema = z.object({ id: clusterSchema.shape.id, name: clusterSchema.shape.name, director: clusterSchema.shape.director });

const WINDOW_MS = { '5m': 5 * 60_000, '1h': 3600_000, '24h': 24 * 3600_000 } as const;

/** Builds MainDeps for plain Node (the web host and the tests). */
export function createNodeDeps(opts: { emit: MainDeps['emit']; dataDir: string }): MainDeps {
  return nodeMainDeps({ dir: opts.dataDir, emit: opts.emit });
}

/**
 * What a run changed and noticed, for the renderer: when applied, each step by its why (update and the minimal diff
 * already describe their steps in the summary), then the plan's notes ("VIP already up …"), then the probe.
 */
export function changesOf(plan: Plan, applied: boolean, probe?: { display: string; alive: boolean }[]): string[] {
  const described = plan.verb === 'update' || plan.verb === 'diff';
  const out = applied && !described ? plan.steps.map((s) => s.why) : [];
  out.push(...(plan.summary ?? []));
  for (const p of probe ?? []) out.push(`${p.display}: ${p.alive ? 'alive' : 'not answering'}`);
  return out;
}

/** A preview or a run outcome in the contract's shape. */
export function runResultOf(runId: string, verb: string, p: Preview | RunOutcome, ran: boolean): RunResult {
  const applied = ran && (p as RunOutcome).report !== undefined;
  return {
    runId,
    verb,
    dryRun: !ran,
    steps: displaySteps(p.plan, p.before.label),
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

/** The handlers for every contract method. `opts.context` replaces the SSH wiring (tests hand in a stand-in director). */
export function createHandlers(deps: MainDeps, opts: { context?: (cluster: Cluster) => ClusterContext } = {}): ApiHandlers {
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
  const ctxOf = (id: string): ClusterContext => services.get(id).context();

  const sampler = new MetricsSampler({
    service: (id) => (stores.profiles.get(id) ? services.get(id) : undefined),
    intervalSec: () => stores.settings.get().sampleIntervalSec,
    emit: (s) => deps.emit('cluster.sample', s),
    log: deps.log,
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
      const out = await svc.run(change, {
        fingerprint,
        apply: { onProgress: (p: ApplyProgress) => progress.step(p.phase === 'reconnect' ? 'transaction' : p.phase, `${p.phase}: ${p.message}`) },
      });
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
      const base = baseSchema.safeParse(input.base);
      if (!base.success) throw new AppError('INVALID_INPUT', `base: ${describeIssues(base.error).join('; ')}`);
      return importLvsConf(input.text, input.file, base.data as ConfClusterBase);
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
      const snap = await services.get(clusterId).snapshot({ rate: true });
      const health = sampler.health(clusterId);
      for (const rs of snap.cluster.realservers) health[realserverName(rs)] ??= 'unknown';
      return {
        table: tableOf(snap.view),
        vipUp: snap.view.vip.up,
        forwarding: snap.state.sysctls['net.ipv4.ip_forward'] === '1',
        drift: driftOf(snap.cluster, snap.resolve, snap.state),
        health,
        observedAt: Date.now(),
      };
    },
    'director.planEdit': async ({ clusterId, ...e }) => plan(clusterId, editChange(e), e.edit.kind),
    'director.runEdit': async ({ clusterId, fingerprint, ...e }) => run(clusterId, editChange(e), e.edit.kind, fingerprint),
    'realservers.check': async ({ clusterId, name }) => {
      const ctx = ctxOf(clusterId);
      const [checks, routes, boots] = await Promise.all([new RealserverChecks(ctx).check(name ?? 'all'), routeReports(ctx, name), bootReports(ctx, name)]);
      return checks.map((c) => {
        const rs = ctx.selectRealservers(c.name)[0]!;
        const route = routes.get(c.name);
        if (!c.ok) return { name: c.name, host: rs.host, os: rs.os, reachable: false, error: c.error.toData() };
        return {
          name: c.name,
          host: rs.host,
          os: c.value.uname,
          reachable: true,
          load: c.value.load,
          users: c.value.users,
          displayManager: { name: c.value.displayManager ?? 'none', running: c.value.displayManager !== undefined },
          telnet: c.value.telnetListening,
          ...(route ? { route } : {}),
          ...boots.get(c.name),
        };
      });
    },
    'realservers.routeFix': async ({ clusterId, name, dryRun, fingerprint }) => {
      const svc = services.get(clusterId);
      const ctx = svc.context();
      const routes = new RealserverRoutes(ctx);
      const rss = ctx.selectRealservers(name ?? 'all');
      const go = () => forEachRealserver(rss, (rs) => (dryRun ? routes.preview(rs) : routes.fix(rs, fingerprint !== undefined ? { fingerprint } : {})));
      const results = dryRun ? await go() : await svc.lock.run(`route-fix ${name ?? 'all'}`, go);
      return results.map((r) => {
        if (!r.ok) {
          const ran = (r.error.detail as { ran?: string[] } | undefined)?.ran;
          return { name: r.name, steps: [], applied: (ran?.length ?? 0) > 0, ...(ran ? { ran } : {}), error: { ...r.error.toData(), detail: undefined } };
        }
        return routeFixResult(r.value, !dryRun);
      });
    },
    'realservers.bootRoute': async ({ clusterId, name, op, dryRun, fingerprint }) => {
      const svc = services.get(clusterId);
      const ctx = svc.context();
      const boot = new RealserverBoot(ctx);
      const rss = ctx.selectRealservers(name ?? 'all');
      const go = () => forEachRealserver(rss, (rs) => (dryRun ? boot.preview(rs, op) : boot.run(rs, op, fingerprint !== undefined ? { fingerprint } : {})));
      const results = dryRun ? await go() : await svc.lock.run(`${op}-route ${name ?? 'all'}`, go);
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
    'audit.list': async ({ limit }) => deps.audit.list(limit),
    'audit.export': async ({ format }) => ({ text: deps.audit.export(format) }),
    'metrics.history': async ({ clusterId, window }) => sampler.samples(clusterId, WINDOW_MS[window]),
    'metrics.watch': async ({ clusterId, on }) => {
      services.get(clusterId);
      sampler.watch(clusterId, on);
      return {};
    },
    'settings.get': async () => stores.settings.get(),
    'settings.set': async (patch) => setSettingsChecked(stores.settings, patch, { readers: deps.launch.readers, ...(deps.launch.confirmLauncher ? { confirm: deps.launch.confirmLauncher } : {}) }),
  };
  return handlers;

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

  /** "Fixed at boot" per realserver: lvs-route's boot plan verified (or why it could not be told). */
  async function bootReports(ctx: ClusterContext, name?: string): Promise<Map<string, { boot?: { kind: string; installed: boolean; current: boolean; problems: string[] }; bootError?: string }>> {
    const boot = new RealserverBoot(ctx);
    const out = new Map<string, { boot?: { kind: string; installed: boolean; current: boolean; problems: string[] }; bootError?: string }>();
    await Promise.all(
      ctx.selectRealservers(name ?? 'all').map(async (rs) => {
        try {
          const { plan } = await boot.plan(rs);
          const v = plan.verify;
          out.set(realserverName(rs), { boot: { kind: v.kind, installed: v.installed, current: v.current, problems: v.problems } });
        } catch (e) {
          out.set(realserverName(rs), { bootError: e instanceof Error ? e.message : String(e) });
        }
      }),
    );
    return out;
  }

  async function routeReports(ctx: ClusterContext, name?: string): Promise<Map<string, { ok: boolean; problems: string[] }>> {
    const routes = new RealserverRoutes(ctx);
    const out = new Map<string, { ok: boolean; problems: string[] }>();
    await Promise.all(
      ctx.selectRealservers(name ?? 'all').map(async (rs) => {
        try {
          const r = await routes.check(rs);
          out.set(realserverName(rs), { ok: r.ok, problems: r.problems });
        } catch {
          // unreachable realservers already report their error through the check
        }
      }),
    );
    return out;
  }
}

/**
 * createHandlers(deps): the ApiHandlers behind both transports (Electron IPC and the web host). Each method is a thin
 * call into the stores or the services (the same ones lvsctl uses); inputs arrive parsed by the contract, errors leave as
 * AppError (the transports turn them into {ok:false, error}). Director verbs stream `director.progress` events.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ApiHandlers, MethodOutput } from '../../shared/api/contract.ts';
import { clusterSchema, type Cluster, type ClusterInput } from '../../shared/model/cluster.ts';
import { isIPv4, isIPv6 } from '../../shared/model/validators.ts';
import { AppError } from '../../shared/result.ts';
import type { ConfClusterBase } from '../lvs/conf/conf-model.ts';
import { confVariables, parseLvsConf } from '../lvs/conf/conf-parse.ts';
import { writeLvsConf } from '../lvs/conf/conf-write.ts';
import { clusterFromDirectorConf, directorConf } from '../lvs/conf/director-conf.ts';
import { parseIpvsadmConnections } from '../lvs/ipvs/ipvsadm-conn-parse.ts';
import type { Plan } from '../../shared/model/plan.ts';
import { shellQuote } from '../shell/shell-quote.ts';
import { detectLaunchers } from '../launch/detect.ts';
import { pickDisplay } from '../launch/display.ts';
import { landedOn } from '../launch/landed-on.ts';
import { planLaunch } from '../launch/plan-launch.ts';
import { setSettingsChecked } from '../launch/launcher-guard.ts';
import { nodeMainDeps, type MainDeps } from '../ipc/main-deps.ts';
import type { ClusterContext } from '../services/cluster-context.ts';
import { realserverName } from '../services/cluster-context.ts';
import { pullConf } from '../services/conf-remote.ts';
import { editProfile, reconcile, type RealserverEdit } from '../services/director-edits.ts';
import { DirectorService } from '../services/director-service.ts';
import { RealserverChecks } from '../services/realserver-check.ts';
import { RealserverRoutes } from '../services/realserver-routes.ts';
import { statusView } from '../services/status-view.ts';
import { sshFingerprint } from '../store/store-document.ts';
import { CONNECTIONS_MAX_OUTPUT_BYTES } from '../ssh/types.ts';
import { ClusterSessions } from './cluster-sessions.ts';
import { MetricsSampler } from './metrics-sampler.ts';
import type { ApplyProgress } from '../services/director-apply.ts';
import { RunProgress } from './run-progress.ts';
import { driftOf, tableOf } from './status-mapping.ts';

type RunResult = MethodOutput<'director.run'>;

// zod 4 refuses .pick on a refined object, so the import base (what lvs.conf can't say) is built from the shape.
const baseSchema = z.object({ id: clusterSchema.shape.id, name: clusterSchema.shape.name, director: clusterSchema.shape.director });

const WINDOW_MS = { '5m': 5 * 60_000, '1h': 3600_000, '24h': 24 * 3600_000 } as const;

/** Builds MainDeps for plain Node (the web host calls this when present). */
export function createNodeDeps(opts: { emit: MainDeps['emit']; dataDir: string }): MainDeps {
  return nodeMainDeps({ dir: opts.dataDir, emit: opts.emit });
}

/** The handlers for every contract method. */
export function createHandlers(deps: MainDeps): ApiHandlers {
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

  const profile = (id: string): Cluster => {
    const c = stores.profiles.get(id);
    if (!c) throw new AppError('NOT_FOUND', `no cluster profile '${id}'`, { step: 'load profile' });
    return c;
  };
  const ctxOf = (id: string): ClusterContext => sessions.context(profile(id));

  const sampler = new MetricsSampler({
    context: (id) => {
      const c = stores.profiles.get(id);
      return c ? { cluster: c, ctx: sessions.context(c) } : undefined;
    },
    intervalSec: () => stores.settings.get().sampleIntervalSec,
    emit: (s) => deps.emit('cluster.sample', s),
    log: deps.log,
  });

  /** Plan steps for the renderer: shell-quoted commands with their why. */
  const stepsOf = (plan: Plan, host: string) =>
    plan.steps.map((s) => ({ host: s.host === 'director' ? host : s.host, command: shellQuote(s.argv), why: s.why, ...(s.stdin ? { stdin: s.stdin } : {}) }));

  /** Runs a verb (start/stop/reload/update/reconcile) as plan-only or for real, streaming progress step by step. */
  async function runVerb(clusterId: string, verb: 'start' | 'stop' | 'reload' | 'update' | 'reconcile', dryRun: boolean, graceful = false): Promise<RunResult> {
    const ctx = ctxOf(clusterId);
    const runId = randomUUID();
    const host = ctx.director.label;
    const progress = dryRun ? undefined : new RunProgress({ clusterId, runId, host }, (p) => deps.emit('director.progress', p));
    const apply = {
      onProgress: (p: ApplyProgress) => progress?.step(p.phase === 'reconnect' ? 'transaction' : p.phase, `${p.phase}: ${p.message}`),
    };
    try {
      if (verb === 'reconcile') {
        if (dryRun) {
          const preview = await reconcile(ctx, { dryRun: true, graceful });
          return { runId, verb, dryRun, steps: stepsOf(preview.plan, host), applied: false, changes: changesOf(preview.plan, false) };
        }
        progress?.step('observe', `reconcile: observing ${host}`);
        const out = await reconcile(ctx, { graceful, apply });
        progress?.finish(out.plan.steps.length ? `reconcile: applied ${out.plan.steps.length} change(s)` : 'reconcile: in sync, nothing to do');
        const applied = out.plan.steps.length > 0;
        return { runId, verb, dryRun, steps: stepsOf(out.plan, host), applied, changes: changesOf(out.plan, applied) };
      }
      const svc = new DirectorService(ctx);
      if (dryRun) {
        const o = await svc[verb]({ dryRun: true });
        return { runId, verb, dryRun, steps: stepsOf(o.plan, host), applied: false, changes: changesOf(o.plan, false, o.probe) };
      }
      progress?.step('observe', `${verb}: observing ${host}`);
      const o = await svc[verb]({ apply });
      progress?.finish(`${verb}: ${o.plan.steps.length ? 'done' : 'nothing to do'}`);
      const applied = o.plan.steps.length > 0;
      return { runId, verb, dryRun, steps: stepsOf(o.plan, host), applied, changes: changesOf(o.plan, applied, o.probe) };
    } catch (e) {
      progress?.fail(e instanceof AppError && e.code === 'APPLY_FAILED' ? 'rolled-back' : 'failed', e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  /**
   * What a run changed and noticed, for the renderer: when applied, each step by its why (update and the minimal diff
   * already describe their steps in the summary), then the plan's notes ("VIP already up …"), then the probe.
   */
  function changesOf(plan: Plan, applied: boolean, probe?: { display: string; alive: boolean }[]): string[] {
    const described = plan.verb === 'update' || plan.verb === 'diff';
    const out = applied && !described ? plan.steps.map((s) => s.why) : [];
    out.push(...(plan.summary ?? []));
    for (const p of probe ?? []) out.push(`${p.display}: ${p.alive ? 'alive' : 'not answering'}`);
    return out;
  }

  /** A per-realserver edit: change the profile, save it, then reconcile (drain = graceful). */
  async function edit(clusterId: string, which: string, e: RealserverEdit): Promise<RunResult> {
    const next = editProfile(profile(clusterId), which, e);
    stores.profiles.save(next.cluster);
    return runVerb(clusterId, 'reconcile', false, e.kind === 'drain');
  }

  const handlers: ApiHandlers = {
    'clusters.list': async () => stores.profiles.list(),
    'clusters.get': async ({ clusterId }) => profile(clusterId),
    'clusters.save': async ({ cluster }) => stores.profiles.save(cluster),
    'clusters.delete': async ({ clusterId }) => {
      sampler.watch(clusterId, false);
      await sessions.drop(clusterId);
      if (!stores.profiles.delete(clusterId)) throw new AppError('NOT_FOUND', `no cluster profile '${clusterId}'`);
      return {};
    },
    'clusters.importConf': async (input) => {
      if (input.source === 'director') {
        const c = profile(input.clusterId);
        const text = await pullConf(ctxOf(input.clusterId).director);
        const cluster = clusterFromDirectorConf(confVariables(parseLvsConf(text, `${c.director.host}:/etc/lvs.conf`)), c as ConfClusterBase);
        return { cluster, warnings: [] };
      }
      const base = baseSchema.safeParse(input.base);
      if (!base.success) throw new AppError('INVALID_INPUT', `base: ${base.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const warnings = input.text.includes('\r\n') ? [`${input.file}: CRLF line endings (read as LF; the director's sh would choke on them)`] : [];
      const cluster: ClusterInput = clusterFromDirectorConf(confVariables(parseLvsConf(input.text, input.file)), base.data as ConfClusterBase);
      return { cluster, warnings };
    },
    'clusters.exportConf': async ({ clusterId }) => ({ text: writeLvsConf(directorConf(profile(clusterId))) }),
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
    'director.plan': async ({ clusterId, verb }) => runVerb(clusterId, verb, true, verb === 'reconcile'),
    'director.run': async ({ clusterId, verb, dryRun }) => runVerb(clusterId, verb, dryRun, verb === 'reconcile'),
    'director.status': async ({ clusterId }) => {
      const ctx = ctxOf(clusterId);
      const svc = new DirectorService(ctx);
      const state = await svc.observe('status', { rate: true });
      const resolve = await ctx.resolver();
      const view = statusView(ctx.cluster, resolve, state, resolve(ctx.cluster.vip));
      const health = sampler.health(clusterId);
      for (const rs of ctx.cluster.realservers) health[realserverName(rs)] ??= 'unknown';
      return {
        table: tableOf(view),
        vipUp: view.vip.up,
        forwarding: state.sysctls['net.ipv4.ip_forward'] === '1',
        drift: driftOf(ctx.cluster, resolve, state),
        health,
        observedAt: Date.now(),
      };
    },
    'director.setWeight': async ({ clusterId, realserver, weight }) => edit(clusterId, realserver, { kind: 'weight', weight }),
    'director.drain': async ({ clusterId, realserver }) => edit(clusterId, realserver, { kind: 'drain' }),
    'director.disable': async ({ clusterId, realserver }) => edit(clusterId, realserver, { kind: 'disable' }),
    'director.enable': async ({ clusterId, realserver }) => edit(clusterId, realserver, { kind: 'enable' }),
    'realservers.check': async ({ clusterId, name }) => {
      const ctx = ctxOf(clusterId);
      const [checks, routes] = await Promise.all([new RealserverChecks(ctx).check(name ?? 'all'), routeReports(ctx, name)]);
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
        };
      });
    },
    'realservers.routeFix': async ({ clusterId, name, dryRun }) => {
      const ctx = ctxOf(clusterId);
      const routes = new RealserverRoutes(ctx);
      return Promise.all(
        ctx.selectRealservers(name ?? 'all').map(async (rs) => {
          const n = realserverName(rs);
          try {
            const r = await routes.fix(rs, { dryRun });
            return { name: n, steps: r.steps.map((s) => ({ host: n, command: shellQuote(s.argv), why: s.why })), applied: !dryRun && (r.ran?.length ?? 0) > 0 };
          } catch (e) {
            const err = e instanceof AppError ? e : new AppError('INTERNAL', String(e));
            return { name: n, steps: [], applied: false, error: err.toData() };
          }
        }),
      );
    },
    'connect.detect': async () => (await detectLaunchers(deps.launch.readers, stores.settings.get().launcherOverrides)).launchers,
    'connect.launch': async ({ clusterId, kind, launcherId }) => {
      const cluster = profile(clusterId);
      const ctx = sessions.context(cluster);
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
      const r = await ctx.director.exec(['sh', '-c', 'echo "$SSH_CLIENT"; PATH=$PATH:/sbin:/usr/sbin; ipvsadm -L -n -c'], { step: 'ipvsadm -L -n -c', sudo: true, timeoutMs: 30_000, maxOutputBytes: CONNECTIONS_MAX_OUTPUT_BYTES });
      if (r.code !== 0) throw new AppError('COMMAND_FAILED', `${ctx.director.label}: ipvsadm -L -n -c: ${r.stderr.trim() || `exit ${r.code}`}`, { host: ctx.director.label, step: 'ipvsadm -L -n -c' });
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
      profile(clusterId);
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

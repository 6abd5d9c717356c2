/**
 * The doctor as a service: one run checks every link of the path desktop → VIP → director(s) → realservers → login
 * screen at once (collect-plan.ts: one exec per director and per enabled realserver, all in parallel; the desktop's own
 * checks beside them, desktop-checks.ts) and turns what it saw into findings at their root (diagnose.ts). A finding's
 * fix is previewed and run through the console's existing paths: a realserver's routes through the route fix (which
 * keeps the console's own path working), its boot script through install-route, the director's runtime through
 * install-director, and the director's commands (VIP, sysctls, table entries) as the planners made them; every fix runs
 * under the cluster's write lock, only when its fingerprint still matches the preview, and the doctor runs again after it
 * to say whether the finding is gone.
 */
import { createHash } from 'node:crypto';
import type { Realserver } from '../../shared/model/cluster.ts';
import type { PlanStep } from '../../shared/model/plan.ts';
import { portNumber } from '../../shared/model/well-known-ports.ts';
import { AppError } from '../../shared/result.ts';
import { collectPlan, wantsXdmcp } from '../doctor/collect-plan.ts';
import { diagnose } from '../doctor/diagnose.ts';
import type { DesktopObs, DirectorObs, DoctorObservations, Finding, RealserverObs } from '../doctor/model.ts';
import { backupStamp } from '../shell/remote-file.ts';
import { execChecked } from '../ssh/exec-checked.ts';
import type { Executor } from '../ssh/types.ts';
import { realserverName, type ClusterContext } from './cluster-context.ts';
import type { ClusterService } from './cluster-service.ts';
import { mapLimit, PER_HOST_CONCURRENCY } from './per-host.ts';
import { RealserverBoot } from './realserver-boot.ts';
import { RealserverRoutes } from './realserver-routes.ts';
import { runSteps, stepText } from './run-steps.ts';

/** How long one realserver's collector may take. */
const REALSERVER_COLLECT_TIMEOUT_MS = 15_000;

/** One host as the run reached it. */
export interface CheckedHost {
  name: string;
  ok: boolean;
  error?: string;
}

/** What one doctor run found. */
export interface DoctorReport {
  findings: Finding[];
  /** Which hosts were looked at, and which could not be. */
  checked: { directors: CheckedHost[]; realservers: CheckedHost[]; desktop: boolean };
  /** What this run does not check (yet), in words. */
  notes: string[];
  durationMs: number;
  observedAt: number;
}

/** A fix as previewed: the commands it runs (or the verb it runs), and their fingerprint. */
export interface FixPreview {
  finding: Finding;
  /** How the fix runs: through the route fix, install-route, install-director, or the steps as planned. */
  via: 'route-fix' | 'install-route' | 'install-director' | 'steps';
  /** The commands, in order, as text (`director: …` for the director's, `NAME: …` for a realserver's). */
  commands: string[];
  fingerprint: string;
}

/** What running a fix did. */
export interface FixOutcome extends FixPreview {
  ran: string[];
  /** The finding is no longer there when the doctor ran again. */
  gone: boolean;
  /** The findings of the run after the fix. */
  after: DoctorReport;
}

/** How the desktop's own checks are made (the app and lvsctl: desktop-checks.ts; tests may leave them out). */
export type DesktopCheck = (input: { vip: string; tcpPorts: number[]; xdmcp: boolean }) => Promise<DesktopObs>;

const sha = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex');
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The doctor of one cluster. */
export class DoctorService {
  constructor(
    private readonly service: ClusterService,
    private readonly desktop?: DesktopCheck,
  ) {}

  private ctx(): ClusterContext {
    return this.service.context();
  }

  /** One run: every collector and the desktop's checks at once, then diagnose. Read-only. */
  async run(): Promise<DoctorReport> {
    const started = performance.now();
    const ctx = this.ctx();
    const cluster = ctx.cluster;
    const resolve = await ctx.resolver();
    const plan = collectPlan(cluster, resolve, backupStamp(new Date()));
    const execOf = (which: 'director' | 'pair'): Executor => (which === 'director' ? ctx.director : ctx.pairDirectorExecutor()!);
    const rsByName = new Map(cluster.realservers.map((r) => [realserverName(r), r]));
    const vip = resolve(cluster.vip);
    const tcpPorts = cluster.tcp.map((s) => portNumber(s.port, 'tcp')).filter((p): p is number => p !== undefined);
    // Every realserver collector can be ended early: when the director's probe finds the realserver answering neither
    // ping nor any TCP port, waiting for SSH (through the director, whose kernel may take half a minute to give up on a
    // host that just died) tells nothing more. Each also has its own deadline, connect included.
    const stops = new Map(plan.realservers.map((p) => [p.name, new AbortController()]));
    const dead = (d: DirectorObs) => Object.entries(d.probes ?? {}).filter(([, p]) => !p.icmp && Object.values(p.tcp).every((up) => !up)).map(([a]) => a);
    const [directors, realservers, desktop] = await Promise.all([
      Promise.all(
        plan.directors.map(async (d): Promise<DirectorObs> => {
          let o: DirectorObs;
          try {
            const r = await execChecked(execOf(d.which), d.argv, [0], 'doctor: collect', { sudo: true, shared: true, timeoutMs: d.probeTimeoutMs + 15_000 });
            o = d.parse(r.stdout);
          } catch (e) {
            o = { name: d.name, error: message(e) };
          }
          const down = new Set(dead(o));
          for (const p of plan.realservers) if (down.has(p.address)) stops.get(p.name)!.abort(new Error(`${p.name}: not answering the director's ping or TCP connects; not waiting for SSH`));
          return o;
        }),
      ),
      // every realserver at once (up to PER_HOST_CONCURRENCY; its deadline starts when its turn does)
      mapLimit(plan.realservers, PER_HOST_CONCURRENCY, async (p): Promise<RealserverObs> => {
        const stop = stops.get(p.name)!;
        const deadline = setTimeout(() => stop.abort(new Error(`${p.name}: no answer within ${REALSERVER_COLLECT_TIMEOUT_MS / 1000} s (connect and collect)`)), REALSERVER_COLLECT_TIMEOUT_MS);
        try {
          const r = await execChecked(ctx.realserverExecutor(rsByName.get(p.name)!), p.argv, [0], 'doctor: collect', { shared: true, timeoutMs: REALSERVER_COLLECT_TIMEOUT_MS, signal: stop.signal });
          return p.parse(r.stdout);
        } catch (e) {
          const why = stop.signal.aborted && stop.signal.reason instanceof Error ? stop.signal.reason.message : message(e);
          return { name: p.name, address: p.address, error: why };
        } finally {
          clearTimeout(deadline);
        }
      }),
      this.desktop ? this.desktop({ vip, tcpPorts, xdmcp: wantsXdmcp(cluster) }).catch(() => undefined) : undefined,
    ]);
    const obs: DoctorObservations = { directors, realservers, ...(desktop ? { desktop } : {}) };
    const findings = diagnose(cluster, obs, resolve);
    const notes: string[] = [];
    if (cluster.runtime === 'keepalived') {
      notes.push(`keepalived: checked that it is configured and running and that keepalived.conf describes the profile's table${cluster.pair ? ', the VRRP roles of the pair and lvs-pair (sync daemons, takeover guard)' : ''}; which destinations its checkers hold out shows in the live table`);
    }
    if (!this.desktop) notes.push('the desktop\'s own checks (VIP, telnet banner and XDMCP through the VIP, X server and telnet client) were not run');
    const disabled = cluster.realservers.filter((r) => !r.enabled).map(realserverName);
    if (disabled.length) notes.push(`not checked (disabled in the profile): ${disabled.join(', ')}`);
    return {
      findings,
      checked: {
        directors: directors.map((d) => ({ name: d.name, ok: !d.error, ...(d.error ? { error: d.error } : {}) })),
        realservers: realservers.map((r) => ({ name: r.name, ok: !r.error, ...(r.error ? { error: r.error } : {}) })),
        desktop: desktop !== undefined,
      },
      notes,
      durationMs: performance.now() - started,
      observedAt: Date.now(),
    };
  }

  /** The realserver a finding is about. */
  private realserverOf(f: Finding): Realserver {
    return this.ctx().selectRealservers(f.subject.name)[0]!;
  }

  /** The preview of a finding's fix, for a finding of `report` (or of a fresh run). NOT_FOUND when it is gone; UNSUPPORTED when it has no fix. */
  async previewFix(key: string, report?: DoctorReport): Promise<FixPreview> {
    const r = report ?? (await this.run());
    const finding = r.findings.find((f) => f.key === key);
    if (!finding) throw new AppError('NOT_FOUND', `doctor: no finding ${key} now (fixed already?)`, { step: 'doctor fix' });
    const fix = finding.fix;
    if (!fix) throw new AppError('UNSUPPORTED', `doctor: ${finding.what}: the console has no fix for this; ${finding.why}`, { step: 'doctor fix' });
    const id = finding.id;
    if (id === 'realserver.subnet-route' || id === 'realserver.default-route') {
      const p = await new RealserverRoutes(this.ctx()).preview(this.realserverOf(finding));
      const commands = [...p.directorSteps.map((s) => `director: ${stepText(s)}`), ...p.steps.map((s) => `${p.name}: ${stepText(s)}`)];
      return { finding, via: 'route-fix', commands, fingerprint: p.fingerprint };
    }
    if (id === 'realserver.boot-script-missing' || id === 'realserver.boot-script-stale') {
      const p = await new RealserverBoot(this.ctx()).preview(this.realserverOf(finding), 'install');
      return { finding, via: 'install-route', commands: p.steps.map((s) => `${p.name}: ${stepText(s)}`), fingerprint: p.fingerprint };
    }
    if (fix.kind === 'action') {
      if (fix.action !== 'director.install') throw new AppError('UNSUPPORTED', `doctor: ${finding.what}: run ${fix.action} from its own page (${fix.why})`, { step: 'doctor fix' });
      return { finding, via: 'install-director', commands: [`${fix.target ?? 'director'}: install-director (${fix.why})`], fingerprint: sha(['install-director', fix.target ?? 'director', this.ctx().cluster]) };
    }
    return { finding, via: 'steps', commands: fix.steps.map((s) => `${s.host}: ${stepText(s)}`), fingerprint: sha(fix.steps.map((s) => [s.host, s.argv, s.stdin ?? null])) };
  }

  /**
   * Runs a finding's fix exactly as previewed: under the cluster's write lock, previews again and refuses (PLAN_STALE,
   * with the fresh preview) when the fingerprint differs; runs it; then runs the doctor again.
   */
  async runFix(key: string, fingerprint: string): Promise<FixOutcome> {
    return this.service.lock.run(`doctor fix ${key}`, async () => {
      const p = await this.previewFix(key);
      if (p.fingerprint !== fingerprint) {
        throw new AppError('PLAN_STALE', `doctor: changed since you looked: the fix for ${key} would now run ${p.commands.join('; ') || 'nothing'}. Nothing ran; review the fresh preview.`, {
          step: 'doctor fix',
          detail: { changes: ['the fix changed'], preview: p },
        });
      }
      const ctx = this.ctx();
      let ran: string[] = [];
      if (p.via === 'route-fix') {
        const r = await new RealserverRoutes(ctx).fix(this.realserverOf(p.finding), { fingerprint });
        ran = (r.ran ?? []).concat(r.notes ?? []);
      } else if (p.via === 'install-route') {
        ran = (await new RealserverBoot(ctx).run(this.realserverOf(p.finding), 'install', { fingerprint })).ran ?? [];
      } else if (p.via === 'install-director') {
        ran = await this.installDirectorUnlocked();
      } else if (p.finding.fix?.kind === 'steps') {
        ran = await this.runPlannedSteps(p.finding.fix.steps);
      }
      const after = await this.run();
      return { ...p, ran, gone: !after.findings.some((f) => f.key === key), after };
    });
  }

  /** install-director while the lock is already held (the ClusterService's own method takes it). */
  private async installDirectorUnlocked(): Promise<string[]> {
    const label = this.ctx().director.label;
    const r = await this.service.runHeld({ kind: 'install' });
    if (r.installCheck && !r.installCheck.rulesMatchPlan) {
      throw new AppError('COMMAND_FAILED', `${label}: install-director: the installed script would load a different table: ${r.installCheck.rulesDiff.join('; ')}`, { host: label, step: 'install-director' });
    }
    return r.report ? [`director: install-director applied as one transaction (${r.report.txid})`, ...(r.plan.summary ?? []).map((l) => `director: ${l}`)] : ['director: install-director: nothing to change'];
  }

  /** Runs planned steps on their hosts ('director', the pair director's name, or a realserver's name), in order. */
  private async runPlannedSteps(steps: PlanStep[]): Promise<string[]> {
    const ctx = this.ctx();
    const ran: string[] = [];
    for (const s of steps) {
      const pair = ctx.cluster.pair;
      const exec = s.host === 'director' ? ctx.director : pair && s.host === pair.director.host ? ctx.pairDirectorExecutor()! : ctx.realserverExecutor(ctx.selectRealservers(s.host)[0]!);
      ran.push(...(await runSteps(exec, [s])).map((c) => `${s.host}: ${c}`));
    }
    return ran;
  }
}

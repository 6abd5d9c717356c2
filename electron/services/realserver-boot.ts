/**
 * realserver install-route / uninstall-route: the seed's lvs-route as a boot script on a realserver ("fixed at boot",
 * apart from the live route state, "fixed now"). One exec probes how the realserver boots and what of lvs-route is there
 * (realserver/boot-probe.ts); planBoot turns that into the layout for its init (HP-UX rc, SysV, systemd), a verify and the
 * install / uninstall steps, generated from the same route operations the live fix runs (route-fix.ts), pointing at the
 * director or the pair's floating gateway (routeGateway). A preview carries a fingerprint of its steps; running re-probes
 * and refuses (PLAN_STALE) when the steps differ; afterwards it probes again and fails unless the result is verified
 * (install: current; uninstall: nothing left). Idempotent: installing a current script plans nothing.
 */
import { createHash } from 'node:crypto';
import type { Realserver } from '../../shared/model/cluster.ts';
import type { PlanStep } from '../../shared/model/plan.ts';
import { AppError } from '../../shared/result.ts';
import { planBoot, type BootKind, type BootPlan, type BootVerify } from '../realserver/boot-install.ts';
import { bootProbeArgv, parseBootProbe } from '../realserver/boot-probe.ts';
import { routeGateway } from '../realserver/route-fix.ts';
import { backupStamp } from '../shell/remote-file.ts';
import { execChecked } from '../ssh/exec-checked.ts';
import { realserverName, type ClusterContext } from './cluster-context.ts';
import { runSteps, stepText } from './run-steps.ts';

/** install-route or uninstall-route. */
export type BootOp = 'install' | 'uninstall';

/** What install-route / uninstall-route found, planned and (when run) did on one realserver. */
export interface BootReport {
  name: string;
  op: BootOp;
  kind: BootKind;
  /** Where the script sends replies (the director, or the pair's gateway). */
  gateway: string;
  /** Before: installed / current / problems ("fixed at boot"). */
  verify: BootVerify;
  /** The steps the op runs (empty: nothing to do). */
  steps: PlanStep[];
  /** sha256 of the steps (the backup stamp left out): run with it to run exactly these. */
  fingerprint: string;
  /** After a run: the commands that ran. */
  ran?: string[];
  /** After a run: verify as probed again. */
  after?: BootVerify;
}

/** The fingerprint of a boot plan's steps (the time stamp of backups does not count). */
export function bootFingerprint(steps: readonly PlanStep[], stamp: string): string {
  const canon = steps.map((s) => ({ host: s.host, argv: s.argv.map((a) => (a === stamp ? '@STAMP@' : a)), stdin: s.stdin ?? null }));
  return createHash('sha256').update(JSON.stringify(canon)).digest('hex');
}

/** How long the boot probe may take. */
const PROBE_TIMEOUT_MS = 30_000;

/** install-route / uninstall-route for the realservers of one cluster. */
export class RealserverBoot {
  constructor(private readonly ctx: ClusterContext) {}

  /** Where replies must go: the pair's floating gateway, else the director's address. */
  async gateway(): Promise<string> {
    const resolve = await this.ctx.resolver();
    return routeGateway(this.ctx.cluster, resolve(this.ctx.cluster.director.host));
  }

  /** Probes one realserver and plans its boot script (read-only). */
  async plan(rs: Realserver, now = new Date()): Promise<{ plan: BootPlan; gateway: string; stamp: string }> {
    const exec = this.ctx.realserverExecutor(rs);
    const name = realserverName(rs);
    const gateway = await this.gateway();
    const argv = bootProbeArgv(rs.netIf);
    const r = await execChecked(exec, argv, [0], 'boot probe', { timeoutMs: PROBE_TIMEOUT_MS });
    const stamp = backupStamp(now);
    return { plan: planBoot({ host: name, os: rs.os, netIf: rs.netIf, gateway }, parseBootProbe(exec.label, r.stdout), stamp), gateway, stamp };
  }

  /** What `op` would run on `rs` (read-only). */
  async preview(rs: Realserver, op: BootOp): Promise<BootReport> {
    const { plan, gateway, stamp } = await this.plan(rs);
    const steps = op === 'install' ? plan.install : plan.uninstall;
    return { name: realserverName(rs), op, kind: plan.layout.kind, gateway, verify: plan.verify, steps, fingerprint: bootFingerprint(steps, stamp) };
  }

  /**
   * Runs `op` on `rs`: probes and plans again (refused with PLAN_STALE when `fingerprint` is given and the steps differ),
   * runs the steps in order, probes again and throws (naming the realserver and what is still wrong) unless install left
   * it current / uninstall left nothing. Callers hold the cluster's write lock.
   */
  async run(rs: Realserver, op: BootOp, opts: { fingerprint?: string } = {}): Promise<BootReport> {
    const fresh = await this.preview(rs, op);
    const label = this.ctx.realserverExecutor(rs).label;
    if (opts.fingerprint !== undefined && opts.fingerprint !== fresh.fingerprint) {
      throw new AppError('PLAN_STALE', `${label}: changed since you looked: ${op}-route would now run ${fresh.steps.length ? fresh.steps.map(stepText).join('; ') : 'nothing'}. Nothing ran; review the fresh preview.`, {
        host: label,
        step: `${op}-route`,
        detail: { changes: [`${op}-route steps changed`], preview: fresh },
      });
    }
    const ran = fresh.steps.length ? await runSteps(this.ctx.realserverExecutor(rs), fresh.steps) : [];
    const { plan } = await this.plan(rs);
    const after = plan.verify;
    const leftover = op === 'uninstall' ? after.items.filter((i) => i.state !== 'missing' && i.kind !== 'enabled') : [];
    if (op === 'install' && !after.current) {
      throw new AppError('COMMAND_FAILED', `${label}: install-route: still not right after installing: ${after.problems.join('; ')}`, { host: label, step: 'verify', detail: { ran } });
    }
    if (leftover.length) throw new AppError('COMMAND_FAILED', `${label}: uninstall-route: still there: ${leftover.map((i) => i.path).join(', ')}`, { host: label, step: 'verify', detail: { ran } });
    return { ...fresh, ran, after };
  }
}

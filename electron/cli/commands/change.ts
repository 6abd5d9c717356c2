/**
 * What every changing remote verb shares (start, stop, reload, update, reconcile, and the realserver edits): preview with
 * --dry-run (the exact commands; --save-plan FILE keeps the preview with its fingerprint as JSON), run a saved preview
 * with --plan FILE (refused, with what changed and a fresh preview, when the director or the profile changed since), or
 * plan and run at once. Everything goes through the cluster's ClusterService.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../../../shared/result.ts';
import { describeChange, type Change, type PlanBasis, type Preview, type RunOutcome } from '../../services/cluster-service.ts';
import { canonicalJson, fingerprintOf } from '../../services/plan-fingerprint.ts';
import { renderPlan } from '../../services/plan-render.ts';
import { formatPair } from '../../services/status-view.ts';
import { probeLine } from '../../services/probe-text.ts';
import { EXIT, type CliIo } from '../io.ts';
import type { RemoteRun } from './remote-verb.ts';

/** The options every changing verb takes. */
export const CHANGE_VALUES = ['save-plan', 'plan'];
/** The boolean options every changing verb takes. */
export const CHANGE_BOOLEANS = ['dry-run'];

/** A saved preview (--save-plan): what it was planned from and its fingerprint. */
const planFileSchema = z.object({
  format: z.literal('lvs-console plan'),
  version: z.literal(1),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  basis: z.record(z.string(), z.unknown()),
  commands: z.string().optional(),
});

/** One line per probed realserver (update). */
function probeLines(p: Preview): string[] {
  return (p.probe ?? []).map((r) => `  ${probeLine(r)}`);
}

/** The preview as text (what --dry-run prints and --save-plan keeps beside the basis). */
export function previewText(p: Preview): string {
  const one = (x: Preview) =>
    renderPlan(x.plan, {
      title: `${describeChange(x.change)} on ${x.before.label}`,
      before: probeLines(x),
      ...(x.transaction ? { transaction: x.transaction } : {}),
    });
  if (!p.peer) return one(p);
  // a director pair: both directors' steps, one fingerprint (all or nothing: the first is put back if the second fails)
  return `# director pair: ${p.before.label} then ${p.peer.before.label}, all or nothing; fingerprint ${p.fingerprint}\n${one(p)}${one(p.peer)}`;
}

/** What a run did, for people. */
function describeOutcome(o: RunOutcome): string {
  const label = o.before.label;
  const lines: string[] = probeLines(o);
  for (const s of o.plan.summary ?? []) lines.push(`  ${s}`);
  if (o.saved) lines.push('  the profile file was saved with the change');
  const r = o.report;
  const table = r?.after.table ?? o.before.table;
  const services = table.services.length;
  const dests = table.services.reduce((n, s) => n + s.destinations.length, 0);
  const what = describeChange(o.change);
  const head = !r
    ? `${label}: ${what}: nothing to do on the director`
    : `${label}: ${what}: applied as one transaction (${r.txid}), table verified${r.recovered ? ' (the connection was cut; the verdict was read after reconnecting)' : ''}`;
  if (o.peer) {
    const pr = o.peerReport;
    lines.push(pr ? `  ${o.peer.before.label}: applied as one transaction (${pr.txid}), table verified` : `  ${o.peer.before.label}: nothing to do`);
    for (const l of o.pair ? formatPair(o.pair) : []) lines.push(`  ${l}`);
  }
  if (o.installCheck) {
    lines.push(
      o.installCheck.rulesMatchPlan
        ? '  check: `/etc/init.d/lvs-director rules` loads exactly the table this profile plans'
        : `  CHECK FAILED: the installed script would load a different table:\n${o.installCheck.rulesDiff.map((d) => `    ${d}`).join('\n')}`,
    );
  }
  return `${head}\n${lines.join('\n')}${lines.length ? '\n' : ''}  table now: ${services} service(s), ${dests} realserver entr${dests === 1 ? 'y' : 'ies'}\n`;
}

/** JSON form of a preview or an outcome. */
function outcomeJson(p: Preview | RunOutcome, dryRun: boolean) {
  const o = p as RunOutcome;
  return {
    ok: true,
    change: p.change,
    director: p.before.label,
    dryRun,
    fingerprint: p.fingerprint,
    summary: p.plan.summary ?? [],
    steps: p.plan.steps.map((s) => ({ argv: s.argv, why: s.why, ...(s.stdin !== undefined ? { stdin: s.stdin } : {}) })),
    ...(p.transaction ? { transaction: { txid: p.transaction.txid, ops: p.transaction.ops, batch: p.transaction.batch } } : {}),
    ...(p.probe ? { probe: p.probe } : {}),
    ...(!dryRun ? { saved: o.saved } : {}),
    runtime: p.cluster.runtime,
    ...(o.installCheck ? { installCheck: o.installCheck } : {}),
    ...(o.report ? { result: { verdict: o.report.verdict, recovered: o.report.recovered, log: o.report.log, table: o.report.after.table } } : {}),
    ...(p.peer
      ? {
          peer: {
            director: p.peer.before.label,
            summary: p.peer.plan.summary ?? [],
            steps: p.peer.plan.steps.map((s) => ({ argv: s.argv, why: s.why, ...(s.stdin !== undefined ? { stdin: s.stdin } : {}) })),
            ...(p.peer.transaction ? { transaction: { txid: p.peer.transaction.txid, ops: p.peer.transaction.ops, batch: p.peer.transaction.batch } } : {}),
            ...(o.peerReport ? { result: { verdict: o.peerReport.verdict, recovered: o.peerReport.recovered, log: o.peerReport.log, table: o.peerReport.after.table } } : {}),
          },
        }
      : {}),
    ...(o.pair ? { pair: o.pair } : {}),
  };
}

/** Reads and checks a saved plan: its basis must still hash to its fingerprint, and it must be for this change. */
async function loadPlanFile(file: string, change: Change): Promise<{ fingerprint: string; basis: PlanBasis }> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new AppError('INVALID_INPUT', `${file}: cannot read a saved plan (${(e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e))})`, { step: 'read plan' });
  }
  const r = planFileSchema.safeParse(json);
  if (!r.success) throw new AppError('INVALID_INPUT', `${file}: not a plan saved by --save-plan (${r.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')})`, { step: 'read plan' });
  const basis = r.data.basis as unknown as PlanBasis;
  if (fingerprintOf(basis) !== r.data.fingerprint) throw new AppError('INVALID_INPUT', `${file}: the plan was changed after it was saved (its fingerprint does not match its content)`, { step: 'read plan' });
  if (canonicalJson(basis.change) !== canonicalJson(change)) {
    throw new AppError('INVALID_INPUT', `${file}: this plan is for '${describeChange(basis.change)}', not '${describeChange(change)}'`, { step: 'read plan' });
  }
  return { fingerprint: r.data.fingerprint, basis };
}

/** Previews (--dry-run, optionally --save-plan FILE), runs a saved plan (--plan FILE), or plans and runs `change`. */
export async function changeCommand(run: RemoteRun, change: Change, flags: ReadonlyMap<string, string | true>, io: CliIo): Promise<number> {
  const dryRun = flags.has('dry-run');
  const savePlan = flags.get('save-plan');
  const planFile = flags.get('plan');
  if (typeof savePlan === 'string' && !dryRun) {
    io.err('lvsctl: --save-plan goes with --dry-run (save the preview, run it later with --plan FILE)\n');
    return EXIT.USAGE;
  }
  if (typeof planFile === 'string' && dryRun) {
    io.err('lvsctl: --plan FILE runs a saved preview; it does not go with --dry-run\n');
    return EXIT.USAGE;
  }
  const svc = run.service;
  if (dryRun) {
    const p = await svc.preview(change);
    if (typeof savePlan === 'string') {
      const file = { format: 'lvs-console plan', version: 1, fingerprint: p.fingerprint, basis: p.basis, commands: previewText(p) };
      await writeFile(savePlan, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
      if (!run.json) io.err(`${p.before.label}: preview saved to ${savePlan} (fingerprint ${p.fingerprint.slice(0, 12)}…); run it with --plan ${savePlan}\n`);
    }
    io.out(run.json ? `${JSON.stringify(outcomeJson(p, true), null, 2)}\n` : previewText(p));
    return EXIT.OK;
  }
  const saved = typeof planFile === 'string' ? await loadPlanFile(planFile, change) : undefined;
  const progress = run.json ? undefined : (p: { phase: string; message: string }) => io.err(`${run.ctx.director.label}: ${p.phase}: ${p.message}\n`);
  let outcome: RunOutcome;
  try {
    outcome = await svc.run(change, { ...(saved ?? {}), ...(progress ? { apply: { onProgress: progress } } : {}) });
  } catch (e) {
    if (e instanceof AppError && e.code === 'PLAN_STALE' && !run.json) {
      const fresh = (e.detail as { preview?: Preview } | undefined)?.preview;
      io.err(`lvsctl: ${e.message}\n`);
      if (fresh) io.out(`# the fresh preview (save it with --dry-run --save-plan FILE to run it):\n${previewText(fresh)}`);
      return EXIT.INVALID;
    }
    throw e;
  }
  io.out(run.json ? `${JSON.stringify(outcomeJson(outcome, false), null, 2)}\n` : describeOutcome(outcome));
  return outcome.installCheck && !outcome.installCheck.rulesMatchPlan ? EXIT.INVALID : EXIT.OK;
}

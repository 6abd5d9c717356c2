/**
 * SSH cut at random points of an apply (issue 9 §4): the product's apply (ClusterService.preview → run with the
 * preview's fingerprint → applyPlan: upload → one director-side transaction → re-observe) on a 2 services × 100
 * realservers profile, with the director-side cutter (director-cut.ts) killing the product's SSH connection at a random
 * time in [0, T] of the run (T: the same operation, uncut, measured first) or at a phase boundary (the apply's
 * onProgress: upload, transaction, verify; right after the transaction exec was sent; and a second cut when it
 * reconnects to fetch the verdict). Operations: start, stop, reload (after the profile file changed a weight), and the
 * per-realserver edits weight, drain, disable, enable (whole realserver or one service).
 *
 * After each trial (once no transaction runs on the director any more) the director is read over the lab's own ssh:
 * the table (`ipvsadm -S -n`, exact text), the VIP and the sysctls must be exactly as before the trial or exactly as the
 * preview planned, never in between; the director's configuration is checked against the table: the console's saved
 * profile (what its next start/reload loads: no difference the trial did not find already) and, when the seed runtime is
 * installed, /etc/lvs.conf (director-look.ts); and what the product said must match what happened (a run that resolved
 * left the plan; an edit's profile is saved exactly when its run resolved).
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { clusterSchema, type Cluster } from '../../../../shared/model/cluster.ts';
import { AppError } from '../../../../shared/result.ts';
import { writeProfileFile } from '../../../../electron/cli/cli-cluster.ts';
import { formatSaveLines } from '../../../../electron/lvs/ipvs/ipvs-rules.ts';
import { desiredTable } from '../../../../electron/lvs/plan/desired-table.ts';
import { ClusterService, describeChange, type Change, type Preview } from '../../../../electron/services/cluster-service.ts';
import { ClusterSessions } from '../../../../electron/services/cluster-sessions.ts';
import type { ApplyProgress } from '../../../../electron/services/director-apply.ts';
import { openNodeStores } from '../../../../electron/store/node-stores.ts';
import { bigProfile, restoreBootState, type Lab } from '../../../lab/support/remote-lab.ts';
import { checkRuntimeConfig, lookAtDirector, settleTransactions, SYSCTL_KEYS, type ConfigCheck, type DirectorLook } from './director-look.ts';
import { DirectorCutter, type TxStage } from './director-cut.ts';
import { prng } from '../../../fixtures/ipvsadm/render.ts';

/** Where a cut is aimed. */
export type CutAim = 'random' | 'upload' | 'transaction' | 'transaction-sent' | 'verify' | 'reconnect';

/** Options of runCutTrials. */
export interface CutTrialOptions {
  /** Trials cut at a random time in [0, T]. */
  randomTrials: number;
  /** Trials per phase boundary (upload, transaction, transaction-sent, verify, and reconnect = a second cut). */
  boundaryTrials: number;
  /** Uncut runs of each operation kind before the trials, for T (default 2; the median is T). */
  uncutRounds?: number;
  /** Realservers in the profile (2 services each). Default 100. */
  realservers?: number;
  /** Seed of the random choices (printed, so a run can be repeated). */
  seed?: number;
  log?: (line: string) => void;
}

/** Where the product's client was when a cut was asked for. */
type ClientPhase = 'observe' | 'upload' | 'transaction' | 'transaction-sent' | 'reconnect' | 'verify';

/** One trial's record. */
export interface TrialRecord {
  n: number;
  op: string;
  aim: CutAim;
  /** ms from run() to the (first) cut request; and as a fraction of T (random aims). */
  cutAtMs?: number;
  fractionOfT?: number;
  /** The client's phase and the director's transaction stage at each cut (two for 'reconnect'). */
  cuts: { phase: ClientPhase; stage: TxStage; killed: number; roundTripMs: number }[];
  /** The run ended before its cut time: not a cut trial. */
  missed: boolean;
  outcome: string;
  state: 'planned' | 'before' | 'in between';
  config: ConfigCheck;
  /** The saved profile against the table: differences the trial made (a stopped cluster agrees with any profile). */
  profile: ProfileCheck;
  /** What the product said disagrees with what happened (a resolved run that did not leave the plan; a profile saved without the table). */
  lie?: string;
  /** An edit whose table is as planned but whose profile was not saved (the run was told the connection was lost). */
  profileBehind: boolean;
  durationMs: number;
  settleS: number;
}

/** The console's saved profile against the director's table. */
export type ProfileCheck = { kind: 'consistent' | 'stopped' } | { kind: 'inconsistent'; diffs: string[] };

/**
 * The differences between the table `profileText` asks for (desiredTable, hosts are addresses) and `table`, this VIP's
 * lines only, as "missing LINE" / "extra LINE"; a destination at weight 0 that the profile leaves out is a drain in
 * progress, not a difference. undefined when the table holds none of this VIP's services (stopped).
 */
export function profileDiffs(profileText: string, table: string, vip: string): string[] | undefined {
  const mine = (l: string) => l.startsWith(`-A -t ${vip}:`) || l.startsWith(`-A -u ${vip}:`) || l.startsWith(`-a -t ${vip}:`) || l.startsWith(`-a -u ${vip}:`);
  const have = new Set(table.split('\n').map((l) => l.trim()).filter(mine));
  if (have.size === 0) return undefined;
  const want = new Set(formatSaveLines(desiredTable(clusterSchema.parse(JSON.parse(profileText)), (h) => h)).split('\n').map((l) => l.trim()).filter(mine));
  return [...[...want].filter((l) => !have.has(l)).map((l) => `missing ${l}`), ...[...have].filter((l) => !want.has(l) && !/ -w 0$/.test(l)).map((l) => `extra ${l}`)];
}

/** What runCutTrials returns. */
export interface CutTrialsResult {
  trials: TrialRecord[];
  /** Uncut run time per operation kind (median of the measurements), ms. */
  uncutMs: Record<string, number>;
  seed: number;
  lines: string[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The operation kinds (T is measured per kind). */
type OpKind = 'start' | 'stop' | 'reload' | 'weight' | 'drain' | 'disable' | 'enable';

/** An operation: what it is called, its kind, the change, and what to do to the profile file first (reload). */
interface Op {
  kind: OpKind;
  change: Change;
  prepare?: () => void;
}

/** Runs the cut trials on the lab (the caller brought it up and holds it). Leaves the lab in its boot state. */
export async function runCutTrials(lab: Lab, opts: CutTrialOptions): Promise<CutTrialsResult> {
  const seed = opts.seed ?? Date.now() % 1_000_000;
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const lines: string[] = [];
  const say = (l: string) => {
    lines.push(l);
    opts.log?.(l);
  };
  const n = opts.realservers ?? 100;
  restoreBootState(lab);
  // A copy of the big profile the edits save into (the service re-reads it for every operation, as the app does).
  const file = `${bigProfile(lab, n).replace(/\.json$/, '')}-trials.json`;
  copyFileSync(bigProfile(lab, n), file);
  const load = (): Cluster => clusterSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const stores = openNodeStores({});
  const sessions = new ClusterSessions({ hostKeys: stores.hostKeys, secrets: { get: async () => undefined }, knownHostsFiles: [lab.emptyKnownHosts] });
  const svc = new ClusterService({ profile: load, context: (c) => sessions.context(c), save: (c) => writeProfileFile(file, c) });
  const vip = lab.vip;
  const cutter = new DirectorCutter();
  say(`seed ${seed}; profile ${file}: ${n} realservers × 2 services (tcp/23, udp/177) on ${vip}`);

  const ownEmpty = (t: string) => !t.split('\n').some((l) => l.startsWith(`-A -t ${vip}:`) || l.startsWith(`-A -u ${vip}:`));

  /** The operations that make sense now (a preview with nothing to do is skipped by the caller). */
  const candidates = (look: DirectorLook): Op[] => {
    const c = load();
    if (ownEmpty(look.table)) return [{ kind: 'start', change: { kind: 'verb', verb: 'start' } }];
    const enabled = c.realservers.filter((r) => r.enabled && !(r.exclude?.length));
    const disabledish = c.realservers.filter((r) => !r.enabled || r.exclude?.length);
    const name = (r: Cluster['realservers'][number]) => r.name ?? r.host;
    const service = () => (rnd() < 0.5 ? {} : { service: pick(['tcp/23', 'udp/177']) });
    const ops: Op[] = [
      { kind: 'stop', change: { kind: 'verb', verb: 'stop' } },
      {
        kind: 'reload',
        change: { kind: 'verb', verb: 'reload' },
        // The admin changed a weight in the profile, then reloads: the rebuilt table differs from the one before.
        prepare: () => {
          const p = load();
          const i = Math.floor(rnd() * p.realservers.length);
          const rs = p.realservers[i]!;
          p.realservers[i] = { ...rs, weight: rs.weight >= 5 ? 1 : rs.weight + 1 };
          writeProfileFile(file, p);
        },
      },
    ];
    if (enabled.length) {
      const r = pick(enabled);
      ops.push({ kind: 'weight', change: { kind: 'edit', realserver: name(r), edit: { kind: 'weight', weight: r.weight >= 5 ? 1 : r.weight + 1 } } });
      ops.push({ kind: 'drain', change: { kind: 'edit', realserver: name(pick(enabled)), ...service(), edit: { kind: 'drain' } } });
      ops.push({ kind: 'disable', change: { kind: 'edit', realserver: name(pick(enabled)), ...service(), edit: { kind: 'disable' } } });
    }
    if (disabledish.length) {
      const r = pick(disabledish);
      // twice: as likely as the drain and the disable together, so realservers come back as often as they go
      const enable: Op = { kind: 'enable', change: { kind: 'edit', realserver: name(r), edit: { kind: 'enable' } } };
      ops.push(enable, enable);
    }
    return ops;
  };

  /** Picks an operation whose preview has something to run. */
  const nextOp = async (look: DirectorLook, kinds?: OpKind[]): Promise<{ op: Op; preview: Preview }> => {
    for (let i = 0; i < 20; i++) {
      const all = candidates(look).filter((o) => !kinds || kinds.includes(o.kind));
      if (all.length === 0) break;
      const op = pick(all);
      op.prepare?.();
      const preview = await svc.preview(op.change);
      if (preview.transaction) return { op, preview };
    }
    throw new Error(`no operation${kinds ? ` of ${kinds.join('/')}` : ''} with something to do on ${look.table.split('\n').length - 1} table lines`);
  };

  /** What the director should hold if the preview's plan ran. */
  const plannedLook = (before: DirectorLook, p: Preview): DirectorLook => {
    const sys = [...before.sysctls];
    for (const s of p.plan.steps) {
      if (s.argv[0] !== 'sysctl') continue;
      const [k, v] = (s.argv[2] ?? '').split('=');
      const i = SYSCTL_KEYS.indexOf(k ?? '');
      if (i >= 0 && v !== undefined) sys[i] = v;
    }
    return { table: formatSaveLines(p.plan.desired!), vipUp: p.transaction?.vip ? p.transaction.vip.up : before.vipUp, sysctls: sys };
  };
  const same = (a: DirectorLook, b: DirectorLook) => a.table === b.table && a.vipUp === b.vipUp && a.sysctls.join(' ') === b.sysctls.join(' ');

  /** One run of `op` (previewed as `preview`), cut as `aim` says. */
  const trial = async (k: number, op: Op, preview: Preview, before: DirectorLook, aim: CutAim, cutAtMs?: number, tx2Ms?: number): Promise<TrialRecord> => {
    const rec: TrialRecord = { n: k, op: describeChange(op.change), aim, cuts: [], missed: false, outcome: '', state: 'in between', config: { kind: 'absent' }, profile: { kind: 'consistent' }, profileBehind: false, durationMs: 0, settleS: 0 };
    let phase: ClientPhase = 'observe';
    let ended = false;
    const pending: Promise<void>[] = [];
    const cut = (delayMs = 0) => {
      const go = () => {
        if (ended) return;
        const at = phase;
        pending.push(
          cutter.cut().then((c) => void rec.cuts.push({ phase: at, stage: c.stage, killed: c.killed, roundTripMs: c.roundTripMs })),
        );
      };
      if (delayMs <= 0) go();
      else setTimeout(go, delayMs);
    };
    const onProgress = (p: ApplyProgress) => {
      phase = p.phase;
      if (p.phase === aim && aim !== 'reconnect') cut();
      if (p.phase === 'reconnect' && aim === 'reconnect') cut(Math.floor(rnd() * 1000));
    };
    const savedBefore = readFileSync(file, 'utf8');
    const t0 = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (aim === 'random') timer = setTimeout(() => cut(), cutAtMs!);
    let ok = false;
    let saved = false;
    try {
      const out = await svc.run(op.change, {
        fingerprint: preview.fingerprint,
        apply: {
          onProgress,
          onTransactionSent: () => {
            phase = 'transaction-sent';
            if (aim === 'transaction-sent') cut();
            if (aim === 'reconnect') cut(tx2Ms ?? 0);
          },
        },
      });
      ok = true;
      saved = out.saved;
      rec.outcome = 'ok';
    } catch (e) {
      rec.outcome = e instanceof AppError ? `${e.code}: ${e.message}` : `error: ${String(e)}`;
    } finally {
      ended = true;
      if (timer) clearTimeout(timer);
    }
    rec.durationMs = performance.now() - t0;
    await Promise.all(pending);
    rec.missed = rec.cuts.length === 0;
    if (cutAtMs !== undefined) rec.cutAtMs = cutAtMs;
    rec.settleS = settleTransactions();
    const after = lookAtDirector(vip);
    const planned = plannedLook(before, preview);
    rec.state = same(after, planned) ? 'planned' : same(after, before) ? 'before' : 'in between';
    rec.config = checkRuntimeConfig(vip, after.table);
    // The profile against the table, before (the profile as the run found it: a reload's profile edit is the admin's, not
    // the trial's) and after: the trial may leave no difference that was not there before.
    const was = new Set(profileDiffs(savedBefore, before.table, vip) ?? []);
    const now = profileDiffs(readFileSync(file, 'utf8'), after.table, vip);
    const made = now?.filter((d) => !was.has(d));
    rec.profile = now === undefined ? { kind: 'stopped' } : made!.length ? { kind: 'inconsistent', diffs: made! } : { kind: 'consistent' };
    if (op.change.kind === 'edit') {
      saved = readFileSync(file, 'utf8') !== savedBefore;
      if (saved && rec.state !== 'planned') rec.lie = 'the profile was saved but the table is not as planned';
      if (rec.state === 'planned' && !saved) rec.profileBehind = true;
    }
    if (ok && rec.state !== 'planned') rec.lie = `the run resolved but the director is ${rec.state}`;
    if (!ok && /^APPLY_FAILED/.test(rec.outcome) && rec.state !== 'before') rec.lie = `APPLY_FAILED but the director is ${rec.state}`;
    if (rec.state === 'in between') {
      rec.lie = `${rec.lie ? `${rec.lie}; ` : ''}before:\n${before.table}vip ${before.vipUp} ${before.sysctls.join(' ')}\nplanned:\n${planned.table}vip ${planned.vipUp} ${planned.sysctls.join(' ')}\nafter:\n${after.table}vip ${after.vipUp} ${after.sysctls.join(' ')}`;
    }
    return rec;
  };

  const trials: TrialRecord[] = [];
  const uncut: Record<string, number[]> = {};
  const txPhase: number[] = [];
  try {
    await cutter.start();
    // 1. T: every operation kind uncut, uncutRounds times (the first start also connects; the session is then warm).
    const kinds: OpKind[] = ['start', 'weight', 'drain', 'disable', 'enable', 'reload', 'stop'];
    for (let round = 0; round < (opts.uncutRounds ?? 2); round++) {
      for (const kind of kinds) {
        settleTransactions();
        const before = lookAtDirector(vip);
        const { op, preview } = await nextOp(before, [kind]);
        let sent = 0;
        const t0 = performance.now();
        await svc.run(op.change, {
          fingerprint: preview.fingerprint,
          apply: {
            onTransactionSent: () => void (sent = performance.now()),
            onProgress: (p) => void (p.phase === 'verify' && sent && txPhase.push(performance.now() - sent)),
          },
        });
        (uncut[kind] ??= []).push(performance.now() - t0);
      }
    }
    const uncutMs = Object.fromEntries(Object.entries(uncut).map(([k, v]) => [k, median(v)]));
    const txMs = median(txPhase);
    say(`uncut run time per operation (median of ${opts.uncutRounds ?? 2}; T of the random cuts): ${Object.entries(uncutMs).map(([k, v]) => `${k} ${Math.round(v)} ms`).join(', ')}; transaction exec → verdict ${Math.round(txMs)} ms`);

    // 2. The trials: the random times and the boundaries in a shuffled order, operations picked at random. A run that
    // ended before its cut came is not a cut trial: another one of the same aim takes its place (at most 3× as many).
    const queue: CutAim[] = [...Array<CutAim>(opts.randomTrials).fill('random')];
    for (const b of ['upload', 'transaction', 'transaction-sent', 'verify', 'reconnect'] as const) for (let i = 0; i < opts.boundaryTrials; i++) queue.push(b);
    for (let i = queue.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [queue[i], queue[j]] = [queue[j]!, queue[i]!];
    }
    let budget = queue.length * 3;
    while (queue.length && budget-- > 0) {
      const aim = queue.shift()!;
      settleTransactions();
      const before = lookAtDirector(vip);
      const { op, preview } = await nextOp(before);
      const T = uncutMs[op.kind]!;
      const rec = await trial(trials.length + 1, op, preview, before, aim, aim === 'random' ? Math.floor(rnd() * T) : undefined, aim === 'reconnect' ? Math.floor(rnd() * txMs) : undefined);
      if (aim === 'random' && !rec.missed) rec.fractionOfT = rec.cutAtMs! / T;
      if (rec.missed) queue.push(aim);
      trials.push(rec);
      const cuts = rec.cuts.map((c) => `${c.phase}/${c.stage}`).join(' then ') || 'no cut (the run ended first)';
      say(
        `#${rec.n} ${rec.op}: cut ${aim}${rec.cutAtMs !== undefined ? ` at ${rec.cutAtMs} ms of T=${Math.round(T)}` : ''} → ${cuts}; ` +
          `${rec.outcome.split('\n')[0]!.slice(0, 160)}; table ${rec.state.toUpperCase()}; profile ${rec.profile.kind}${rec.profile.kind === 'inconsistent' ? ` (${rec.profile.diffs.slice(0, 3).join(' | ')})` : ''}; /etc/lvs.conf ${rec.config.kind}${rec.profileBehind ? '; PROFILE NOT SAVED' : ''}${rec.lie ? `; ${rec.lie}` : ''}`,
      );
    }
    return { trials, uncutMs, seed, lines };
  } finally {
    await cutter.stop();
    await sessions.closeAll();
    try {
      settleTransactions();
    } catch {
      // reported by the trial that left it
    }
    restoreBootState(lab);
  }
}

/** The summary lines: counts, the distribution of cut points, outcomes, configuration checks. */
export function summarize(r: CutTrialsResult): string[] {
  const cut = r.trials.filter((t) => !t.missed);
  const count = (f: (t: TrialRecord) => boolean) => cut.filter(f).length;
  const planned = count((t) => t.state === 'planned');
  const before = count((t) => t.state === 'before');
  const between = count((t) => t.state === 'in between');
  const out: string[] = [];
  const consistent = count((t) => t.state !== 'in between' && t.profile.kind !== 'inconsistent' && t.config.kind !== 'inconsistent');
  out.push(`${consistent}/${cut.length} consistent: the table exactly as before or as planned, and the director's configuration (the saved profile; /etc/lvs.conf when installed) agrees with it`);
  out.push(`${planned + before}/${cut.length} trials: ${planned} as planned, ${before} as before, ${between} in between (${r.trials.length - cut.length} run(s) ended before their cut time, not counted)`);
  const tally = (xs: string[]) => {
    const m = new Map<string, number>();
    for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
    return [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  };
  out.push(`operations: ${tally(cut.map((t) => t.op.replace(/ (big\d+|\S+\.\d+)/, '').replace(/ \((tcp|udp)\/\d+\)/, ' (one service)').replace(/ to \d+$/, '')))}`);
  out.push(`cut aimed at: ${tally(cut.map((t) => t.aim))}`);
  out.push(`cut points (the client's phase when the cut was asked / the director's transaction at the kill): ${tally(cut.flatMap((t) => t.cuts.map((c) => `${c.phase}/${c.stage}`)))}`);
  const fr = cut.filter((t) => t.fractionOfT !== undefined).map((t) => t.fractionOfT!);
  if (fr.length) {
    const bins = Array<number>(10).fill(0);
    for (const f of fr) bins[Math.min(9, Math.floor(f * 10))]!++;
    out.push(`random cut times as a fraction of T (10 bins 0–0.1 … 0.9–1): ${bins.join(' ')}`);
  }
  const rt = cut.flatMap((t) => t.cuts.map((c) => c.roundTripMs)).filter((x) => Number.isFinite(x));
  if (rt.length) out.push(`cut request → kill → answer round trip: median ${median(rt).toFixed(0)} ms, max ${Math.max(...rt).toFixed(0)} ms`);
  out.push(`what the product said: ${tally(cut.map((t) => (t.outcome === 'ok' ? 'ok' : t.outcome.split(':')[0]!)))}`);
  const lies = cut.filter((t) => t.lie && t.state !== 'in between');
  out.push(`said one thing, did another: ${lies.length}${lies.length ? ` (${lies.map((t) => `#${t.n} ${t.lie}`).join('; ')})` : ''}`);
  const edits = cut.filter((t) => /weight|drain|disable|enable/.test(t.op));
  out.push(`edits: ${edits.length}; table as planned but the profile not saved (the run was told the connection was lost): ${edits.filter((t) => t.profileBehind).length}`);
  out.push(`the saved profile against the table: ${tally(cut.map((t) => t.profile.kind))}`);
  out.push(`runtime config (/etc/lvs.conf) against the table: ${tally(cut.map((t) => t.config.kind))}`);
  const settle = cut.map((t) => t.settleS);
  out.push(`run time with the cut: median ${median(cut.map((t) => t.durationMs)).toFixed(0)} ms, max ${Math.max(...cut.map((t) => t.durationMs)).toFixed(0)} ms; a transaction still running after the run returned: ${settle.filter((s) => s > 0).length}`);
  return out;
}

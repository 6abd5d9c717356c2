/**
 * The soak (issue 9 §4): the lab's N realservers (`LVSLAB_REALSERVERS=N npm run lab:up`), the director on the seed
 * runtime (installed by the product's install-director; its `update` run every `updateEveryS` as its cron would, by this
 * driver, so the last one can be placed), the app's main process (soak-app.ts: the handlers with `metrics.watch` on at a
 * 1 s sample interval) in its own process, and random realserver failures and recoveries: a cable pulled or plugged
 * (`lab.sh link rsN down|up`), telnet or xdm stopped or started (`lab.sh service rsN telnet|xdm stop|start`).
 *
 * At the end no more faults, `update` runs until the table stops changing (at most 5 runs), and the table (`ipvsadm
 * -S -n`, read over the lab's own ssh) must be the desired one: the profile's realservers that are alive, per service
 * (a pulled cable: out of every service; telnet stopped: out of tcp/23; xdm stopped: out of udp/177). A runtime whose
 * update only pings (no per-service CHECKS in its /etc/lvs.conf) is judged on "alive = answers ping", and that is said.
 * The memory of the app's process (heap after a full GC, and RSS) is reported every `memEveryS`; growth is the last
 * sample against the baseline: the first one after `warmupMin` and after the app's audit log holds its 10,000 entries in
 * memory (a bounded buffer still filling is warm-up, not growth).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cluster } from '../../../../shared/model/cluster.ts';
import { openCliCluster } from '../../../../electron/cli/cli-cluster.ts';
import { formatSaveLines } from '../../../../electron/lvs/ipvs/ipvs-rules.ts';
import { desiredTable } from '../../../../electron/lvs/plan/desired-table.ts';
import { labCmd, labCtl, labExec, labSh, realservers, REPO, restoreBootState, type Lab } from '../../../lab/support/remote-lab.ts';
import type { SoakAppMessage } from './soak-app.ts';
import { prng } from '../../../fixtures/ipvsadm/render.ts';

/** Options of runSoak. */
export interface SoakOptions {
  minutes: number;
  /** Period of the director's `update` (default 60 s, the cron minute). */
  updateEveryS?: number;
  /** Seconds between faults, drawn uniformly in [min, max] (default 5–20). */
  faultEveryS?: [number, number];
  /** Memory sample period of the app's process (default 60 s). */
  memEveryS?: number;
  /** Minutes of warm-up before the memory baseline (default 5, or a third of the run when shorter). */
  warmupMin?: number;
  seed?: number;
  /**
   * The app's audit log memory bound for this run (the app's own is 10,000 entries, ~35 min of the soak's commands):
   * small enough to fill within the warm-up, so growth after it is not a bounded buffer filling (default 2,000).
   */
  auditMax?: number;
  log?: (line: string) => void;
}

/** One memory sample of the app's process. */
export interface MemSample {
  minute: number;
  heapUsed: number;
  rss: number;
  /** V8's heap as reserved (used + free pages) and memory outside it (Buffers, ssh2's crypto state): what RSS holds besides heapUsed. */
  heapTotal: number;
  external: number;
  samples: number;
  sampleBytes: number;
  /** Remote commands the app audited in the period (every one goes to the audit log). */
  audits: number;
  warnings: string[];
}

/** What runSoak found. */
export interface SoakResult {
  seed: number;
  realservers: number;
  minutes: number;
  faults: { link: number; telnet: number; xdm: number; recoveries: number };
  updates: { runs: number; removed: number; added: number; failed: number };
  /** The truth at the end: which realservers were out of what. */
  finalFaults: string[];
  /** The desired table (per service, or by ping when the runtime cannot tell services apart) and the table read back. */
  desired: string;
  table: string;
  perService: boolean;
  tableIsDesired: boolean;
  /** Lines in one and not the other. */
  missing: string[];
  extra: string[];
  finalUpdates: number;
  mem: MemSample[];
  memEveryS: number;
  warmupMin: number;
  /** Minute at which the app had audited `auditMax` commands (its in-memory audit log full), if it did. */
  auditFullMin?: number;
  /** The app's audit log memory bound in this run. */
  auditMax: number;
  /** Minute of the baseline memory sample. */
  baseMin: number;
  heapGrowth: number;
  /** The same from the first sample after `warmupMin` alone (the audit log perhaps still filling). */
  heapGrowthFromWarmup: number;
  rssGrowthFromWarmup: number;
  rssGrowth: number;
  /** The app's own view at the end (director.status): drift items and health per realserver. */
  appDrift: number;
  appHealth: Record<string, string>;
  startResult: unknown;
  lines: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MB = (b: number) => (b / 1048576).toFixed(1);

type Fault = 'link' | 'telnet' | 'xdm';

/** The entries the app's audit log keeps in memory (electron/audit/audit-log.ts maxEntries' default). */

/** Runs the soak on the lab (brought up with the realservers wanted, held by the caller). Leaves the lab in its boot state. */
export async function runSoak(lab: Lab, opts: SoakOptions): Promise<SoakResult> {
  const seed = opts.seed ?? Date.now() % 1_000_000;
  const rnd = prng(seed);
  const lines: string[] = [];
  const say = (l: string) => {
    lines.push(l);
    opts.log?.(`[${new Date().toISOString().slice(11, 19)}] ${l}`);
  };
  const updateEveryS = opts.updateEveryS ?? 60;
  const [fmin, fmax] = opts.faultEveryS ?? [5, 20];
  const memEveryS = opts.memEveryS ?? 60;
  const warmupMin = opts.warmupMin ?? Math.min(5, opts.minutes / 3);
  const rss = realservers(lab);
  const down = new Map<string, Set<Fault>>(rss.map((r) => [r.name, new Set<Fault>()]));
  const faults = { link: 0, telnet: 0, xdm: 0, recoveries: 0 };
  const updates = { runs: 0, removed: 0, added: 0, failed: 0 };

  restoreBootState(lab);
  // Every realserver's telnet and xdm running (an earlier run may have stopped one): the truth starts all up.
  for (const r of rss) labExec(r.name, 'for s in telnet xdm; do /etc/init.d/lab-$s status >/dev/null 2>&1 || /etc/init.d/lab-$s start >/dev/null 2>&1; done; true');
  const auditMax = opts.auditMax ?? 2000;
  say(`seed ${seed}; ${rss.length} realservers; ${opts.minutes} min; update every ${updateEveryS} s; a fault every ${fmin}–${fmax} s; memory every ${memEveryS} s; the app's audit log keeps ${auditMax} entries in memory`);

  // 1. The seed runtime on the director, installed by the product; its cron entry removed: this driver runs `update`.
  const cli = openCliCluster({ cluster: lab.cluster, knownHostsFile: lab.emptyKnownHosts });
  try {
    const inst = await cli.service.installDirector();
    say(`install-director: ${inst.report ? "applied" : "nothing to do"}; rules match the plan: ${inst.installCheck?.rulesMatchPlan ?? 'not checked'}; cron entry removed, the soak runs update every ${updateEveryS} s instead`);
  } finally {
    await cli.close();
  }
  // The seed's order: realserver routes fixed before the director serves (the product's route-fix); a realserver left
  // with its subnet route would be counted down for every service by the app (its replies would bypass the director).
  const fix = await labCtl(lab, 'realserver', 'route-fix', '--all');
  say(`route-fix --all: exit ${fix.code}${fix.code !== 0 ? `:\n${(fix.out + fix.err).trim().split('\n').slice(0, 80).join('\n')}` : ''}`);
  labSh('director', "grep -v 'lvs-director' /etc/crontabs/root > /tmp/ct.$$; cat /tmp/ct.$$ > /etc/crontabs/root; rm -f /tmp/ct.$$; echo root >> /etc/crontabs/cron.update; true");
  const perService = /^CHECKS=/m.test(labSh('director', 'cat /etc/lvs.conf'));
  say(
    perService
      ? "the installed runtime's update checks each service (CHECKS in /etc/lvs.conf): desired = alive per service"
      : "the installed runtime's update only pings (no CHECKS in /etc/lvs.conf): desired = the realservers that answer ping; a stopped telnet or xdm is not expected to take a realserver out",
  );

  // 2. The app.
  const mem: MemSample[] = [];
  let t0 = 0;
  const child: ChildProcess = fork(join(dirname(fileURLToPath(import.meta.url)), 'soak-app.ts'), [], {
    cwd: REPO,
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { ...process.env, SOAK_PROFILE: lab.profileFile, SOAK_DATA: mkdtempSync(join(tmpdir(), 'lvs-soak-')), SOAK_INTERVAL_S: '1', SOAK_MEM_EVERY_S: String(memEveryS), SOAK_AUDIT_MAX: String(auditMax) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  let startResult: unknown;
  let statusWaiter: ((s: unknown) => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m: SoakAppMessage) => {
      if (m.type === 'ready') {
        startResult = m.start;
        t0 = Date.now();
        resolve();
      } else if (m.type === 'failed') reject(new Error(`the app's process failed: ${m.error}\n${stderr.slice(-3000)}`));
      else if (m.type === 'mem') {
        const s: MemSample = { minute: t0 ? (m.t - t0) / 60_000 : 0, heapUsed: m.heapUsed, rss: m.rss, heapTotal: m.heapTotal, external: m.external, samples: m.samples, sampleBytes: m.sampleBytes, audits: m.audits, warnings: m.warnings };
        mem.push(s);
        say(`app memory at ${s.minute.toFixed(1)} min: heap ${MB(s.heapUsed)} MB (of ${MB(s.heapTotal)} reserved), external ${MB(s.external)} MB, RSS ${MB(s.rss)} MB; ${s.samples} samples and ${s.audits} audited commands since the last (${MB(s.sampleBytes)} MB of samples serialized)${s.warnings.length ? `; warnings: ${s.warnings.slice(0, 3).join(' | ')}` : ''}`);
      } else if (m.type === 'status') statusWaiter?.(m.status);
    });
    child.on('exit', (code) => reject(new Error(`the app's process exited (${code}) before it was ready:\n${stderr.slice(-3000)}`)));
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));

  const runUpdate = (): number => {
    const r = labExec('director', '/etc/init.d/lvs-director update 2>&1');
    updates.runs++;
    if (r.code !== 0) updates.failed++;
    const removed = (r.stdout.match(/removed /g) ?? []).length;
    const added = (r.stdout.match(/added /g) ?? []).length;
    updates.removed += removed;
    updates.added += added;
    if (removed || added || r.code !== 0) say(`update: ${removed} removed, ${added} added${r.code !== 0 ? `, exit ${r.code}: ${(r.stdout + r.stderr).trim().slice(-300)}` : ''}`);
    return removed + added;
  };

  const apply = (name: string, f: Fault, to: 'down' | 'up'): void => {
    const r = f === 'link' ? labCmd('link', name, to) : labCmd('service', name, f, to === 'down' ? 'stop' : 'start');
    if (r.code !== 0) throw new Error(`lab.sh ${f === 'link' ? `link ${name} ${to}` : `service ${name} ${f} ${to === 'down' ? 'stop' : 'start'}`} failed: ${r.stderr.trim()}`);
    if (to === 'down') {
      down.get(name)!.add(f);
      faults[f]++;
    } else {
      down.get(name)!.delete(f);
      faults.recoveries++;
    }
    say(`${name}: ${f} ${to}`);
  };

  const faultStep = (): void => {
    const faulty = [...down].filter(([, s]) => s.size > 0);
    // At most a third of the realservers out at once; past that, or half the time, something recovers.
    const recover = faulty.length > 0 && (faulty.length >= Math.ceil(rss.length / 3) || rnd() < 0.45);
    if (recover) {
      const [name, s] = faulty[Math.floor(rnd() * faulty.length)]!;
      const list = [...s];
      apply(name, list[Math.floor(rnd() * list.length)]!, 'up');
      return;
    }
    const name = rss[Math.floor(rnd() * rss.length)]!.name;
    const kinds = (['link', 'telnet', 'xdm'] as const).filter((k) => !down.get(name)!.has(k));
    if (kinds.length) apply(name, kinds[Math.floor(rnd() * kinds.length)]!, 'down');
  };

  try {
    await ready;
    say(`app: start ran (${JSON.stringify((startResult as { changes?: string[] })?.changes?.slice(0, 2) ?? startResult).slice(0, 200)}); metrics.watch on at 1 s`);
    runUpdate();
    // 3. Faults and updates until the time is up.
    const end = t0 + opts.minutes * 60_000;
    let nextUpdate = Date.now() + updateEveryS * 1000;
    let nextFault = Date.now() + (fmin + rnd() * (fmax - fmin)) * 1000;
    while (Date.now() < end) {
      if (child.exitCode !== null) throw new Error(`the app's process exited during the soak:\n${stderr.slice(-3000)}`);
      const now = Date.now();
      if (now >= nextUpdate) {
        runUpdate();
        nextUpdate = Date.now() + updateEveryS * 1000;
      } else if (now >= nextFault) {
        faultStep();
        nextFault = Date.now() + (fmin + rnd() * (fmax - fmin)) * 1000;
      } else await sleep(Math.min(nextUpdate, nextFault, end) - now);
    }
    // 4. No more faults: update until the table holds still, then compare with the truth.
    let finalUpdates = 0;
    for (let quiet = 0; finalUpdates < 5 && quiet < 1; ) {
      finalUpdates++;
      if (runUpdate() === 0) quiet++;
    }
    const finalFaults = [...down].filter(([, s]) => s.size).map(([n, s]) => `${n}: ${[...s].join('+')} down`);
    const table = labSh('director', 'ipvsadm -S -n');
    const out = (name: string, svc: 'tcp/23' | 'udp/177') => {
      const s = down.get(name)!;
      if (s.has('link')) return true;
      if (!perService) return false;
      return svc === 'tcp/23' ? s.has('telnet') : s.has('xdm');
    };
    const truth: Cluster = {
      ...lab.cluster,
      realservers: lab.cluster.realservers
        .map((r) => {
          const name = r.name ?? r.host;
          const ex = (['tcp/23', 'udp/177'] as const).filter((svc) => out(name, svc));
          return ex.length === 2 ? { ...r, enabled: false } : ex.length ? { ...r, exclude: [...ex] } : r;
        }),
    };
    const desired = formatSaveLines(desiredTable(truth, (h) => h));
    const want = new Set(desired.split('\n').filter(Boolean));
    const have = new Set(table.split('\n').filter(Boolean));
    const missing = [...want].filter((l) => !have.has(l));
    const extra = [...have].filter((l) => !want.has(l));
    // The app's own view.
    const status = await new Promise<unknown>((resolve) => {
      statusWaiter = resolve;
      child.send({ type: 'status' });
      setTimeout(() => resolve({ error: 'no answer in 60 s' }), 60_000);
    });
    const st = status as { drift?: unknown[]; health?: Record<string, string> };
    const stopped = new Promise<void>((r) => {
      const t = setTimeout(r, 30_000);
      void exited.then(() => {
        clearTimeout(t);
        r();
      });
    });
    child.send({ type: 'stop' });
    await stopped;
    let audited = 0;
    const auditFullMin = mem.find((m) => (audited += m.audits) >= auditMax)?.minute;
    const after = mem.filter((m) => m.minute >= Math.max(warmupMin, auditFullMin ?? 0));
    const base = after[0] ?? mem[0]!;
    const warm = mem.find((m) => m.minute >= warmupMin) ?? mem[0]!;
    const last = mem[mem.length - 1]!;
    return {
      seed,
      realservers: rss.length,
      minutes: opts.minutes,
      faults,
      updates,
      finalFaults,
      desired,
      table,
      perService,
      tableIsDesired: missing.length === 0 && extra.length === 0,
      missing,
      extra,
      finalUpdates,
      mem,
      memEveryS,
      warmupMin,
      ...(auditFullMin !== undefined ? { auditFullMin } : {}),
      auditMax,
      baseMin: base.minute,
      heapGrowthFromWarmup: (last.heapUsed - warm.heapUsed) / warm.heapUsed,
      rssGrowthFromWarmup: (last.rss - warm.rss) / warm.rss,
      heapGrowth: (last.heapUsed - base.heapUsed) / base.heapUsed,
      rssGrowth: (last.rss - base.rss) / base.rss,
      appDrift: st.drift?.length ?? -1,
      appHealth: st.health ?? {},
      startResult,
      lines,
    };
  } finally {
    if (child.exitCode === null) child.kill();
    for (const [name, s] of down) {
      for (const f of [...s]) {
        if (f === 'link') labCmd('link', name, 'up');
        else labCmd('service', name, f, 'start');
      }
    }
    restoreBootState(lab);
  }
}

/**
 * The trend of one memory series (bytes) from the baseline on: the least-squares slope in MB per hour, and the median
 * of the first and of the last third of the samples (a single RSS sample swings by 10-20 % with the allocator and V8's
 * young generation, so one point against another says little about growth). Undefined with fewer than 6 samples.
 */
export function memoryTrend(points: { minute: number; value: number }[]): { slopeMBPerHour: number; firstMedianMB: number; lastMedianMB: number } | undefined {
  if (points.length < 6) return undefined;
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.minute, 0) / n;
  const my = points.reduce((a, p) => a + p.value, 0) / n;
  const sxy = points.reduce((a, p) => a + (p.minute - mx) * (p.value - my), 0);
  const sxx = points.reduce((a, p) => a + (p.minute - mx) ** 2, 0);
  const median = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const third = Math.floor(n / 3);
  return {
    slopeMBPerHour: sxx ? ((sxy / sxx) * 60) / 1048576 : 0,
    firstMedianMB: median(points.slice(0, third).map((p) => p.value)) / 1048576,
    lastMedianMB: median(points.slice(n - third).map((p) => p.value)) / 1048576,
  };
}

/** The summary lines of a soak. */
export function summarizeSoak(r: SoakResult): string[] {
  const out: string[] = [];
  const f = r.faults;
  out.push(`soak: ${r.minutes} min, ${r.realservers} realservers, seed ${r.seed}: ${f.link} cable pulls, ${f.telnet} telnet stops, ${f.xdm} xdm stops, ${f.recoveries} recoveries; update ran ${r.updates.runs}× (${r.updates.removed} removals, ${r.updates.added} additions, ${r.updates.failed} failed)`);
  out.push(`at the end: ${r.finalFaults.length ? r.finalFaults.join(', ') : 'every realserver up'}`);
  const n = (t: string) => t.split('\n').filter((l) => l.startsWith('-a')).length;
  out.push(
    `final table = desired (${r.perService ? 'alive per service' : 'alive = answers ping'}): ${r.tableIsDesired ? 'YES' : 'NO'} (${n(r.table)} destinations, desired ${n(r.desired)}; after ${r.finalUpdates} final update run(s))` +
      (r.tableIsDesired ? '' : `; missing: ${r.missing.join(' | ') || '-'}; extra: ${r.extra.join(' | ') || '-'}`),
  );
  const health = Object.entries(r.appHealth);
  const tally = new Map<string, number>();
  for (const [, v] of health) tally.set(String(v), (tally.get(String(v)) ?? 0) + 1);
  out.push(`the app's view at the end: ${r.appDrift} drift item(s); health ${[...tally].map(([k, v]) => `${k} ${v}`).join(', ') || '-'}`);
  out.push(`app memory (heap after a full GC / RSS, MB) per sample: ${r.mem.map((m) => `${m.minute.toFixed(0)}m ${MB(m.heapUsed)}/${MB(m.rss)}`).join(', ')}`);
  const perMin = r.mem.slice(1).map((m) => m.samples);
  if (perMin.length) out.push(`samples emitted per memory period (${r.memEveryS} s): ${perMin.join(' ')}; remote commands audited: ${r.mem.slice(1).map((m) => m.audits).join(' ')}`);
  out.push(`the app's audit log full (${r.auditMax} entries in memory) at ${r.auditFullMin === undefined ? 'no point of the run' : `${r.auditFullMin.toFixed(1)} min`}`);
  const after = r.mem.filter((m) => m.minute >= r.baseMin);
  const series: [string, (m: MemSample) => number][] = [
    ['heap', (m) => m.heapUsed],
    ['heap reserved', (m) => m.heapTotal],
    ['external', (m) => m.external],
    ['RSS', (m) => m.rss],
    // what the process holds besides V8's heap reservation: flat when RSS only follows the heap V8 keeps reserved
    ['RSS outside the V8 heap', (m) => m.rss - m.heapTotal],
  ];
  const trends = series.map(([name, f]) => [name, memoryTrend(after.map((m) => ({ minute: m.minute, value: f(m) })))] as const);
  if (trends.every(([, t]) => t))
    out.push(`trend from the baseline on (${after.length} samples): ${trends.map(([name, t]) => `${name} ${t!.slopeMBPerHour >= 0 ? '+' : ''}${t!.slopeMBPerHour.toFixed(1)} MB/h (least squares), median of the first third ${t!.firstMedianMB.toFixed(1)} MB → last third ${t!.lastMedianMB.toFixed(1)} MB`).join('; ')}`);
  out.push(`growth from the baseline at ${r.baseMin.toFixed(1)} min (warm-up: ≥ ${+r.warmupMin.toFixed(1)} min and the audit log full) to the end: heap ${(r.heapGrowth * 100).toFixed(1)} %, RSS ${(r.rssGrowth * 100).toFixed(1)} % (goal < 10 %)${r.mem[r.mem.length - 1]!.minute - r.baseMin < 10 ? ` — the baseline is less than 10 min before the end` : ''}; from ${+r.warmupMin.toFixed(1)} min alone: heap ${(r.heapGrowthFromWarmup * 100).toFixed(1)} %, RSS ${(r.rssGrowthFromWarmup * 100).toFixed(1)} %`);
  return out;
}

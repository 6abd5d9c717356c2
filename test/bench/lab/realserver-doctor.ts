/**
 * Issue 12 §3: realserver checks and the doctor over 50 realservers (the lab's LVSLAB_REALSERVERS=50 namespaces), the
 * console's way (every host at once, one exec each, over sessions it holds, or opens for the run as lvsctl does) versus
 * one fresh OpenSSH connection per host in series running the same commands; and the app's load sampling of 50
 * realservers per tick (what MetricsSampler.refreshLoads runs every 6th tick, the health probe every 3rd, the status
 * every tick). Goals (printed, not asserted): whole doctor ≤ 5 s, ≥ 10× the serial way.
 *
 * The lab is brought to 50 realservers for this module and back to the default 3 afterwards (the other bench modules
 * measure with 3). The cluster is made healthy first (untimed): routes fixed, lvs-route installed, the director started.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { collectPlan } from '../../../electron/doctor/collect-plan.ts';
import { backupStamp } from '../../../electron/shell/remote-file.ts';
import { shellQuote } from '../../../electron/shell/shell-quote.ts';
import { DoctorService } from '../../../electron/services/doctor-service.ts';
import { checkDesktop } from '../../../electron/services/desktop-checks.ts';
import { openCliCluster } from '../../../electron/cli/cli-cluster.ts';
import { RealserverChecks } from '../../../electron/services/realserver-check.ts';
import { checkArgv } from '../../../electron/realserver/check-collect.ts';
import { listenArgv, processListArgv } from '../../../electron/realserver/service-status.ts';
import { SECTION_FUNCTION } from '../../../electron/shell/marked-sections.ts';
import { directorProbeArgv, LEAN_PROBE_SCRIPT } from '../../../electron/health/lean-probe.ts';
import { parseServiceProbe, planServiceProbe, serviceProbeArgv } from '../../../electron/health/service-probe.ts';
import { execChecked } from '../../../electron/ssh/exec-checked.ts';
import { RealserverBoot } from '../../../electron/services/realserver-boot.ts';
import { RealserverRoutes } from '../../../electron/services/realserver-routes.ts';
import { forEachRealserver, mapLimit } from '../../../electron/services/per-host.ts';
import { measure, report } from '../measure.ts';
import { labUp, REPO, restoreBootState, type Lab } from '../../lab/support/remote-lab.ts';
import { benchLab, heldContext, ratio } from './support/bench-lab.ts';
import { cpuBetween, cpuSnapshot } from './support/cpu-by-process.ts';

const run = promisify(execFile);
const N = 50;
const RUNS = 3;
const WARMUP = 1;

/** One command on `host` over a FRESH OpenSSH connection (no connection sharing): handshake + auth + exec. */
async function freshSshTo(host: string, command: string): Promise<string> {
  const args = ['-F', '/dev/null', '-i', join(REPO, '.lab', 'id_ed25519'), '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${join(REPO, '.lab', 'known_hosts')}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes', '-o', 'ControlMaster=no', '-o', 'ControlPath=none', `root@${host}`, command];
  return (await run('ssh', args, { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 })).stdout;
}

/** This machine's CPU time so far (all cores, from /proc/stat): busy and total, in clock ticks. */
function cpuTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Which part of the lab a process belongs to, by its name (what it started and reaped counts with it). */
function labPart(comm: string): string | undefined {
  // the held shells (sh, children of the realservers' sshd) and what they ran count with sshd
  if (comm === 'sshd' || comm === 'sh') return "realservers' sshd, held shells and what they ran";
  if (comm.startsWith('qemu-system')) return 'the director VM (TCG)';
  if (comm.includes('inetd') || comm.includes('telnetd')) return 'telnet (inetd, telnetd)';
  if (comm === 'xdm') return 'xdm (XDMCP answers)';
  return undefined;
}

/**
 * Runs fn and says how busy this machine's cores were meanwhile (the lab's 50 realservers and its TCG director share
 * them), and where that CPU went: the lab's parts by process (cpu-by-process.ts) and this process, the console itself.
 */
async function busyDuring(fn: () => Promise<unknown>): Promise<{ lines: string[]; cpuMs: number }> {
  const a = cpuTicks();
  const before = cpuSnapshot();
  const self = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const mine = process.cpuUsage(self);
  const after = cpuSnapshot();
  const b = cpuTicks();
  const parts = cpuBetween(before, after, (c) => labPart(c) ?? 'other');
  const total = parts.reduce((x, [, ms]) => x + ms, 0);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    `${((100 * (b.busy - a.busy)) / Math.max(1, b.total - a.total)).toFixed(0)} % of ${cpus().length} cores busy during a run of ${s(wall)}`,
    `CPU by process: ${s(total)} in all (≥ ${s(total / cpus().length)} of wall time on ${cpus().length} cores); ${parts.map(([g, ms]) => `${g} ${s(ms)}`).join(', ')}`,
    `  of which the console itself (this process, ssh2 and the doctor): ${s((mine.user + mine.system) / 1000)}`,
  ];
  return { lines, cpuMs: total };
}

/** How rs4…rsN answer an XDMCP Query (lab.sh xwilling; rs1–rs3 always run Debian's Xwilling). */
async function xwilling(mode: 'stock' | 'builtin'): Promise<void> {
  const names = Array.from({ length: N - 3 }, (_, i) => `rs${i + 4}`);
  await mapLimit(names, 8, (n) => run('bash', [join(REPO, 'test', 'lab', 'lab.sh'), 'xwilling', n, mode], { timeout: 60_000 }));
}

export default async function realserverDoctor(): Promise<void> {
  const before = process.env.LVSLAB_REALSERVERS;
  process.env.LVSLAB_REALSERVERS = String(N);
  let lab: Lab | undefined;
  try {
    lab = benchLab();
    if (!lab) return;
    if (lab.cluster.realservers.length !== N) throw new Error(`the lab has ${lab.cluster.realservers.length} realservers, not ${N}`);
    restoreBootState(lab);
    const { cluster, ctx, svc, sessions } = await heldContext(lab, lab.profileFile);
    // the same cluster over sessions without held shells: a channel of its own per command, as before the held shells
    const own = await heldContext(lab, lab.profileFile, { heldShells: false });
    try {
      // untimed: a healthy cluster of 50
      const rss = cluster.realservers;
      const fixed = await forEachRealserver(rss, (rs) => new RealserverRoutes(ctx).fix(rs));
      const booted = await forEachRealserver(rss, (rs) => new RealserverBoot(ctx).run(rs, 'install'));
      await svc.run({ kind: 'verb', verb: 'start' });
      // the director's runtime too (lvs-director + boot link + cron): without it the doctor rightly finds it missing
      await svc.installDirector();
      console.log(`setup: ${fixed.filter((r) => r.ok).length}/${N} routes fixed, ${booted.filter((r) => r.ok).length}/${N} lvs-route installed (all ${N} at once), director started and its runtime installed`);
      for (const r of [...fixed, ...booted]) if (!r.ok) console.log(`  setup failure: ${r.error.code} ${r.error.message}`);
      // What failed, once more, one realserver at a time (still untimed): the cluster must be healthy before timing.
      const again = booted.filter((r) => !r.ok).map((r) => rss.find((rs) => rs.name === r.name)!);
      for (const rs of again) {
        try {
          await new RealserverBoot(ctx).run(rs, 'install');
          console.log(`  ${rs.name}: lvs-route installed on the second try (alone)`);
        } catch (e) {
          console.log(`  ${rs.name}: second try failed too: ${e instanceof Error ? e.message : String(e)}`);
        }
      }

      const desktop = (i: { vip: string; tcpPorts: number[]; xdmcp: boolean }) => checkDesktop(i);
      let findings = -1;
      let findingText: string[] = [];
      let desktopNote = '';
      // The doctor as the app runs it: sessions held between runs.
      const warm = await measure(async () => {
        const r = await new DoctorService(svc, desktop).run();
        findings = r.findings.length;
        findingText = r.findings.map((f) => `${f.id}: ${f.what}`);
        desktopNote = r.checked.desktop ? 'with the desktop checks' : 'no desktop checks';
      }, RUNS, WARMUP);
      report(`doctor, ${N} realservers + director, held sessions (${desktopNote})`, warm, 5000);
      console.log(`  findings on the healthy cluster: ${findings}`);
      const warmOwn = await measure(() => new DoctorService(own.svc, desktop).run(), RUNS, WARMUP);
      report(`  the same without held shells (a channel per command)`, warmOwn, 5000);
      console.log(`  ratio channel per command / held shells: ${ratio(warmOwn.median, warm.median)}`);
      console.log("  this machine's CPU during one more run:");
      const cpu = await busyDuring(() => new DoctorService(svc, desktop).run());
      for (const l of cpu.lines) console.log(`    ${l}`);
      for (const f of findingText) console.log(`    ${f}`);
      // The doctor as `lvsctl doctor` runs it: every session opened for the run (51 handshakes, in parallel).
      const cold = await measure(async () => {
        const h = await heldContext(lab!, lab!.profileFile);
        try {
          await new DoctorService(h.svc, desktop).run();
        } finally {
          await h.sessions.close();
        }
      }, RUNS, WARMUP);
      report(`doctor, ${N} realservers + director, fresh sessions (lvsctl)`, cold, 5000);

      // The serial way: one fresh ssh per host, one after the other, the same collector commands.
      const resolve = await ctx.resolver();
      const plan = collectPlan(cluster, resolve, backupStamp(new Date()));
      const serialWay = async () => {
        for (const d of plan.directors) await freshSshTo(cluster.director.host, shellQuote(d.argv));
        for (const r of plan.realservers) await freshSshTo(r.address, shellQuote(r.argv));
      };
      // 3 runs like the doctor's: this shared machine's speed drifts between minutes (the serial way took 22 s in one
      // run and 32 s in the next), and the ratio is only as good as its slower side
      const serial = await measure(serialWay, RUNS, 0);
      report(`doctor's collectors, one fresh ssh per host in series (${N + 1} hosts)`, serial);
      console.log(`ratio serial / doctor (held): ${ratio(serial.median, warm.median)}; serial / doctor (held, a channel per command): ${ratio(serial.median, warmOwn.median)}; serial / doctor (fresh sessions): ${ratio(serial.median, cold.median)}`);

      // Where the doctor's time goes (held sessions): its director exec alone, its 50 realserver execs alone, and the
      // floor under the realserver part: 50 bare execs of `true` at once over the same held sessions (through the
      // director, as the profile says: ssh.viaDirector); and the director's probe alone, the health probe's script vs
      // the doctor's lean one (one exec each, same plan).
      const dirOnly = await measure(() => execChecked(ctx.director, plan.directors[0]!.argv, [0], 'doctor: collect', { sudo: true, shared: true, timeoutMs: 60_000 }), RUNS, WARMUP);
      report('  doctor part: the director\'s collect exec alone', dirOnly);
      try {
        const rulesOnly = await measure(() => execChecked(ctx.director, ['/etc/init.d/lvs-director', 'rules'], [0], 'rules', { timeoutMs: 60_000 }), RUNS, WARMUP);
        report('    of which (alone): /etc/init.d/lvs-director rules', rulesOnly);
      } catch (e) {
        console.log(`    lvs-director rules: ${e instanceof Error ? e.message : String(e)}`);
      }
      // What this lab allows at best, from figures of this run: the doctor can end no sooner than its CPU spread over
      // every core, nor than the director's collect alone (one exec on a one-vCPU VM).
      const bound = Math.max(cpu.cpuMs / cpus().length, dirOnly.median);
      console.log(`  bound on this lab: max(the CPU this machine used during a doctor run ÷ ${cpus().length} cores ${(cpu.cpuMs / cpus().length / 1000).toFixed(2)} s, the director's collect alone ${(dirOnly.median / 1000).toFixed(2)} s) = ${(bound / 1000).toFixed(2)} s; serial ÷ bound = ${ratio(serial.median, bound)} (measured ${ratio(serial.median, warm.median)})`);
      const rsCollect = (c: typeof ctx, shared: boolean) => Promise.all(plan.realservers.map((p) => execChecked(c.realserverExecutor(rss.find((r) => r.name === p.name)!), p.argv, [0], 'doctor: collect', { shared, timeoutMs: 60_000 })));
      const rsOnly = await measure(() => rsCollect(ctx, true), RUNS, WARMUP);
      report(`  doctor part: the ${N} realserver collects at once (held shells)`, rsOnly);
      const rsOnlyOwn = await measure(() => rsCollect(own.ctx, false), RUNS, WARMUP);
      report(`  doctor part: the ${N} realserver collects at once (a channel each)`, rsOnlyOwn);
      const trueHeld = await measure(() => Promise.all(rss.map((rs) => ctx.realserverExecutor(rs).exec(['true']))), RUNS, WARMUP);
      report(`  floor: \`true\` on ${N} realservers at once, held sessions`, trueHeld);
      const trueShared = await measure(() => Promise.all(rss.map((rs) => ctx.realserverExecutor(rs).exec(['true'], { shared: true }))), RUNS, WARMUP);
      report(`  floor: \`true\` on ${N} realservers at once, held shells`, trueShared);
      console.log(`  ratio channel per command / held shell: ${ratio(trueHeld.median, trueShared.median)}`);
      // The same over sessions that reach the realservers directly (ssh.viaDirector off; the desktop is on the LVS
      // subnet here, but the realservers' replies still go through the director, their default route): how much of
      // the floor is the one director connection every session is tunnelled through (its sshd on one TCG vCPU).
      const direct = openCliCluster({ cluster: { ...cluster, realservers: cluster.realservers.map((r) => ({ ...r, ssh: { ...r.ssh, viaDirector: false } })) }, knownHostsFile: lab.emptyKnownHosts });
      try {
        const dctx = direct.service.context();
        const trueDirect = await measure(() => Promise.all(rss.map((rs) => dctx.realserverExecutor(rs).exec(['true']))), RUNS, WARMUP);
        report(`  floor: \`true\` on ${N} realservers at once, held, NOT via the director`, trueDirect);
        const doctorDirect = await measure(() => new DoctorService(direct.service, desktop).run(), RUNS, WARMUP);
        report(`  doctor, held sessions, realservers NOT via the director`, doctorDirect, 5000);
      } finally {
        await direct.close();
      }
      const trueFresh = await measure(async () => {
        const h = await heldContext(lab!, lab!.profileFile);
        try {
          await Promise.all([h.ctx.director.exec(['true']), ...h.cluster.realservers.map((rs) => h.ctx.realserverExecutor(rs).exec(['true']))]);
        } finally {
          await h.sessions.close();
        }
      }, RUNS, WARMUP);
      report(`  floor: ${N + 1} fresh sessions (connect + \`true\`) at once`, trueFresh);
      const sshTrue = await measure(() => Promise.all(rss.map((rs) => freshSshTo(resolve(rs.host), 'true'))), RUNS, WARMUP);
      report(`  floor: OpenSSH \`ssh HOST true\` to ${N} realservers at once`, sshTrue);
      const probePlan = planServiceProbe(cluster, resolve);
      const probeOld = await measure(async () => parseServiceProbe((await execChecked(ctx.director, serviceProbeArgv(probePlan), [0], 'probe', { timeoutMs: 60_000 })).stdout, probePlan), RUNS, WARMUP);
      // what the doctor and `probe` run: the perl probe when the director has perl (the lab's has), else the lean one
      const directorProbe = async () => parseServiceProbe((await execChecked(ctx.director, directorProbeArgv(probePlan), [0], 'probe', { timeoutMs: 60_000 })).stdout, probePlan);
      const probeDirector = await measure(directorProbe, RUNS, WARMUP);
      // the lean probe itself (bash: a fork per check), as a director without perl runs it
      const bashOnly = ['bash', '-c', LEAN_PROBE_SCRIPT, 'lvs-console-probe', ...serviceProbeArgv(probePlan).slice(4)];
      const probeBash = await measure(async () => parseServiceProbe((await execChecked(ctx.director, bashOnly, [0], 'probe', { timeoutMs: 60_000 })).stdout, probePlan), RUNS, WARMUP);
      report(`  director probe of ${N}: the health probe's script (before)`, probeOld);
      report(`  director probe of ${N}: the lean probe under bash (a director without perl)`, probeBash);
      report(`  director probe of ${N}: the perl probe (doctor, probe, update)`, probeDirector);
      console.log(`  ratio health-probe script / perl probe: ${ratio(probeOld.median, probeDirector.median)}; lean probe / perl probe: ${ratio(probeBash.median, probeDirector.median)}`);
      // The director's cron update (what runs every minute without the console): it probes every realserver the same
      // way (probe_all: the perl probe here) and changes nothing on this healthy cluster. What it costs the director's CPU
      // each minute.
      const updateVerb = await measure(() => execChecked(ctx.director, ['/etc/init.d/lvs-director', 'update'], [0], 'update', { timeoutMs: 120_000 }), RUNS, WARMUP);
      report(`  the director's cron update of ${N} realservers (lvs-director update, every minute)`, updateVerb);

      // The lab's rs4…rsN answer an XDMCP Query with xdm's built-in status (lab.sh rs_config), rs1–rs3 with Debian's
      // Xwilling script (su nobody, then uptime, who, sed, sort, wc… per Query). The same figures with Xwilling on all:
      // what the director's probe (one Query per realserver, all at once) costs when the 50 scripts share these cores.
      try {
        await xwilling('stock');
        const probeStock = await measure(directorProbe, RUNS, WARMUP);
        report(`  director probe of ${N}, Debian's Xwilling on all ${N}`, probeStock);
        const warmStock = await measure(() => new DoctorService(svc, desktop).run(), RUNS, WARMUP);
        report(`  doctor, held sessions, Debian's Xwilling on all ${N}`, warmStock, 5000);
        const serialStock = await measure(serialWay, 1, 0);
        report(`  doctor's collectors in series, Debian's Xwilling on all ${N}`, serialStock);
        console.log(`  ratio serial / doctor (held), Debian's Xwilling on all ${N}: ${ratio(serialStock.median, warmStock.median)}`);
      } finally {
        await xwilling('builtin');
      }

      // realserver check --all (what the Realservers page and the sampler's load refresh run)
      const checks = await measure(async () => {
        const r = await new RealserverChecks(ctx).check('all');
        if (r.some((x) => !x.ok)) throw new Error('a realserver check failed');
      }, RUNS, WARMUP);
      report(`realserver check, ${N} realservers at once, held sessions`, checks);
      const checksOwn = await measure(() => new RealserverChecks(own.ctx).check('all'), RUNS, WARMUP);
      report(`  the same without held shells (a channel per command)`, checksOwn);
      // the check as it was before (3 execs in 2 round trips per realserver), over the same sessions
      const identify = [SECTION_FUNCTION, 'sec uname uname -s', 'sec uptime uptime'].join('\n');
      const checksBefore = await measure(
        () =>
          Promise.all(
            rss.map(async (rs) => {
              const ex = ctx.realserverExecutor(rs);
              await execChecked(ex, ['sh', '-c', identify, 'lvs-console-identify'], [0], 'identify', { timeoutMs: 60_000 });
              await Promise.all([execChecked(ex, processListArgv('linux'), [0], 'ps', { timeoutMs: 60_000 }), execChecked(ex, listenArgv('linux'), [0], 'ss', { timeoutMs: 60_000 })]);
            }),
          ),
        RUNS,
        WARMUP,
      );
      report(`realserver check as before (3 execs, 2 round trips), held`, checksBefore);
      const checkCmds = shellQuote(checkArgv());
      const checkSerial = await measure(
        async () => {
          for (const rs of rss) await freshSshTo(resolve(rs.host), checkCmds);
        },
        RUNS,
        0,
      );
      report(`realserver check, one fresh ssh per host in series (${N})`, checkSerial);
      console.log(`ratio serial / parallel held: ${ratio(checkSerial.median, checks.median)}`);

      // The app's sampler per tick, with 50 realservers: every tick the status (ipvsadm -L with rates); every 3rd
      // the health probe from the director; every 6th the realservers' loads (realserver check of all 50).
      const status = await measure(() => svc.snapshot({ rate: true }), 10, 2);
      report('sampler tick: status (every tick)', status);
      const statusOwn = await measure(() => own.svc.snapshot({ rate: true }), 10, 2);
      report('  the same without held shells (a channel per command)', statusOwn);
      // every verdict of the healthy cluster should pass: one that does not is a false "down" the app would show
      const notPassing: string[] = [];
      const health = await measure(async () => {
        for (const p of await svc.probe()) {
          for (const v of p.services) if (v.verdict !== 'pass') notPassing.push(`${p.display} ${v.protocol}/${v.port} ${v.verdict}`);
          if (!p.icmp) notPassing.push(`${p.display} icmp down`);
        }
      }, RUNS, WARMUP);
      report(`sampler tick: health probe of ${N} from the director (every 3rd)`, health);
      console.log(`  verdicts not passing on the healthy cluster (${RUNS + WARMUP} probes): ${notPassing.length}${notPassing.length ? `: ${notPassing.slice(0, 10).join(', ')}` : ''}`);
      const loads = await measure(() => new RealserverChecks(ctx).load('all'), RUNS, WARMUP);
      report(`sampler tick: loads of ${N} realservers (every 6th; \`uptime\` each)`, loads);
      const loadsOwn = await measure(() => new RealserverChecks(own.ctx).load('all'), RUNS, WARMUP);
      report('  the same without held shells (a channel per command)', loadsOwn);
      console.log(`  a tick with everything: ~${(status.median + health.median + loads.median).toFixed(0)} ms; at the default 5 s interval that is ${((100 * (status.median + health.median / 3 + loads.median / 6)) / 5000).toFixed(1)} % of the time busy on average`);
    } finally {
      await sessions.close();
      await own.sessions.close();
      restoreBootState(lab);
    }
  } finally {
    if (before === undefined) delete process.env.LVSLAB_REALSERVERS;
    else process.env.LVSLAB_REALSERVERS = before;
    // back to the default lab for the other modules (realservers beyond N are removed by lab:up)
    if (lab) labUp();
  }
}

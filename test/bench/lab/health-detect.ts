/**
 * Service down → out of its service, side by side in one run on the lab, for the three ways the product notices it:
 *  - the script runtime's health loop (electron/app/health-monitor.ts, the console's, at the profile's health defaults:
 *    interval 1 s, timeout 1 s, fall 2): from the service stopped to the loop's `cluster.health` event saying "down"
 *    (what the screen, the notification and the audit log get; on the script runtime the table itself changes when
 *    `update` runs);
 *  - the seed's cron minute (script runtime, the director's own `update` from cron): from the service stopped to
 *    rs2's destination gone from the director's table; the console's update puts it back between trials;
 *  - keepalived as the runtime (its checkers: delay_loop 1 s, connect_timeout 1 s, retry 1, inhibit_on_failure): from
 *    the service stopped to rs2's destination at weight 0 in the director's table.
 * Each trial stops a service on rs2 with the lab's rc script (telnet: TCP 23; xdm: UDP 177, XDMCP Query → Willing),
 * then watches (the table through a held SSH session every 100 ms); untimed, it starts the service again and waits
 * until rs2 is back. TRIALS per row (HEALTH_TRIALS, default 10); the cron row takes up to a minute a trial
 * (CRON_TRIALS, default 5). Printed, never asserted.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { HealthMonitor } from '../../../electron/app/health-monitor.ts';
import { median } from '../measure.ts';
import { labCmd, lvsctl, realservers, REPO, restoreBootState, type Lab } from '../../lab/support/remote-lab.ts';
import { benchLab, heldContext } from './support/bench-lab.ts';

const TRIALS = Number(process.env.HEALTH_TRIALS ?? 10);
const CRON_TRIALS = Number(process.env.CRON_TRIALS ?? 5);
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SERVICES = [['telnet', 'tcp/23', 23], ['xdm', 'udp/177', 177]] as const;

/** `lab.sh service rs2 NAME stop|start`, without blocking the event loop (the health loop runs on it). */
async function service(rs: string, name: string, action: 'stop' | 'start'): Promise<void> {
  await run('bash', [join(REPO, 'test/lab/lab.sh'), 'service', rs, name, action], { cwd: REPO, timeout: 60_000 });
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
function row(label: string, out: number[], extra = ''): void {
  console.log(`${label.padEnd(70)} median ${s(median(out)).padStart(7)}  max ${s(Math.max(...out)).padStart(7)}  (${out.length} trials${extra})`);
}

/** Polls `want` every 100 ms; the time it took, or an error after maxMs. */
async function waitFor(what: string, want: () => Promise<boolean> | boolean, maxMs: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await want()) return performance.now() - t0;
    if (performance.now() - t0 > maxMs) throw new Error(`${what}: not within ${maxMs} ms`);
    await sleep(100);
  }
}

export default async function healthDetect(): Promise<void> {
  const lab = benchLab();
  if (!lab) return;
  restoreBootState(lab);
  const rs2 = realservers(lab)[1]!;
  const fix = await lvsctl(['--profile', lab.profileFile, '--known-hosts', lab.emptyKnownHosts, 'realserver', 'route-fix', '--all']);
  if (fix.code !== 0) throw new Error(`route-fix: ${fix.err}`);
  const rows: (() => void)[] = [];
  try {
    await scriptRuntime(lab, rs2, rows);
    await keepalivedRuntime(lab, rs2, rows);
  } finally {
    for (const r of realservers(lab)) for (const n of ['telnet', 'xdm']) labCmd('service', r.name, n, 'start');
    restoreBootState(lab);
  }
  console.log(`goal (issue 10): out of its service within 3 s`);
  for (const r of rows) r();
}

type Rs = { name: string; ip: string };

/** rs2's weight in a service of the held director, undefined when it is not in the table. */
function weigher(ctx: Awaited<ReturnType<typeof heldContext>>['ctx'], rs2: Rs) {
  return async (port: number): Promise<number | undefined> => {
    const r = await ctx.director.exec(['sh', '-c', 'PATH=$PATH:/usr/sbin:/sbin; ipvsadm -S -n'], { sudo: true, timeoutMs: 10_000 });
    const m = new RegExp(`-r ${rs2.ip.replace(/\./g, '\\.')}:${port} -m -w (\\d+)`).exec(r.stdout);
    return m ? Number(m[1]) : undefined;
  };
}

async function scriptRuntime(lab: Lab, rs2: Rs, rows: (() => void)[]): Promise<void> {
  const { svc, ctx, sessions, cluster } = await heldContext(lab, lab.profileFile);
  const weight = weigher(ctx, rs2);
  try {
    await svc.run({ kind: 'install' });
    await svc.run({ kind: 'verb', verb: 'start' });
    // the console's health loop
    let state: Record<string, string> = {};
    const monitor = new HealthMonitor({
      service: () => svc,
      emit: (p) => {
        state = Object.fromEntries(p.entries.filter((e) => e.realserver === rs2.name).map((e) => [e.service, e.state]));
      },
      log: () => undefined,
    });
    monitor.watch(cluster.id, true);
    try {
      for (const [name, key] of SERVICES) {
        const out: number[] = [];
        await waitFor(`health loop: rs2 ${key} up`, () => state[key] === 'up', 30_000);
        for (let i = 0; i < TRIALS; i++) {
          await service(rs2.name, name, 'stop');
          out.push(await waitFor(`health loop: rs2 ${key} down`, () => state[key] === 'down', 30_000));
          await service(rs2.name, name, 'start');
          await waitFor(`health loop: rs2 ${key} up`, () => state[key] === 'up', 30_000);
        }
        rows.push(() => row(`script runtime, the console's health loop: ${name} stopped → known down`, out, `; interval ${cluster.health.intervalSec} s, fall ${cluster.health.fall}`));
      }
    } finally {
      monitor.stopAll();
    }
    // the seed's cron minute: the director's own update takes rs2 out of the table
    for (const [name, key, port] of SERVICES) {
      const out: number[] = [];
      for (let i = 0; i < CRON_TRIALS; i++) {
        await svc.run({ kind: 'verb', verb: 'update' });
        if ((await weight(port)) === undefined) throw new Error(`rs2 ${key} is not in the table before the trial`);
        await service(rs2.name, name, 'stop');
        out.push(await waitFor(`cron update: rs2 out of ${key}`, async () => (await weight(port)) === undefined, 90_000));
        await service(rs2.name, name, 'start');
      }
      await svc.run({ kind: 'verb', verb: 'update' });
      rows.push(() => row(`script runtime, the director's cron update: ${name} stopped → out of ${key}`, out, '; cron runs update once a minute'));
    }
  } finally {
    await sessions.close();
  }
}

async function keepalivedRuntime(lab: Lab, rs2: Rs, rows: (() => void)[]): Promise<void> {
  const { svc, ctx, sessions } = await heldContext(lab, lab.profileKeepalivedFile);
  const weight = weigher(ctx, rs2);
  try {
    await svc.run({ kind: 'install' }); // the switch from the script runtime
    for (const [name, key, port] of SERVICES) {
      const out: number[] = [];
      const back: number[] = [];
      await waitFor(`keepalived: rs2 in ${key}`, async () => ((await weight(port)) ?? 0) > 0, 30_000);
      for (let i = 0; i < TRIALS; i++) {
        await service(rs2.name, name, 'stop');
        out.push(await waitFor(`keepalived: rs2 ${key} weight 0`, async () => (await weight(port)) === 0, 30_000));
        await service(rs2.name, name, 'start');
        back.push(await waitFor(`keepalived: rs2 back in ${key}`, async () => ((await weight(port)) ?? 0) > 0, 30_000));
      }
      rows.push(() => row(`keepalived runtime, its checker: ${name} stopped → out of ${key} (weight 0)`, out));
      rows.push(() => row(`keepalived runtime, its checker: ${name} started → back in ${key}`, back));
    }
  } finally {
    await sessions.close();
  }
}

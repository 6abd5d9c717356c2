/**
 * Service down → out of its service, with keepalived as the director's runtime (its checkers, delay_loop 1 s,
 * connect_timeout 1 s, retry 1: the profile's health defaults), next to the seed's cron minute. Each trial stops a
 * service on rs2 with the lab's rc script (telnet: TCP 23; xdm: UDP 177, XDMCP Query → Willing), then reads the
 * director's table every 100 ms through a held SSH session until rs2's destination in that service has weight 0
 * (inhibit_on_failure); untimed, it starts the service again and waits until keepalived has it back. The seed's
 * script runtime is not timed here: its cron runs `update` once a minute, so a dead service stays in for up to 60 s
 * (30 s on average) plus one probe; the console's own update judges the same per service when it runs.
 */
import { performance } from 'node:perf_hooks';
import { median } from '../measure.ts';
import { labCmd, lvsctl, realservers, restoreBootState } from '../../lab/support/remote-lab.ts';
import { benchLab, heldContext } from './support/bench-lab.ts';

const TRIALS = 10;

export default async function healthDetect(): Promise<void> {
  const lab = benchLab();
  if (!lab) return;
  restoreBootState(lab);
  const rs2 = realservers(lab)[1]!;
  const { svc, ctx, sessions } = await heldContext(lab, lab.profileKeepalivedFile);
  try {
    const fix = await lvsctl(['--profile', lab.profileFile, '--known-hosts', lab.emptyKnownHosts, 'realserver', 'route-fix', '--all']);
    if (fix.code !== 0) throw new Error(`route-fix: ${fix.err}`);
    await svc.run({ kind: 'install' });
    await svc.run({ kind: 'verb', verb: 'start' });
    const weight = async (port: number): Promise<number | undefined> => {
      const r = await ctx.director.exec(['sh', '-c', 'PATH=$PATH:/usr/sbin:/sbin; ipvsadm -S -n'], { sudo: true, timeoutMs: 10_000 });
      const m = new RegExp(`-r ${rs2.ip.replace(/\./g, '\\.')}:${port} -m -w (\\d+)`).exec(r.stdout);
      return m ? Number(m[1]) : undefined;
    };
    const waitFor = async (port: number, want: (w: number | undefined) => boolean, maxMs: number): Promise<number> => {
      const t0 = performance.now();
      for (;;) {
        if (want(await weight(port))) return performance.now() - t0;
        if (performance.now() - t0 > maxMs) throw new Error(`rs2:${port} not as expected after ${maxMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    for (const [name, service, port] of [['telnet', 'telnet', 23], ['xdm', 'xdm', 177]] as const) {
      const out: number[] = [];
      const back: number[] = [];
      await waitFor(port, (w) => w !== undefined && w > 0, 30_000);
      for (let i = 0; i < TRIALS; i++) {
        const stop = labCmd('service', rs2.name, service, 'stop');
        if (stop.code !== 0) throw new Error(stop.stderr);
        out.push(await waitFor(port, (w) => w === 0, 30_000));
        const start = labCmd('service', rs2.name, service, 'start');
        if (start.code !== 0) throw new Error(start.stderr);
        back.push(await waitFor(port, (w) => w !== undefined && w > 0, 30_000));
      }
      const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
      console.log(
        `${`keepalived: ${name} stopped on rs2 → out of ${port === 23 ? 'TCP' : 'UDP'} ${port} (weight 0)`.padEnd(64)} median ${s(median(out))}  max ${s(Math.max(...out))}  (${TRIALS} trials; goal ≤ 3 s: ${Math.max(...out) <= 3000 ? 'met' : 'NOT met'} on this run)`,
      );
      console.log(`${`keepalived: ${name} started again → back in`.padEnd(64)} median ${s(median(back))}  max ${s(Math.max(...back))}`);
    }
    console.log(`${"the seed's cron update (script runtime): out within".padEnd(64)} 60 s + one probe (cron runs it once a minute; 30 s on average)`);
  } finally {
    await sessions.close();
    restoreBootState(lab);
  }
}

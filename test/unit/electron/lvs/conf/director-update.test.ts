/**
 * The director script's `update` decides in one awk pass which destinations leave or join (so it stays fast at 50
 * realservers on a slow director). Differential test against the script as it was before (kept verbatim in
 * test/fixtures/director-script/), which decided with a few processes per destination: both run with the real dash,
 * on the same /etc/lvs.conf, live table and probe answers, must run the same ipvsadm commands and log the same lines.
 * Only the outside world is replaced (test/fixtures/director-script/update-harness.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { updateHarness, type UpdateCase } from '../../../../fixtures/director-script/update-harness.ts';
import { prng } from '../../../../fixtures/ipvsadm/render.ts';

const harness = updateHarness();
afterAll(() => harness.close());
const runUpdate = (script: 'before' | 'now', c: UpdateCase) => harness.run(script, c);
const VIP = '10.77.0.100';
type Case = UpdateCase;

/** A random cluster, table and set of probe answers. */
function randomCase(rnd: () => number): Case {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const n = 1 + Math.floor(rnd() * 12);
  const rips = Array.from({ length: n }, (_, i) => `10.77.0.${11 + i}`);
  const tports = ['23', '22'].filter(() => rnd() < 0.7);
  const uports = ['177', '5000'].filter(() => rnd() < 0.7);
  const checks: string[] = [];
  for (const p of tports) if (rnd() < 0.3) checks.push(`tcp/${p}=${pick(['connect', 'none'])}`);
  for (const p of uports) {
    if (p === '5000') checks.push(`udp/5000=${pick(['udp:00ff:abcd', 'none'])}`);
    else if (rnd() < 0.3) checks.push(`udp/177=${pick(['xdmcp', 'none'])}`);
  }
  const disabled = rips.filter(() => rnd() < 0.15);
  const exclude = rips.flatMap((r) => [...tports.map((p) => `tcp/${p}`), ...uports.map((p) => `udp/${p}`)].filter(() => rnd() < 0.1).map((s) => `${r}=${s}`));
  const weights = rips.filter(() => rnd() < 0.3).map((r) => `${r}=${2 + Math.floor(rnd() * 4)}`);
  const conf = [
    `VIP=${VIP}`,
    'VIP_IF=eth0:110',
    `TPORTS="${tports.join(' ')}"`,
    `UPORTS="${uports.join(' ')}"`,
    `RIPS="${rips.join(' ')}"`,
    `RIPS_DISABLED="${disabled.join(' ')}"`,
    `EXCLUDE="${exclude.join(' ')}"`,
    `WEIGHTS="${weights.join(' ')}"`,
    `CHECKS="${checks.join(' ')}"`,
    '',
  ].join('\n');
  const live: string[] = [];
  const probe: string[] = [];
  for (const [proto, ports] of [['t', tports], ['u', uports]] as const) {
    for (const p of ports) {
      live.push(`-A -${proto} ${VIP}:${p} -s wlc`);
      for (const r of rips) {
        if (rnd() < 0.5) live.push(`-a -${proto} ${VIP}:${p} -r ${r}:${p} -m -w ${pick([0, 1, 3])}`);
        const roll = rnd();
        if (proto === 't') {
          if (roll < 0.45) probe.push(`${r} tcp ${p} up`);
          else if (roll < 0.9) probe.push(`${r} tcp ${p} down`);
        } else if (roll < 0.2) probe.push(`${r} udp ${p} noreply`);
        else if (roll < 0.3) probe.push(`${r} udp ${p} notool`);
        else if (roll < 0.5) probe.push(`${r} udp ${p} reply ${pick(['000100050010000000000000', '0001000500100000000000', '0001000500100000000000000a0b'])}`); // 12, 11, 14 bytes
        else if (roll < 0.6) probe.push(`${r} udp ${p} reply 0001000500`);
        else if (roll < 0.7) probe.push(`${r} udp ${p} reply 0001000600100000000000000000`);
        else if (roll < 0.8) probe.push(`${r} udp ${p} reply abcd01`);
        else if (roll < 0.9) probe.push(`${r} udp ${p} reply 1234`);
      }
    }
  }
  for (const r of rips) probe.push(`${r} icmp ${rnd() < 0.8 ? 'up' : 'down'}`);
  // the probe's lines come in any order
  for (let i = probe.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [probe[i], probe[j]] = [probe[j]!, probe[i]!];
  }
  return { conf, live: `${live.join('\n')}\n`, probe: `${probe.join('\n')}\n` };
}

describe("the director script's update: one pass decides what the per-destination loop decided", () => {
  it('a hand case: telnet down leaves, an XDMCP Willing joins, a short Willing and an excluded one are told apart', () => {
    const c: Case = {
      conf: `VIP=${VIP}\nVIP_IF=eth0:110\nTPORTS="23"\nUPORTS="177"\nRIPS="10.77.0.11 10.77.0.12 10.77.0.13"\nEXCLUDE="10.77.0.13=udp/177"\nWEIGHTS="10.77.0.12=3"\n`,
      live: `-A -t ${VIP}:23 -s wlc\n-a -t ${VIP}:23 -r 10.77.0.11:23 -m -w 1\n-a -t ${VIP}:23 -r 10.77.0.12:23 -m -w 3\n-A -u ${VIP}:177 -s wlc\n-a -u ${VIP}:177 -r 10.77.0.11:177 -m -w 1\n`,
      probe: '10.77.0.11 tcp 23 down\n10.77.0.12 tcp 23 up\n10.77.0.13 tcp 23 up\n10.77.0.11 udp 177 reply 0001000500\n10.77.0.12 udp 177 reply 000100050010000000000000\n10.77.0.13 udp 177 noreply\n',
    };
    const now = runUpdate('now', c);
    expect(now.changes).toEqual([
      `ipvsadm -d -t ${VIP}:23 -r 10.77.0.11:23`,
      `ipvsadm -d -u ${VIP}:177 -r 10.77.0.11:177`,
      `ipvsadm -a -u ${VIP}:177 -r 10.77.0.12:177 -m -w 3`,
      `ipvsadm -a -t ${VIP}:23 -r 10.77.0.13:23 -m -w 1`,
    ]);
    expect(now.log).toContain('lvs-director: removed 10.77.0.11 from udp/177 (a Willing too short)');
    expect(now).toEqual(runUpdate('before', c));
  });

  it('120 random clusters, tables and probe answers: the same ipvsadm commands and log lines as before', () => {
    const rnd = prng(4242);
    let changed = 0;
    for (let i = 0; i < 120; i++) {
      const c = randomCase(rnd);
      const before = runUpdate('before', c);
      const now = runUpdate('now', c);
      expect(now, `case ${i}\n${c.conf}\n${c.live}\n${c.probe}`).toEqual(before);
      if (before.changes.length) changed++;
    }
    // the cases exercise the decisions, not only "nothing to do"
    expect(changed).toBeGreaterThan(80);
  });
});

/**
 * Issue 10 against the real lab (test/lab/README.md): health per (service, realserver) with real xdm (XDMCP Query →
 * Willing) and telnetd, one source of truth on the director (every console change writes the director's runtime
 * config in the same transaction: its own cron update, keepalived's reloads and a reboot keep what the console set),
 * and keepalived as the director's runtime (installed, config-tested on the director, moved to and from the script
 * runtime with connections through the VIP every 100 ms all succeeding). Both runtimes, in this order: the script
 * (install-director, start, faults judged by the console's update and by the director's own update), the switch to
 * keepalived, the same faults judged by keepalived's checkers, the bad cases, the switch back. Everything goes through
 * lvsctl (in-process); `lab.sh` only looks and breaks things. Artifacts in test/lab/out/. Skips (saying why) without
 * root/Linux; CI is root and runs it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSchema, type Cluster } from '../../shared/model/cluster.ts';
import { writeLvsConf } from '../../electron/lvs/conf/conf-write.ts';
import { directorConf } from '../../electron/lvs/conf/director-conf.ts';
import { desiredTable } from '../../electron/lvs/plan/desired-table.ts';
import { formatSaveLines } from '../../electron/lvs/ipvs/ipvs-rules.ts';
import { compileKeepalived } from '../../electron/keepalived/keepalived-conf.ts';
import type { StatusView } from '../../electron/services/status-view.ts';
import { labCmd, labExec, labSh, labUnavailable, labUp, lvsctl, OUT, realservers, restoreBootState, writeProfile, type Lab } from './support/remote-lab.ts';
import { newConnectionsDuring } from './support/pair-lab.ts';
import { sleep, until } from './support/until.ts';

const skip = labUnavailable();
if (skip) console.warn(`[lab] health/keepalived lab tests skipped: ${skip}`);

let lab: Lab;
let ka: Cluster;
const log: string[] = [];
const note = (s: string) => {
  log.push(s);
  console.log(`[lab] ${s}`);
};

/** lvsctl with a profile file (the lab's script or keepalived one). */
const ctl = (profile: string, ...args: string[]) => lvsctl(['--profile', profile, '--known-hosts', lab.emptyKnownHosts, ...args]);
/** The director's table as `ipvsadm -S -n` prints it, read over the lab's own ssh (independent of the product). */
const liveSave = () => labSh('director', 'ipvsadm -S -n');
/** A table's lines sorted (the kernel lists destinations in the order they were added). */
const lines = (t: string) => t.split('\n').filter(Boolean).sort().join('\n');
/** The weight of rs in a service ("tcp 23"), or undefined when it is not in the table. */
function weightOf(rs: string, proto: 'tcp' | 'udp', port: number): number | undefined {
  const m = new RegExp(`^-a -${proto[0]} \\S+:${port} -r ${rs.replace(/\./g, '\\.')}:${port} -m -w (\\d+)$`, 'm').exec(liveSave());
  return m ? Number(m[1]) : undefined;
}
/** "in" (weight > 0), "0" (weight 0: out, keeping its sessions) or "out" (not in the table). */
const where = (rs: string, proto: 'tcp' | 'udp', port: number) => {
  const w = weightOf(rs, proto, port);
  return w === undefined ? 'out' : w === 0 ? '0' : 'in';
};
const svc = (s: 'xdm' | 'telnet', rs: string, action: 'stop' | 'start') => {
  const r = labCmd('service', rs, s, action);
  expect(r.code, r.stderr).toBe(0);
};

/**
 * `n` consecutive `Xvfb -query VIP` from the client, each waited for until its display shows xdm's login window
 * (xlogin), then closed. Returns which realserver's xdm managed each (by its process list) and how long each took.
 */
async function xdmcpLogins(n: number, tag: string): Promise<{ ok: number; served: string[]; seconds: number[] }> {
  const served: string[] = [];
  const seconds: number[] = [];
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const display = 20 + (i % 5);
    const t0 = Date.now();
    labExec('client', `sh -c 'Xvfb :${display} -query ${lab.vip} -listen tcp -ac -screen 0 640x480x16 </dev/null >/tmp/x${display}.log 2>&1 & echo $! > /tmp/x${display}.pid'`);
    try {
      const up = await until(60_000, 300, () => /"xlogin"/.test(labExec('client', `xwininfo -root -tree -display :${display} 2>/dev/null`).stdout));
      if (up) ok++;
      seconds.push((Date.now() - t0) / 1000);
      served.push(realservers(lab).filter((rs) => new RegExp(`^-(client|[0-9.]+):${display}`, 'm').test(labExec(rs.name, 'ps -eo args').stdout)).map((rs) => rs.name).join('+') || '?');
    } finally {
      labExec('client', `sh -c '[ -f /tmp/x${display}.pid ] && kill "$(cat /tmp/x${display}.pid)"; rm -f /tmp/x${display}.pid; sleep 0.3'`);
    }
  }
  note(`${tag}: ${ok}/${n} XDMCP sessions reached a login screen, served by ${[...new Set(served)].join(', ')}; seconds ${seconds.map((s) => s.toFixed(1)).join(' ')}`);
  return { ok, served, seconds };
}

/**
 * Connections through the VIP every 100 ms from the client while `during` runs (support/pair-lab.ts): each a TCP connect
 * to VIP:23 and the first byte of telnetd's greeting within 3 s (an outage, not a wait, is what this file looks for).
 */
async function connectionsDuring(tag: string, during: () => Promise<void>): Promise<{ ok: number; failed: string[] }> {
  const c = await newConnectionsDuring(lab.vip, tag, during, 3);
  note(`${tag}: ${c.ok + c.failed.length} connections through the VIP at 100 ms, ${c.failed.length} failed${c.failed.length ? `: ${c.failed.slice(0, 5).join(', ')}` : ''}`);
  return c;
}

/** The console's route fix on every realserver (after a link flap). */
async function routeFix(): Promise<void> {
  const r = await ctl(lab.profileFile, 'realserver', 'route-fix', '--all');
  expect(r.code, r.out + r.err).toBe(0);
}

/**
 * Waits until the director's clock is between :02 and :40 of its minute: its cron runs `update` at :00, and a console
 * change planned on a table cron changes before it is applied is rolled back (the plan's `-d` finds nothing).
 */
async function awayFromCron(): Promise<void> {
  const s = Number(labSh('director', 'date +%S').trim());
  if (s >= 2 && s <= 40) return;
  await sleep(((62 - s) % 60) * 1000);
}

/** lvsctl status --json, parsed. */
async function status(profile: string): Promise<StatusView & { ok: boolean }> {
  const r = await ctl(profile, '--json', 'status');
  // with --json an error is {ok:false,error} on stdout: say it when status fails
  expect(r.code, r.err || r.out).toBe(0);
  return JSON.parse(r.out) as StatusView & { ok: boolean };
}

/** What the director holds of the runtimes: files, links, cron, keepalived. */
function directorRuntime(): { links: string; cron: string; keepalived: boolean; lvsConf: string; kaConf: string } {
  return {
    links: labSh('director', 'ls /etc/rc.d/rc3.d/ | tr "\\n" " "'),
    cron: labExec('director', 'cat /etc/crontabs/root').stdout,
    keepalived: labExec('director', '/etc/init.d/keepalived status').code === 0,
    lvsConf: labExec('director', 'cat /etc/lvs.conf').stdout,
    kaConf: labExec('director', 'cat /etc/keepalived/keepalived.conf').stdout,
  };
}

describe.skipIf(!!skip)(`health per service, one source of truth, keepalived as the runtime, on the lab${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  let rs1: { name: string; ip: string };
  let rs2: { name: string; ip: string };
  let rs3: { name: string; ip: string };

  beforeAll(async () => {
    lab = labUp();
    restoreBootState(lab);
    [rs1, rs2, rs3] = realservers(lab) as [typeof rs1, typeof rs2, typeof rs3];
    ka = clusterSchema.parse(JSON.parse(readFileSync(lab.profileKeepalivedFile, 'utf8')));
    const fix = await ctl(lab.profileFile, 'realserver', 'route-fix', '--all');
    expect(fix.code, fix.err).toBe(0);
  }, 20 * 60_000);

  afterAll(() => {
    if (!lab) return;
    for (const rs of realservers(lab)) for (const s of ['xdm', 'telnet'] as const) labCmd('service', rs.name, s, 'start');
    labCmd('keepalived', 'director', 'restore');
    restoreBootState(lab);
    writeFileSync(join(OUT, 'health-keepalived.log'), `${log.join('\n')}\n`);
  }, 5 * 60_000);

  // ------------------------------------------------------------------ the script runtime

  it('script runtime: install-director, start; /etc/lvs.conf says the profile (checks per service, ownership)', async () => {
    const inst = await ctl(lab.profileFile, 'install-director');
    note(`install-director (script):\n${inst.out}`);
    expect(inst.code, inst.out + inst.err).toBe(0);
    expect(inst.out).toContain('loads exactly the table this profile plans');
    const st = await ctl(lab.profileFile, 'start');
    expect(st.code, st.err).toBe(0);
    expect(lines(liveSave())).toEqual(lines(formatSaveLines(desiredTable(lab.cluster, (h) => h))));
    const rt = directorRuntime();
    expect(rt.lvsConf).toBe(writeLvsConf(directorConf(lab.cluster)));
    expect(rt.lvsConf).toMatch(/^CHECKS="tcp\/23=connect udp\/177=xdmcp"$/m);
    expect(rt.links).toContain('S99lvs-director');
    expect(rt.cron).toContain('* * * * * /etc/init.d/lvs-director update');
    expect(labSh('director', 'cat /proc/sys/net/ipv4/vs/expire_quiescent_template').trim()).toBe('1');
  }, 240_000);

  it('script runtime, xdm stopped on rs2: the console\'s update takes rs2 out of UDP 177 only; 20 XDMCP logins all reach a login screen; back when xdm is', async () => {
    await awayFromCron();
    svc('xdm', rs2.name, 'stop');
    try {
      const up = await ctl(lab.profileFile, 'update');
      note(`update with xdm stopped on rs2:\n${up.out}`);
      expect(up.code, up.err).toBe(0);
      expect(up.out).toMatch(/- rs2 \(\S+:177\) out of udp \S+:177: no reply within 1 s/);
      expect([where(rs2.ip, 'udp', 177), where(rs2.ip, 'tcp', 23)]).toEqual(['out', 'in']);
      const s = await status(lab.profileFile);
      expect(s.runtime).toBe('script');
      expect(s.health!.destinations.find((d) => d.realserver === 'rs2' && d.service === 'udp/177')).toMatchObject({ verdict: 'fail' });
      expect(s.health!.destinations.find((d) => d.realserver === 'rs2' && d.service === 'tcp/23')).toMatchObject({ verdict: 'pass' });
      const x = await xdmcpLogins(20, 'script runtime, rs2 out of xdmcp');
      expect(x.ok).toBe(20);
      expect(x.served).not.toContain('rs2');
    } finally {
      await awayFromCron(); // xdm back and the console's update within one cron minute: the console puts rs2 back
      svc('xdm', rs2.name, 'start');
    }
    const back = await ctl(lab.profileFile, 'update');
    expect(back.code, back.err).toBe(0);
    expect(back.out).toMatch(/\+ rs2 \(\S+:177\) back in udp/);
    expect(where(rs2.ip, 'udp', 177)).toBe('in');
  }, 600_000);

  it("script runtime, the director's own update (per service, the console's probe): telnet stopped on rs2 → out of TCP 23 only; xdm stopped → out of UDP 177 only; rs3's cable pulled → out of both; all back", async () => {
    const own = () => {
      const r = labExec('director', '/etc/init.d/lvs-director update');
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    svc('telnet', rs2.name, 'stop');
    try {
      note(`director's update, telnet stopped on rs2: ${own()}`);
      expect([where(rs2.ip, 'tcp', 23), where(rs2.ip, 'udp', 177)]).toEqual(['out', 'in']);
    } finally {
      svc('telnet', rs2.name, 'start');
    }
    own();
    expect(where(rs2.ip, 'tcp', 23)).toBe('in');
    svc('xdm', rs2.name, 'stop');
    try {
      note(`director's update, xdm stopped on rs2: ${own()}`);
      expect([where(rs2.ip, 'tcp', 23), where(rs2.ip, 'udp', 177)]).toEqual(['in', 'out']);
    } finally {
      svc('xdm', rs2.name, 'start');
    }
    own();
    expect(where(rs2.ip, 'udp', 177)).toBe('in');
    expect(labCmd('link', rs3.name, 'down').code).toBe(0);
    try {
      note(`director's update, rs3's cable pulled: ${own()}`);
      expect([where(rs3.ip, 'tcp', 23), where(rs3.ip, 'udp', 177)]).toEqual(['out', 'out']);
    } finally {
      expect(labCmd('link', rs3.name, 'up').code).toBe(0);
    }
    // a link flap loses the realserver's default route via the director (as on a real one): the console puts it back
    await routeFix();
    own();
    expect(lines(liveSave())).toEqual(lines(formatSaveLines(desiredTable(lab.cluster, (h) => h))));
  }, 300_000);

  it("script runtime, one source of truth: drain rs1, weight rs2 3, disable rs3 in telnet from the console; the director's cron update (past its minute) and a reboot keep them; drift shows profile, /etc/lvs.conf and the kernel", async () => {
    const profile = writeProfile(lab, 'script-one-source', (p) => p);
    for (const args of [['drain', 'rs1'], ['weight', 'rs2', '3'], ['disable', 'rs3', '--service', 'tcp/23']]) {
      const r = await ctl(profile, 'realserver', ...args);
      note(`realserver ${args.join(' ')} (script):\n${r.out}`);
      expect(r.code, r.out + r.err).toBe(0);
    }
    const held = () => {
      expect(where(rs1.ip, 'tcp', 23), 'rs1 drained').not.toBe('in');
      expect(where(rs1.ip, 'udp', 177), 'rs1 drained').not.toBe('in');
      expect([weightOf(rs2.ip, 'tcp', 23), weightOf(rs2.ip, 'udp', 177)]).toEqual([3, 3]);
      expect([where(rs3.ip, 'tcp', 23), where(rs3.ip, 'udp', 177)]).toEqual(['out', 'in']);
    };
    held();
    // the same transactions wrote the director's config: it says what the saved profile and the kernel say
    const saved = clusterSchema.parse(JSON.parse(readFileSync(profile, 'utf8')));
    expect((await status(profile)).config).toMatchObject({ path: '/etc/lvs.conf', state: 'matches' });
    // The director's own cron runs update once a minute. As a control that it ran, rs2 is deleted from TCP 23 by hand:
    // cron's update puts it back (at the console's weight 3) while everything the console set stays.
    labSh('director', `ipvsadm -d -t ${lab.vip}:23 -r ${rs2.ip}:23`);
    expect(where(rs2.ip, 'tcp', 23)).toBe('out');
    const cronRan = await until(80_000, 1000, () => where(rs2.ip, 'tcp', 23) !== 'out');
    note(`after the director's cron minute:\n${liveSave()}`);
    expect(cronRan, "the director's cron update ran within 80 s and added rs2 back to TCP 23").toBeTruthy();
    held();
    // Drift, three ways: the original profile (weight 1), the director's config (3), the kernel edited by hand (7).
    labSh('director', `ipvsadm -e -t ${lab.vip}:23 -r ${rs2.ip}:23 -m -w 7`);
    const s = await status(lab.profileFile);
    note(`status with the original profile after a hand edit:\n${JSON.stringify(s.config, null, 1)}`);
    expect(s.config?.state).toBe('differs');
    expect(s.config?.items).toContainEqual({ what: `rs2 (${rs2.ip}:23) in tcp ${lab.vip}:23`, profile: 'weight 1', config: 'weight 3', kernel: 'weight 7' });
    const text = await ctl(lab.profileFile, 'status');
    expect(text.out).toContain(`rs2 (${rs2.ip}:23) in tcp ${lab.vip}:23: profile: weight 1 · /etc/lvs.conf: weight 3 · kernel: weight 7`);
    // a reboot comes back to what the console last set (the hand edit is gone, the console's changes are not)
    const reboot = labCmd('reboot', 'director');
    expect(reboot.code, reboot.stderr).toBe(0);
    const back = await until(120_000, 2000, () => labExec('director', 'ipvsadm -S -n').stdout.includes(`-r ${rs2.ip}:23`));
    expect(back, `the table is loaded at boot:\n${liveSave()}`).toBeTruthy();
    note(`after the director's reboot:\n${liveSave()}`);
    held();
    expect(lines(liveSave())).toEqual(lines(formatSaveLines(desiredTable(saved, (h) => h))));
    const rl = await ctl(lab.profileFile, 'reload');
    expect(rl.code, rl.out + rl.err).toBe(0);
    expect(lines(liveSave())).toEqual(lines(formatSaveLines(desiredTable(lab.cluster, (h) => h))));
    expect((await status(lab.profileFile)).config).toMatchObject({ path: '/etc/lvs.conf', state: 'matches' });
  }, 400_000);

  // ------------------------------------------------------------------ to keepalived

  it('bad cases change nothing: keepalived missing on the director; a keepalived.conf its config test refuses', async () => {
    const before = { table: liveSave(), rt: directorRuntime() };
    expect(labCmd('keepalived', 'director', 'hide').code).toBe(0);
    try {
      const r = await ctl(lab.profileKeepalivedFile, 'install-director');
      note(`install-director (keepalived) with keepalived missing: exit ${r.code}: ${r.err.trim()}`);
      expect(r.code).toBe(3);
      expect(r.err).toMatch(/keepalived is not installed on the director .*Nothing was changed/);
    } finally {
      expect(labCmd('keepalived', 'director', 'restore').code).toBe(0);
    }
    expect({ table: liveSave(), rt: directorRuntime() }).toEqual(before);
    // An interface the director does not have: our checks pass, the director's keepalived refuses the file.
    const wrongIf = writeProfile(lab, 'ka-eth9', (p) => ({ ...p, id: 'lvslab-ka-eth9', runtime: 'keepalived', lvsIf: 'eth9' }));
    const t = await lvsctl(['--profile', wrongIf, '--known-hosts', lab.emptyKnownHosts, 'install-director']);
    note(`install-director with a config keepalived -t refuses: exit ${t.code}: ${t.err.trim()}`);
    expect(t.code).not.toBe(0);
    expect(t.err).toMatch(/keepalived -t refuses the new keepalived\.conf: keepalived\.conf.*; nothing was changed/);
    expect({ table: liveSave(), rt: directorRuntime() }).toEqual(before);
  }, 240_000);

  it('moving the running cluster from the script to keepalived: previewed, then no gap (connections every 100 ms all succeed)', async () => {
    const dry = await ctl(lab.profileKeepalivedFile, 'install-director', '--dry-run');
    writeFileSync(join(OUT, 'switch-to-keepalived.dry-run.txt'), dry.out);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain('/etc/init.d/keepalived start');
    expect(dry.out).toContain('rm -f /etc/rc.d/rc3.d/S99lvs-director');
    expect(directorRuntime().keepalived).toBe(false);
    const conns = await connectionsDuring('to-keepalived', async () => {
      const r = await ctl(lab.profileKeepalivedFile, 'install-director');
      note(`install-director (keepalived), the switch:\n${r.out}${r.err}`);
      expect(r.code, r.out + r.err).toBe(0);
    });
    expect(conns.failed).toEqual([]);
    expect(conns.ok).toBeGreaterThan(20);
    const rt = directorRuntime();
    expect(rt.keepalived).toBe(true);
    expect(rt.links).toContain('S50keepalived');
    expect(rt.links).not.toContain('S99lvs-director');
    expect(rt.cron).not.toContain('lvs-director update');
    expect(rt.kaConf).toBe(compileKeepalived({ cluster: ka, resolve: (h) => h }).text);
    const s = await status(lab.profileKeepalivedFile);
    expect(s.runtime).toBe('keepalived');
    expect(s.vip.up).toBe(true);
    expect(s.config?.state).toBe('matches');
  }, 300_000);

  it('keepalived runtime, xdm stopped on rs2: out of UDP 177 (weight 0) within seconds, in TCP 23; 20 XDMCP logins all reach a login screen; status says keepalived\'s view; back when xdm is', async () => {
    svc('xdm', rs2.name, 'stop');
    try {
      const out = await until(15_000, 200, () => where(rs2.ip, 'udp', 177) === '0');
      expect(out, `rs2 at weight 0 in udp/177:\n${liveSave()}`).toBeTruthy();
      expect(where(rs2.ip, 'tcp', 23)).toBe('in');
      const s = await status(lab.profileKeepalivedFile);
      note(`status (keepalived) with xdm stopped on rs2: health from ${s.health?.source}`);
      expect(s.health!.destinations.find((d) => d.realserver === 'rs2' && d.service === 'udp/177')).toMatchObject({ verdict: 'fail', detail: expect.stringMatching(/UDP_CHECK DOWN/) });
      expect(s.health!.destinations.find((d) => d.realserver === 'rs2' && d.service === 'tcp/23')).toMatchObject({ verdict: 'pass' });
      const x = await xdmcpLogins(20, 'keepalived runtime, rs2 at weight 0 in xdmcp');
      expect(x.ok).toBe(20);
      expect(x.served).not.toContain('rs2');
    } finally {
      svc('xdm', rs2.name, 'start');
    }
    expect(await until(15_000, 200, () => where(rs2.ip, 'udp', 177) === 'in')).toBeTruthy();
  }, 600_000);

  it('keepalived runtime: telnet stopped on rs2 → out of TCP 23 only; rs3\'s cable pulled → out of both; back', async () => {
    svc('telnet', rs2.name, 'stop');
    try {
      expect(await until(15_000, 200, () => where(rs2.ip, 'tcp', 23) === '0')).toBeTruthy();
      expect(where(rs2.ip, 'udp', 177)).toBe('in');
    } finally {
      svc('telnet', rs2.name, 'start');
    }
    expect(await until(15_000, 200, () => where(rs2.ip, 'tcp', 23) === 'in')).toBeTruthy();
    expect(labCmd('link', rs3.name, 'down').code).toBe(0);
    try {
      expect(await until(20_000, 200, () => where(rs3.ip, 'tcp', 23) === '0' && where(rs3.ip, 'udp', 177) === '0')).toBeTruthy();
    } finally {
      expect(labCmd('link', rs3.name, 'up').code).toBe(0);
    }
    await routeFix();
    expect(await until(20_000, 200, () => where(rs3.ip, 'tcp', 23) === 'in' && where(rs3.ip, 'udp', 177) === 'in')).toBeTruthy();
  }, 300_000);

  it('keepalived runtime: rs1 drained and rs2 at weight 3 from the console stay so across keepalived reloads and a director reboot; drift shows profile, keepalived.conf and the kernel', async () => {
    const profile = writeProfile(lab, 'ka-drain', (p) => ({ ...p, id: 'lvslab-keepalived', runtime: 'keepalived' }));
    const d = await ctl(profile, 'realserver', 'drain', 'rs1');
    note(`drain rs1 (keepalived):\n${d.out}`);
    expect(d.code, d.err).toBe(0);
    expect([where(rs1.ip, 'tcp', 23), where(rs1.ip, 'udp', 177)]).toEqual(['0', '0']);
    expect(labSh('director', 'cat /etc/keepalived/keepalived.conf')).toMatch(new RegExp(`real_server ${rs1.ip.replace(/\./g, '\\.')} 23 \\{[^\\n]*\\n {4}weight 0\\n`));
    const w = await ctl(profile, 'realserver', 'weight', 'rs2', '3');
    note(`weight rs2 3 (keepalived):\n${w.out}`);
    expect(w.code, w.out + w.err).toBe(0);
    expect([weightOf(rs2.ip, 'tcp', 23), weightOf(rs2.ip, 'udp', 177)]).toEqual([3, 3]);
    expect((await status(profile)).config).toMatchObject({ path: '/etc/keepalived/keepalived.conf', state: 'matches' });
    // drift, three ways: the original keepalived profile (weight 1), keepalived.conf (3), the kernel edited by hand (7)
    labSh('director', `ipvsadm -e -t ${lab.vip}:23 -r ${rs2.ip}:23 -m -w 7`);
    const s = await status(lab.profileKeepalivedFile);
    expect(s.config?.items).toContainEqual({ what: `rs2 (${rs2.ip}:23) in tcp ${lab.vip}:23`, profile: 'weight 1', config: 'weight 3', kernel: 'weight 7' });
    labSh('director', `ipvsadm -e -t ${lab.vip}:23 -r ${rs2.ip}:23 -m -w 3`); // the hand edit undone by hand
    // keepalived reloaded by itself (SIGHUP) and by the console: still drained, still weight 3
    labSh('director', '/etc/init.d/keepalived reload');
    await sleep(3000);
    expect([weightOf(rs2.ip, 'tcp', 23), weightOf(rs2.ip, 'udp', 177)], `after keepalived's reload:\n${liveSave()}`).toEqual([3, 3]);
    expect([where(rs1.ip, 'tcp', 23), where(rs1.ip, 'udp', 177)]).toEqual(['0', '0']);
    const rl = await ctl(profile, 'reload');
    expect(rl.code, rl.err).toBe(0);
    expect(where(rs1.ip, 'tcp', 23)).not.toBe('in');
    expect([weightOf(rs2.ip, 'tcp', 23), weightOf(rs2.ip, 'udp', 177)]).toEqual([3, 3]);
    const reboot = labCmd('reboot', 'director');
    expect(reboot.code, reboot.stderr).toBe(0);
    const up = await until(120_000, 2000, () => labExec('director', '/etc/init.d/keepalived status').code === 0 && /10\.77\.0\.100\//.test(labExec('director', 'ip -o addr show dev eth0').stdout) && where(rs2.ip, 'tcp', 23) === 'in');
    expect(up, 'keepalived back at boot with the VIP and the table').toBeTruthy();
    expect(labSh('director', 'cat /proc/sys/net/ipv4/ip_forward').trim()).toBe('1');
    expect([where(rs1.ip, 'tcp', 23), where(rs1.ip, 'udp', 177)].every((w) => w !== 'in')).toBe(true);
    expect([weightOf(rs2.ip, 'tcp', 23), weightOf(rs2.ip, 'udp', 177)]).toEqual([3, 3]);
    const w1 = await ctl(profile, 'realserver', 'weight', 'rs2', '1');
    expect(w1.code, w1.err).toBe(0);
    const en = await ctl(profile, 'realserver', 'enable', 'rs1');
    expect(en.code, en.err).toBe(0);
    expect(await until(15_000, 200, () => where(rs1.ip, 'tcp', 23) === 'in' && where(rs1.ip, 'udp', 177) === 'in')).toBeTruthy();
  }, 400_000);

  it('moving it back from keepalived to the script: no gap either; the script runs it, keepalived does not start at boot', async () => {
    const conns = await connectionsDuring('to-script', async () => {
      const r = await ctl(lab.profileFile, 'install-director');
      note(`install-director (script), the switch back:\n${r.out}${r.err}`);
      expect(r.code, r.out + r.err).toBe(0);
    });
    expect(conns.failed).toEqual([]);
    const rt = directorRuntime();
    expect(rt.keepalived).toBe(false);
    expect(rt.links).toContain('S99lvs-director');
    expect(rt.links).not.toContain('S50keepalived');
    expect(rt.cron).toContain('lvs-director update');
    expect(lines(liveSave())).toEqual(lines(formatSaveLines(desiredTable(lab.cluster, (h) => h))));
    expect((await status(lab.profileFile)).vip.up).toBe(true);
  }, 300_000);
});

/**
 * The remote verbs proven against the real lab (test/lab/README.md): a qemu director with a real IPVS kernel table,
 * realserver namespaces with real sshd/telnetd/xdm, a client namespace. Everything goes through lvsctl (in-process, the
 * same code as the binary) or the services it calls; the lab's own `lab.sh exec` is used only to look and to break
 * things (a link down, a host key regenerated, the director's sshd session killed). Artifacts go to test/lab/out/.
 * One file, run in order: the lab has one director. Skips (saying why) without root/Linux; CI is root and runs it.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desiredTable } from '../../electron/lvs/plan/desired-table.ts';
import { directorConf } from '../../electron/lvs/conf/director-conf.ts';
import { formatSaveLines } from '../../electron/lvs/ipvs/ipvs-rules.ts';
import { writeLvsConf } from '../../electron/lvs/conf/conf-write.ts';
import { clusterSchema } from '../../shared/model/cluster.ts';
import type { StatusView } from '../../electron/services/status-view.ts';
import { openCliCluster } from '../../electron/cli/cli-cluster.ts';
import { applyPlan } from '../../electron/services/director-apply.ts';
import { observedSysctlKeys } from '../../electron/services/director-observe.ts';
import { planReload } from '../../electron/lvs/plan/director-plan.ts';
import { TX_DIR } from '../../electron/lvs/plan/transaction.ts';
import type { AppError } from '../../shared/result.ts';
import { main } from '../../electron/cli/lvsctl.ts';
import {
  bigProfile,
  labCmd,
  labCtl,
  labExec,
  labSh,
  labUnavailable,
  labUp,
  lvsctl,
  OUT,
  REPO,
  realservers,
  restoreBootState,
  routesOf,
  telnetGreeting,
  writeProfile,
  type Lab,
} from './support/remote-lab.ts';
import { sleep, until } from './support/until.ts';

const skip = labUnavailable();
if (skip) console.warn(`[lab] remote-verb lab tests skipped: ${skip}`);

let lab: Lab;
const bootRoutes: Record<string, string> = {};
const log: string[] = [];
const note = (s: string) => {
  log.push(s);
  console.log(`[lab] ${s}`);
};

/** lvsctl status --json, parsed. */
async function status(profile?: string): Promise<StatusView & { ok: boolean }> {
  const r = profile ? await lvsctl(['--profile', profile, '--known-hosts', lab.emptyKnownHosts, '--json', 'status']) : await labCtl(lab, '--json', 'status');
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as StatusView & { ok: boolean };
}

/** lvsctl in-process with an interactive "terminal" that answers the host key question. */
async function lvsctlAsking(args: string[], confirm: (q: string) => Promise<boolean>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t), readStdin: async () => '', confirm });
  return { code, out, err };
}

/** The director's table as `ipvsadm -S -n` prints it, read over the lab's own ssh (independent of the product). */
const liveSave = () => labSh('director', 'ipvsadm -S -n');

describe.skipIf(!!skip)(`remote verbs against the lab${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  beforeAll(() => {
    lab = labUp();
    restoreBootState(lab);
    for (const rs of realservers(lab)) bootRoutes[rs.name] = routesOf(rs.name);
    note(`lab up: profile ${lab.profileFile}, VIP ${lab.vip}; boot routes ${JSON.stringify(bootRoutes)}`);
  }, 20 * 60_000);

  afterAll(() => {
    if (!lab) return;
    labCmd('rekey', 'rs2', '--restore');
    labExec('client', 'sh -c \'[ -f /tmp/lab-xvfb.pid ] && kill "$(cat /tmp/lab-xvfb.pid)"; rm -f /tmp/lab-xvfb.pid; true\'');
    restoreBootState(lab);
    writeFileSync(join(OUT, 'remote-verbs.log'), `${log.join('\n')}\n`);
  }, 5 * 60_000);

  it('boot state: status shows an empty table, no VIP, ip_forward 0', async () => {
    const s = await status();
    expect(s.services).toEqual([]);
    expect(s.vip).toEqual({ address: lab.vip, up: false });
    expect(s.sysctls['net.ipv4.ip_forward']).toBe('0');
  }, 120_000);

  it('host keys: an unknown key is refused with its SHA256 fingerprint; trusted with --trust-new-host-key, then remembered', async () => {
    const fp = /SHA256:\S+/.exec(labSh('desktop', `ssh-keygen -l -f ${join(REPO, '.lab/keys/director_host_ed25519_key.pub')}`))![0];
    const noKeys = writeProfile(lab, 'no-known-hosts', (p) => ({ ...p, knownHosts: [] }));
    const prev = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = join(lab.home, 'fresh-trust');
    try {
      const refused = await lvsctl(['--profile', noKeys, '--known-hosts', lab.emptyKnownHosts, 'status']);
      note(`unknown host key: exit ${refused.code}: ${refused.err.trim()}`);
      expect(refused.code).toBe(3);
      expect(refused.err).toContain(`director ${lab.cluster.director.host}: host key of ${lab.cluster.director.host}:22 is not trusted yet: ssh-ed25519 ${fp}`);
      expect(refused.err).toContain('--trust-new-host-key');
      // On a terminal the user is asked instead; "no" refuses, "yes" trusts and goes on.
      const asked: string[] = [];
      const ask = (answer: boolean) => async (q: string) => (asked.push(q), answer);
      const no = await lvsctlAsking(['--profile', noKeys, '--known-hosts', lab.emptyKnownHosts, 'status'], ask(false));
      expect(no.code).toBe(3);
      expect(asked[0]).toBe(`Trust director ${lab.cluster.director.host}'s ssh-ed25519 key ${fp}?`);
      process.env.XDG_CONFIG_HOME = join(lab.home, 'fresh-trust-yes');
      const yes = await lvsctlAsking(['--profile', noKeys, '--known-hosts', lab.emptyKnownHosts, 'status'], ask(true));
      expect(yes.code, yes.err).toBe(0);
      process.env.XDG_CONFIG_HOME = join(lab.home, 'fresh-trust');
      const trusted = await lvsctl(['--profile', noKeys, '--known-hosts', lab.emptyKnownHosts, '--trust-new-host-key', 'status']);
      expect(trusted.code, trusted.err).toBe(0);
      const again = await lvsctl(['--profile', noKeys, '--known-hosts', lab.emptyKnownHosts, 'status']);
      expect(again.code, again.err).toBe(0);
    } finally {
      process.env.XDG_CONFIG_HOME = prev;
    }
  }, 180_000);

  it('host keys: a realserver whose host key was regenerated is refused, loudly, with the new fingerprint; no flag overrides it', async () => {
    const rekey = labCmd('rekey', 'rs2');
    expect(rekey.code, rekey.stderr).toBe(0);
    const fp = /SHA256:\S+/.exec(rekey.stdout)![0];
    try {
      const r = await labCtl(lab, 'realserver', 'check', 'rs2');
      note(`changed host key: exit ${r.code}: ${r.err.trim().split('\n')[0]}`);
      expect(r.code).toBe(3);
      expect(r.err).toContain('rs2: HOST KEY CHANGED');
      expect(r.err).toContain(fp);
      const forced = await labCtl(lab, '--trust-new-host-key', 'realserver', 'check', 'rs2');
      expect(forced.code).toBe(3);
      expect(forced.err).toContain('HOST KEY CHANGED');
    } finally {
      expect(labCmd('rekey', 'rs2', '--restore').code).toBe(0);
    }
    const back = await labCtl(lab, 'realserver', 'check', 'rs2');
    expect(back.code, back.err).toBe(0);
  }, 180_000);

  it('realserver check --all: Linux, xdm running, telnet and XDMCP listening on every realserver', async () => {
    const r = await labCtl(lab, 'realserver', 'check', '--all');
    note(`realserver check --all:\n${r.out}`);
    expect(r.code, r.err).toBe(0);
    for (const rs of realservers(lab)) expect(r.out).toMatch(new RegExp(`^${rs.name}: Linux, load [0-9. ]+, \\d+ user\\(s\\), display manager xdm, telnet listening yes, XDMCP listening yes$`, 'm'));
  }, 180_000);

  it('route-check finds the subnet routes; route-fix --all applies the seed\'s lvs-route; route-check is then clean', async () => {
    const before = await labCtl(lab, 'realserver', 'route-check', '--all');
    expect(before.code).toBe(1);
    for (const rs of realservers(lab)) expect(before.out).toContain(`${rs.name}: 1 problem(s):\n  - subnet route ${lab.vip.split('.').slice(0, 3).join('.')}.0/24 on eth0 lets replies bypass the director`);
    const fix = await labCtl(lab, 'realserver', 'route-fix', '--all');
    note(`route-fix --all:\n${fix.out}`);
    expect(fix.code, fix.err).toBe(0);
    const after = await labCtl(lab, 'realserver', 'route-check', '--all');
    expect(after.code, after.out + after.err).toBe(0);
    for (const rs of realservers(lab)) expect(routesOf(rs.name)).toBe([`default via ${lab.cluster.director.host} dev eth0`, `${lab.cluster.director.host} dev eth0 scope link`].sort().join('\n'));
  }, 180_000);

  it('start --dry-run prints the exact commands and the batch, and changes nothing', async () => {
    const r = await labCtl(lab, 'start', '--dry-run');
    expect(r.code, r.err).toBe(0);
    writeFileSync(join(OUT, 'start-dry-run.txt'), r.out);
    expect(r.out).toContain(`ip addr add ${lab.vip}/24 dev eth0 label eth0:110`);
    expect(r.out).toContain("ipvsadm -R <<'EOF'\n-A -t");
    expect(r.out).toContain('applied as ONE transaction');
    expect(liveSave()).toBe('');
  }, 120_000);

  it('start: the table read back equals the plan; VIP up on eth0:110; forwarding on, redirects off', async () => {
    const r = await labCtl(lab, 'start');
    note(`start:\n${r.out}`);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/start: applied as one transaction \([0-9a-f]+\), table verified/);
    expect(liveSave()).toBe(formatSaveLines(desiredTable(lab.cluster, (h) => h)));
    const s = await status();
    expect(s.vip).toEqual({ address: lab.vip, up: true, label: 'eth0:110' });
    expect(s.sysctls).toMatchObject({ 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.send_redirects': '0', 'net.ipv4.conf.eth0.send_redirects': '0' });
    // the transaction's files went to its private directory (root's, 0700), not to /tmp
    expect(labSh('director', `ls -ldn ${TX_DIR}`).split(/\s+/).slice(0, 4)).toEqual(['drwx------', expect.any(String), '0', '0']);
    expect(labSh('director', 'ls /tmp').split('\n').filter((f) => f.startsWith('lvs-console.'))).toEqual([]);
  }, 120_000);

  it('9 telnet connections from the client to VIP:23 reach at least two realservers (their banners)', () => {
    const tries = Array.from({ length: 9 }, () => telnetGreeting(lab.vip));
    const seen = tries.map((t) => t.banner || '(none)');
    writeFileSync(join(OUT, 'telnet-banners.txt'), `${seen.map((s, i) => `telnet ${lab.vip}:23 #${i + 1} -> ${s}`).join('\n')}\n`);
    note(`telnet banners through the VIP: ${seen.join(' ')}`);
    const missed = tries.map((t, i) => (t.banner ? '' : `#${i + 1}: ${JSON.stringify(t.output)}`)).filter(Boolean);
    const why = missed.length ? `no login prompt in 20 s: ${missed.join('; ')}\ndirector:\n${labExec('director', 'ipvsadm -Ln --stats; ipvsadm -Lnc').stdout}` : '';
    expect(missed, why).toEqual([]);
    expect(new Set(seen).size).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('Xvfb -query VIP in the client receives an xdm login screen served by a realserver (screenshot, not blank)', async () => {
    labExec('client', `sh -c 'Xvfb :9 -query ${lab.vip} -listen tcp -ac -screen 0 1024x768x24 </dev/null >/tmp/lab-xvfb.log 2>&1 & echo $! > /tmp/lab-xvfb.pid'`);
    try {
      const up = await until(90_000, 1000, () => /"xlogin"/.test(labExec('client', 'xwininfo -root -tree -display :9 2>/dev/null').stdout));
      expect(up, 'xdm login window (xlogin) on the client display within 90 s').toBeTruthy();
      await sleep(1500); // let the greeter finish drawing
      const png = join(OUT, 'xdm-login.png');
      expect(labExec('client', 'import', '-display', ':9', '-window', 'root', png).code).toBe(0);
      const [mean, sd] = labSh('client', `convert ${png} -colorspace Gray -format '%[fx:mean] %[fx:standard_deviation]' info:`).trim().split(/\s+/).map(Number);
      note(`xdm screenshot ${png}: mean ${mean}, stddev ${sd}`);
      expect(sd).toBeGreaterThan(0.02);
      const served = realservers(lab).filter((rs) => /^-(client|[0-9.]+):9/m.test(labExec(rs.name, 'ps -eo args').stdout)).map((rs) => rs.name);
      note(`XDMCP display managed by: ${served.join(' ')}`);
      expect(served).toHaveLength(1);
    } finally {
      labExec('client', 'sh -c \'[ -f /tmp/lab-xvfb.pid ] && kill "$(cat /tmp/lab-xvfb.pid)"; rm -f /tmp/lab-xvfb.pid; true\'');
    }
  }, 180_000);

  it('status shows the live counters (connections; with --stats packets and bytes; with --rate rates) of that traffic', async () => {
    const plain = await status();
    expect(plain.services.length).toBe(2);
    expect(plain.services[0]!.stats).toBeUndefined();
    // The telnet sessions above count as InActConn while in TIME_WAIT (2 min), the XDMCP entries for minutes more.
    const conns = (x: StatusView) => x.services.flatMap((v) => v.destinations).reduce((n, d) => n + d.activeConns + d.inactiveConns, 0);
    expect(conns(plain)).toBeGreaterThan(0);
    const r = await labCtl(lab, '--json', 'status', '--stats', '--rate');
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out) as StatusView;
    expect(s.services[0]!.rate).toBeDefined();
    const text = await labCtl(lab, 'status', '--stats', '--rate');
    writeFileSync(join(OUT, 'status.txt'), text.out);
    note(`status --stats --rate:\n${text.out}`);
    const tcp = s.services.find((x) => x.protocol === 'tcp')!;
    const udp = s.services.find((x) => x.protocol === 'udp')!;
    expect(tcp.stats!.conns).toBeGreaterThanOrEqual(9);
    expect(tcp.stats!.inPkts).toBeGreaterThan(0);
    expect(tcp.stats!.outBytes).toBeGreaterThan(0);
    expect(tcp.destinations.filter((d) => (d.stats?.conns ?? 0) > 0).length).toBeGreaterThanOrEqual(2);
    expect(udp.stats!.inPkts).toBeGreaterThan(0);
    expect(text.out).toMatch(/TCP\s+\S+:23\s+wlc\s+\d+/);
  }, 120_000);

  it('update drops a realserver whose link went down and adds it back when it returns', async () => {
    const same = await labCtl(lab, 'update');
    expect(same.code, same.err).toBe(0);
    expect(same.out).toContain('no change');
    labSh('rs2', 'ip link set eth0 down');
    try {
      const down = await labCtl(lab, 'update');
      note(`update with rs2's link down:\n${down.out}`);
      expect(down.code, down.err).toBe(0);
      expect(down.out).toMatch(/- rs2 \(\S+:23\) out of tcp/);
      expect(liveSave()).not.toContain(`${realservers(lab)[1]!.ip}:`);
    } finally {
      labSh('rs2', 'ip link set eth0 up');
    }
    // The link came back with only its kernel subnet route: the seed's lvs-route runs again (as at its boot).
    const fix = await labCtl(lab, 'realserver', 'route-fix', 'rs2');
    expect(fix.code, fix.err).toBe(0);
    const up = await labCtl(lab, 'update');
    note(`update with rs2 back:\n${up.out}`);
    expect(up.code, up.err).toBe(0);
    expect(up.out).toMatch(/\+ rs2 \(\S+:23\) back in tcp/);
    expect(liveSave()).toBe(formatSaveLines(desiredTable(lab.cluster, (h) => h)));
  }, 240_000);

  it('reload rebuilds the table (a changed weight) and keeps the VIP', async () => {
    const heavier = writeProfile(lab, 'weights', (p) => ({ ...p, realservers: p.realservers!.map((r, i) => (i === 0 ? { ...r, weight: 5 } : r)) }));
    const r = await lvsctl(['--profile', heavier, '--known-hosts', lab.emptyKnownHosts, 'reload']);
    expect(r.code, r.err).toBe(0);
    expect(liveSave()).toContain(`-r ${realservers(lab)[0]!.ip}:23 -m -w 5`);
    expect((await status()).vip.up).toBe(true);
    const back = await labCtl(lab, 'reload');
    expect(back.code, back.err).toBe(0);
    expect(liveSave()).toBe(formatSaveLines(desiredTable(lab.cluster, (h) => h)));
    expect((await status()).vip.up).toBe(true);
  }, 180_000);

  it('a transaction directory that is not private (a symlink to a 0700 directory) is refused before anything is written', async () => {
    const before = liveSave();
    const files = labSh('director', `ls -A ${TX_DIR}`);
    const heavier = writeProfile(lab, 'weights-refused', (p) => ({ ...p, realservers: p.realservers!.map((r, i) => (i === 0 ? { ...r, weight: 7 } : r)) }));
    labSh('director', `mv ${TX_DIR} ${TX_DIR}.real && ln -s ${TX_DIR}.real ${TX_DIR}`);
    try {
      const r = await lvsctl(['--profile', heavier, '--known-hosts', lab.emptyKnownHosts, 'reload']);
      note(`reload with a symlinked transaction directory: exit ${r.code}: ${r.err.trim()}`);
      expect(r.code).toBe(3);
      expect(r.err).toContain(`refused: ${TX_DIR} is a symbolic link; nothing was changed`);
      expect(liveSave()).toBe(before);
      expect(labSh('director', `ls -A ${TX_DIR}.real`)).toBe(files); // nothing written there
    } finally {
      labSh('director', `rm -f ${TX_DIR} && mv ${TX_DIR}.real ${TX_DIR}`);
    }
  }, 180_000);

  it('all-or-nothing on the real kernel: a batch ipvsadm refuses halfway is rolled back to the previous table, thresholds too', async () => {
    const heavier = clusterSchema.parse({ ...lab.input, realservers: lab.input.realservers!.map((r, i) => (i === 0 ? { ...r, weight: 5 } : r)) });
    const sessions = openCliCluster({ cluster: heavier, knownHostsFile: lab.emptyKnownHosts });
    // Connection thresholds set by hand on rs2's telnet destination: ipvsadm -S does not show them, the rollback keeps them.
    const rs2 = `${realservers(lab)[1]!.ip}:23`;
    const thresholds = () => labSh('director', 'ipvsadm -L -n --thresholds').split('\n').find((l) => l.includes(`-> ${rs2} `))?.trim().split(/\s+/).slice(2, 4);
    const weight = new RegExp(`-r ${rs2.replace(/\./g, '\\.')} -m -w (\\d+)`).exec(liveSave())?.[1];
    expect(weight, `rs2's telnet destination in ${liveSave()}`).toBeDefined();
    labSh('director', `ipvsadm -e -t ${lab.vip}:23 -r ${rs2} -m -w ${weight} -x 50 -y 10`);
    expect(thresholds()).toEqual(['50', '10']);
    try {
      const ctx = sessions.service.context();
      const before = await sessions.service.observe('table');
      const plan = planReload(heavier, (h) => h);
      const restore = plan.steps[1]!;
      const lines = restore.stdin!.split('\n');
      // A realserver line twice in the middle: the kernel refuses the second (Destination already exists) and ipvsadm
      // -R goes on with the rest, so only the transaction's stderr check notices.
      lines.splice(3, 0, lines[2]!);
      const broken = { ...plan, steps: [plan.steps[0]!, { ...restore, stdin: lines.join('\n') }] };
      const err = (await applyPlan(ctx.director, broken, before, { sysctlKeys: observedSysctlKeys(heavier, lab.vip) }).catch((e: unknown) => e)) as AppError;
      note(`rollback on the real kernel: ${err.code}: ${err.message}`);
      expect(err.code).toBe('APPLY_FAILED');
      expect(err.message).toMatch(/^director \S+: ipvsadm -R \(batch of 9 line\(s\)\): .*exists.*; restored the previous table$/);
      expect(liveSave()).toBe(before.saveText);
      expect(liveSave()).not.toContain('-w 5');
      expect(thresholds()).toEqual(['50', '10']);
    } finally {
      labSh('director', `ipvsadm -e -t ${lab.vip}:23 -r ${rs2} -m -w ${weight} -x 0 -y 0`);
      await sessions.close();
    }
  }, 180_000);

  it('conf push validates locally and writes atomically with a backup; conf pull reads it back', async () => {
    const text = writeLvsConf(directorConf(lab.cluster));
    const file = join(lab.home, 'lvs.conf');
    writeFileSync(file, text);
    const p1 = await labCtl(lab, 'conf', 'push', file);
    expect(p1.code, p1.err).toBe(0);
    const p2 = await labCtl(lab, 'conf', 'push', file);
    expect(p2.out).toMatch(/\/etc\/lvs\.conf replaced atomically \(previous file, if any, kept as \/etc\/lvs\.conf\.bak\.\d{8}T\d{6}Z\)/);
    const pulled = join(lab.home, 'pulled.conf');
    expect((await labCtl(lab, 'conf', 'pull', '--out', pulled)).code).toBe(0);
    expect(readFileSync(pulled, 'utf8')).toBe(text);
    expect(Number(labSh('director', 'ls /etc/lvs.conf.bak.* | wc -l').trim())).toBeGreaterThanOrEqual(1);
    const bad = join(lab.home, 'bad.conf');
    writeFileSync(bad, 'VIP=10.77.0.100\nVIP_IF=eth0:110\nLVS_IF=eth0\nTPORTS="nosuch"\n');
    const refused = await labCtl(lab, 'conf', 'push', bad);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`${bad}:4:9: TPORTS item "nosuch"`);
    expect((await labCtl(lab, 'conf', 'pull')).out).toBe(text);
  }, 180_000);

  it('an SSH connection cut in the middle of an apply (2 services × 100 realservers) leaves the table as before or as planned, never in between', async () => {
    const big = bigProfile(lab, 100);
    const bigCluster = clusterSchema.parse(JSON.parse(readFileSync(big, 'utf8')));
    const planned = formatSaveLines(desiredTable(bigCluster, (h) => h));
    let midRun = 0;
    const results: string[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const verb = attempt % 2 === 0 ? 'start' : 'stop';
      const before = liveSave();
      const want = verb === 'start' ? planned : '';
      // On the director: wait for the transaction's start marker, then SIGKILL every sshd session except our own
      // watcher's (its ancestors), and say whether the transaction had already finished at that moment.
      const watcher = spawn('bash', [join(REPO, 'test/lab/lab.sh'), 'exec', 'director', WATCHER], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      let wout = '';
      watcher.stdout.on('data', (d: Buffer) => (wout += d.toString()));
      const watcherDone = new Promise<void>((r) => watcher.on('close', () => r()));
      await sleep(1500);
      const r = await lvsctl(['--profile', big, '--known-hosts', lab.emptyKnownHosts, '--json', verb]);
      await Promise.race([watcherDone, sleep(15_000)]);
      watcher.kill();
      const after = liveSave();
      const state = after === want ? 'planned' : after === before ? 'before' : 'IN BETWEEN';
      const json = r.out ? (JSON.parse(r.out) as { ok: boolean; result?: { recovered: boolean }; error?: { code: string; message: string } }) : undefined;
      const line = `cut #${attempt + 1} (${verb}): watcher "${wout.trim()}", lvsctl exit ${r.code}, recovered ${json?.result?.recovered ?? '-'}, ${json?.error ? `${json.error.code}: ${json.error.message}, ` : ''}table ${state} (${after.split('\n').filter(Boolean).length} lines)`;
      results.push(line);
      note(line);
      expect(state).not.toBe('IN BETWEEN');
      if (/killed .* while the transaction ran/.test(wout)) {
        midRun++;
        // The transaction finished on the director by itself; apply reconnected, read its verdict and verified.
        expect(state).toBe('planned');
        expect(json?.result?.recovered).toBe(true);
      }
    }
    writeFileSync(join(OUT, 'cut-connection.txt'), `${results.join('\n')}\n`);
    expect(midRun, results.join('\n')).toBeGreaterThanOrEqual(1);
    // Back to the lab's own table.
    expect((await labCtl(lab, 'start')).code).toBe(0);
  }, 600_000);

  it('stop leaves an empty table and no VIP', async () => {
    const r = await labCtl(lab, 'stop');
    expect(r.code, r.err).toBe(0);
    expect(liveSave()).toBe('');
    expect((await status()).vip.up).toBe(false);
  }, 120_000);

  it('install-director, then a reboot of the director VM brings the VIP and the table back by itself; its cron update works', async () => {
    const inst = await labCtl(lab, 'install-director');
    note(`install-director:\n${inst.out}`);
    expect(inst.code, inst.out + inst.err).toBe(0);
    expect(inst.out).toContain('loads exactly the table this profile plans');
    expect(labSh('director', 'readlink /etc/rc.d/rc3.d/S99lvs-director').trim()).toBe('/etc/init.d/lvs-director');
    expect(labSh('director', 'cat /etc/crontabs/root')).toContain('* * * * * /etc/init.d/lvs-director update');
    const reboot = labCmd('reboot', 'director');
    expect(reboot.code, reboot.stderr).toBe(0);
    note(`reboot: ${reboot.stderr.trim().split('\n').pop()}`);
    const planned = formatSaveLines(desiredTable(lab.cluster, (h) => h));
    const back = await until(120_000, 2000, () => liveSave() === planned);
    expect(back, 'table back after the reboot').toBeTruthy();
    const s = await status();
    expect(s.vip).toEqual({ address: lab.vip, up: true, label: 'eth0:110' });
    expect(s.sysctls['net.ipv4.ip_forward']).toBe('1');
    const after = telnetGreeting(lab.vip);
    expect(after.banner, after.output).toMatch(/^rs\d$/);
    // The director's own cron poll (every minute, no console running) drops a realserver that stops answering.
    const rs3 = realservers(lab)[2]!;
    labSh(rs3.name, 'ip link set eth0 down');
    try {
      const dropped = await until(150_000, 5000, () => !liveSave().includes(`${rs3.ip}:`));
      note(`cron update dropped ${rs3.name}: ${dropped ? 'yes' : 'no'}`);
      expect(dropped, `cron's lvs-director update removed ${rs3.name}`).toBeTruthy();
    } finally {
      labSh(rs3.name, 'ip link set eth0 up');
    }
  }, 600_000);

  it('back to the boot state: stop, uninstall, route fix undone; table empty, no VIP, routes as at boot', async () => {
    expect((await labCtl(lab, 'stop')).code).toBe(0);
    restoreBootState(lab);
    expect(liveSave()).toBe('');
    expect((await status()).vip.up).toBe(false);
    for (const rs of realservers(lab)) expect(routesOf(rs.name)).toBe(bootRoutes[rs.name]);
    expect(labExec('director', 'ls /etc/init.d/lvs-director').code).not.toBe(0);
  }, 180_000);
});

/**
 * Runs on the director (busybox sh): notes its own ancestors (its own ssh session), then waits — shell builtins only, no
 * forks, at most 60 s — for a transaction's start marker, SIGKILLs every other sshd process (the sessions; not the
 * listener), and reports whether the transaction's result file existed yet at that moment.
 */
const WATCHER = [
  'anc=" "; p=$$; while [ "$p" -gt 1 ]; do anc="$anc$p "; read -r st < /proc/$p/stat; set -- $st; p=$4; done',
  'read -r lpid < /run/sshd.pid',
  'read -r t0 _ < /proc/uptime; t0=${t0%.*}; found=; i=0',
  'while [ -z "$found" ]; do',
  `  for f in ${TX_DIR}/lvs-console.*.started; do [ -e "$f" ] && found=$f; done`,
  '  i=$((i+1)); if [ $((i % 500)) = 0 ]; then read -r t _ < /proc/uptime; [ $((${t%.*} - t0)) -gt 60 ] && break; fi',
  'done',
  '[ -n "$found" ] || { echo "no transaction seen"; exit 0; }',
  'killed=',
  'for d in /proc/[0-9]*; do n=${d#/proc/}',
  '  case "$anc" in *" $n "*) continue ;; esac; [ "$n" = "$lpid" ] && continue',
  '  read -r c < $d/comm 2>/dev/null || continue',
  '  case "$c" in sshd|sshd-session) kill -9 "$n" 2>/dev/null && killed="$killed $n" ;; esac',
  'done',
  'if [ -e "${found%.started}.result" ]; then echo "killed$killed after the transaction finished"; else echo "killed$killed while the transaction ran"; fi',
].join('\n');

/**
 * Lab e2e: the real renderer in Chromium over the real web host with the REAL services (createHandlers over
 * createNodeDeps in a fresh temp data dir) against the lab (test/lab: qemu director, namespace realservers, client).
 * Through the UI: add the lab cluster with the form (no pre-trusted keys) → trust the director's and realservers' host
 * keys after comparing their SHA256 fingerprints with the lab's → fix the realservers' routes (preview, confirm) →
 * preview and Start → client telnet sessions through the VIP move the live table's ActiveConn and the active-connections
 * chart → drain a realserver (weight 0) → Connect me with Xvfb `-query VIP` → xdm's login on that display
 * (test/e2e/out/connect-me.png) and the page names the realserver → Stop. Screenshots of every screen:
 * test/e2e/out/lab-NN-*.png. Skipped (with a console message) when not root on Linux or without qemu; waits while
 * another lab user (test/lab vitest, bench:lab) is active. Leaves the lab up in its boot state.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiHandlers } from '../../shared/api/contract.ts';
import { createHandlers, createNodeDeps } from '../../electron/app/handlers.ts';
import { labExec, labUp, restoreBootState, type Lab } from '../lab/support/remote-lab.ts';
import { OUT_DIR, startUi, type Ui } from './harness.ts';
import { trustDialog, trustOpenDialog, type TrustedKey } from './support/host-key-steps.ts';
import { directorFingerprint, endClientSessions, labE2eSkipReason, labFingerprints, realserversManaging, startClientTelnets, waitForLabFree } from './support/lab-host.ts';
import { waitForDrawnScreen, type ScreenShot } from './support/x-display.ts';

const skip = labE2eSkipReason();
if (skip) console.log(`lab e2e skipped: ${skip}`);

const CLUSTER_NAME = 'LVS lab e2e';
const CLUSTER_ID = 'lvs-lab-e2e';
const RS = ['rs1', 'rs2', 'rs3'] as const;
const DESKTOP = { ip: '10.77.0.60', name: 'desktop' };
/** Generous waits: the director is an emulated VM on a shared 2-core machine (ssh round trips 0.1–2 s). */
const LONG = 180_000;
/** Per step: several LONG waits may add up. */
const STEP = 10 * 60_000;
const CONNECT_STEP = 'Connect me: Xvfb -query VIP gets the xdm login of a realserver, and the page names it';
const CPS_STEP = 'CPS comes from the connection counters: about one new connection a second reads as such (the kernel rate rounds it)';
const LOG_STEP = 'the Log tells changes (what, by whom, when) from reads, which are folded';
const DRAIN_STEP = 'drains a realserver: its weight goes to 0 in the live table (and in the kernel table)';

let lab: Lab;
let ui: Ui;
let handlers: ApiHandlers;
let dataDir: string;
let telnetGroups: number[] = [];
let xvfbPid: number | undefined;
let xDisplay: number | undefined;
let drained: string | undefined;
const trusted: TrustedKey[] = [];
const figures: string[] = [];
const t0 = Date.now();
const mark = (what: string) => figures.push(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const page = () => ui.page;
const poll = <T,>(fn: () => Promise<T> | T, timeout = LONG) => expect.poll(fn, { timeout, interval: 1000 });
const heading = (name: RegExp | string) => page().getByRole('heading', { level: 1, name });
const shot = (name: string) => ui.screenshot(name);
const go = async (key: string, name: RegExp) => {
  await page().keyboard.press(`Alt+${key}`);
  await heading(name).waitFor();
};
/** The live table of one service ("TCP 10.77.0.100:23"). */
const service = (caption: string) => page().getByTestId('live-service').filter({ has: page().locator('caption', { hasText: caption }) });
const TCP = () => service(`TCP ${lab.vip}:23`);
const UDP = () => service(`UDP ${lab.vip}:177`);
const cellText = async (table: ReturnType<typeof TCP>, rs: string, col: 'weight' | 'active') => ((await table.locator(`tr[data-rs="${rs}"] [data-col="${col}"]`).textContent({ timeout: 10_000 })) ?? '').trim();
const activeOf = async (rs: string) => Number.parseInt(await cellText(TCP(), rs, 'active'), 10) || 0;
const cpsOf = async (rs: string) => Number.parseFloat(((await TCP().locator(`tr[data-rs="${rs}"] [data-col="cps"]`).textContent({ timeout: 10_000 })) ?? '').trim()) || 0;

/** Checks a trust dialog against the lab's own keys (the director's from its key file, realservers' from known_hosts). */
function checkKey(k: TrustedKey): void {
  const expected = k.host === lab.cluster.director.host ? directorFingerprint() : labFingerprints().get(k.host);
  expect(expected, `a lab host key for ${k.host}`).toBeDefined();
  expect(k.fingerprint).toBe(expected);
  trusted.push(k);
}

describe.skipIf(skip !== undefined)('lab flow (real services + lab, in Chromium)', () => {
  beforeAll(async () => {
    await waitForLabFree(20 * 60_000);
    lab = labUp();
    mark('lab:up done');
    restoreBootState(lab); // whatever an earlier run left: empty table, no VIP, boot routes
    dataDir = mkdtempSync(join(tmpdir(), 'lvs-e2e-lab-data-'));
    ui = await startUi((emit) => (handlers = createHandlers(createNodeDeps({ emit, dataDir }))));
    mark('web host + Chromium up');
  }, 30 * 60_000);

  // Each step needs the previous one: after a failure the rest are skipped instead of waiting out their timeouts.
  let broken = false;
  /** Steps the later ones do not build on: their failure does not skip the rest. */
  const INDEPENDENT = new Set([DRAIN_STEP, CONNECT_STEP, CPS_STEP, LOG_STEP, 'shows the audit log of the remote commands']);
  beforeEach((ctx) => {
    if (broken) ctx.skip();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    if (!INDEPENDENT.has(ctx.task.name)) broken = true;
    await ui?.screenshot('lab-failed').catch(() => undefined); // what the page showed when the step failed
  });

  afterAll(async () => {
    const attempt = async (what: string, fn: () => unknown) => {
      try {
        await fn();
      } catch (e) {
        console.warn(`lab e2e cleanup: ${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    // The X server Connect me started: its pid from the page, else from its display's lock file.
    if (xvfbPid === undefined && xDisplay !== undefined) await attempt('read the X lock file', () => (xvfbPid = Number(readFileSync(`/tmp/.X${xDisplay}-lock`, 'utf8').trim()) || undefined));
    if (xvfbPid !== undefined) {
      try {
        process.kill(xvfbPid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (lab) await attempt('end the client telnet sessions', () => endClientSessions(telnetGroups));
    if (handlers) await attempt('drop the cluster (ssh sessions, sampler)', () => handlers['clusters.delete']({ clusterId: CLUSTER_ID }));
    await attempt('close Chromium and the web host', () => ui?.close());
    if (lab) {
      await attempt('restore the boot state', () => restoreBootState(lab)); // boot routes (and, should Stop have failed, no table / VIP)
      const routes = RS.map((rs) => `${rs}: ${labExec(rs, 'ip -4 route show').stdout.trim().replace(/\n/g, '; ')}`);
      figures.push(`realserver routes after cleanup: ${routes.join(' | ')}`);
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (figures.length) console.log(`lab e2e figures:\n  ${figures.join('\n  ')}`);
  }, 5 * 60_000);

  it('adds the lab cluster with the form, without pre-trusted host keys', async () => {
    await poll(() => page().getByTestId('link-state').textContent(), 30_000).toBe('Connected');
    await heading('Clusters').waitFor();
    await page().getByRole('button', { name: 'Add cluster' }).click();
    await heading('Add a cluster').waitFor();
    const field = (f: string) => page().locator(`[data-field="${f}"] input`);
    await field('name').fill(CLUSTER_NAME);
    expect(await field('id').inputValue()).toBe(CLUSTER_ID);
    await field('vip').fill(lab.vip);
    await field('director.host').fill(lab.cluster.director.host);
    await field('director.user').fill('root');
    await page().locator('[data-field="director.auth.method"] select').selectOption('key');
    const keyPath = lab.cluster.director.auth.method === 'key' ? lab.cluster.director.auth.keyPath : '';
    await field('director.auth.keyPath').fill(keyPath);
    for (const [i, rs] of lab.cluster.realservers.entries()) {
      await page().getByRole('button', { name: 'Add realserver' }).click();
      await field(`realservers.${i}.host`).fill(rs.host);
      await field(`realservers.${i}.name`).fill(rs.name ?? `rs${i + 1}`);
    }
    expect(await page().locator('.cluster-form .field-error').count()).toBe(0);
    // The web host has no native file dialog: the key file is typed (no Browse…), and the host says so if asked.
    expect(await page().getByTestId('browse-key').count()).toBe(0);
    expect(await handlers['files.pickKeyFile']({}).catch((e: { code?: string }) => e.code)).toBe('UNSUPPORTED');
    await shot('lab-01-cluster-form');
    // On save, the checks that need this machine, for real: a realserver name that does not resolve and a key file
    // that is not there are named (nothing is saved), then fixed.
    await field('realservers.2.host').fill('rs3.invalid');
    await field('director.auth.keyPath').fill(`${keyPath}.missing`);
    await page().getByRole('button', { name: 'Save profile' }).click();
    const checks = page().getByTestId('save-checks');
    await checks.waitFor({ timeout: 30_000 });
    expect(await checks.locator('li').allTextContents()).toEqual([
      expect.stringMatching(/^Realserver 3: host \(name lookup\): rs3\.invalid does not resolve on this computer/),
      `Director: private key file (key file): ${keyPath}.missing does not exist`,
    ]);
    await shot('lab-01b-save-checks');
    await field('realservers.2.host').fill(lab.cluster.realservers[2]!.host);
    await field('director.auth.keyPath').fill(keyPath);
    await page().getByRole('button', { name: 'Save profile' }).click();
    await page().getByText(`Saved ${CLUSTER_NAME}.`).waitFor({ timeout: 30_000 });
    await page().getByTestId('clusters-table').getByText(CLUSTER_NAME).waitFor();
    await shot('lab-02-clusters');

    const saved = await handlers['clusters.get']({ clusterId: CLUSTER_ID });
    expect(saved).toMatchObject({ vip: lab.vip, vipIf: lab.cluster.vipIf, director: { host: lab.cluster.director.host, auth: { method: 'key', keyPath } } });
    expect(saved.realservers.map((r) => r.host)).toEqual(lab.cluster.realservers.map((r) => r.host));
    expect(saved.knownHosts ?? []).toEqual([]);
    // Setup outside the browser: the form has no field for a realserver's jump host, and the lab's realservers must be
    // reached through the director (after the route fix their replies to this desktop only pass through it).
    await handlers['clusters.save']({ cluster: { ...saved, realservers: saved.realservers.map((r) => ({ ...r, ssh: { ...r.ssh, viaDirector: true } })) } });
    mark('cluster added');
  }, STEP);

  it("shows the director's SHA256 fingerprint in the trust dialog; trusting it connects", async () => {
    await go('2', /^Director/);
    const k = await trustOpenDialog(page(), checkKey, async () => void (await shot('lab-03-host-key-trust')));
    expect(k.host).toBe(lab.cluster.director.host);
    // Never started: "Stopped" with Start, not "Drift — N differences" with Reconcile.
    await page().getByTestId('stopped').waitFor({ timeout: LONG });
    expect(await page().getByTestId('run-state').textContent()).toBe('Stopped');
    await page().getByText('The director has no virtual services').waitFor({ timeout: LONG });
    expect(await page().getByRole('heading', { name: /^Drift/ }).count()).toBe(0);
    expect(await page().getByText('Matches the profile').count()).toBe(0);
    expect(await page().getByRole('button', { name: 'Enable…' }).count()).toBe(0);
    await shot('lab-04-director-boot-state');
    mark('director key trusted, boot state shown');
  }, STEP);

  it('Realservers: the route check shows the subnet route; Fix (preview, confirm) makes it ok', async () => {
    await go('3', /^Realservers/);
    const table = page().getByTestId('realservers-table');
    // Every host is checked with its own progress line; no dialog opens by itself for the realservers' new keys:
    // one banner, one dialog listing them all with their fingerprints.
    await page().getByTestId('host-progress').waitFor({ timeout: LONG });
    const banner = page().getByTestId('new-keys-banner');
    await banner.waitFor({ timeout: LONG });
    expect(await trustDialog(page()).isVisible()).toBe(false);
    // the banner grows as each host's check reports its key: wait for all three
    await poll(() => banner.textContent()).toMatch(/3 realservers have host keys not trusted yet \(rs1, rs2, rs3\)/);
    await banner.getByRole('button', { name: 'Review 3 host keys…' }).click();
    const keys = page().getByRole('dialog', { name: 'New host keys: 3 realservers' });
    await keys.waitFor();
    const listed = keys.getByTestId('new-host-keys').locator('tbody tr');
    expect(await listed.count()).toBe(3);
    for (let i = 0; i < 3; i++) {
      const row = listed.nth(i);
      const host = ((await row.locator('th .muted').textContent()) ?? '').replace(/:\d+$/, '');
      checkKey({ host, fingerprint: ((await row.locator('code.fingerprint').textContent()) ?? '').trim() });
    }
    await shot('lab-05-realserver-keys');
    // One by one (the first), then all the rest: each row of the page updates as soon as its key is trusted.
    await listed.nth(0).getByRole('button', { name: 'Trust' }).click();
    await listed.nth(0).getByText('trusted').waitFor();
    await table.locator(`tr[data-rs="${RS[0]}"] .health-down`, { hasText: 'wrong' }).waitFor({ timeout: LONG });
    await keys.getByRole('button', { name: 'Trust all 2' }).click();
    await poll(() => listed.getByText('trusted').count()).toBe(3);
    await keys.getByRole('button', { name: 'Close' }).click();
    for (const rs of RS) await table.locator(`tr[data-rs="${rs}"] .health-down`, { hasText: 'wrong' }).waitFor({ timeout: LONG });
    expect(await banner.count()).toBe(0);
    expect(trusted.map((k) => k.host).sort()).toEqual([lab.cluster.director.host, ...lab.cluster.realservers.map((r) => r.host)].sort());
    for (const rs of RS) {
      const row = table.locator(`tr[data-rs="${rs}"]`);
      await row.locator('.health-down', { hasText: 'wrong' }).waitFor();
      expect(await row.locator('[data-col="fixed-now"] .problems').textContent()).toMatch(/subnet route 10\.77\.0\.0\/24 on eth0 lets replies bypass the director/);
      expect(await row.textContent()).toMatch(/xdm running/);
      expect(await row.textContent()).toMatch(/listening/);
    }
    await shot('lab-06-realservers-wrong-routes');
    mark('realservers checked (routes wrong)');

    // Fix all routes: previewed for the three, applied one realserver after the other with a line per host.
    await page().getByRole('button', { name: 'Fix all routes…' }).click();
    const dialog = page().getByRole('dialog', { name: 'Fix the routes of 3 realservers' });
    await poll(() => dialog.getByTestId('plan-steps').count()).toBe(3);
    for (const plan of await dialog.getByTestId('plan-steps').allTextContents()) {
      // The boot routes already default via the director: the fix adds a host route to it, then drops the subnet route.
      expect(plan).toContain(`ip route replace ${lab.cluster.director.host}/32 dev eth0`);
      expect(plan).toContain('ip route del 10.77.0.0/24 dev eth0');
    }
    await shot('lab-07-route-fix-preview');
    await dialog.getByRole('button', { name: 'Confirm and apply' }).click();
    await dialog.getByTestId('fix-result').waitFor({ timeout: LONG });
    for (const rs of RS) {
      await dialog.getByText(`Applied on ${rs}`).waitFor();
      expect(await dialog.locator(`li[data-host="${rs}"]`).getAttribute('data-status')).toBe('ok');
    }
    await shot('lab-07b-route-fix-progress');
    await dialog.getByRole('button', { name: 'Close' }).click();
    for (const rs of RS) {
      // The realserver's kernel agrees: no subnet route left, default via the director.
      const routes = labExec(rs, 'ip -4 route show').stdout;
      expect(routes).not.toMatch(/^10\.77\.0\.0\/24 /m);
      expect(routes).toMatch(new RegExp(`^default via ${lab.cluster.director.host.replace(/\./g, '\\.')} `, 'm'));
    }
    for (const rs of RS) await table.locator(`tr[data-rs="${rs}"] .health-up`, { hasText: /^ok$/ }).waitFor({ timeout: LONG });
    await shot('lab-08-realservers-fixed');
    mark('routes fixed');
  }, STEP);

  it('Director: Start shows the exact commands first, then the live table lists both services and the three realservers', async () => {
    await go('2', /^Director/);
    await page().getByRole('button', { name: 'Start…' }).click();
    const dialog = page().getByRole('dialog', { name: /^Start .*: these commands will run$/ });
    await dialog.getByTestId('plan-steps').waitFor({ timeout: LONG });
    const plan = (await dialog.getByTestId('plan-steps').textContent()) ?? '';
    expect(plan).toContain('ipvsadm -R');
    expect(plan).toMatch(new RegExp(`ip addr add ${lab.vip.replace(/\./g, '\\.')}/24 dev eth0 label '?eth0:110'?`));
    for (const rs of lab.cluster.realservers) expect(plan).toContain(`-a -t ${lab.vip}:23 -r ${rs.host}:23 -m -w 1`); // ipvsadm -R's stdin
    expect(plan).toContain('net.ipv4.ip_forward=1');
    await shot('lab-09-start-preview');
    await dialog.getByRole('button', { name: 'Confirm and run' }).click();
    const done = page().getByRole('heading', { level: 2, name: /^Start: (done|failed)$/ });
    await done.waitFor({ timeout: 5 * 60_000 });
    await shot('lab-10-start-run');
    const outcome = (await done.textContent()) ?? '';
    if (outcome !== 'Start: done') throw new Error(`Start failed in the UI: ${await page().locator('.error-box').allTextContents()}`);
    const log = (await page().getByTestId('run-log').textContent()) ?? '';
    expect(log).toMatch(/\[1\/4\].*start: observing/);
    expect(log).toMatch(/\[3\/4\].*transaction: \d+ operation\(s\) as one transaction/);
    // What the run did, step by step (not "No changes were needed.").
    const notice = (await page().locator('[aria-labelledby="run-h"] .notice').textContent()) ?? '';
    expect(notice).toContain(`bring the VIP ${lab.vip} up on eth0:110`);
    expect(notice).toMatch(/add every service and realserver in one batch \(2 service\(s\), 6 destination\(s\)\)/);

    await poll(() => page().getByTestId('live-service').count()).toBe(2);
    for (const svc of [TCP(), UDP()]) {
      await svc.waitFor();
      for (const rs of RS) expect(await svc.locator(`tr[data-rs="${rs}"]`).count()).toBe(1);
    }
    const strip = page().getByTestId('status-strip');
    await strip.getByText(`VIP ${lab.vip} up`).waitFor({ timeout: LONG });
    await strip.getByText('IP forwarding on').waitFor({ timeout: LONG });
    await shot('lab-11-director-started');
    mark('director started');
  }, STEP);

  it("client telnet sessions through the VIP move the live table's ActiveConn and the active-connections chart", async () => {
    telnetGroups = startClientTelnets(lab.vip, 6, 600);
    mark('6 client telnet sessions started');
    await poll(async () => {
      let sum = 0;
      for (const rs of RS) sum += await activeOf(rs);
      return sum;
    }).toBeGreaterThan(0);
    await shot('lab-12-live-table-traffic');
    const perRs = await Promise.all(RS.map(async (rs) => `${rs}=${await activeOf(rs)}`));
    figures.push(`live table ActiveConn (TCP :23): ${perRs.join(' ')}`);
    mark('ActiveConn > 0 in the live table');

    await go('4', /^Charts/);
    const charts = page().getByTestId('chart');
    await poll(() => charts.count()).toBe(3);
    const active = charts.filter({ hasText: 'Active connections per realserver' });
    const readMax = async () => {
      const box = await active.locator('.chart-wrap').boundingBox({ timeout: 10_000 }).catch(() => null);
      if (!box) return 0;
      // The right edge of the plot (latest samples); the readout lists "rsN value" for each line.
      await page().mouse.move(box.x + box.width - 20, box.y + box.height / 2);
      const text = (await page().locator('.chart-readout').textContent({ timeout: 5000 }).catch(() => '')) ?? '';
      const values = [...text.matchAll(/rs\d\s*(\d+)/g)].map((m) => Number(m[1]));
      return values.length ? Math.max(...values) : 0;
    };
    await poll(readMax).toBeGreaterThan(0);
    await shot('lab-13-charts-traffic');
    await page().mouse.move(0, 0);
    const [download] = await Promise.all([page().waitForEvent('download'), page().getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
    const header = csv[0]!.split(',').map((h) => h.replace(/^"|"$/g, ''));
    const activeCols = header.flatMap((h, i) => (/ active$/.test(h) ? [i] : []));
    expect(activeCols.length).toBe(3);
    const maxActive = Math.max(...csv.slice(1).flatMap((l) => activeCols.map((i) => Number(l.split(',')[i]) || 0)));
    expect(maxActive).toBeGreaterThan(0);
    figures.push(`charts: ${csv.length - 1} samples exported, max active connections of one realserver ${maxActive}`);
    mark('active-connections chart > 0');
  }, STEP);

  it(CPS_STEP, async () => {
    // One short telnet connection a second from the client, for about a minute (its own process group, ended by id).
    const line = `setsid sh -c 'for i in $(seq 70); do (printf "" | timeout 3 telnet ${lab.vip} 23 >/dev/null 2>&1 &); sleep 1; done' </dev/null >/dev/null 2>&1 & echo $!`;
    const r = labExec('client', line);
    const pgid = Number(r.stdout.trim());
    expect(pgid).toBeGreaterThan(1);
    telnetGroups.push(pgid);
    await go('2', /^Director/);
    await TCP().waitFor({ timeout: LONG });
    // Two samples apart (5 s), the rows' CPS add up to about one a second.
    const total = async () => (await Promise.all(RS.map(cpsOf))).reduce((a, b) => a + b, 0);
    await poll(total).toBeGreaterThan(0.4);
    await shot('lab-13c-cps-from-counters');
    const ours = await Promise.all(RS.map(async (rs) => `${rs}=${await cpsOf(rs)}`));
    // The kernel's own estimate for comparison: whole connections per second, per destination.
    const rate = labExec('director', 'ipvsadm -L -n --rate').stdout.split('\n').filter((l) => l.includes(`:23 `) || l.includes(':23\t') || /-> .*:23\s/.test(l));
    figures.push(`CPS (TCP :23) in the live table, from counter deltas: ${ours.join(' ')} (sum ${(await total()).toFixed(1)}/s); the kernel's --rate CPS column at that time: ${rate.map((l) => l.trim().split(/\s+/).slice(0, 3).join(' ')).join(' | ')}`);
    endClientSessions([pgid]);
    telnetGroups = telnetGroups.filter((g) => g !== pgid);
    mark('CPS > 0 at ~1 new connection/s');
  }, STEP);

  it(DRAIN_STEP, async () => {
    // Telnetd's login prompt gives up after about a minute: fresh sessions, so the drained realserver keeps
    // connections (a drained destination without connections is deleted by the follow-up, weight 0 would flash by).
    endClientSessions(telnetGroups);
    telnetGroups = startClientTelnets(lab.vip, 6, 600);
    await go('2', /^Director/);
    await TCP().waitFor({ timeout: LONG });
    await poll(async () => Math.max(...(await Promise.all(RS.map(activeOf))))).toBeGreaterThan(0);
    const act = await Promise.all(RS.map(async (rs) => [rs, await activeOf(rs)] as const));
    const [target] = [...act].sort((a, b) => b[1] - a[1])[0]!;
    expect(await cellText(TCP(), target, 'weight')).toBe('1');
    const addr = lab.cluster.realservers.find((r) => r.name === target)!.host;
    // The edit is previewed like Start: exactly the commands for that realserver in that service, nothing else.
    await TCP().locator(`tr[data-rs="${target}"]`).getByRole('button', { name: 'Drain…' }).click();
    const dialog = page().getByRole('dialog');
    await dialog.getByTestId('plan-steps').waitFor({ timeout: LONG });
    const commands = (await dialog.getByTestId('plan-steps').locator('pre.command').allTextContents()).map((c) => c.replace(/^.*\$ /, ''));
    // The table change, and the director's own /etc/lvs.conf in the same transaction (one source of truth: its cron
    // update and a reboot keep the drain); no other ipvsadm command.
    expect(commands.map((c) => c.split('\n')[0])).toEqual([`ipvsadm -e -t ${lab.vip}:23 -r ${addr}:23 -m -w 0`, 'install -m 644 /dev/stdin /etc/lvs.conf']);
    expect(commands[1]).toContain(`EXCLUDE="${addr}=tcp/23"`);
    expect(labExec('director', 'ipvsadm -S -n').stdout).toContain(`-r ${addr}:23 -m -w 1`);
    await shot('lab-13b-edit-preview');
    await dialog.getByRole('button', { name: 'Confirm and run' }).click();
    const panel = page().locator('section.panel').filter({ has: page().getByRole('heading', { level: 2, name: new RegExp(`^Drain ${target} in TCP `) }) });
    await panel.waitFor({ timeout: LONG });
    // The weight cell, or the error the action reported (shown in the action panel), whichever comes first.
    await poll(async () => {
      const error = await panel.locator('.error-box').allTextContents();
      if (error.length) return `the UI reported: ${error.join(' | ')}`;
      return cellText(TCP(), target, 'weight');
    }).toMatch(/^0/);
    drained = target;
    await TCP().locator(`tr[data-rs="${target}"]`).getByText('draining').waitFor();
    // Only the telnet row was drained: the realserver's XDMCP destination keeps its weight.
    expect(labExec('director', 'ipvsadm -S -n').stdout).toContain(`-r ${addr}:177 -m -w 1`);
    // "  -> 10.77.0.12:23                Masq    0      2          0"
    const kernel = labExec('director', 'ipvsadm -L -n').stdout;
    expect(kernel).toMatch(new RegExp(`-> ${addr.replace(/\./g, '\\.')}:23\\s+Masq\\s+0\\s`));
    // The drift names it as draining (not as an extra to reconcile away), with its connections left.
    const item = page().getByTestId('drift-notes').locator('li', { hasText: `-d -t ${lab.vip}:23 -r ${addr}:23` });
    await item.locator('.tag-draining').waitFor({ timeout: LONG });
    expect(await item.textContent()).toMatch(/weight 0, \d+ connections? left: deleted once they are gone/);
    await page().getByTestId('status-strip').getByText(/destinations? draining/).waitFor({ timeout: LONG });
    // Reconcile from the app is graceful: it would not delete the draining realserver while it has connections.
    const reconcile = await handlers['director.plan']({ clusterId: CLUSTER_ID, verb: 'reconcile' });
    expect(reconcile.steps.map((st) => st.command).join('\n')).not.toContain(`-d -t ${lab.vip}:23 -r ${addr}:23`);
    await shot('lab-14-drained');
    figures.push(`drained ${target} (it had ${act.find((a) => a[0] === target)![1]} active connections)`);
    mark('drain shown');
  }, STEP);

  it(CONNECT_STEP, async () => {
    await go('5', /^Connect me/);
    await page().getByTestId('launcher-picker').waitFor({ timeout: LONG });
    await page().getByTestId('launcher-picker').selectOption('xvfb');
    // Screenshots from outside need the display open to local clients: the advanced override adds -ac.
    await page().getByText('Advanced: program path and arguments').click();
    const args = page().locator('#ov-args');
    const current = await args.inputValue();
    expect(current.split('\n')).toEqual(expect.arrayContaining([':{display}', '-query', '{vip}']));
    await args.fill(`${current}\n-ac`);
    await page().getByRole('button', { name: 'Save override' }).click();
    await page().getByText('Saved. The next Connect me uses it.').waitFor({ timeout: 30_000 });
    await page().getByTestId('connect-button').click();
    const result = page().getByTestId('connect-result');
    await result.waitFor({ timeout: LONG });
    const argv = (await result.locator('code').textContent()) ?? '';
    xvfbPid = Number(/\(pid (\d+)\)/.exec((await result.textContent()) ?? '')?.[1]) || undefined;
    expect(argv).toMatch(new RegExp(`Xvfb :\\d+ -query ${lab.vip.replace(/\./g, '\\.')} `));
    const display = Number(/Xvfb :(\d+)/.exec(argv)![1]);
    xDisplay = display;
    await result.getByText('You landed on').waitFor({ timeout: LONG });
    const landedText = (await result.locator('.landed').textContent()) ?? '';
    const landed = /You landed on (rs\d) \((10\.77\.0\.\d+)\)/.exec(landedText);
    expect(landed, landedText).not.toBeNull();
    expect(RS).toContain(landed![1]);
    // The drain was of the telnet row only, so any realserver may take this XDMCP session, as long as its UDP 177
    // destination has a weight: weight 0 takes no new sessions.
    const udpWeight = new RegExp(`-a -u ${lab.vip.replace(/\./g, '\\.')}:177 -r ${landed![2]!.replace(/\./g, '\\.')}:177 -m -w (\\d+)`).exec(labExec('director', 'ipvsadm -S -n').stdout);
    expect(udpWeight, `${landed![1]} in the kernel's UDP 177 service`).not.toBeNull();
    expect(Number(udpWeight![1])).toBeGreaterThan(0);
    await shot('lab-15-connect-me');
    mark(`Connect me: landed on ${landed![1]}`);

    const screen: ScreenShot = await waitForDrawnScreen(display, join(OUT_DIR, 'connect-me.png'), { timeoutMs: LONG, threshold: 0.02 });
    figures.push(`X display :${display} ${screen.width}x${screen.height}: answered after ${screen.answeredAfterS.toFixed(1)} s, login drawn after ${screen.drawnAfterS.toFixed(1)} s, pixel std-dev ${screen.deviation.toFixed(3)}`);
    await poll(() => labExec('desktop', `xwininfo -root -tree -display :${display}`).stdout, 60_000).toContain('"xlogin"');
    expect(realserversManaging(RS, DESKTOP, display)).toEqual([landed![1]]);
    mark('xdm login on the X display');

    // The X server exits: the page no longer says "You landed on", it says the session ended.
    process.kill(xvfbPid!, 'SIGTERM');
    await result.getByText(new RegExp(`The session on ${landed![1]} ended: the X server closed`)).waitFor({ timeout: 60_000 });
    expect(await result.getByText('You landed on').count()).toBe(0);
    xvfbPid = undefined;
    xDisplay = undefined;
    await shot('lab-15b-connect-ended');
    mark('Connect me: session ended shown');
  }, STEP);

  it('shows the audit log of the remote commands', async () => {
    await go('6', /^Log/);
    await page().getByTestId('audit-table').getByText(/ipvsadm/).first().waitFor({ timeout: LONG });
    await shot('lab-16-log');
  }, STEP);

  it('Stop (previewed) clears the table and takes the VIP down', async () => {
    await go('2', /^Director/);
    await page().getByRole('button', { name: 'Stop…' }).click();
    const dialog = page().getByRole('dialog', { name: /^Stop .*: these commands will run$/ });
    await dialog.getByTestId('plan-steps').waitFor({ timeout: LONG });
    expect(await dialog.getByTestId('plan-steps').textContent()).toMatch(/ipvsadm -C|ip addr del/);
    await shot('lab-17-stop-preview');
    await dialog.getByRole('button', { name: 'Confirm and run' }).click();
    const done = page().getByRole('heading', { level: 2, name: /^Stop: (done|failed)$/ });
    await done.waitFor({ timeout: 5 * 60_000 });
    expect(await done.textContent()).toBe('Stop: done');
    await page().getByText('The director has no virtual services').waitFor({ timeout: LONG });
    // Just stopped: "Stopped" with Start, not a drift of every service.
    await page().getByTestId('stopped').waitFor({ timeout: LONG });
    expect(await page().getByRole('heading', { name: /^Drift/ }).count()).toBe(0);
    await shot('lab-18-stopped');
    mark('director stopped');
  }, STEP);

  it(LOG_STEP, async () => {
    await go('6', /^Log/);
    const table = page().getByTestId('audit-table');
    await table.locator('tr[data-kind="reads"]').first().waitFor({ timeout: LONG });
    await page().getByRole('radio', { name: 'Changes only' }).check();
    await table.locator('tr[data-kind="change"]').first().waitFor({ timeout: LONG });
    const whats = await table.locator('tr[data-kind="change"] td:nth-child(2)').allTextContents();
    expect(await table.locator('tr[data-kind="read"]').count()).toBe(0);
    const who = new RegExp(`by ${userInfo().username}$`);
    for (const op of ['start', 'stop', 'route fix rs1', `drain ${drained ?? 'rs'}`]) {
      const hit = whats.find((w) => w.includes(`${op}`) && w.includes(`(${CLUSTER_NAME})`));
      expect(hit, `a change "${op} … (${CLUSTER_NAME})" in ${JSON.stringify(whats.slice(0, 20))}`).toBeDefined();
      expect(hit).toMatch(who);
    }
    await shot('lab-19-log-changes');
    const exported = await handlers['audit.export']({ format: 'json' });
    const entries = JSON.parse(exported.text) as { kind?: string; operation?: string }[];
    const reads = entries.filter((e) => e.kind === 'read').length;
    const changes = entries.filter((e) => e.kind === 'change').length;
    figures.push(`audit log: ${entries.length} commands, ${changes} part of a change, ${reads} reads`);
    await page().getByRole('radio', { name: 'All (reads folded)' }).check();
    await shot('lab-20-log-all-folded');
  }, STEP);

  it('had no page errors or CSP violations', () => {
    expect(ui.problems.filter((p) => !p.startsWith('console:'))).toEqual([]);
    if (ui.problems.length) figures.push(`console errors seen: ${ui.problems.join(' | ')}`);
  }, STEP);
});

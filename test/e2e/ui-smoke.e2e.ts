/**
 * UI smoke e2e: the real renderer in Chromium over the real web host, against the TEST DOUBLE handlers of
 * ui-smoke.double.ts (invented data, no director). Proves every screen renders and is reachable by keyboard, and drives
 * each flow once: host-key trust, plan preview → confirm → streamed log, drain, route fix, charts with LTTB, Connect me,
 * the log, the cluster form's live validation, and the changed-key hard stop. Screenshots go to test/e2e/out/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUi, type Ui } from './harness.ts';
import { createUiSmokeDouble, type DoubleControls } from './ui-smoke.double.ts';

let ui: Ui;
let double: DoubleControls;

beforeAll(async () => {
  ui = await startUi((emit) => (double = createUiSmokeDouble(emit)).handlers);
});
afterAll(async () => {
  double?.stop();
  await ui?.close();
});

/** expect.poll with a timeout fit for a busy shared machine. */
const poll = <T,>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000, interval: 100 });
const heading = (name: RegExp | string) => ui.page.getByRole('heading', { level: 1, name });

describe('UI smoke (test double)', () => {
  it('opens on Clusters over the web host, with the token moved out of the address bar', async () => {
    await poll(() => ui.page.getByTestId('link-state').textContent()).toBe('Connected');
    await heading('Clusters').waitFor();
    await ui.page.getByTestId('clusters-table').getByText('Lab cluster').waitFor();
    expect(ui.page.url()).not.toContain('token=');
    await ui.screenshot('clusters');
  });

  it('navigates every screen with Alt+1…6', async () => {
    const names: [string, RegExp][] = [
      ['2', /^Director/],
      ['3', /^Realservers/],
      ['4', /^Charts/],
      ['5', /^Connect me/],
      ['6', /^Log/],
      ['1', /^Clusters/],
    ];
    for (const [key, name] of names) {
      await ui.page.keyboard.press(`Alt+${key}`);
      await heading(name).waitFor();
      if (key === '2' || key === '3') {
        // Director and Realservers connect and meet the unknown host key: cancel here (it is trusted in the next test).
        // While the dialog is open, Alt+N must not navigate away from it.
        const dialog = ui.page.getByRole('dialog', { name: 'Trust this host key?' });
        await dialog.waitFor();
        await ui.page.keyboard.press('Alt+6');
        expect(await heading(name).count()).toBe(1);
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await ui.page.locator('.error-box[data-code="HOST_KEY_UNKNOWN"]').first().waitFor();
      }
      expect(await ui.page.locator('nav a[aria-current="page"]').textContent()).toMatch(name.source.replace(/[\^/]/g, '').split(' ')[0]!);
    }
    // Alt+N lands on the screen heading; Tab continues into the screen with a visible focus ring.
    expect(await ui.page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent}`)).toBe('H1 Clusters');
    await ui.page.keyboard.press('Tab');
    const focused = await ui.page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const cs = getComputedStyle(el);
      return { text: el.textContent, outline: cs.outlineStyle, width: cs.outlineWidth };
    });
    expect(focused).toEqual({ text: 'Import lvs.conf…', outline: 'solid', width: '3px' });
    await ui.screenshot('keyboard-focus');
  });

  it('shows the SHA256 fingerprint of an unknown host key, trusts it, and retries', async () => {
    await ui.page.keyboard.press('Alt+2');
    const dialog = ui.page.getByRole('dialog', { name: 'Trust this host key?' });
    await dialog.waitFor();
    expect(await dialog.getByTestId('host-key-fingerprint').textContent()).toBe('SHA256:dOuBlEtEsTkEy0nLyN0tReAl4uK7e1b2Qm9xYzAbCdE');
    await ui.screenshot('host-key-trust');
    await dialog.getByRole('button', { name: 'Trust and connect' }).click();
    await ui.page.getByTestId('live-service').first().waitFor();
    expect(double.calls.some((c) => c.method === 'hostKeys.trust')).toBe(true);
    expect(await ui.page.locator('tr[data-rs="rs2"] [data-col="weight"]').first().textContent()).toBe('1');
    await ui.page.getByTestId('drift-list').waitFor();
    await ui.screenshot('director');
  });

  it('previews Start with the exact commands, then runs it with a streamed log', async () => {
    await ui.page.getByRole('button', { name: 'Start…' }).click();
    const dialog = ui.page.getByRole('dialog');
    await dialog.getByTestId('plan-steps').waitFor();
    expect(await dialog.getByTestId('plan-steps').textContent()).toContain("ip addr add 10.77.0.50/24 dev eth0 label 'eth0:110'");
    await ui.screenshot('director-preview');
    expect(double.calls.filter((c) => c.method === 'director.run')).toHaveLength(0);
    await dialog.getByRole('button', { name: 'Confirm and run' }).click();
    await ui.page.getByRole('heading', { name: 'Start: done' }).waitFor();
    const log = await ui.page.getByTestId('run-log').textContent();
    expect(log).toContain('[3/3]');
    expect(log).toContain('sysctl -w net.ipv4.ip_forward=1');
    await ui.screenshot('director-run');
  });

  it('drains a realserver after a preview of its commands: its weight goes to 0', async () => {
    await ui.page.locator('tr[data-rs="rs2"]').first().getByRole('button', { name: 'Drain…' }).click();
    const dialog = ui.page.getByRole('dialog');
    await dialog.getByTestId('plan-steps').waitFor();
    expect(await dialog.getByTestId('plan-steps').textContent()).toContain('ipvsadm -e -t 10.77.0.50:23 -r 10.77.0.12:23 -m -w 0');
    expect(double.calls.filter((c) => c.method === 'director.runEdit')).toHaveLength(0);
    await ui.screenshot('director-edit-preview');
    await dialog.getByRole('button', { name: 'Confirm and run' }).click();
    await poll(() => ui.page.locator('tr[data-rs="rs2"] [data-col="weight"]').first().textContent()).toMatch(/^0/);
    await ui.page.getByRole('heading', { name: /^Drain rs2 in TCP 10\.77\.0\.50:23: done$/ }).waitFor();
  });

  it('checks the realservers and fixes a wrong route after a preview', async () => {
    await ui.page.keyboard.press('Alt+3');
    await ui.page.getByTestId('realservers-table').waitFor();
    await ui.page.locator('tr[data-rs="rs3"]').getByText('No route to host').waitFor();
    await ui.screenshot('realservers');
    await ui.page.locator('tr[data-rs="rs2"]').getByRole('button', { name: 'Fix…' }).click();
    const dialog = ui.page.getByRole('dialog', { name: 'Fix the routes of rs2' });
    await dialog.getByText('ip route replace default via 10.77.0.1').waitFor();
    await ui.screenshot('realservers-route-fix');
    await dialog.getByRole('button', { name: 'Confirm and apply' }).click();
    await dialog.getByText('Applied on rs2').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await poll(() => ui.page.locator('tr[data-rs="rs2"] .health-down').count()).toBe(0);
  });

  it('draws the charts with at most 1000 points per series, for 5 min and 24 h', async () => {
    await ui.page.keyboard.press('Alt+4');
    const charts = ui.page.getByTestId('chart');
    await poll(() => charts.count()).toBe(3);
    await poll(async () => Number(await charts.first().getAttribute('data-points'))).toBeGreaterThan(0);
    await ui.page.locator('.series-layer path').first().waitFor();
    expect(await ui.page.locator('.series-layer').first().locator('path').count()).toBe(3);
    const box = (await ui.page.locator('.chart-wrap').first().boundingBox())!;
    await ui.page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await ui.page.locator('.chart-readout').getByText('rs2').waitFor();
    await ui.screenshot('charts-5min');
    await ui.page.mouse.move(0, 0);
    await ui.page.getByText('24 hours').click();
    await poll(async () => Number(await charts.first().getAttribute('data-points'))).toBeGreaterThan(1000);
    for (const c of await charts.all()) {
      const pts = Number(await c.getAttribute('data-points'));
      const series = Number(await c.getAttribute('data-series'));
      expect(pts).toBeLessThanOrEqual(series * 1000);
    }
    await ui.screenshot('charts-24h');
    const [download] = await Promise.all([ui.page.waitForEvent('download'), ui.page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^lvs-lab-metrics-.*\.csv$/);
  });

  it('Connect me: starts the X server and says which realserver the session landed on', async () => {
    await ui.page.keyboard.press('Alt+5');
    await ui.page.getByTestId('launcher-picker').waitFor();
    await ui.page.getByTestId('connect-button').click();
    await ui.page.getByText('You landed on').waitFor({ timeout: 15_000 });
    expect(await ui.page.getByTestId('connect-result').textContent()).toContain('You landed on rs2 (10.77.0.12)');
    expect(double.calls.find((c) => c.method === 'connect.launch')?.input).toEqual({ clusterId: 'lab', kind: 'xdmcp', launcherId: 'xephyr' });
    await ui.screenshot('connect-me-ui-smoke');
  });

  it('shows the audit log and live app events', async () => {
    await ui.page.keyboard.press('Alt+6');
    // Reads are folded in "All": the reads alone list each of them.
    await ui.page.getByRole('radio', { name: 'Reads only' }).check();
    await ui.page.getByTestId('audit-table').getByText('ipvsadm -S -n').waitFor();
    ui.host.emit('audit.entry', { time: Date.now(), host: '10.77.0.1', argv: ['ipvsadm', '-L', '-n'], code: 0, durationMs: 12, outputExcerpt: 'IP Virtual Server version 1.2.1' });
    await ui.page.getByTestId('audit-table').getByText('ipvsadm -L -n').waitFor();
    await ui.screenshot('log');
    ui.host.emit('app.log', { time: Date.now(), level: 'warn', message: 'rs3 did not answer the health probe' });
    await ui.page.getByRole('tab', { name: /App events/ }).click();
    await ui.page.getByTestId('app-log').getByText('rs3 did not answer').waitFor();
    await ui.screenshot('log-app-events');
  });

  it('validates the cluster form as you type and saves a valid profile', async () => {
    await ui.page.keyboard.press('Alt+1');
    await ui.page.getByRole('button', { name: 'Add cluster' }).click();
    await heading('Add a cluster').waitFor();
    const host = ui.page.locator('[data-field="director.host"] input');
    await host.fill('10.0.0.1;reboot');
    await ui.page.locator('[data-field="director.host"] .field-error').getByText('shell metacharacter').waitFor();
    expect(await host.getAttribute('aria-invalid')).toBe('true');
    await ui.page.getByRole('button', { name: 'Save profile' }).click();
    await ui.page.locator('.form-summary').waitFor();
    await ui.screenshot('cluster-form-errors');
    await host.fill('10.0.0.1');
    await ui.page.locator('[data-field="name"] input').fill('Second site');
    await ui.page.locator('[data-field="vip"] input').fill('10.0.0.50');
    await ui.page.getByRole('button', { name: 'Add realserver' }).click();
    await ui.page.locator('[data-field="realservers.0.host"] input').fill('10.0.0.2');
    expect(await ui.page.locator('.field-error').count()).toBe(0);
    await ui.page.getByRole('button', { name: 'Save profile' }).click();
    await ui.page.getByText('Saved Second site.').waitFor();
    const saved = double.calls.find((c) => c.method === 'clusters.save')?.input as { cluster: { id: string; vip: string } };
    expect(saved.cluster).toMatchObject({ id: 'second-site', vip: '10.0.0.50' });
  });

  it('imports an lvs.conf file after asking how to reach the director', async () => {
    await ui.page.getByRole('button', { name: 'Import lvs.conf…' }).click();
    const dialog = ui.page.getByRole('dialog', { name: 'Import an lvs.conf' });
    await dialog.getByRole('button', { name: 'Choose the lvs.conf file…' }).click();
    await dialog.locator('[data-field="import.director.host"] .field-error').waitFor();
    await dialog.locator('[data-field="import.name"] input').fill('Old site');
    await dialog.locator('[data-field="import.director.host"] input').fill('10.5.0.1');
    await ui.screenshot('clusters-import');
    await dialog.getByTestId('file-input').setInputFiles({ name: 'lvs.conf', mimeType: 'text/plain', buffer: Buffer.from('VIP="10.5.0.50"\nRIPS="10.5.0.2 10.5.0.3"\nTPORTS="telnet"\n') });
    await heading('Add a cluster').waitFor();
    await ui.page.getByText('Imported from lvs.conf').waitFor();
    expect(await ui.page.locator('[data-field="vip"] input').inputValue()).toBe('10.5.0.50');
    expect(await ui.page.locator('[data-field="realservers.1.host"] input').inputValue()).toBe('10.5.0.3');
    expect(await ui.page.locator('[data-field="director.host"] input').inputValue()).toBe('10.5.0.1');
    await ui.page.getByRole('button', { name: 'Cancel' }).click();
    await heading('Clusters').waitFor();
  });

  it('a changed host key is a hard stop with no trust button', async () => {
    await ui.page.getByTestId('cluster-picker').selectOption('moved');
    await ui.page.keyboard.press('Alt+2');
    const dialog = ui.page.getByRole('dialog', { name: /host key .* has CHANGED/ });
    await dialog.waitFor();
    expect(await dialog.getByRole('button').allTextContents()).toEqual(['Close']);
    await ui.screenshot('host-key-changed');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await ui.page.locator('.error-stop').waitFor();
    expect(await ui.page.locator('.error-stop').getByRole('button', { name: /Trust|Review/ }).count()).toBe(0);
  });

  it('a director pair: both directors with their roles and the last failover; Make master is previewed, then swaps the roles', async () => {
    await ui.page.getByTestId('cluster-picker').selectOption('pair');
    await ui.page.keyboard.press('Alt+2');
    const panel = ui.page.getByTestId('pair-panel');
    await panel.waitFor();
    expect(await panel.getByTestId('pair-primary').textContent()).toContain('BACKUP');
    expect(await panel.getByTestId('pair-secondary').textContent()).toContain('MASTER');
    expect(await panel.getByTestId('pair-failovers').textContent()).toMatch(/→ 10\.77\.0\.2/);
    await ui.screenshot('director-pair');
    await panel.getByTestId('pair-primary').getByRole('button', { name: 'Make master…' }).click();
    const dialog = ui.page.getByRole('dialog', { name: /Make 10\.77\.0\.1 master/ });
    await dialog.getByTestId('plan-steps').waitFor();
    expect(await dialog.getByTestId('plan-steps').textContent()).toContain('lvs-console-yield 1 /var/lib/lvs-console/vrrp-yield');
    expect(double.calls.filter((c) => c.method === 'director.runMakeMaster')).toHaveLength(0);
    await ui.screenshot('director-pair-make-master');
    await dialog.getByRole('button', { name: 'Confirm and run' }).click();
    await poll(() => panel.getByTestId('pair-primary').textContent()).toContain('MASTER');
    expect(await panel.getByTestId('pair-secondary').textContent()).toContain('BACKUP');
    await ui.screenshot('director-pair-swapped');
  });

  it('renders in the dark theme', async () => {
    await ui.page.getByTestId('cluster-picker').selectOption('lab');
    await ui.page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
    await poll(() => ui.page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await ui.page.getByTestId('live-service').first().waitFor();
    await ui.screenshot('director-dark');
    await ui.page.keyboard.press('Alt+4');
    await ui.page.locator('.series-layer path').first().waitFor();
    await ui.screenshot('charts-dark');
    await ui.page.keyboard.press('Alt+1');
    await ui.page.getByTestId('clusters-table').waitFor();
    await ui.screenshot('clusters-dark');
  });

  it('had no console errors, page errors or CSP violations', () => {
    expect(ui.problems).toEqual([]);
  });
});

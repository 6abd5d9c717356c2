/**
 * Lab e2e of the Diagnose screen and the Realservers page's "fixed now" / "fixed at boot" columns: the real renderer in
 * Chromium over the real web host with the REAL services (createHandlers over createNodeDeps in a fresh data dir)
 * against the lab in its boot state (no VIP, ip_forward 0, empty table, subnet routes, no lvs-route at boot). The
 * doctor's findings are shown with why they matter; one fix (lvs-route at boot on rs1) is previewed, confirmed, and
 * gone when the doctor runs again; the Realservers page then shows rs1 installed at boot while its routes are still
 * wrong now. Screenshots: test/e2e/out/diagnose-*.png, realservers-fixed-now-at-boot.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiHandlers } from '../../shared/api/contract.ts';
import { createHandlers, createNodeDeps } from '../../electron/app/handlers.ts';
import { labExec, labUp, realservers, restoreBootState, type Lab } from '../lab/support/remote-lab.ts';
import { startUi, type Ui } from './harness.ts';
import { labE2eSkipReason, waitForLabFree } from './support/lab-host.ts';

const skip = labE2eSkipReason();
if (skip) console.log(`diagnose e2e skipped: ${skip}`);

const LONG = 180_000;
let lab: Lab;
let ui: Ui;
let handlers: ApiHandlers;
let dataDir: string;

const removeBootScripts = () => {
  for (const rs of realservers(lab)) labExec(rs.name, 'rm -f /etc/init.d/lvs-route /etc/init.d/lvs-route.bak.* /etc/rc?.d/[SK][0-9]*lvs-route; true');
};

describe.skipIf(skip !== undefined)('Diagnose and the Realservers columns (real services + lab, in Chromium)', () => {
  beforeAll(async () => {
    await waitForLabFree(20 * 60_000);
    lab = labUp();
    restoreBootState(lab);
    removeBootScripts();
    dataDir = mkdtempSync(join(tmpdir(), 'lvs-e2e-diagnose-'));
    ui = await startUi((emit) => (handlers = createHandlers(createNodeDeps({ emit, dataDir }))));
    // The lab's profile (its host keys pre-trusted, realservers through the director); the page selects the only cluster.
    await handlers['clusters.save']({ cluster: lab.input });
    await ui.page.reload();
  }, 30 * 60_000);

  afterAll(async () => {
    if (handlers) await handlers['clusters.delete']({ clusterId: lab.cluster.id }).catch(() => undefined);
    await ui?.close().catch(() => undefined);
    if (lab) {
      removeBootScripts();
      restoreBootState(lab);
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 5 * 60_000);

  it('Diagnose lists the findings with why they matter; a fix is previewed, confirmed, and gone when the doctor runs again', async () => {
    const page = ui.page;
    await ui.go('7', /^Diagnose/);
    const list = page.getByTestId('findings');
    await list.waitFor({ timeout: LONG });
    const ids = await list.locator('li[data-finding]').evaluateAll((els) => els.map((e) => e.getAttribute('data-finding')));
    expect(ids).toEqual(expect.arrayContaining(['director.ip-forward-off', 'director.vip-missing', 'director.table-empty', 'realserver.subnet-route', 'realserver.boot-script-missing']));
    await list.locator('li[data-key="director.ip-forward-off:director"]').getByText(/Why it matters: In LVS-NAT the director forwards/).waitFor();
    await ui.screenshot('diagnose-findings');

    await list.locator('li[data-key="realserver.boot-script-missing:rs1"]').getByRole('button', { name: 'Fix…' }).click();
    const dialog = page.getByRole('dialog');
    const commands = dialog.getByTestId('fix-commands');
    await commands.waitFor({ timeout: LONG });
    expect(await commands.textContent()).toContain('rs1: write /etc/init.d/lvs-route (mode 755, atomically, checked with sh -n)');
    await ui.screenshot('diagnose-fix-preview');
    await dialog.getByRole('button', { name: 'Confirm and apply' }).click();
    await dialog.getByText('Fixed: the doctor ran again and no longer finds it.').waitFor({ timeout: LONG });
    await ui.screenshot('diagnose-fix-done');
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(await list.locator('li[data-key="realserver.boot-script-missing:rs1"]').count()).toBe(0);
    expect(labExec('rs1', 'readlink /etc/rc3.d/S99lvs-route').stdout.trim()).toBe('../init.d/lvs-route');
  }, 10 * 60_000);

  it('Realservers shows "fixed now" and "fixed at boot" apart: rs1 installed at boot, routes still wrong now', async () => {
    const page = ui.page;
    await ui.go('3', /^Realservers/);
    const table = page.getByTestId('realservers-table');
    const row = (rs: string) => table.locator(`tr[data-rs="${rs}"]`);
    await row('rs1').locator('[data-col="fixed-at-boot"] .health-up', { hasText: 'installed' }).waitFor({ timeout: LONG });
    await row('rs1').locator('[data-col="fixed-now"] .health-down', { hasText: 'wrong' }).waitFor({ timeout: LONG });
    for (const rs of ['rs2', 'rs3']) await row(rs).locator('[data-col="fixed-at-boot"] .health-down', { hasText: 'not installed' }).waitFor({ timeout: LONG });
    await ui.screenshot('realservers-fixed-now-at-boot');
  }, 10 * 60_000);
});

/**
 * Answers the renderer's host-key trust dialog in the e2e: reads the host and the SHA256 fingerprint it shows, checks
 * them against the lab's own keys, and presses "Trust and connect". Every dialog answered is recorded.
 */
import type { Page } from 'playwright-core';

/** One trust dialog as it was shown. */
export interface TrustedKey {
  host: string;
  fingerprint: string;
}

/** The trust dialog, if open. */
export function trustDialog(page: Page) {
  return page.getByRole('dialog', { name: 'Trust this host key?' });
}

/**
 * Reads the open trust dialog (host from its "Host" row, "10.77.0.1:22"), calls `check` (which throws on a mismatch,
 * leaving the dialog open for the screenshot), then trusts the key and waits for the dialog to close.
 */
export async function trustOpenDialog(page: Page, check: (k: TrustedKey) => void, onShown?: (k: TrustedKey) => Promise<void>): Promise<TrustedKey> {
  const dialog = trustDialog(page);
  await dialog.waitFor();
  const fingerprint = ((await dialog.getByTestId('host-key-fingerprint').textContent()) ?? '').trim();
  const hostPort = ((await dialog.locator('dl.kv dd').first().textContent()) ?? '').trim();
  const host = hostPort.replace(/:\d+$/, '');
  const key = { host, fingerprint };
  await onShown?.(key);
  check(key);
  await dialog.getByRole('button', { name: 'Trust and connect' }).click();
  // Closed, or already showing the next queued host (the same <dialog> element is reused).
  const until = Date.now() + 30_000;
  for (;;) {
    if (!(await dialog.isVisible())) break;
    const shown = ((await dialog.locator('dl.kv dd').first().textContent({ timeout: 1000 }).catch(() => '')) ?? '').trim();
    if (shown && shown !== hostPort) break;
    if (Date.now() > until) throw new Error(`the trust dialog for ${hostPort} did not close`);
    await page.waitForTimeout(200);
  }
  return key;
}

/**
 * Browser e2e harness: starts the web host (with the given handlers) on the built renderer and Debian's Chromium through
 * playwright-core (never a downloaded browser), in a fresh profile directory, and saves screenshots to test/e2e/out/.
 * Console errors, page errors and CSP violations are collected so a spec can assert there were none.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { ApiHandlers } from '../../shared/api/contract.ts';
import { startWebHost, type WebHost } from '../../electron/web/web-host.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** Built renderer served by the web host. */
export const STATIC_DIR = resolve(here, '../../out/renderer');
/** Where screenshots go (git-ignored). */
export const OUT_DIR = join(here, 'out');
/** Debian's Chromium. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Flags for a quiet, offline, sandbox-less (root, container) headless Chromium. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];

/** Launches Chromium with a fresh --user-data-dir (a persistent context on a new temp dir). */
export async function launchChromium(opts: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {}): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium (never npx playwright install)`);
  const profile = mkdtempSync(join(tmpdir(), 'lvs-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: opts.viewport ?? { width: 1360, height: 900 },
    colorScheme: opts.colorScheme ?? 'light',
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A running UI: web host + browser page on it. */
export interface Ui {
  host: WebHost;
  page: Page;
  context: BrowserContext;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
  /** Saves test/e2e/out/NAME.png (full page) and returns its path. */
  screenshot(name: string): Promise<string>;
  /**
   * Goes to a screen with Alt+KEY and waits for its heading: first waits until the app is connected to its host (a
   * press before the app listens does nothing: seen in CI after a page reload under load), then presses again while
   * the heading has not come.
   */
  go(key: string, heading: RegExp | string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts the web host with handlers built from its emit function, opens Chromium on its URL. */
export async function startUi(makeHandlers: (emit: WebHost['emit']) => ApiHandlers, opts: { colorScheme?: 'light' | 'dark' } = {}): Promise<Ui> {
  if (!existsSync(join(STATIC_DIR, 'index.html'))) throw new Error(`${STATIC_DIR}/index.html missing: run npm run build:renderer first (npm run test:e2e does)`);
  mkdirSync(OUT_DIR, { recursive: true });
  const ref: { host?: WebHost } = {};
  const handlers = makeHandlers((e, p) => ref.host?.emit(e, p));
  const host = (ref.host = await startWebHost({ handlers, staticDir: STATIC_DIR, log: () => {} }));
  const browser = await launchChromium(opts);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`http ${r.status()} ${new URL(r.url()).pathname}`);
  });
  await page.goto(host.url);
  return {
    host,
    page,
    context: browser.context,
    problems,
    async screenshot(name) {
      const file = join(OUT_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async go(key, name, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      const left = () => Math.max(1000, until - Date.now());
      await page.getByTestId('link-state').filter({ hasText: /^Connected$/ }).waitFor({ timeout: left() });
      const h = page.getByRole('heading', { level: 1, name });
      for (;;) {
        await page.keyboard.press(`Alt+${key}`);
        const shown = await h.waitFor({ timeout: Math.min(5000, left()) }).then(() => true, () => false);
        if (shown) return;
        if (Date.now() >= until) {
          // Say what the page showed instead (its heading, any open dialog), and keep a screenshot of it.
          const seen = await page.evaluate(() => ({
            h1: document.querySelector('h1')?.textContent ?? '(none)',
            dialog: [...document.querySelectorAll('dialog[open], [role="dialog"]')].map((d) => (d.textContent ?? '').slice(0, 200)).join(' | ') || '(none)',
            focus: document.activeElement?.outerHTML.slice(0, 120) ?? '(none)',
          })).catch((e: unknown) => ({ h1: `(page unreadable: ${String(e)})`, dialog: '', focus: '' }));
          await page.screenshot({ path: join(OUT_DIR, `go-alt-${key}-failed.png`), fullPage: true }).catch(() => undefined);
          throw new Error(`Alt+${key}: no heading ${String(name)} within ${timeoutMs} ms; the page showed h1 "${seen.h1}", dialog ${seen.dialog}, focus ${seen.focus}`);
        }
      }
    },
    async close() {
      await browser.close();
      await host.close();
    },
  };
}

/** Newest modification time (ms) of the files under dir (recursively). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the renderer (npm run build:renderer) when out/renderer is missing or older than renderer/ or shared/. */
export function ensureRendererBuilt(): void {
  const index = join(STATIC_DIR, 'index.html');
  const src = Math.max(newestMtime(resolve(here, '../../renderer')), newestMtime(resolve(here, '../../shared')));
  if (existsSync(index) && statSync(index).mtimeMs >= src) return;
  console.log('building the renderer (npm run build:renderer)…');
  const r = spawnSync('npm', ['run', '-s', 'build:renderer'], { stdio: 'inherit', cwd: resolve(here, '../..') });
  if (r.status !== 0) throw new Error('npm run build:renderer failed');
}

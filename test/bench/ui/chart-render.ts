/**
 * UI benchmark: render time in Chromium of one chart of 50 realservers × 24 h of 5 s samples (17 280 samples each), with
 * LTTB to ≤ MAX_POINTS points per series (goal ≤ 150 ms), and once without downsampling for contrast. The page is the real
 * MetricChart + MetricsHistory bundled with esbuild; figures are printed, never asserted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { launchChromium } from '../../e2e/harness.ts';
import { median } from '../measure.ts';
import { MAX_POINTS } from '../../../renderer/features/charts/charts-page.tsx';

const here = dirname(fileURLToPath(import.meta.url));

export default async function chartRender(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-bench-chart-'));
  try {
    await build({
      entryPoints: [join(here, 'pages', 'chart-bench-page.tsx')],
      bundle: true,
      format: 'iife',
      minify: true,
      jsx: 'automatic',
      define: { 'process.env.NODE_ENV': '"production"' },
      outfile: join(dir, 'bench.js'),
      logLevel: 'error',
    });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="stylesheet" href="bench.css"><body style="width:1200px"><div id="root"></div><script src="bench.js"></script>');
    const browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      await page.goto(pathToFileURL(join(dir, 'index.html')).href);
      await page.waitForFunction(() => 'bench' in window);
      const fillMs = await page.evaluate(() => window.bench.fill(50, 24, 5));
      console.log(`filled the in-memory history: 50 realservers × 17 280 samples in ${fillMs.toFixed(0)} ms`);
      const runs: { lttbMs: number; commitMs: number; paintMs: number; points: number }[] = [];
      for (let i = 0; i < 9; i++) runs.push(await page.evaluate((n) => window.bench.render(n), MAX_POINTS));
      const warm = runs.slice(2);
      const med = (k: 'lttbMs' | 'commitMs' | 'paintMs') => median(warm.map((r) => r[k]));
      const pts = runs[0]!.points;
      const total = med('paintMs');
      console.log(
        `chart 50 rs × 24 h @5 s, LTTB ≤${MAX_POINTS}/series (${pts} points): LTTB ${med('lttbMs').toFixed(1)} ms + React commit ${med('commitMs').toFixed(1)} ms; to first paint ${total.toFixed(1)} ms median of ${warm.length}  (goal ≤ 150 ms: ${total <= 150 ? 'met' : 'NOT met'} on this run)`,
      );
      const raw = await page.evaluate(() => window.bench.render(1e9));
      console.log(`same chart without downsampling (${raw.points} points): to first paint ${raw.paintMs.toFixed(0)} ms (1 run, for contrast)`);
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

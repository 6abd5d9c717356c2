/**
 * UI benchmark: renderer heap after one simulated hour of 1 Hz samples for 50 realservers (goal ≤ 150 MB, and flat
 * afterwards). The real built renderer runs in Chromium against the web host (handlers: the UI smoke TEST DOUBLE, live
 * samples off); 3600 `cluster.sample` events per simulated hour are pushed through the WebSocket while the Charts screen
 * is open, then the heap is measured after a forced GC (CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage).
 * The history ring's typed arrays (preallocated for 24 h at the sample interval) live outside the JS heap and are
 * printed separately. Figures are printed, never asserted.
 */
import type { EventPayload } from '../../../shared/api/contract.ts';
import { ensureRendererBuilt, startUi } from '../../e2e/harness.ts';
import { createUiSmokeDouble, type DoubleControls } from '../../e2e/ui-smoke.double.ts';

const RS = 50;
const HOUR = 3600;

function sample(time: number, i: number): EventPayload<'cluster.sample'> {
  return {
    clusterId: 'lab',
    time,
    realservers: Array.from({ length: RS }, (_, r) => ({
      address: `10.77.${1 + (r >> 8)}.${r & 255}`,
      name: `rs${r + 1}`,
      activeConns: Math.round(20 + 15 * Math.sin(i / (50 + r))),
      inactiveConns: (i + r) % 5,
      cps: 2 + ((i * 31 + r) % 17) / 4,
      load1: 0.5 + 0.4 * Math.sin(i / (300 + r)),
    })),
  };
}

const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;

export default async function rendererHeap(): Promise<void> {
  ensureRendererBuilt();
  let double: DoubleControls | undefined;
  const ui = await startUi((emit) => (double = createUiSmokeDouble(emit, { historyHours: 0, intervalSec: 1, liveSamples: false })).handlers);
  try {
    const { page } = ui;
    // Trust the double's host key once so the Director screen (if opened) would not pop a dialog; then watch the charts.
    await page.getByTestId('link-state').getByText('Connected').waitFor();
    await page.evaluate(() => (location.hash = '#/charts'));
    await page.getByRole('heading', { level: 1, name: /^Charts/ }).waitFor();
    const cdp = await ui.context.newCDPSession(page);
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
    };
    const held = async () => (await page.getByTestId('history-size').textContent()) ?? '';
    const base = await heap();
    console.log(`renderer JS heap before samples: ${mb(base.usedSize)} used (${mb(base.totalSize)} allocated)`);
    const t0 = Date.now() - 3 * HOUR * 1000;
    let i = 0;
    const used: number[] = [];
    for (let hour = 1; hour <= 2; hour++) {
      const started = Date.now();
      for (const end = i + HOUR; i < end; i++) {
        ui.host.emit('cluster.sample', sample(t0 + i * 1000, i));
        // Let the socket drain every 100 samples (the page redraws the charts at most once per frame).
        if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20));
      }
      await page.waitForFunction((n) => document.querySelector('[data-testid="history-size"]')?.textContent?.startsWith(`${n} samples`), i, { timeout: 600_000 }).catch(async (e: unknown) => {
        throw new Error(`the page did not take all ${i} samples: it shows "${await held()}" (${String(e)})`);
      });
      const h = await heap();
      used.push(h.usedSize);
      console.log(
        `after ${hour} simulated hour(s) of 1 Hz × ${RS} realservers (pushed in ${((Date.now() - started) / 1000).toFixed(1)} s): JS heap ${mb(h.usedSize)} used (${mb(h.totalSize)} allocated) + history ring outside the JS heap: ${(await held()).replace(/;.*/, '')}${hour === 1 ? '  (goal ≤ 150 MB in all)' : `  JS heap Δ vs hour 1: ${mb(h.usedSize - used[0]!)}`}`,
      );
    }
  } finally {
    double?.stop();
    await ui.close();
  }
}

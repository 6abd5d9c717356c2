/**
 * Benchmark page (bundled by test/bench/ui/chart-render.ts with esbuild, opened in Chromium): fills a MetricsHistory
 * with 50 realservers × 24 h of 5 s samples and times LTTB + React render + first paint of the real MetricChart.
 */
import { createRoot, type Root } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { MetricChart } from '../../../../renderer/features/charts/metric-chart.tsx';
import { MetricsHistory, type ChartSeries } from '../../../../renderer/features/charts/metrics-history.ts';
import { MAX_POINTS } from '../../../../renderer/features/charts/charts-page.tsx';
import '../../../../renderer/styles/app.css';

const nextPaint = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

function fill(rs: number, hours: number, intervalSec: number): MetricsHistory {
  const h = new MetricsHistory(intervalSec);
  const n = Math.floor((hours * 3600) / intervalSec);
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < n; i++) {
    h.push({
      clusterId: 'bench',
      time: t0 + i * intervalSec * 1000,
      realservers: Array.from({ length: rs }, (_, r) => ({
        address: `10.0.${r >> 8}.${r & 255}`,
        name: `rs${r + 1}`,
        activeConns: Math.round(20 + 15 * Math.sin(i / (50 + r)) + ((i * 7919 + r * 104729) % 11)),
        inactiveConns: (i + r) % 5,
        cps: 2 + ((i * 31 + r) % 17) / 4,
        load1: 0.5 + 0.4 * Math.sin(i / (300 + r)),
      })),
    });
  }
  return h;
}

let root: Root | undefined;
const host = document.getElementById('root')!;

/** One timed render: LTTB (series), React commit, and until the next paint. */
async function renderOnce(h: MetricsHistory, maxPoints: number): Promise<{ lttbMs: number; commitMs: number; paintMs: number; points: number }> {
  root?.unmount();
  root = createRoot(host);
  await nextPaint();
  const from = h.lastTime! - 86_400_000;
  const t0 = performance.now();
  const series: ChartSeries[] = h.series('active', from, maxPoints);
  const t1 = performance.now();
  flushSync(() => root!.render(<MetricChart title="Active connections per realserver" series={series} from={from} to={h.lastTime!} />));
  const t2 = performance.now();
  await nextPaint();
  const t3 = performance.now();
  return { lttbMs: t1 - t0, commitMs: t2 - t1, paintMs: t3 - t0, points: series.reduce((n, s) => n + s.points.length, 0) };
}

declare global {
  interface Window {
    bench: { fill(rs: number, hours: number, intervalSec: number): number; render(maxPoints: number): ReturnType<typeof renderOnce> };
  }
}
let history: MetricsHistory | undefined;
window.bench = {
  fill(rs, hours, intervalSec) {
    const t = performance.now();
    history = fill(rs, hours, intervalSec);
    return performance.now() - t;
  },
  render: (maxPoints) => renderOnce(history!, maxPoints),
};
export { MAX_POINTS };

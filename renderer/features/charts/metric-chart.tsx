/**
 * One time-series chart (recharts): a line per realserver from already-downsampled points, no animation (the data is
 * live), a numeric time axis fixed to the chosen window, and a compact legend.
 */
import { memo } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { ChartSeries } from './metrics-history.ts';
import { seriesColor } from './series-colors.ts';

/** Props of MetricChart. */
export interface MetricChartProps {
  title: string;
  series: readonly ChartSeries[];
  /** Window start and end (epoch ms). */
  from: number;
  to: number;
  /** Digits shown in the tooltip. */
  digits?: number;
  /** Shown when there is no data. */
  empty?: string;
}

function ticks(from: number, to: number, n = 6): number[] {
  const step = (to - from) / n;
  return Array.from({ length: n + 1 }, (_, i) => Math.round(from + i * step));
}

function timeLabel(spanMs: number) {
  return (ms: number) => {
    const d = new Date(ms);
    const p = (x: number) => String(x).padStart(2, '0');
    return spanMs <= 15 * 60_000 ? `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}` : `${p(d.getHours())}:${p(d.getMinutes())}`;
  };
}

/** A chart of one metric, a line per realserver. */
export const MetricChart = memo(function MetricChart({ title, series, from, to, digits = 0, empty = 'No samples in this window yet.' }: MetricChartProps) {
  const fmt = timeLabel(to - from);
  const points = series.reduce((n, s) => n + s.points.length, 0);
  return (
    <figure className="chart-card" data-testid="chart" data-points={points} data-series={series.length}>
      <figcaption>
        <span className="chart-title">{title}</span>
        <span className="muted small">
          {series.length} series · {points} points drawn
        </span>
      </figcaption>
      {points === 0 ? (
        <div className="chart-empty">{empty}</div>
      ) : (
        <LineChart className="chart" responsive margin={{ top: 8, right: 16, bottom: 4, left: 0 }} accessibilityLayer>
          <CartesianGrid className="chart-grid" strokeDasharray="3 3" />
          <XAxis dataKey="x" type="number" domain={[from, to]} ticks={ticks(from, to)} tickFormatter={fmt} allowDataOverflow allowDuplicatedCategory={false} className="chart-axis" />
          <YAxis width={48} allowDecimals={digits > 0} className="chart-axis" />
          <Tooltip isAnimationActive={false} labelFormatter={(v) => fmt(Number(v))} formatter={(v) => (typeof v === 'number' ? v.toFixed(digits) : String(v))} wrapperClassName="chart-tooltip" />
          {series.map((s, i) => (
            <Line key={s.key} data={s.points} dataKey="y" name={s.name} type="linear" stroke={seriesColor(i)} strokeWidth={1.5} dot={false} activeDot={false} isAnimationActive={false} connectNulls={false} />
          ))}
        </LineChart>
      )}
      {series.length > 0 && (
        <ul className="legend" aria-label={`${title}: realservers`}>
          {series.map((s, i) => (
            <li key={s.key}>
              <span className="swatch" style={{ background: seriesColor(i) }} aria-hidden="true" />
              {s.name}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
});

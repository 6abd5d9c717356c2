/**
 * One time-series chart: recharts lays out the chart (responsive size, grid, time and value axes, scales) and a
 * SeriesLayer inside it draws one SVG path per realserver from the already-downsampled points. Drawing the lines as
 * plain paths (instead of a recharts <Line> each) keeps 50 realservers × 1000 points within the render budget; nothing
 * is animated (the data is live). Hovering shows the values at that time; a compact legend names the lines.
 */
import { memo, useMemo, useRef, useState } from 'react';
import { CartesianGrid, LineChart, XAxis, YAxis, useXAxisScale, useYAxisScale } from 'recharts';
import { linear, nearestIndex, niceMax, pathData, yTicks } from './chart-geometry.ts';
import type { ChartSeries } from './metrics-history.ts';
import { seriesColor, seriesStyle } from './series-colors.ts';

/** Props of MetricChart. */
export interface MetricChartProps {
  title: string;
  series: readonly ChartSeries[];
  /** Window start and end (epoch ms). */
  from: number;
  to: number;
  /** Digits shown in the readout. */
  digits?: number;
  /** Shown when there is no data. */
  empty?: string;
}

const MARGIN = { top: 8, right: 16, bottom: 4, left: 0 };
const Y_WIDTH = 48;
const READOUT_MAX = 8;

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

/** The lines, drawn with the chart's own scales (both axes are linear, so two probes per axis define the mapping). */
function SeriesLayer({ series, from, to, yMax }: { series: readonly ChartSeries[]; from: number; to: number; yMax: number }) {
  const xs = useXAxisScale();
  const ys = useYAxisScale();
  const x0 = xs?.(from);
  const x1 = xs?.(to);
  const y0 = ys?.(0);
  const y1 = ys?.(yMax);
  const paths = useMemo(() => {
    if (x0 === undefined || x1 === undefined || y0 === undefined || y1 === undefined) return [];
    const mx = linear(from, to, x0, x1);
    const my = linear(0, yMax, y0, y1);
    return series.map((s) => pathData(s.points, mx, my));
  }, [series, from, to, yMax, x0, x1, y0, y1]);
  return (
    <g className="series-layer" fill="none" strokeLinejoin="round" strokeLinecap="butt">
      {paths.map((d, i) => {
        const st = seriesStyle(i);
        return <path key={series[i]!.key} d={d} stroke={st.color} strokeWidth={st.width} strokeDasharray={st.dash || undefined} data-series={series[i]!.name} />;
      })}
    </g>
  );
}

/** A short sample of line `i` (its colour, width and dashes) for the legend. */
function LineSwatch({ i }: { i: number }) {
  const st = seriesStyle(i);
  return (
    <svg className="line-swatch" width="28" height="10" aria-hidden="true">
      <line x1="0" y1="5" x2="28" y2="5" stroke={st.color} strokeWidth={Math.min(st.width, 4)} strokeDasharray={st.dash || undefined} />
    </svg>
  );
}

/** A chart of one metric, a line per realserver. */
export const MetricChart = memo(function MetricChart({ title, series, from, to, digits = 0, empty = 'No samples in this window yet.' }: MetricChartProps) {
  const fmt = timeLabel(to - from);
  const points = series.reduce((n, s) => n + s.points.length, 0);
  const yMax = useMemo(() => niceMax(series.reduce((m, s) => s.points.reduce((mm, p) => (p.y > mm ? p.y : mm), m), 0)), [series]);
  const wrap = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<{ px: number; t: number }>();

  const onMove = (e: React.MouseEvent) => {
    const r = wrap.current?.getBoundingClientRect();
    if (!r) return;
    const left = MARGIN.left + Y_WIDTH;
    const right = r.width - MARGIN.right;
    const px = e.clientX - r.left;
    if (px < left || px > right) return setHover(undefined);
    setHover({ px, t: from + ((px - left) / (right - left)) * (to - from) });
  };

  const readout = useMemo(() => {
    if (!hover) return [];
    return series
      .map((s, i) => {
        const p = s.points[nearestIndex(s.points, hover.t)];
        return { name: s.name, color: seriesColor(i), y: p?.y };
      })
      .filter((r) => r.y !== undefined)
      .sort((a, b) => b.y! - a.y!);
  }, [hover, series]);

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
        <div className="chart-wrap" ref={wrap} onMouseMove={onMove} onMouseLeave={() => setHover(undefined)}>
          <LineChart className="chart" responsive margin={MARGIN}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="x" type="number" domain={[from, to]} ticks={ticks(from, to)} tickFormatter={fmt} allowDataOverflow />
            <YAxis width={Y_WIDTH} type="number" domain={[0, yMax]} ticks={yTicks(yMax)} allowDataOverflow />
            <SeriesLayer series={series} from={from} to={to} yMax={yMax} />
          </LineChart>
          {hover && readout.length > 0 && (
            <>
              <div className="chart-cursor" style={{ left: hover.px }} aria-hidden="true" />
              <div className={`chart-readout${hover.px > (wrap.current?.clientWidth ?? 0) / 2 ? ' chart-readout-left' : ''}`} style={{ left: hover.px }} role="status">
                <div className="chart-readout-time">{fmt(hover.t)}</div>
                {readout.slice(0, READOUT_MAX).map((r) => (
                  <div key={r.name}>
                    <span className="swatch" style={{ background: r.color }} aria-hidden="true" />
                    {r.name} <strong>{r.y!.toFixed(digits)}</strong>
                  </div>
                ))}
                {readout.length > READOUT_MAX && <div className="muted">+{readout.length - READOUT_MAX} more</div>}
              </div>
            </>
          )}
        </div>
      )}
      {series.length > 0 && (
        <ul className="legend" aria-label={`${title}: realservers`}>
          {series.map((s, i) => (
            <li key={s.key}>
              <LineSwatch i={i} />
              {s.name}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
});

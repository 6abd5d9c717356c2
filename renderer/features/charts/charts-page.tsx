/**
 * Charts: active connections, new connections per second and load average per realserver over 5 min / 1 h / 24 h, from
 * the in-memory history (bounded to 24 h at the sample interval), each series LTTB-downsampled to ≤ MAX_POINTS points,
 * and CSV export of the history.
 */
import { useMemo, useState } from 'react';
import { useAppState, useFeed } from '../../app/app-state.tsx';
import { downloadText, fileStamp } from '../../app/download.ts';
import { ErrorBox } from '../../app/error-box.tsx';
import { NeedCluster } from '../../app/need-cluster.tsx';
import { MetricChart } from './metric-chart.tsx';

/** Chart windows and their spans. */
export const WINDOWS = [
  { id: '5m', label: '5 min', ms: 5 * 60_000 },
  { id: '1h', label: '1 hour', ms: 3_600_000 },
  { id: '24h', label: '24 hours', ms: 86_400_000 },
] as const;
/** Upper bound of points drawn per series. */
export const MAX_POINTS = 1000;

/** The Charts screen. */
export function ChartsPage() {
  const { selected } = useAppState();
  if (!selected) return <NeedCluster title="Charts" />;
  return <Charts key={selected.id} />;
}

function Charts() {
  const { selected, settings } = useAppState();
  const cluster = selected!;
  const feed = useFeed();
  const [win, setWin] = useState<(typeof WINDOWS)[number]['id']>('5m');
  const span = WINDOWS.find((w) => w.id === win)!.ms;
  const version = feed?.version ?? 0;
  const to = feed?.history.lastTime ?? Date.now();
  const from = to - span;
  const data = useMemo(
    () => feed?.history.seriesSet(['active', 'cps', 'load'], from, MAX_POINTS) ?? { active: [], cps: [], load: [] },
    // `version` changes when new samples arrived.
    [feed, from, version],
  );
  const held = feed?.history.size ?? 0;
  const mb = ((feed?.history.byteLength ?? 0) / 1048576).toFixed(1);
  const empty = held
    ? 'Samples are arriving, but the live table has no realservers in this window. Start the cluster on the Director screen (Alt+2).'
    : `No samples yet: they arrive every ${settings?.sampleIntervalSec ?? 5} s while this cluster is selected.`;

  return (
    <section aria-labelledby="charts-h">
      <div className="toolbar">
        <h1 id="charts-h" tabIndex={-1}>
          Charts <span className="muted">· {cluster.name}</span>
        </h1>
        <span className="spacer" />
        <div className="segmented" role="radiogroup" aria-label="Time window">
          {WINDOWS.map((w) => (
            <label key={w.id} className={w.id === win ? 'on' : undefined}>
              <input type="radio" name="window" value={w.id} checked={w.id === win} onChange={() => setWin(w.id)} />
              {w.label}
            </label>
          ))}
        </div>
        <button type="button" disabled={!held} onClick={() => feed && downloadText(`lvs-${cluster.id}-metrics-${fileStamp()}.csv`, feed.history.toCsv(), 'text/csv')}>
          Export CSV
        </button>
      </div>
      <p className="muted small" data-testid="history-size">
        {held} samples in memory (up to 24 h, {mb} MB); lines show at most {MAX_POINTS} points each.
      </p>
      <ErrorBox error={feed?.error} context="Loading the metrics" />
      <div className="charts">
        <MetricChart title="Active connections per realserver" series={data.active} from={from} to={to} empty={empty} />
        <MetricChart title="New connections per second per realserver" series={data.cps} from={from} to={to} digits={1} empty={empty} />
        <MetricChart title="Load average (1 min) per realserver" series={data.load} from={from} to={to} digits={2} empty={held ? 'No load samples yet: load is read from the realservers over SSH every few samples.' : empty} />
      </div>
    </section>
  );
}

/**
 * Keeps one cluster's metrics history alive while it is selected: turns sampling on (metrics.watch), loads the last 24 h
 * (metrics.history), then appends live `cluster.sample` events. Samples that arrive while the history loads are kept and
 * replayed after it, and overlaps are dropped by time. Listeners are told at most once per animation frame.
 */
import type { AppErrorData } from '../../../shared/result.ts';
import type { Api } from '../../app/api-context.tsx';
import { MetricsHistory, type Sample } from './metrics-history.ts';

/** A live, bounded history for one cluster. */
export class MetricsFeed {
  readonly history: MetricsHistory;
  /** Bumped on every change (for useSyncExternalStore). */
  version = 0;
  error: AppErrorData | undefined;
  private readonly listeners = new Set<() => void>();
  private unsubscribe: (() => void) | undefined;
  private scheduled = false;
  private disposed = false;

  constructor(
    private readonly api: Pick<Api, 'call' | 'on'>,
    readonly clusterId: string,
    sampleIntervalSec: number,
  ) {
    this.history = new MetricsHistory(sampleIntervalSec);
  }

  /** Subscribes, starts sampling and loads the history. */
  async start(): Promise<void> {
    let buffered: Sample[] | undefined = [];
    this.unsubscribe = this.api.on('cluster.sample', (s) => {
      if (s.clusterId !== this.clusterId) return;
      if (buffered) buffered.push(s);
      else if (this.history.push(s)) this.changed();
    });
    const watch = await this.api.call('metrics.watch', { clusterId: this.clusterId, on: true }, { interactive: false });
    if (!watch.ok) this.error = watch.error;
    const h = await this.api.call('metrics.history', { clusterId: this.clusterId, window: '24h' }, { interactive: false });
    if (this.disposed) return;
    if (h.ok) for (const s of [...h.value].sort((a, b) => a.time - b.time)) this.history.push(s);
    else this.error ??= h.error;
    for (const s of buffered) this.history.push(s);
    buffered = undefined;
    this.changed();
  }

  /** Pushes a sample as if it came from the main side (benchmarks and tests). */
  inject(s: Sample): void {
    if (this.history.push(s)) this.changed();
  }

  /** Registers a change listener; returns the unsubscribe function. */
  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  };

  /** Current version (for useSyncExternalStore). */
  getVersion = (): number => this.version;

  /** Stops sampling and listening. */
  dispose(): void {
    this.disposed = true;
    this.unsubscribe?.();
    void this.api.call('metrics.watch', { clusterId: this.clusterId, on: false }, { interactive: false });
    this.listeners.clear();
  }

  private changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const fire = () => {
      this.scheduled = false;
      this.version++;
      for (const fn of [...this.listeners]) fn();
    };
    if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && !document.hidden) requestAnimationFrame(fire);
    else setTimeout(fire, 0);
  }
}

/**
 * The sampler's pace (pure logic, fake timers): the status sample is taken every interval whatever the slow
 * per-realserver work does. Found by the reliability soak (test/bench/lab/support/soak.ts): with one realserver's cable
 * pulled, the load check over SSH waited for its 30 s timeout inside the tick (and the health probe its ping timeout),
 * so a 1 s sampler emitted 3–11 samples per 30 s, stalling exactly while a realserver was down. The bounded history,
 * and CPS from the counters' growth between two samples.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clusterSchema } from '../../../../shared/model/cluster.ts';
import { counterRates, MetricsSampler } from '../../../../electron/app/metrics-sampler.ts';
import { destinationCounterKey, sampleOf } from '../../../../electron/app/status-mapping.ts';
import type { StatusView } from '../../../../electron/services/status-view.ts';
import { ClusterContext } from '../../../../electron/services/cluster-context.ts';
import type { ClusterService } from '../../../../electron/services/cluster-service.ts';
import type { Executor } from '../../../../electron/ssh/types.ts';

const cluster = clusterSchema.parse({
  id: 'lab',
  name: 'Lab',
  director: { host: '10.0.0.1', user: 'root' },
  vip: '10.0.0.100',
  tcp: [{ port: 23 }],
  realservers: [{ host: '10.0.0.11', name: 'rs1' }],
});

/** An executor whose commands never answer (a realserver whose cable is pulled, before any timeout). */
const hanging: Executor = { label: 'rs1', exec: () => new Promise(() => undefined) };

/** A service whose director answers at once and whose realserver work (the load check) hangs. */
function stalledService(): ClusterService {
  const ctx = new ClusterContext(cluster, { executor: () => hanging });
  const svc = {
    cluster,
    context: () => ctx,
    probe: () => new Promise(() => undefined),
    snapshot: async () => ({ cluster, view: { services: [] }, state: { table: { services: [] } } }),
    drainFollowUp: async () => [],
  };
  return svc as unknown as ClusterService;
}

describe('MetricsSampler pace', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('keeps sampling every interval while the load check of a realserver hangs (health runs in its own loop: health-monitor.ts)', async () => {
    const samples: number[] = [];
    const sampler = new MetricsSampler({ service: () => stalledService(), intervalSec: () => 1, emit: (s) => void samples.push(s.time), log: () => undefined });
    try {
      sampler.watch('lab', true);
      await vi.advanceTimersByTimeAsync(10_500);
      // One at once, then one per second: 11 in 10.5 s (none at all while the slow work was awaited in the tick).
      expect(samples.length).toBe(11);
    } finally {
      sampler.stopAll();
    }
  });
});

describe('MetricsSampler interval', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  /** A service whose director takes `ms` to answer the status exec (the TCG lab director: 0.6–1.5 s). */
  function slowDirector(ms: number): ClusterService {
    const svc = stalledService() as unknown as Record<string, unknown>;
    const fast = svc.snapshot as () => Promise<unknown>;
    return { ...svc, snapshot: () => new Promise((r) => setTimeout(() => r(fast()), ms)) } as unknown as ClusterService;
  }

  it('counts the interval from the start of one poll to the next: a 600 ms status exec still gives a sample every second (the soak saw 10–12 per 30 s at 1 s)', async () => {
    const samples: number[] = [];
    const sampler = new MetricsSampler({ service: () => slowDirector(600), intervalSec: () => 1, emit: (s) => void samples.push(s.time), log: () => undefined });
    try {
      sampler.watch('lab', true);
      await vi.advanceTimersByTimeAsync(10_700);
      // at 0.6, 1.6, … 10.6 s: 11 (the interval added after each poll gave 7)
      expect(samples.length).toBe(11);
      for (let i = 1; i < samples.length; i++) expect(samples[i]! - samples[i - 1]!).toBe(1000);
    } finally {
      sampler.stopAll();
    }
  });

  it('a director slower than the interval: the next poll after a fifth of the interval, never back to back', async () => {
    const samples: number[] = [];
    const sampler = new MetricsSampler({ service: () => slowDirector(1500), intervalSec: () => 1, emit: (s) => void samples.push(s.time), log: () => undefined });
    try {
      sampler.watch('lab', true);
      await vi.advanceTimersByTimeAsync(17_000);
      // every 1.7 s: at 1.5, 3.2, … 16.8 s
      expect(samples.length).toBe(10);
      for (let i = 1; i < samples.length; i++) expect(samples[i]! - samples[i - 1]!).toBe(1700);
    } finally {
      sampler.stopAll();
    }
  });
});

describe('MetricsSampler history', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('two hours at 1 s keep every sample of the last 5 min and coarser ones before (was all 7,201)', async () => {
    const sampler = new MetricsSampler({ service: () => stalledService(), intervalSec: () => 1, emit: () => undefined, log: () => undefined });
    try {
      sampler.watch('lab', true);
      await vi.advanceTimersByTimeAsync(2 * 3600_000);
      const day = sampler.samples('lab', 24 * 3600_000);
      expect(day.length).toBeLessThanOrEqual(301 + 361 + 61);
      expect(day.length).toBeGreaterThan(300 + 300);
      expect(sampler.samples('lab', 5 * 60_000).length).toBeGreaterThanOrEqual(300);
    } finally {
      sampler.stopAll();
    }
  }, 60_000);
});

const svc = { protocol: 'tcp', address: '10.77.0.100', port: 23 };
const k1 = destinationCounterKey(svc, { address: '10.77.0.11', port: 23 });
const k2 = destinationCounterKey(svc, { address: '10.77.0.12', port: 23 });

describe('CPS from counter deltas', () => {
  it('one new connection a second reads 1.0 (the kernel rate estimate would print 0 or 1), fractions kept', () => {
    const before = new Map([
      [k1, { conns: 100, time: 0 }],
      [k2, { conns: 7, time: 0 }],
    ]);
    const now = new Map([
      [k1, 105],
      [k2, 8],
    ]);
    expect(counterRates(before, now, 5000)).toEqual(
      new Map([
        [k1, 1],
        [k2, 0.2],
      ]),
    );
  });

  it('a destination seen for the first time, or whose counter went back (deleted and re-added), has no rate', () => {
    const before = new Map([[k1, { conns: 100, time: 0 }]]);
    const rates = counterRates(before, new Map([[k1, 3], [k2, 50]]), 5000);
    expect(rates.size).toBe(0);
  });

  it('a sample sums a realserver over its services; without a rate it carries none (not 0)', () => {
    const view = {
      services: [
        { ...svc, scheduler: 'wlc', destinations: [{ address: '10.77.0.11', port: 23, name: 'rs1', forward: 'Masq', weight: 1, activeConns: 2, inactiveConns: 1 }, { address: '10.77.0.12', port: 23, name: 'rs2', forward: 'Masq', weight: 1, activeConns: 0, inactiveConns: 0 }] },
        { protocol: 'udp', address: '10.77.0.100', port: 177, scheduler: 'wlc', destinations: [{ address: '10.77.0.11', port: 177, name: 'rs1', forward: 'Masq', weight: 1, activeConns: 0, inactiveConns: 1 }] },
      ],
    } as unknown as StatusView;
    const cps = new Map([
      [k1, 0.8],
      [destinationCounterKey({ protocol: 'udp', address: '10.77.0.100', port: 177 }, { address: '10.77.0.11', port: 177 }), 0.2],
    ]);
    const s = sampleOf('lab', view, 1, new Map(), cps);
    expect(s.realservers).toEqual([
      { address: '10.77.0.11', name: 'rs1', activeConns: 2, inactiveConns: 2, cps: 1 },
      { address: '10.77.0.12', name: 'rs2', activeConns: 0, inactiveConns: 0 },
    ]);
  });
});

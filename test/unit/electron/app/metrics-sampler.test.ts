import { describe, expect, it } from 'vitest';
import { counterRates } from '../../../../electron/app/metrics-sampler.ts';
import { destinationCounterKey, sampleOf } from '../../../../electron/app/status-mapping.ts';
import type { StatusView } from '../../../../electron/services/status-view.ts';

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

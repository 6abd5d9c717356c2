import { describe, expect, it } from 'vitest';
import { ownServices, runState, splitDrift } from '../../../../../renderer/features/director/cluster-state.ts';

const svc = (address: string, port = 23) => ({ protocol: 'tcp' as const, address, port, family: 'inet' as const, scheduler: 'wlc', destinations: [] });
const status = (over: Partial<Parameters<typeof runState>[0]>) => ({ table: { services: [] }, vipUp: false, forwarding: false, drift: [], health: {}, observedAt: 0, ...over });

describe('the cluster state the Director page shows', () => {
  it('never started / just stopped: VIP down and none of its services → stopped, whatever the drift says', () => {
    const missing = Array.from({ length: 8 }, (_, i) => ({ kind: 'missing' as const, what: `-a … ${i}`, detail: 'add it' }));
    expect(runState(status({ drift: missing }))).toBe('stopped');
    // Another VIP's service on the same director does not make this cluster run.
    expect(runState(status({ table: { services: [svc('10.0.0.101')] }, drift: [{ kind: 'foreign', what: 'tcp 10.0.0.101:23', detail: '' }] }))).toBe('stopped');
  });
  it('the VIP up, or any of its services present → running (differences are drift)', () => {
    expect(runState(status({ vipUp: true }))).toBe('running');
    expect(runState(status({ table: { services: [svc('10.0.0.100')] } }))).toBe('running');
    expect(ownServices(status({ table: { services: [svc('10.0.0.100'), svc('10.0.0.101')] }, drift: [{ kind: 'foreign', what: 'tcp 10.0.0.101:23', detail: '' }] })).map((s) => s.address)).toEqual(['10.0.0.100']);
  });
  it('splits differences to reconcile from notes (draining, other VIPs)', () => {
    const d = splitDrift([
      { kind: 'missing', what: 'a', detail: '' },
      { kind: 'draining', what: 'b', detail: '' },
      { kind: 'foreign', what: 'c', detail: '' },
      { kind: 'changed', what: 'd', detail: '' },
    ]);
    expect(d.differences.map((x) => x.what)).toEqual(['a', 'd']);
    expect(d.notes.map((x) => x.what)).toEqual(['b', 'c']);
  });
});

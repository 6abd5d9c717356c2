import { describe, expect, it } from 'vitest';
import type { IpvsService, IpvsTable } from '../../../../../shared/model/ipvs.ts';
import { drainState, planDrainFollowUp } from '../../../../../electron/lvs/plan/graceful-drain.ts';

const svc = (port: number, dests: IpvsService['destinations']): IpvsService => ({ protocol: 'tcp', address: '10.77.0.50', port, family: 'inet', scheduler: 'wlc', destinations: dests });
const d = (last: number, port: number, weight: number, activeConns?: number, inactiveConns?: number) => ({
  address: `10.77.0.${last}`,
  port,
  forward: 'masq' as const,
  weight,
  ...(activeConns !== undefined ? { activeConns } : {}),
  ...(inactiveConns !== undefined ? { inactiveConns } : {}),
});

describe('drainState', () => {
  it('active while weighted; drained only with known zero connections', () => {
    expect(drainState(d(11, 23, 1, 0, 0))).toBe('active');
    expect(drainState(d(11, 23, 0, 0, 0))).toBe('drained');
    expect(drainState(d(11, 23, 0, 0, 2))).toBe('draining');
    expect(drainState(d(11, 23, 0, 1, 0))).toBe('draining');
    expect(drainState(d(11, 23, 0))).toBe('unknown');
  });
});

describe('planDrainFollowUp', () => {
  const desired: IpvsTable = { services: [svc(23, [d(11, 23, 1)])] };

  it('deletes drained extra destinations, lists the rest as waiting, never touches wanted ones', () => {
    const live: IpvsTable = { services: [svc(23, [d(11, 23, 0, 0, 0), d(12, 23, 0, 0, 0), d(13, 23, 0, 2, 5), d(14, 23, 0), d(15, 23, 3, 1, 1)])] };
    const r = planDrainFollowUp(desired, live);
    expect(r.steps.map((s) => s.argv.join(' '))).toEqual(['ipvsadm -d -t 10.77.0.50:23 -r 10.77.0.12:23']);
    expect(r.steps[0]!.why).toMatch(/weight 0 and no connections left \(ActiveConn 0, InActConn 0\)/);
    expect(r.waiting).toEqual([
      { service: 'tcp 10.77.0.50:23', destination: '10.77.0.13:23', state: 'draining', connections: 7 },
      { service: 'tcp 10.77.0.50:23', destination: '10.77.0.14:23', state: 'unknown' },
      { service: 'tcp 10.77.0.50:23', destination: '10.77.0.15:23', state: 'active', connections: 2 },
    ]);
  });

  it('deletes an extra service once all its destinations are drained (or it has none); until then, its drained ones', () => {
    const part = planDrainFollowUp(desired, { services: [...desired.services, svc(22, [d(11, 22, 0, 0, 0), d(12, 22, 0, 0, 1)])] });
    expect(part.steps.map((s) => s.argv.join(' '))).toEqual(['ipvsadm -d -t 10.77.0.50:22 -r 10.77.0.11:22']);
    const done = planDrainFollowUp(desired, { services: [...desired.services, svc(22, [d(11, 22, 0, 0, 0)]), svc(80, [])] });
    expect(done.steps.map((s) => s.argv.join(' '))).toEqual(['ipvsadm -D -t 10.77.0.50:22', 'ipvsadm -D -t 10.77.0.50:80']);
    expect(done.waiting).toEqual([]);
  });
});

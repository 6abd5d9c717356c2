/**
 * From a health probe to update's decisions and the plan's basis: the route check folded in (wrong routes fail every
 * checked service), the judge (fail → out, unknown → as it is), the basis words and what a stale preview says changed.
 */
import { describe, expect, it } from 'vitest';
import { withRouteProblems, type RealserverProbe } from '../../../../electron/health/service-probe.ts';
import { judgeOf, probeBasis, type ProbeReport } from '../../../../electron/services/cluster-service.ts';
import { describeBasisChanges, type PlanBasis } from '../../../../electron/services/plan-fingerprint.ts';
import { probeLine } from '../../../../electron/services/probe-text.ts';

const probe = (verdicts: [RealserverProbe['services'][number]['verdict'], RealserverProbe['services'][number]['verdict'], RealserverProbe['services'][number]['verdict']]): RealserverProbe => ({
  name: '10.0.0.12',
  address: '10.0.0.12',
  icmp: true,
  services: [
    { protocol: 'tcp', port: 23, check: 'connect', verdict: verdicts[0], detail: verdicts[0] === 'pass' ? 'connect accepted' : 'connect refused or no answer within 1 s' },
    { protocol: 'udp', port: 177, check: 'xdmcp', verdict: verdicts[1], detail: verdicts[1] === 'pass' ? 'Willing' : 'no reply within 1 s (or port unreachable)' },
    { protocol: 'udp', port: 123, check: 'none', verdict: verdicts[2], detail: 'not checked (check: none)' },
  ],
});

describe('route check folded into the probe', () => {
  it('wrong routes fail every checked service (the director cannot see them); unchecked stays unchecked; no problems: unchanged', () => {
    const p = probe(['pass', 'fail', 'unchecked']);
    expect(withRouteProblems(p, [])).toBe(p);
    expect(withRouteProblems(p, undefined)).toBe(p);
    const r = withRouteProblems(p, ['subnet route 10.0.0.0/24 on eth0 lets replies bypass the director (NAT needs them to go through it)']);
    expect(r.services.map((s) => [s.verdict, s.detail])).toEqual([
      ['fail', 'routes: subnet route 10.0.0.0/24 on eth0 lets replies bypass the director (NAT needs them to go through it)'],
      ['fail', 'no reply within 1 s (or port unreachable); routes: subnet route 10.0.0.0/24 on eth0 lets replies bypass the director (NAT needs them to go through it)'],
      ['unchecked', 'not checked (check: none)'],
    ]);
  });
});

describe("update's judge and the plan basis", () => {
  const report: ProbeReport = { ...probe(['pass', 'fail', 'unchecked']), display: 'rs2', routes: { ok: true, problems: [] } };
  const unknown: ProbeReport = { ...probe(['pass', 'unknown', 'unchecked']), display: 'rs2' };
  it('fail → out with the why, pass and unchecked → in, unknown → as it is, not probed → as it is', () => {
    const j = judgeOf([report]);
    const rs2 = { host: '10.0.0.12' } as never;
    expect(j('tcp/23', rs2)).toEqual({ verdict: 'in' });
    expect(j('udp/177', rs2)).toEqual({ verdict: 'out', why: 'no reply within 1 s (or port unreachable)' });
    expect(j('udp/123', rs2)).toEqual({ verdict: 'in' });
    expect(judgeOf([unknown])('udp/177', rs2).verdict).toBe('as-is');
    expect(j('tcp/23', { host: '10.0.0.99' } as never)).toEqual({ verdict: 'as-is', why: 'not probed' });
  });
  it('the basis lists each (service, realserver) verdict; a stale preview says which changed', () => {
    expect(probeBasis([report])).toEqual(['tcp/23 10.0.0.12 in', 'udp/123 10.0.0.12 in', 'udp/177 10.0.0.12 out']);
    const base = { change: { kind: 'verb', verb: 'update' }, profile: {}, table: { services: [] }, vip: { address: '10.0.0.100', up: [] }, sysctls: {}, steps: [] } as unknown as PlanBasis;
    const was = { ...base, health: probeBasis([report]) };
    const now = { ...base, health: probeBasis([{ ...report, services: report.services.map((s) => ({ ...s, verdict: 'pass' as const })) }]) };
    expect(describeBasisChanges(was, now)).toEqual(['10.0.0.12 passes its udp/177 check again']);
    expect(describeBasisChanges(now, was)).toEqual(['10.0.0.12 now fails its udp/177 check']);
  });
  it('says a probe in one line per realserver', () => {
    expect(probeLine(report)).toBe('rs2 10.0.0.12 reachable: telnet (tcp/23) pass; xdmcp (udp/177) FAIL no reply within 1 s (or port unreachable); ntp (udp/123) not checked; routes ok');
  });
});

/**
 * The health loop of a watched cluster: rounds at the profile's interval, folded with its fall/rise, pushed at once
 * when something changes (with the changes for the strip, the notification and the audit log), the route verdict of
 * the last route-checked round applied to the rounds between. The service is a scripted stand-in (pure logic here; the
 * real probe and keepalived are proven in test/lab/health-keepalived.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clusterSchema } from '../../../../shared/model/cluster.ts';
import { describeChange, HealthMonitor, nextRoundAfter, ROUTE_EVERY, type HealthChange } from '../../../../electron/app/health-monitor.ts';
import type { ServiceVerdict } from '../../../../electron/health/service-probe.ts';
import type { ClusterService, HealthRound, ProbeReport } from '../../../../electron/services/cluster-service.ts';
import type { PairStatus } from '../../../../electron/keepalived/pair-plan.ts';

const cluster = clusterSchema.parse({
  id: 'c',
  name: 'Lab',
  director: { host: '10.0.0.1', user: 'root' },
  vip: '10.0.0.100',
  tcp: [{ port: 23 }],
  udp: [{ port: 177 }],
  realservers: [{ host: '10.0.0.11', name: 'rs1' }, { host: '10.0.0.12', name: 'rs2' }],
  health: { intervalSec: 1, fall: 2, rise: 2 },
});

/** A probe report: verdicts for tcp/23 and udp/177 of one realserver. */
const rs = (display: string, host: string, tcp: ServiceVerdict, udp: ServiceVerdict, routes?: string[]): ProbeReport => ({
  name: host,
  address: host,
  display,
  icmp: true,
  services: [
    { protocol: 'tcp', port: 23, check: 'connect', verdict: tcp, detail: tcp === 'pass' ? 'connect accepted' : 'connect refused' },
    { protocol: 'udp', port: 177, check: 'xdmcp', verdict: udp, detail: udp === 'pass' ? 'Willing' : 'no reply within 1 s' },
  ],
  ...(routes ? { routes: { ok: routes.length === 0, problems: routes } } : {}),
});

describe('HealthMonitor', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('pushes the first state, then only real changes (with fall/rise), and says them in words', async () => {
    const rounds: ProbeReport[][] = [
      [rs('rs1', '10.0.0.11', 'pass', 'pass'), rs('rs2', '10.0.0.12', 'pass', 'fail')], // first: rs2 out of xdmcp at once
      [rs('rs1', '10.0.0.11', 'fail', 'pass'), rs('rs2', '10.0.0.12', 'pass', 'pass')], // one failure, one pass: no change
      [rs('rs1', '10.0.0.11', 'fail', 'pass'), rs('rs2', '10.0.0.12', 'pass', 'pass')], // rs1 out of telnet, rs2 back
      [rs('rs1', '10.0.0.11', 'fail', 'unknown'), rs('rs2', '10.0.0.12', 'pass', 'pass')], // nothing new
    ];
    const asked: boolean[] = [];
    let i = 0;
    const svc = {
      cluster,
      health: async (o: { routes?: boolean }): Promise<HealthRound> => {
        asked.push(!!o.routes);
        return { results: rounds[Math.min(i++, rounds.length - 1)]!, policy: { fall: 2, rise: 2 }, source: 'scripted' };
      },
    } as unknown as ClusterService;
    const pushed: { outages: string[]; transitions: HealthChange[] }[] = [];
    const heard: HealthChange[][] = [];
    let now = Date.parse('2026-12-01T13:01:13');
    const m = new HealthMonitor({ service: () => svc, emit: (e) => void pushed.push(e), onTransitions: (_c, ch) => void heard.push(ch), log: () => {}, now: () => now });
    m.watch('c', true);
    await vi.advanceTimersByTimeAsync(0);
    expect(pushed).toHaveLength(1);
    expect(pushed[0]!.transitions.map(describeChange)).toEqual(['rs2 out of xdmcp (udp/177): no reply within 1 s']);
    expect(pushed[0]!.outages).toEqual([`rs2 out of xdmcp since ${new Date(now).toTimeString().slice(0, 8)}`]);
    now += 1000;
    await vi.advanceTimersByTimeAsync(1000);
    expect(pushed).toHaveLength(1); // no change: one failure is not enough (fall 2), one pass is not enough (rise 2)
    now += 1000;
    await vi.advanceTimersByTimeAsync(1000);
    expect(pushed).toHaveLength(2);
    expect(pushed[1]!.transitions.map(describeChange)).toEqual(['rs1 out of telnet (tcp/23): connect refused', 'rs2 back in xdmcp (udp/177)']);
    expect(m.state('c').outages).toEqual([`rs1 out of telnet since ${new Date(now).toTimeString().slice(0, 8)}`]);
    expect(m.perRealserver('c')).toEqual({ rs1: 'down', rs2: 'up' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(pushed).toHaveLength(2);
    expect(heard).toEqual([pushed[0]!.transitions, pushed[1]!.transitions]);
    expect(asked[0]).toBe(true); // routes on the first round, then every ROUTE_EVERY-th
    expect(asked.slice(1, ROUTE_EVERY)).toEqual(Array(Math.min(asked.length - 1, ROUTE_EVERY - 1)).fill(false));
    m.watch('c', false);
    expect(m.state('c').entries).toEqual([]);
  });

  it('keeps a route verdict between route-checked rounds; a failing round keeps the states and says why once', async () => {
    let i = 0;
    const svc = {
      cluster,
      health: async (o: { routes?: boolean }): Promise<HealthRound> => {
        i++;
        if (i === 3) throw new Error('director 10.0.0.1: probe realservers: timed out');
        // rs2's routes are wrong: the director's checks pass, the route check (when run) says so.
        const wrong = rs('rs2', '10.0.0.12', 'pass', 'pass', o.routes ? ['subnet route 10.0.0.0/24 on eth0 lets replies bypass the director'] : undefined);
        return { results: [rs('rs1', '10.0.0.11', 'pass', 'pass'), o.routes ? { ...wrong, services: wrong.services.map((s) => ({ ...s, verdict: 'fail' as const, detail: 'routes: subnet route' })) } : wrong], policy: { fall: 2, rise: 2 }, source: 'scripted' };
      },
    } as unknown as ClusterService;
    const pushed: { outages: string[]; error?: string }[] = [];
    const m = new HealthMonitor({ service: () => svc, emit: (e) => void pushed.push(e), log: () => {} });
    m.watch('c', true);
    await vi.advanceTimersByTimeAsync(0);
    expect(m.perRealserver('c')).toEqual({ rs1: 'up', rs2: 'down' });
    await vi.advanceTimersByTimeAsync(1000); // no route check this round: the last verdict still applies, rs2 stays out
    expect(m.perRealserver('c')).toEqual({ rs1: 'up', rs2: 'down' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(m.state('c').error).toMatch(/timed out/);
    expect(pushed.at(-1)!.error).toMatch(/timed out/);
    const n = pushed.length;
    await vi.advanceTimersByTimeAsync(1000);
    expect(m.state('c').error).toBeUndefined(); // back: pushed once more to clear the error
    expect(pushed.length).toBe(n + 1);
    m.stopAll();
  });

  it('a director pair: tells each failover newer than the first round once (oldest first), and pushes a change of roles', async () => {
    const d = (host: string, which: 'primary' | 'secondary', role: 'MASTER' | 'BACKUP' | 'UNREACHABLE', vip: boolean) => ({ which, host, role, vip, gateway: vip, keepalived: role !== 'UNREACHABLE' });
    const pairs: PairStatus[] = [
      // first round: an old failover already in the logs (not told again), 10.0.0.1 master
      { directors: [d('10.0.0.1', 'primary', 'MASTER', true), d('10.0.0.2', 'secondary', 'BACKUP', false)], vipOn: ['10.0.0.1'], failovers: [{ director: '10.0.0.1', at: 1000 }], problems: [] },
      // unchanged
      { directors: [d('10.0.0.1', 'primary', 'MASTER', true), d('10.0.0.2', 'secondary', 'BACKUP', false)], vipOn: ['10.0.0.1'], failovers: [{ director: '10.0.0.1', at: 1000 }], problems: [] },
      // 10.0.0.1 killed: 10.0.0.2 took over
      { directors: [d('10.0.0.1', 'primary', 'UNREACHABLE', false), d('10.0.0.2', 'secondary', 'MASTER', true)], vipOn: ['10.0.0.2'], failovers: [{ director: '10.0.0.2', at: 5000 }, { director: '10.0.0.1', at: 1000 }], problems: [] },
      // the same again: nothing new
      { directors: [d('10.0.0.1', 'primary', 'UNREACHABLE', false), d('10.0.0.2', 'secondary', 'MASTER', true)], vipOn: ['10.0.0.2'], failovers: [{ director: '10.0.0.2', at: 5000 }, { director: '10.0.0.1', at: 1000 }], problems: [] },
    ];
    let i = 0;
    const svc = {
      cluster,
      health: async (): Promise<HealthRound> => ({ results: [rs('rs1', '10.0.0.11', 'pass', 'pass')], policy: { fall: 1, rise: 1 }, source: 'scripted', pair: pairs[Math.min(i++, pairs.length - 1)]! }),
    } as unknown as ClusterService;
    const pushed: { pair?: PairStatus }[] = [];
    const told: string[] = [];
    const m = new HealthMonitor({ service: () => svc, emit: (e) => void pushed.push(e), onFailover: (_c, f, p) => void told.push(`${f.map((x) => `${x.director}@${x.at}`).join(',')} ${p.vipOn.join()}`), log: () => {} });
    m.watch('c', true);
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(told).toEqual([]);
    expect(pushed).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(told).toEqual(['10.0.0.2@5000 10.0.0.2']);
    expect(pushed).toHaveLength(2);
    expect(pushed[1]!.pair!.vipOn).toEqual(['10.0.0.2']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(told).toHaveLength(1);
    expect(pushed).toHaveLength(2);
    expect(m.state('c').pair!.directors.map((x) => x.role)).toEqual(['UNREACHABLE', 'MASTER']);
    m.watch('c', false);
  });

  it('a round that takes longer than the interval: the next starts as long after it as it took (the director busy half the time at most)', async () => {
    // Rounds take 3 s on the (fake) clock; the interval is 1 s. Round starts: 0, then 3 s + 3 s later, and so on.
    const starts: number[] = [];
    const svc = {
      cluster,
      health: async (): Promise<HealthRound> => {
        starts.push(Date.now());
        await new Promise((r) => setTimeout(r, 3000));
        return { results: [rs('rs1', '10.0.0.11', 'pass', 'pass')], policy: { fall: 1, rise: 1 }, source: 'scripted' };
      },
    } as unknown as ClusterService;
    const m = new HealthMonitor({ service: () => svc, emit: () => {}, log: () => {}, now: () => Date.now() });
    const t0 = Date.now();
    m.watch('c', true);
    await vi.advanceTimersByTimeAsync(20_000);
    m.watch('c', false);
    expect(starts.map((t) => t - t0)).toEqual([0, 6000, 12000, 18000]);
  });
});

describe('nextRoundAfter', () => {
  it('is the interval, or the time the round took when longer', () => {
    expect(nextRoundAfter(1, 0.2)).toBe(1);
    expect(nextRoundAfter(1, 7.5)).toBe(7.5);
    expect(nextRoundAfter(5, Number.NaN)).toBe(5);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeOutages, foldProbe, healthKey, stepHealth, type FallRise, type TrackedHealth } from '../../../../electron/health/hysteresis.ts';
import type { RealserverProbe, ServiceVerdict } from '../../../../electron/health/service-probe.ts';

const verdicts = fc.array(fc.constantFrom<ServiceVerdict>('pass', 'fail', 'unknown', 'unchecked'), { maxLength: 60 });
const policy = fc.record({ fall: fc.integer({ min: 1, max: 10 }), rise: fc.integer({ min: 1, max: 10 }) });

/** The rule in words, run over the whole history (not step by step): the reference the fold is held to. */
function reference(history: ServiceVerdict[], p: FallRise): { state: TrackedHealth['state']; sinceIndex: number } {
  const counted = history.map((v, i) => ({ v, i })).filter((x) => x.v === 'pass' || x.v === 'fail');
  if (counted.length === 0) return { state: 'unknown', sinceIndex: -1 };
  let state: 'up' | 'down' = counted[0]!.v === 'pass' ? 'up' : 'down';
  let since = counted[0]!.i;
  let run = 0;
  for (const { v, i } of counted.slice(1)) {
    const good = v === 'pass';
    if ((state === 'up') === good) run = 0;
    else if (++run >= (good ? p.rise : p.fall)) {
      state = good ? 'up' : 'down';
      since = i;
      run = 0;
    }
  }
  return { state, sinceIndex: since };
}

const fold = (history: ServiceVerdict[], p: FallRise) => {
  let h: TrackedHealth | undefined;
  const changes: number[] = [];
  history.forEach((v, i) => {
    const r = stepHealth(h, v, 1000 * i, p);
    if (r.changed) changes.push(i);
    h = r.next;
  });
  return { h, changes };
};

describe('hysteresis per (service, realserver)', () => {
  it('agrees with the rule run over the whole history (state and since)', () => {
    fc.assert(
      fc.property(verdicts, policy, (history, p) => {
        const { h } = fold(history, p);
        const ref = reference(history, p);
        expect(h?.state ?? 'unknown').toBe(ref.state);
        if (ref.state !== 'unknown') expect(h!.since).toBe(1000 * ref.sinceIndex);
      }),
      { numRuns: 2000 },
    );
  });
  it('an up service never goes down with fewer than `fall` failures in a row, and always does with `fall`', () => {
    fc.assert(
      fc.property(policy, fc.array(fc.constantFrom<ServiceVerdict>('fail', 'unknown', 'unchecked'), { maxLength: 30 }), (p, tail) => {
        const fails = tail.filter((v) => v === 'fail').length;
        const { h } = fold(['pass', ...tail], p);
        expect(h!.state).toBe(fails >= p.fall ? 'down' : 'up');
      }),
    );
  });
  it('a down service comes back only after `rise` passes in a row; one failure in between starts the count again', () => {
    fc.assert(
      fc.property(policy, fc.integer({ min: 0, max: 12 }), (p, passes) => {
        const { h } = fold(['fail', ...Array<ServiceVerdict>(passes).fill('pass')], p);
        expect(h!.state).toBe(passes >= p.rise ? 'up' : 'down');
        if (p.rise > 1) {
          const again = fold(['fail', ...Array<ServiceVerdict>(p.rise - 1).fill('pass'), 'fail', ...Array<ServiceVerdict>(p.rise - 1).fill('pass')], p);
          expect(again.h!.state).toBe('down');
        }
      }),
    );
  });
  it('`changed` is true exactly at the results where the state changes, and since moves only then', () => {
    fc.assert(
      fc.property(verdicts, policy, (history, p) => {
        let h: TrackedHealth | undefined;
        history.forEach((v, i) => {
          const r = stepHealth(h, v, i, p);
          expect(r.changed).toBe((h?.state ?? 'unknown') !== r.next.state);
          if (!r.changed && h) expect(r.next.since).toBe(h.since);
          if (r.changed) expect(r.next.since).toBe(i);
          h = r.next;
        });
      }),
    );
  });
  it('the defaults (fall 2, rise 2): one lost answer does nothing, two take it out; the first result decides at once', () => {
    const p = { fall: 2, rise: 2 };
    expect(fold(['pass', 'fail'], p).h!.state).toBe('up');
    expect(fold(['pass', 'fail', 'pass', 'fail'], p).h!.state).toBe('up');
    expect(fold(['pass', 'fail', 'fail'], p)).toMatchObject({ h: { state: 'down', since: 2000 }, changes: [0, 2] });
    expect(fold(['fail'], p).h!.state).toBe('down');
    expect(fold(['unknown', 'unchecked'], p).h!.state).toBe('unknown');
  });
});

describe('a whole probe run folded, and the status sentence', () => {
  const probe = (name: string, v: Record<string, ServiceVerdict>): RealserverProbe => ({
    name,
    address: name,
    icmp: true,
    services: Object.entries(v).map(([id, verdict]) => {
      const [protocol, port] = id.split('/') as ['tcp' | 'udp', string];
      return { protocol, port: Number(port), check: protocol === 'tcp' ? 'connect' : 'xdmcp', verdict, detail: '' };
    }),
  });
  const t0 = new Date(2026, 0, 1, 13, 1, 12).getTime();
  const p = { fall: 2, rise: 2 };
  it('reports transitions with their time and says who is out of what since when', () => {
    let book = foldProbe(new Map(), [probe('rs1', { 'tcp/23': 'pass', 'udp/177': 'pass' }), probe('rs2', { 'tcp/23': 'pass', 'udp/177': 'pass' })], t0, p);
    expect(book.transitions.map((t) => `${t.realserver} ${t.service} ${t.from}→${t.to}`)).toEqual([
      'rs1 tcp/23 unknown→up',
      'rs1 udp/177 unknown→up',
      'rs2 tcp/23 unknown→up',
      'rs2 udp/177 unknown→up',
    ]);
    const fails = [probe('rs1', { 'tcp/23': 'pass', 'udp/177': 'pass' }), probe('rs2', { 'tcp/23': 'fail', 'udp/177': 'fail' })];
    book = foldProbe(book.book, fails, t0 + 500, p);
    expect(book.transitions).toEqual([]);
    book = foldProbe(book.book, fails, t0 + 1000, p);
    expect(book.transitions).toEqual([
      { service: 'tcp/23', realserver: 'rs2', from: 'up', to: 'down', at: t0 + 1000 },
      { service: 'udp/177', realserver: 'rs2', from: 'up', to: 'down', at: t0 + 1000 },
    ]);
    const names: Record<string, string> = { 'tcp/23': 'telnet', 'udp/177': 'xdmcp' };
    expect(describeOutages(book.book, (s) => names[s] ?? s)).toEqual(['rs2 out of telnet and xdmcp since 13:01:13']);
    const later = new Map(book.book);
    later.set(healthKey('udp/177', 'rs2'), { state: 'down', since: t0 + 5000, streak: 0 });
    later.set(healthKey('tcp/22', 'rs2'), { state: 'down', since: t0 + 1000, streak: 0 });
    expect(describeOutages(later, (s) => names[s] ?? s)).toEqual(['rs2 out of tcp/22 and telnet since 13:01:13 and of xdmcp since 13:01:17']);
  });
  it('keeps the old book unchanged and does not track never-judged services', () => {
    const old = new Map<string, TrackedHealth>();
    const r = foldProbe(old, [probe('rs1', { 'udp/177': 'unknown' })], t0, p);
    expect(old.size).toBe(0);
    expect(r.book.size).toBe(0);
    expect(r.transitions).toEqual([]);
  });
});

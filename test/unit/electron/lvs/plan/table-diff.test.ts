import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { destinationKey, serviceKey, type IpvsDestination, type IpvsService, type IpvsTable } from '../../../../../shared/model/ipvs.ts';
import { formatSaveLines } from '../../../../../electron/lvs/ipvs/ipvs-rules.ts';
import { applyStepsToTable, canonicalTable, diffTables, sameTable } from '../../../../../electron/lvs/plan/table-diff.ts';
import { arbDesiredAndLive, arbTable, withCounters, withoutThresholds } from './table-arbitraries.ts';

const EMPTY: IpvsTable = { services: [] };
const restore = (text: string) => [{ argv: ['ipvsadm', '-R'], stdin: text }];

const telnet: IpvsService = {
  protocol: 'tcp',
  address: '10.77.0.50',
  port: 23,
  family: 'inet',
  scheduler: 'wlc',
  destinations: [
    { address: '10.77.0.11', port: 23, forward: 'masq', weight: 1 },
    { address: '10.77.0.12', port: 23, forward: 'masq', weight: 1 },
  ],
};
const xdmcp: IpvsService = { ...telnet, protocol: 'udp', port: 177, persistent: { timeout: 360 }, destinations: telnet.destinations.map((d) => ({ ...d, port: 177 })) };
const seed: IpvsTable = { services: [telnet, xdmcp] };
const cmds = (t: IpvsTable, live: IpvsTable, graceful = false) => diffTables(t, live, { graceful }).map((s) => s.argv.join(' '));

describe('diffTables: examples', () => {
  it('is empty when in sync, whatever the counters say', () => {
    expect(diffTables(seed, withCounters(seed))).toEqual([]);
    expect(sameTable(seed, withCounters(seed))).toBe(true);
  });

  it('builds a whole table from nothing: -A then its -a lines', () => {
    expect(cmds(seed, EMPTY)).toEqual([
      'ipvsadm -A -t 10.77.0.50:23 -s wlc',
      'ipvsadm -a -t 10.77.0.50:23 -r 10.77.0.11:23 -m -w 1',
      'ipvsadm -a -t 10.77.0.50:23 -r 10.77.0.12:23 -m -w 1',
      'ipvsadm -A -u 10.77.0.50:177 -s wlc -p 360',
      'ipvsadm -a -u 10.77.0.50:177 -r 10.77.0.11:177 -m -w 1',
      'ipvsadm -a -u 10.77.0.50:177 -r 10.77.0.12:177 -m -w 1',
    ]);
  });

  it('one changed weight is one -e step, with a why that says what changed', () => {
    const live = structuredClone(seed);
    live.services[1]!.destinations[0]!.weight = 5;
    const steps = diffTables(seed, live);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toEqual({ host: 'director', argv: ['ipvsadm', '-e', '-u', '10.77.0.50:177', '-r', '10.77.0.11:177', '-m', '-w', '1'], why: '10.77.0.11:177 in udp 10.77.0.50:177: weight 5 → 1' });
  });

  it('edits a service whose scheduler or persistence changed, and deletes extra services and realservers', () => {
    const live: IpvsTable = {
      services: [
        { ...telnet, scheduler: 'rr', persistent: { timeout: 60 }, destinations: [...telnet.destinations, { address: '10.77.0.13', port: 23, forward: 'masq', weight: 1 }] },
        xdmcp,
        { ...telnet, port: 22, destinations: [] },
      ],
    };
    const steps = diffTables(seed, live);
    expect(steps.map((s) => s.argv.join(' '))).toEqual(['ipvsadm -E -t 10.77.0.50:23 -s wlc', 'ipvsadm -d -t 10.77.0.50:23 -r 10.77.0.13:23', 'ipvsadm -D -t 10.77.0.50:22']);
    expect(steps[0]!.why).toBe('tcp 10.77.0.50:23: scheduler rr → wlc, persistent 60 s, mask 255.255.255.255 → not persistent');
  });

  it('treats a changed realserver port as a new destination plus a deleted one', () => {
    const live = structuredClone(seed);
    live.services[0]!.destinations[0]!.port = 2323;
    expect(cmds(seed, live)).toEqual(['ipvsadm -a -t 10.77.0.50:23 -r 10.77.0.11:23 -m -w 1', 'ipvsadm -d -t 10.77.0.50:23 -r 10.77.0.11:2323']);
  });

  it('compares a -g destination at the port ipvsadm will give it (the service port), so the diff converges', () => {
    const want: IpvsTable = { services: [{ ...telnet, destinations: [{ address: '10.77.0.11', port: 2323, forward: 'route', weight: 1 }] }] };
    const steps = diffTables(want, EMPTY);
    const after = applyStepsToTable(EMPTY, steps);
    expect(after.services[0]!.destinations[0]!.port).toBe(23);
    expect(diffTables(want, after)).toEqual([]);
  });

  it('accepts a live Local destination for any wanted forwarding (the kernel reports local addresses as Local)', () => {
    const live = structuredClone(seed);
    live.services[0]!.destinations[0]!.forward = 'local';
    expect(diffTables(seed, live)).toEqual([]);
  });

  it('refuses a desired table with a duplicate service or destination', () => {
    expect(() => diffTables({ services: [telnet, telnet] }, EMPTY)).toThrow(/twice/);
    expect(() => diffTables({ services: [{ ...telnet, destinations: [telnet.destinations[0]!, telnet.destinations[0]!] }] }, EMPTY)).toThrow(/10.77.0.11:23 twice/);
  });
});

describe('diffTables: graceful removal', () => {
  const extra = { address: '10.77.0.13', port: 23, forward: 'masq' as const, weight: 2 };
  const live = (d: Partial<typeof extra> & { activeConns?: number; inactiveConns?: number }) => ({ services: [{ ...telnet, destinations: [...telnet.destinations, { ...extra, ...d }] }, xdmcp] });

  it('sets weight 0 first (marked for a follow-up) instead of deleting', () => {
    const steps = diffTables(seed, live({ activeConns: 4, inactiveConns: 1 }), { graceful: true });
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ argv: ['ipvsadm', '-e', '-t', '10.77.0.50:23', '-r', '10.77.0.13:23', '-m', '-w', '0'], followUp: 'delete-when-drained' });
  });
  it('waits while a weight-0 destination still has connections or its counters are unknown, deletes it once drained', () => {
    expect(diffTables(seed, live({ weight: 0, activeConns: 0, inactiveConns: 3 }), { graceful: true })).toEqual([]);
    expect(diffTables(seed, live({ weight: 0 }), { graceful: true })).toEqual([]);
    expect(cmds(seed, live({ weight: 0, activeConns: 0, inactiveConns: 0 }), true)).toEqual(['ipvsadm -d -t 10.77.0.50:23 -r 10.77.0.13:23']);
  });
  it('drains an extra service before deleting it', () => {
    const l = { services: [...seed.services, { ...telnet, port: 22, destinations: [{ ...extra, port: 22, activeConns: 1, inactiveConns: 0 }] }] };
    expect(cmds(seed, l, true)).toEqual(['ipvsadm -e -t 10.77.0.50:22 -r 10.77.0.13:22 -m -w 0']);
    l.services[2]!.destinations[0]!.weight = 0;
    l.services[2]!.destinations[0]!.activeConns = 0;
    expect(cmds(seed, l, true)).toEqual(['ipvsadm -D -t 10.77.0.50:22']);
  });
});

describe('applyStepsToTable (ipvsadm simulator)', () => {
  it('fails as ipvsadm would, naming the step and the -R line', () => {
    expect(() => applyStepsToTable(seed, [{ argv: ['ipvsadm', '-A', '-t', '10.77.0.50:23', '-s', 'rr'] }])).toThrow(/Service already exists \(tcp 10.77.0.50:23\)/);
    expect(() => applyStepsToTable(EMPTY, [{ argv: ['ipvsadm', '-a', '-t', '10.77.0.50:23', '-r', '10.77.0.11:23'] }])).toThrow(/Service not defined/);
    expect(() => applyStepsToTable(seed, [{ argv: ['ipvsadm', '-d', '-t', '10.77.0.50:23', '-r', '10.77.0.99:23'] }])).toThrow(/No such destination/);
    expect(() => applyStepsToTable(EMPTY, restore('-A -t 10.0.0.1:80 -s rr\n-A -t 10.0.0.1:80 -s rr\n'))).toThrow(/line 2: Service already exists/);
  });
  it('-C empties the table; ip and sysctl steps leave it alone', () => {
    expect(applyStepsToTable(seed, [{ argv: ['sysctl', '-w', 'net.ipv4.ip_forward=1'] }, { argv: ['ipvsadm', '-C'] }])).toEqual(EMPTY);
  });
});

/**
 * `after` with each destination the kernel reports as Local given the forwarding (and tunnel) `desired` wants: Local
 * matches any forwarding (diffTables leaves it alone), so only that part may differ.
 */
function localAsWanted(after: IpvsTable, desired: IpvsTable): IpvsTable {
  const want = new Map(desired.services.flatMap((s) => s.destinations.map((d) => [`${serviceKey(s)} ${destinationKey(d)}`, d] as const)));
  return {
    services: after.services.map((s) => ({
      ...s,
      destinations: s.destinations.map((d) => {
        const w = want.get(`${serviceKey(s)} ${destinationKey(d)}`);
        if (d.forward !== 'local' || !w) return d;
        const o: IpvsDestination = { ...d, forward: w.forward };
        if (w.tunType !== undefined) o.tunType = w.tunType;
        return o;
      }),
    })),
  };
}

describe('properties', () => {
  it('model → formatSaveLines → simulated `ipvsadm -R` → the same table (less thresholds, which -S does not save)', () => {
    fc.assert(
      fc.property(arbTable, (t) => {
        const back = applyStepsToTable(EMPTY, restore(formatSaveLines(t)));
        expect(canonicalTable(back)).toEqual(canonicalTable(withoutThresholds(t)));
        expect(formatSaveLines(back)).toBe(formatSaveLines(t));
      }),
      { numRuns: 300 },
    );
  });

  it('applying diff(desired, live) to live gives desired', () => {
    fc.assert(
      fc.property(arbDesiredAndLive, ([desired, live]) => {
        const after = applyStepsToTable(live, diffTables(desired, live));
        expect(canonicalTable(localAsWanted(after, desired))).toEqual(canonicalTable(desired));
        expect(diffTables(desired, after)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('in sync → zero steps (counters ignored)', () => {
    fc.assert(
      fc.property(arbTable, fc.nat(), (t, seedN) => {
        expect(diffTables(t, withCounters(structuredClone(t), seedN))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('one changed weight → exactly one -e step', () => {
    const withDest = arbTable.filter((t) => t.services.some((s) => s.destinations.length > 0));
    fc.assert(
      fc.property(withDest, fc.nat(), fc.integer({ min: 0, max: 65535 }), (t, pick, w) => {
        const all = t.services.flatMap((s, si) => s.destinations.map((_, di) => [si, di] as const));
        const [si, di] = all[pick % all.length]!;
        const live = structuredClone(t);
        const d = live.services[si]!.destinations[di]!;
        fc.pre(d.weight !== w);
        d.weight = w;
        const steps = diffTables(t, live);
        expect(steps).toHaveLength(1);
        expect(steps[0]!.argv[1]).toBe('-e');
        expect(steps[0]!.argv).toContain(destinationKey(t.services[si]!.destinations[di]!));
      }),
      { numRuns: 200 },
    );
  });

  it('one changed destination field (weight, either threshold, forwarding, tunnel) → exactly one -e step that sets it', () => {
    const withDest = arbTable.filter((t) => t.services.some((s) => s.destinations.length > 0));
    const field = fc.constantFrom('weight', 'upper', 'lower', 'forward', 'tunnel');
    fc.assert(
      fc.property(withDest, fc.nat(), field, fc.integer({ min: 1, max: 2 ** 32 - 1 }), (t, pick, f, v) => {
        const all = t.services.flatMap((s, si) => s.destinations.map((_, di) => [si, di] as const));
        const [si, di] = all[pick % all.length]!;
        const live = structuredClone(t);
        const svc = live.services[si]!;
        const d = svc.destinations[di]!;
        if (f === 'weight') d.weight = d.weight === 7 ? 8 : 7;
        if (f === 'upper') d.upperThreshold = d.upperThreshold === v ? v - 1 || undefined : v;
        if (f === 'lower') d.lowerThreshold = d.lowerThreshold === v ? v - 1 || undefined : v;
        if (f === 'forward') {
          fc.pre(d.forward !== 'masq' || svc.protocol === 'fwmark' || d.port === svc.port);
          d.forward = d.forward === 'masq' ? 'tunnel' : 'masq';
          delete d.tunType;
        }
        if (f === 'tunnel') {
          fc.pre(d.forward === 'tunnel');
          d.tunType = d.tunType === 'gue:6080:csum' ? 'gre:nocsum' : 'gue:6080:csum';
        }
        const steps = diffTables(t, live);
        expect(steps).toHaveLength(1);
        expect(steps[0]!.argv[1]).toBe('-e');
        const want = t.services[si]!.destinations[di]!;
        // the -e carries the wanted thresholds (or none: ipvsadm -e resets what it is not given)
        expect(steps[0]!.argv.includes('-y')).toBe(!!want.lowerThreshold);
        expect(steps[0]!.argv.includes('-x')).toBe(!!want.upperThreshold);
        expect(canonicalTable(applyStepsToTable(live, steps))).toEqual(canonicalTable(t));
      }),
      { numRuns: 400 },
    );
  });

  it('the random tables change every field the diff compares, each one alone too (a fixed sample)', () => {
    // What a -e/-E step's why can say changed. Each must show up as the ONLY change of some step: a generator that only
    // ever changes it along with something else (or never) leaves its own code path untested.
    const KINDS: Record<string, RegExp> = {
      weight: /weight \d+ → \d+/,
      forwarding: /forwarding \w+ → \w+/,
      'upper threshold': /upper threshold \d+ → \d+/,
      'lower threshold': /lower threshold \d+ → \d+/,
      tunnel: /tunnel \S+ → \S+/,
      scheduler: /scheduler \w+ → \w+/,
      persistence: /(persistent \d+ s, mask \S+|not persistent) → (persistent \d+ s, mask \S+|not persistent)/,
      'persistence engine': /persistence engine \S+ → \S+/,
      flags: /flags \S+ → \S+/,
    };
    const alone = new Set<string>();
    const words = new Set<string>();
    for (const [desired, live] of fc.sample(arbDesiredAndLive, { numRuns: 400, seed: 8 })) {
      for (const st of diffTables(desired, live)) {
        for (const w of ['-A', '-E', '-D', '-a', '-e', '-d', '-x', '-y', '-p', '-M', '--pe', '-o', '-b', '-m', '-g', '-i', '--tun-type', '-6', '-f', '--sctp-service']) if (st.argv.includes(w)) words.add(w);
        const kinds = Object.keys(KINDS).filter((k) => KINDS[k]!.test(st.why));
        if (kinds.length === 1) alone.add(kinds[0]!);
      }
    }
    expect([...alone].sort()).toEqual(Object.keys(KINDS).sort());
    expect(words.size).toBe(20);
  });

  it('graceful: afterwards every desired destination is as desired and every extra one is at weight 0 or gone', () => {
    fc.assert(
      fc.property(arbDesiredAndLive, ([desired, live]) => {
        const after = applyStepsToTable(live, diffTables(desired, live, { graceful: true }));
        const want = canonicalTable(desired);
        const got = new Map(canonicalTable(localAsWanted(after, desired)).services.map((s) => [`${s.protocol} ${s.address} ${s.port} ${s.fwmark} ${s.family}`, s]));
        for (const s of want.services) {
          const g = got.get(`${s.protocol} ${s.address} ${s.port} ${s.fwmark} ${s.family}`)!;
          expect({ ...g, destinations: g.destinations.filter((d) => s.destinations.some((x) => destinationKey(x) === destinationKey(d))) }).toEqual(s);
          for (const d of g.destinations) if (!s.destinations.some((x) => destinationKey(x) === destinationKey(d))) expect(d.weight).toBe(0);
        }
        for (const [k, g] of got) if (!want.services.some((s) => `${s.protocol} ${s.address} ${s.port} ${s.fwmark} ${s.family}` === k)) expect(g.destinations.every((d) => d.weight === 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

import type { RealserverProbe, ServiceVerdict } from './service-probe.ts';
import { serviceId } from './service-probe.ts';

/** How many consecutive results flip a realserver's state, so one lost ping doesn't pull it from the table. */
export interface HysteresisPolicy {
  downAfter: number;
  upAfter: number;
}

/** The tracked state of one realserver. */
export interface HealthState {
  state: 'up' | 'down' | 'unknown';
  streak: number;
}

/** The default: out after 2 failed probes in a row, back after 2 good ones (first result decides at once). */
export const DEFAULT_HYSTERESIS: HysteresisPolicy = { downAfter: 2, upAfter: 2 };

/** Folds one probe result into the state. Unknown → the first result decides at once (as the seed's cron does). */
export function nextHealth(prev: HealthState | undefined, alive: boolean, policy: HysteresisPolicy = DEFAULT_HYSTERESIS): HealthState {
  if (!prev || prev.state === 'unknown') return { state: alive ? 'up' : 'down', streak: 0 };
  const agrees = (prev.state === 'up') === alive;
  if (agrees) return { state: prev.state, streak: 0 };
  const streak = prev.streak + 1;
  const needed = alive ? policy.upAfter : policy.downAfter;
  return streak >= needed ? { state: alive ? 'up' : 'down', streak: 0 } : { state: prev.state, streak };
}

// ---------------------------------------------------------------- per (service, realserver), with timestamps

/** The profile's hysteresis (cluster.health): out after `fall` failures in a row, back after `rise` passes in a row. */
export interface FallRise {
  fall: number;
  rise: number;
}

/**
 * One (service, realserver)'s tracked health: its state, since when (ms since the epoch, the time of the result that
 * set it), and how many results in a row have disagreed with it so far.
 */
export interface TrackedHealth {
  state: 'up' | 'down' | 'unknown';
  since: number;
  streak: number;
}

/** A change of state, for the status strip, notifications and the audit log. */
export interface HealthTransition {
  /** serviceId(): "tcp/23". */
  service: string;
  /** The realserver's profile name. */
  realserver: string;
  from: TrackedHealth['state'];
  to: 'up' | 'down';
  at: number;
}

/**
 * Folds one result into one (service, realserver)'s state at time `at`:
 *   - `pass`/`fail` count; `unknown` (the check could not run) and `unchecked` (check: none) leave everything as is;
 *   - from `unknown` (never judged) the first pass or fail decides at once (a one-shot `update` has no history);
 *   - from `up`, `fall` failures in a row take it down; from `down`, `rise` passes in a row bring it back;
 *     a result that agrees with the state resets the streak.
 * `changed` is true exactly when `state` changed.
 */
export function stepHealth(prev: TrackedHealth | undefined, verdict: ServiceVerdict, at: number, policy: FallRise): { next: TrackedHealth; changed: boolean } {
  const cur = prev ?? { state: 'unknown' as const, since: at, streak: 0 };
  if (verdict !== 'pass' && verdict !== 'fail') return { next: cur, changed: false };
  const good = verdict === 'pass';
  if (cur.state === 'unknown') return { next: { state: good ? 'up' : 'down', since: at, streak: 0 }, changed: true };
  if ((cur.state === 'up') === good) return { next: cur.streak === 0 ? cur : { ...cur, streak: 0 }, changed: false };
  const streak = cur.streak + 1;
  if (streak >= (good ? policy.rise : policy.fall)) return { next: { state: good ? 'up' : 'down', since: at, streak: 0 }, changed: true };
  return { next: { ...cur, streak }, changed: false };
}

/** The key of one (service, realserver) in a HealthBook: "tcp/23 rs2". */
export function healthKey(service: string, realserver: string): string {
  return `${service} ${realserver}`;
}

/** Every tracked (service, realserver), keyed by healthKey(). */
export type HealthBook = ReadonlyMap<string, TrackedHealth>;

/**
 * Folds a whole probe run (parseServiceProbe's result) taken at `at` into `book`: returns the new book (the old one is
 * not modified) and the transitions, in probe order. Entries of realservers or services no longer probed are kept.
 */
export function foldProbe(book: HealthBook, results: readonly RealserverProbe[], at: number, policy: FallRise): { book: Map<string, TrackedHealth>; transitions: HealthTransition[] } {
  const out = new Map(book);
  const transitions: HealthTransition[] = [];
  for (const r of results) {
    for (const s of r.services) {
      const service = serviceId(s);
      const k = healthKey(service, r.name);
      const prev = out.get(k);
      const { next, changed } = stepHealth(prev, s.verdict, at, policy);
      if (prev !== undefined || next.state !== 'unknown') out.set(k, next);
      if (changed && next.state !== 'unknown') transitions.push({ service, realserver: r.name, from: prev?.state ?? 'unknown', to: next.state, at });
    }
  }
  return { book: out, transitions };
}

/** HH:MM:SS of a time in the machine's local zone. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

const joinAnd = (xs: string[]): string => (xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/**
 * One sentence per realserver that is out of something: "rs2 out of telnet and xdmcp since 13:01:13", or with
 * different times "rs2 out of telnet since 13:01:13 and of xdmcp since 13:05:40". `label` names a service
 * ("tcp/23" → "telnet"); realservers in book order of first appearance, services by time then label.
 */
export function describeOutages(book: HealthBook, label: (service: string) => string = (s) => s, time: (ms: number) => string = clockTime): string[] {
  const down = new Map<string, { service: string; since: number }[]>();
  for (const [k, h] of book) {
    if (h.state !== 'down') continue;
    const i = k.indexOf(' ');
    const service = k.slice(0, i);
    const rs = k.slice(i + 1);
    if (!down.has(rs)) down.set(rs, []);
    down.get(rs)!.push({ service, since: h.since });
  }
  return [...down].map(([rs, list]) => {
    const bySince = new Map<number, string[]>();
    for (const d of [...list].sort((a, b) => a.since - b.since || label(a.service).localeCompare(label(b.service)))) {
      if (!bySince.has(d.since)) bySince.set(d.since, []);
      bySince.get(d.since)!.push(label(d.service));
    }
    const parts = [...bySince].map(([since, names]) => `${joinAnd(names)} since ${time(since)}`);
    return `${rs} out of ${parts.join(' and of ')}`;
  });
}

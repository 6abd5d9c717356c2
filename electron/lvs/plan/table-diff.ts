/**
 * The minimal diff between the table a profile asks for and the live one (kube-proxy style: add what is missing, change
 * what differs, remove what is extra, nothing when in sync), plus a pure simulator of the ipvsadm commands that lets tests
 * check "apply(diff(desired, live), live) = desired". Counters (stats, rates, connections) never count as a difference.
 */
import { destinationKey, serviceKey, type IpvsDestination, type IpvsService, type IpvsTable } from '../../../shared/model/ipvs.ts';
import { AppError } from '../../../shared/result.ts';
import { planDrainFollowUp } from './graceful-drain.ts';
import {
  deleteDestinationArgs,
  deleteServiceArgs,
  destinationArgs,
  destinationPortAsStored,
  IPVSADM,
  parseRuleArgs,
  schedFlags,
  serviceArgs,
  sortDests,
  sortServices,
  type IpvsRule,
} from '../ipvs/ipvs-rules.ts';
import { DIRECTOR, type PlanStep } from '../../../shared/model/plan.ts';
import { shellQuote } from '../../shell/shell-quote.ts';

/** Options of diffTables. */
export interface DiffOptions {
  /**
   * Remove realservers gracefully: an extra destination with weight > 0 gets `-e … -w 0` (marked followUp
   * 'delete-when-drained'); one already at weight 0 is deleted only once ActiveConn + InActConn = 0 (graceful-drain.ts);
   * an extra service is deleted once all its destinations are drained.
   */
  graceful?: boolean;
}

const step = (argv: string[], why: string, extra: Partial<PlanStep> = {}): PlanStep => ({ host: DIRECTOR, argv: [IPVSADM, ...argv], why, ...extra });

const netmaskOf = (s: IpvsService): string => s.persistent?.netmask ?? (s.family === 'inet6' ? '128' : '255.255.255.255');
const flagsOf = (s: IpvsService): string => [...(s.flags?.includes('ops') ? ['ops'] : []), ...schedFlags(s)].join(',');
const persistOf = (s: IpvsService): string => (s.persistent ? `persistent ${s.persistent.timeout} s, mask ${netmaskOf(s)}` : 'not persistent');
const tunOf = (d: IpvsDestination): string => (d.forward === 'tunnel' ? (d.tunType ?? 'ipip') : '');

/** What differs in a service's own options (scheduler, persistence, persistence engine, flags), as readable parts; [] when the same. */
export function serviceChanges(want: IpvsService, have: IpvsService): string[] {
  const out: string[] = [];
  if (want.scheduler !== have.scheduler) out.push(`scheduler ${have.scheduler} → ${want.scheduler}`);
  if (persistOf(want) !== persistOf(have)) out.push(`${persistOf(have)} → ${persistOf(want)}`);
  if ((want.persistenceEngine ?? '') !== (have.persistenceEngine ?? '')) out.push(`persistence engine ${have.persistenceEngine ?? 'none'} → ${want.persistenceEngine ?? 'none'}`);
  if (flagsOf(want) !== flagsOf(have)) out.push(`flags ${flagsOf(have) || 'none'} → ${flagsOf(want) || 'none'}`);
  return out;
}

/**
 * What differs in a destination (weight, forwarding, thresholds, tunnel type), as readable parts; [] when the same. A
 * live forward of 'local' matches any wanted forward: the kernel reports a destination on a local address as Local
 * whatever -m/-g/-i it was added with.
 */
export function destinationChanges(want: IpvsDestination, have: IpvsDestination): string[] {
  const out: string[] = [];
  if (want.weight !== have.weight) out.push(`weight ${have.weight} → ${want.weight}`);
  if (have.forward !== 'local' && want.forward !== have.forward) out.push(`forwarding ${have.forward} → ${want.forward}`);
  if ((want.upperThreshold ?? 0) !== (have.upperThreshold ?? 0)) out.push(`upper threshold ${have.upperThreshold ?? 0} → ${want.upperThreshold ?? 0}`);
  if ((want.lowerThreshold ?? 0) !== (have.lowerThreshold ?? 0)) out.push(`lower threshold ${have.lowerThreshold ?? 0} → ${want.lowerThreshold ?? 0}`);
  if (have.forward !== 'local' && tunOf(want) !== tunOf(have)) out.push(`tunnel ${tunOf(have) || 'none'} → ${tunOf(want) || 'none'}`);
  return out;
}

/** The step that sets an extra destination's weight to 0 so it drains. */
function drainStep(svc: IpvsService, d: IpvsDestination, why: string): PlanStep {
  return step(destinationArgs(svc, { ...d, weight: 0 }, 'edit'), why, { followUp: 'delete-when-drained' });
}

/**
 * The ipvsadm steps that turn `live` into `desired`, fewest first: -A (with its -a's) for missing services, -E for a
 * changed scheduler/persistence/flags, -a/-e/-d per destination, -D for extra services. Zero steps when in sync; one step
 * for one changed weight. Services and destinations come in ipvsadm's sort order so plans are stable.
 */
export function diffTables(desired: IpvsTable, live: IpvsTable, opts: DiffOptions = {}): PlanStep[] {
  const steps: PlanStep[] = [];
  const liveBy = new Map(live.services.map((s) => [serviceKey(s), s]));
  const wanted = new Set<string>();
  for (const want of sortServices(desired.services)) {
    const sk = serviceKey(want);
    if (wanted.has(sk)) throw new AppError('INVALID_INPUT', `desired table has ${sk} twice`);
    wanted.add(sk);
    const have = liveBy.get(sk);
    // Compare what ipvsadm will store: -g/-i destinations of a non-fwmark service get the service's port.
    const dests = sortDests(want.destinations.map((d) => (destinationPortAsStored(want, d) === d.port ? d : { ...d, port: destinationPortAsStored(want, d) })));
    const wantKeys = new Set<string>();
    for (const d of dests) {
      const dk = destinationKey(d);
      if (wantKeys.has(dk)) throw new AppError('INVALID_INPUT', `desired ${sk} has realserver ${dk} twice`);
      wantKeys.add(dk);
    }
    if (!have) {
      steps.push(step(serviceArgs(want), `${sk} is missing on the director: add it`));
      for (const d of dests) steps.push(step(destinationArgs(want, d), `add realserver ${destinationKey(d)} to the new ${sk}`));
      continue;
    }
    const changes = serviceChanges(want, have);
    if (changes.length) steps.push(step(serviceArgs(want, 'edit'), `${sk}: ${changes.join(', ')}`));
    const haveBy = new Map(have.destinations.map((d) => [destinationKey(d), d]));
    for (const d of dests) {
      const dk = destinationKey(d);
      const h = haveBy.get(dk);
      if (!h) steps.push(step(destinationArgs(want, d), `realserver ${dk} is missing from ${sk}: add it`));
      else {
        const dc = destinationChanges(d, h);
        if (dc.length) steps.push(step(destinationArgs(want, d, 'edit'), `${dk} in ${sk}: ${dc.join(', ')}`));
      }
    }
    for (const h of sortDests(have.destinations.filter((x) => !wantKeys.has(destinationKey(x))))) {
      const dk = destinationKey(h);
      if (!opts.graceful) steps.push(step(deleteDestinationArgs(want, h), `the profile has no enabled realserver ${dk} in ${sk}: delete it`));
      else if (h.weight > 0) steps.push(drainStep(have, h, `the profile has no enabled realserver ${dk} in ${sk}: weight 0 first, delete once its connections are gone`));
    }
  }
  const extra = sortServices(live.services.filter((s) => !wanted.has(serviceKey(s))));
  for (const have of extra) {
    const sk = serviceKey(have);
    if (!opts.graceful) steps.push(step(deleteServiceArgs(have), `${sk} is not in the profile: delete it`));
    else
      for (const h of sortDests(have.destinations))
        if (h.weight > 0) steps.push(drainStep(have, h, `${sk} is not in the profile: drain ${destinationKey(h)} (weight 0) before the service is deleted`));
  }
  // Graceful: what is already at weight 0 and has no connections left can go now (the rest waits for a later run).
  if (opts.graceful) steps.push(...planDrainFollowUp(desired, live).steps);
  return steps;
}

/** True when the two tables hold the same services, options and destinations (counters ignored). */
export function sameTable(a: IpvsTable, b: IpvsTable): boolean {
  return diffTables(a, b).length === 0;
}

/**
 * The same table as `want`, except that a destination may have weight 0 in `have` (or in `want`) where the other has
 * another weight: keepalived's inhibit_on_failure sets a destination whose check fails to weight 0 instead of deleting it.
 */
export function sameTableInhibited(want: IpvsTable, have: IpvsTable): boolean {
  const weights = new Map<string, number>();
  for (const s of want.services) for (const d of s.destinations) weights.set(`${serviceKey(s)} ${destinationKey(d)}`, d.weight);
  const eased: IpvsTable = {
    services: have.services.map((s) => ({
      ...s,
      destinations: s.destinations.map((d) => {
        const w = weights.get(`${serviceKey(s)} ${destinationKey(d)}`);
        return w !== undefined && (d.weight === 0 || w === 0) ? { ...d, weight: w } : d;
      }),
    })),
  };
  return sameTable(want, eased);
}

interface SimService {
  svc: IpvsService;
  dests: Map<string, IpvsDestination>;
}

/** Applies one parsed ipvsadm rule to the simulated table, failing as ipvsadm would (messages as ipvsadm prints them). */
function applyRule(tab: Map<string, SimService>, rule: Exclude<IpvsRule, { cmd: 'restore' }>): void {
  if (rule.cmd === 'clear') {
    tab.clear();
    return;
  }
  const sk = serviceKey(rule.service);
  const cur = tab.get(sk);
  const noService = () => new AppError('COMMAND_FAILED', `No such service (${sk})`);
  switch (rule.cmd) {
    case 'add-service':
      if (cur) throw new AppError('COMMAND_FAILED', `Service already exists (${sk})`);
      tab.set(sk, { svc: { ...rule.service, destinations: [] }, dests: new Map() });
      return;
    case 'edit-service':
      if (!cur) throw noService();
      cur.svc = { ...rule.service, destinations: [] };
      return;
    case 'delete-service':
      if (!cur) throw noService();
      tab.delete(sk);
      return;
    case 'add-dest': {
      if (!cur) throw new AppError('COMMAND_FAILED', `Service not defined (${sk})`);
      const dk = destinationKey(rule.dest);
      if (cur.dests.has(dk)) throw new AppError('COMMAND_FAILED', `Destination already exists (${dk} in ${sk})`);
      cur.dests.set(dk, { ...rule.dest });
      return;
    }
    case 'edit-dest':
    case 'delete-dest': {
      if (!cur) throw new AppError('COMMAND_FAILED', `Service not defined (${sk})`);
      const dk = destinationKey(rule.dest);
      const d = cur.dests.get(dk);
      if (!d) throw new AppError('COMMAND_FAILED', `No such destination (${dk} in ${sk})`);
      if (rule.cmd === 'delete-dest') cur.dests.delete(dk);
      else {
        // -e replaces the options; the connection counters are the kernel's and stay.
        const { activeConns, inactiveConns, persistConns } = d;
        cur.dests.set(dk, { ...rule.dest, ...(activeConns !== undefined ? { activeConns } : {}), ...(inactiveConns !== undefined ? { inactiveConns } : {}), ...(persistConns !== undefined ? { persistConns } : {}) });
      }
      return;
    }
  }
}

/**
 * A pure simulator of ipvsadm on a table: runs the -A/-E/-D/-a/-e/-d/-C/-R steps (-R reads `stdin` line by line, as
 * `ipvsadm -R` does, adding to what is there) and returns the new table; steps whose argv[0] is not ipvsadm (ip, sysctl)
 * do not touch the table and are passed over. Throws COMMAND_FAILED naming the step (and the -R line) on what ipvsadm
 * would refuse: adding what exists, editing or deleting what does not.
 */
export function applyStepsToTable(table: IpvsTable, steps: readonly Pick<PlanStep, 'argv' | 'stdin'>[]): IpvsTable {
  const tab = new Map<string, SimService>();
  for (const s of table.services) tab.set(serviceKey(s), { svc: { ...s, destinations: [] }, dests: new Map(s.destinations.map((d) => [destinationKey(d), { ...d }])) });
  for (const st of steps) {
    const prog = st.argv[0] ?? '';
    if (prog !== IPVSADM && !prog.endsWith(`/${IPVSADM}`)) continue;
    const where = shellQuote(st.argv);
    try {
      const rule = parseRuleArgs(st.argv.slice(1));
      if (rule.cmd !== 'restore') {
        applyRule(tab, rule);
        continue;
      }
      const lines = (st.stdin ?? '').split('\n');
      for (let i = 0; i < lines.length; i++) {
        const words = lines[i]!.trim().split(/\s+/).filter(Boolean);
        if (!words.length) continue;
        try {
          const r = parseRuleArgs(words);
          if (r.cmd === 'restore') throw new AppError('INVALID_INPUT', '-R inside -R');
          applyRule(tab, r);
        } catch (e) {
          throw new AppError('COMMAND_FAILED', `line ${i + 1}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        }
      }
    } catch (e) {
      throw new AppError('COMMAND_FAILED', `${e instanceof Error ? e.message : String(e)}`, { host: DIRECTOR, step: where, cause: e });
    }
  }
  return { services: [...tab.values()].map(({ svc, dests }) => ({ ...svc, destinations: [...dests.values()] })) };
}

/**
 * A table as ipvsadm would hold it, for comparing: no counters, -g/-i ports as stored (destinationPortAsStored), default
 * netmask and ipip left out, services and destinations in ipvsadm's order.
 */
export function canonicalTable(t: IpvsTable): IpvsTable {
  return {
    services: sortServices(t.services).map((s) => {
      const out: IpvsService = { protocol: s.protocol, address: s.address, port: s.port, family: s.family, scheduler: s.scheduler, destinations: [] };
      if (s.fwmark !== undefined) out.fwmark = s.fwmark;
      if (s.persistent) out.persistent = s.persistent.netmask !== undefined && s.persistent.netmask !== netmaskOf({ ...s, persistent: { timeout: 0 } }) ? { ...s.persistent } : { timeout: s.persistent.timeout };
      if (s.persistenceEngine) out.persistenceEngine = s.persistenceEngine;
      const f = flagsOf(s);
      if (f) out.flags = f.split(',');
      out.destinations = sortDests(s.destinations.map((d) => ({ ...d, port: destinationPortAsStored(s, d) }))).map((d) => {
        const o: IpvsDestination = { address: d.address, port: d.port, forward: d.forward, weight: d.weight };
        if (d.upperThreshold) o.upperThreshold = d.upperThreshold;
        if (d.lowerThreshold) o.lowerThreshold = d.lowerThreshold;
        if (d.forward === 'tunnel' && d.tunType !== undefined && d.tunType !== 'ipip') o.tunType = d.tunType;
        return o;
      });
      return out;
    }),
  };
}


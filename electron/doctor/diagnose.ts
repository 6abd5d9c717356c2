/**
 * The doctor: observations of the whole path (desktop → VIP → director(s) → realservers → login screen) → findings,
 * each at its root. A healthy cluster gives none. Faults that explain each other are reported once: a realserver that is
 * down gives one finding (not one per service, route and boot script); a missing table entry for a realserver whose
 * service is down is that realserver's finding; the desktop's "no telnet banner through the VIP" is folded into the
 * director or realserver fault that causes it. Fixes are the commands the console's own planners would run (planStart's
 * VIP and sysctl steps, diffTables' steps, checkRoutes' steps, the boot plan's install steps) or a named action.
 */
import { effectiveCheck, type Cluster } from '../../shared/model/cluster.ts';
import type { IpvsTable } from '../../shared/model/ipvs.ts';
import type { PlanStep } from '../../shared/model/plan.ts';
import { portNumber } from '../../shared/model/well-known-ports.ts';
import { findAddress } from '../lvs/ipvs/ip-addr-parse.ts';
import { desiredTable, type Resolve } from '../lvs/plan/desired-table.ts';
import { directorSysctls, planStart } from '../lvs/plan/director-plan.ts';
import { diffTables } from '../lvs/plan/table-diff.ts';
import { checkRoutes, routeFixNeed } from '../realserver/route-check.ts';
import { routeGateway } from '../realserver/route-fix.ts';
import { shellQuote } from '../shell/shell-quote.ts';
import type { DirectorObs, DirectorProbe, DoctorFix, DoctorObservations, Finding, FindingId, FindingSubject } from './model.ts';
import { WHY } from './why.ts';

/** The profile's name for a realserver. */
export function rsName(rs: Cluster['realservers'][number]): string {
  return rs.name ?? rs.host;
}

function finding(id: FindingId, severity: Finding['severity'], subject: FindingSubject, what: string, fix?: DoctorFix, detail?: string): Finding {
  return { id, key: [id, subject.name, ...(detail ? [detail] : [])].join(':'), severity, subject, what, why: WHY[id], ...(fix ? { fix } : {}) };
}

const steps = (s: PlanStep[]): DoctorFix | undefined => (s.length ? { kind: 'steps', steps: s } : undefined);

/** A table without the destinations of `out` (address → service keys "tcp/23", or "*" for every service). */
function without(table: IpvsTable, out: Map<string, Set<string>>): IpvsTable {
  return {
    services: table.services.map((s) => ({
      ...s,
      destinations: s.destinations.filter((d) => {
        const o = out.get(d.address);
        return !(o && (o.has('*') || o.has(`${s.protocol}/${s.port}`)));
      }),
    })),
  };
}

/** Runs the doctor (pure). `resolve` maps profile hosts to addresses, as the planners use it. */
export function diagnose(cluster: Cluster, obs: DoctorObservations, resolve: Resolve): Finding[] {
  const directorFindings: Finding[] = [];
  const rsFindings: Finding[] = [];
  const desktopFindings: Finding[] = [];
  const directorIp = resolve(cluster.director.host);
  const gateway = routeGateway(cluster, directorIp);
  const vip = resolve(cluster.vip);
  const tcpPorts = cluster.tcp.map((s) => portNumber(s.port, 'tcp')).filter((p): p is number => p !== undefined);
  const xdmcp = cluster.udp.some((s) => effectiveCheck('udp', s).kind === 'xdmcp');
  const reachable = obs.directors.filter((d) => !d.error);
  const probeOf = (address: string): DirectorProbe | undefined => reachable.map((d) => d.probes?.[address]).find((p) => p !== undefined);

  for (const d of obs.directors) if (d.error) directorFindings.push(finding('director.unreachable', 'error', { kind: 'director', name: d.name }, `${d.name}: ${d.error}`));
  const directorRoot = directorFindings[0];

  // ---- realservers: their faults explain missing table entries and the desktop's symptoms
  const unhealthy = new Map<string, Set<string>>();
  const rootOf = new Map<string, Finding>();
  const mark = (address: string, what: string, f: Finding) => {
    const set = unhealthy.get(address) ?? new Set<string>();
    set.add(what);
    unhealthy.set(address, set);
    if (!rootOf.has(address)) rootOf.set(address, f);
  };
  for (const rs of cluster.realservers.filter((r) => r.enabled)) {
    const name = rsName(rs);
    const subject: FindingSubject = { kind: 'realserver', name };
    const address = resolve(rs.host);
    const o = obs.realservers.find((x) => x.name === name);
    const probe = probeOf(address);
    if (probe && !probe.icmp && (!o || o.error)) {
      const f = finding('realserver.down', 'error', subject, `${name} (${address}) answers neither the director's ping nor SSH${o?.error ? ` (${o.error})` : ''}`);
      rsFindings.push(f);
      mark(address, '*', f);
      continue;
    }
    if (!o || o.error) {
      // Realservers are often reached through the director (ssh.viaDirector): when no director answers, that is the root.
      const root = reachable.length === 0 ? directorRoot : undefined;
      if (root) (root.explains ??= []).push(`${name}: ${o?.error ?? 'not observed'}`);
      else rsFindings.push(finding('realserver.unreachable', 'warning', subject, `${name}: ${o?.error ?? 'not observed'}`));
      continue;
    }
    if (o.routes) {
      const input = { os: rs.os, host: name, netIf: rs.netIf, directorIp: gateway, routes: o.routes };
      const need = routeFixNeed(input);
      if (!need.ok) {
        const fix = steps(checkRoutes(input).steps);
        const subnet = need.problems.filter((p) => p.startsWith('subnet route'));
        const other = need.problems.filter((p) => !p.startsWith('subnet route'));
        if (subnet.length) rsFindings.push(finding('realserver.subnet-route', 'error', subject, `${name}: ${subnet.join('; ')}`, fix));
        if (other.length) rsFindings.push(finding('realserver.default-route', 'error', subject, `${name}: ${other.join('; ')}`, fix));
      }
    }
    if (o.boot) {
      if ('error' in o.boot) rsFindings.push(finding('realserver.boot-script-unknown', 'warning', subject, `${name}: ${o.boot.error}`));
      else if (!o.boot.verify.installed) {
        rsFindings.push(finding('realserver.boot-script-missing', 'warning', subject, `${name}: lvs-route is not installed to run at boot (${o.boot.verify.problems.join('; ')})`, steps(o.boot.install)));
      } else if (!o.boot.verify.current) {
        rsFindings.push(finding('realserver.boot-script-stale', 'warning', subject, `${name}: ${o.boot.verify.problems.join('; ')}`, steps(o.boot.install)));
      }
    }
    for (const port of tcpPorts) {
      const listening = o.listeners?.some((l) => l.protocol === 'tcp' && l.port === port);
      const label = port === 23 ? 'telnet' : `TCP ${port}`;
      if (o.listeners && !listening) {
        const f = finding('realserver.service-not-listening', 'error', subject, `${name}: nothing listens on TCP ${port}${port === 23 ? ' (telnet: is inetd/telnetd running?)' : ''}`, undefined, `tcp/${port}`);
        rsFindings.push(f);
        mark(address, `tcp/${port}`, f);
      } else if (probe && probe.tcp[port] === false) {
        const f = finding('realserver.service-unreachable', 'error', subject, `${name}: ${label} listens, but the director cannot connect to ${address}:${port}`, undefined, `tcp/${port}`);
        rsFindings.push(f);
        mark(address, `tcp/${port}`, f);
      }
    }
    if (xdmcp) {
      const udp177 = o.listeners?.some((l) => l.protocol === 'udp' && l.port === 177);
      if (o.displayManager === null) {
        const f = finding('realserver.display-manager-stopped', 'error', subject, `${name}: no display manager runs (${rs.os === 'hpux' ? 'dtlogin' : 'xdm, gdm, kdm…'})`);
        rsFindings.push(f);
        mark(address, 'udp/177', f);
      } else if ((o.listeners && !udp177) || probe?.xdmcp === false) {
        const why = o.listeners && !udp177 ? `${o.displayManager ?? 'the display manager'} runs but nothing listens on UDP 177 (XDMCP disabled?)` : `no Willing from ${address}:177 to the director's XDMCP Query`;
        const f = finding('realserver.xdmcp-no-answer', 'error', subject, `${name}: ${why}`);
        rsFindings.push(f);
        mark(address, 'udp/177', f);
      }
    }
  }

  // ---- directors
  const desired = desiredTable(cluster, resolve);
  const startFix = (d: DirectorObs, keep: (s: PlanStep) => boolean): PlanStep[] =>
    planStart(cluster, { table: d.table ?? { services: [] }, addresses: d.addresses ?? [], sysctls: d.sysctls ?? {} }, resolve)
      .steps.filter(keep)
      .map((s) => ({ ...s, host: d.name }));
  const sysctlStep = (key: string) => (s: PlanStep) => s.argv[0] === 'sysctl' && (s.argv[2] ?? '').startsWith(`${key}=`);
  for (const d of reachable) {
    const subject: FindingSubject = { kind: 'director', name: d.name };
    if (d.ipvs && !d.ipvs.ok) directorFindings.push(finding('director.ipvs-unavailable', 'error', subject, `${d.name}: ${d.ipvs.error ?? 'ipvsadm failed'}`));
    if (d.sysctls) {
      const wrong = directorSysctls(cluster).filter((s) => d.sysctls![s.key] !== undefined && d.sysctls![s.key]!.trim() !== s.value);
      const fwd = wrong.filter((s) => s.key === 'net.ipv4.ip_forward');
      const redirects = wrong.filter((s) => s.key.endsWith('.send_redirects'));
      if (fwd.length) directorFindings.push(finding('director.ip-forward-off', 'error', subject, `${d.name}: net.ipv4.ip_forward is ${d.sysctls['net.ipv4.ip_forward']}`, steps(startFix(d, sysctlStep('net.ipv4.ip_forward')))));
      if (redirects.length) {
        const fix = steps(startFix(d, (s) => redirects.some((r) => sysctlStep(r.key)(s))));
        directorFindings.push(finding('director.redirects-on', 'warning', subject, `${d.name}: ICMP redirects on: ${redirects.map((r) => `${r.key}=${d.sysctls![r.key]}`).join(', ')}`, fix));
      }
    }
  }
  const holders = reachable.filter((d) => d.addresses && findAddress(d.addresses, vip).length > 0);
  const allSeen = reachable.every((d) => d.addresses);
  if (holders.length === 0 && reachable.length > 0 && allSeen) {
    const single = obs.directors.length === 1;
    const fix = single ? steps(startFix(reachable[0]!, (s) => s.argv[0] === 'ip' && s.argv.includes('add'))) : undefined;
    directorFindings.push(
      finding('director.vip-missing', 'error', single ? { kind: 'director', name: reachable[0]!.name } : { kind: 'cluster', name: 'pair' }, `the VIP ${vip} is not on ${single ? reachable[0]!.name : 'either director'}${single ? ` (${cluster.vipIf})` : ''}`, fix),
    );
  }
  if (holders.length > 1) directorFindings.push(finding('director.vip-on-both', 'error', { kind: 'cluster', name: 'pair' }, `the VIP ${vip} is on ${holders.map((d) => d.name).join(' and ')}`));
  if (cluster.pair && reachable.length === obs.directors.length) {
    const states = reachable.map((d) => d.keepalived?.vrrpState);
    const masters = states.filter((s) => s === 'MASTER').length;
    if (states.every((s) => s !== undefined) && masters !== 1) {
      directorFindings.push(finding('director.pair-roles', 'error', { kind: 'cluster', name: 'pair' }, `VRRP states: ${reachable.map((d, i) => `${d.name} ${states[i]}`).join(', ')}`));
    }
  }

  // The table on the active director (the one with the VIP, or the only one).
  const active = holders[0] ?? (obs.directors.length === 1 ? reachable[0] : undefined);
  if (active?.table && (active.ipvs?.ok ?? true)) {
    if (active.table.services.length === 0 && desired.services.length > 0) {
      directorFindings.push(finding('director.table-empty', 'error', { kind: 'director', name: active.name }, `${active.name}: the IPVS table is empty (the profile has ${desired.services.length} service(s))`, steps(startFix(active, () => true))));
    } else {
      const drift = diffTables(without(desired, unhealthy), without(active.table, unhealthy));
      if (drift.length) {
        const fix = steps(drift.map((s) => ({ ...s, host: active.name })));
        directorFindings.push(finding('director.table-drift', 'error', { kind: 'director', name: active.name }, `${active.name}: the live table differs from the profile: ${drift.map((s) => s.why).join('; ')}`, fix));
      }
      // what the realserver faults explain in the table
      for (const s of diffTables(desired, active.table)) {
        const r = s.argv.indexOf('-r');
        const addr = r > 0 ? (s.argv[r + 1] ?? '').replace(/^\[?(.*?)\]?:\d+$/, '$1') : '';
        const root = rootOf.get(addr);
        if (root) (root.explains ??= []).push(`${active.name}: ${s.why}`);
      }
    }
  }
  for (const d of reachable) {
    const subject: FindingSubject = { kind: 'director', name: d.name };
    const install: DoctorFix = { kind: 'action', action: 'director.install', target: d.name, why: 'install the runtime and its configuration from the profile' };
    const configDrift = (table: IpvsTable | undefined, source: string) => {
      if (!table) return;
      const drift = diffTables(desired, table);
      if (drift.length) directorFindings.push(finding('director.config-drift', 'error', subject, `${d.name}: ${source} differs from the profile: ${drift.map((s) => shellQuote(s.argv.slice(1))).join('; ')} would make them equal`, install));
    };
    if (cluster.runtime === 'script') {
      const s = d.script;
      if (!s) continue;
      const missing = [!s.installed && '/etc/init.d/lvs-director', s.installed && !s.bootLink && 'its S99 boot link', s.installed && !s.cronEntry && 'its cron update'].filter((x): x is string => !!x);
      if (missing.length) directorFindings.push(finding('director.runtime-missing', 'warning', subject, `${d.name}: no ${missing.join(', no ')}`, install));
      else if (!s.crondRunning) directorFindings.push(finding('director.runtime-not-running', 'warning', subject, `${d.name}: the cron entry is there but no crond runs`));
      if (s.installed) {
        if (s.rulesError) directorFindings.push(finding('director.config-drift', 'error', subject, `${d.name}: lvs-director rules failed: ${s.rulesError}`, install));
        else configDrift(s.rules, 'what /etc/init.d/lvs-director loads (/etc/lvs.conf)');
      }
    } else {
      const k = d.keepalived;
      if (!k) continue;
      if (!k.configured) directorFindings.push(finding('director.runtime-missing', 'warning', subject, `${d.name}: keepalived is not configured`, install));
      else if (!k.running) directorFindings.push(finding('director.runtime-not-running', 'error', subject, `${d.name}: keepalived is configured but not running`));
      if (cluster.pair && k.configured && k.pairHandover && k.pairHandover !== 'ok') {
        const what = k.pairHandover === 'missing' ? 'no /etc/init.d/lvs-pair (both sync daemons and the takeover guard)' : '/etc/init.d/lvs-pair status fails: a sync daemon or the takeover guard is missing';
        directorFindings.push(finding('director.pair-handover', 'error', subject, `${d.name}: ${what}`, install));
      }
      configDrift(k.configTable, 'keepalived.conf');
    }
  }

  // ---- desktop: missing tools are its own; failures through the VIP are symptoms of a fault found above, if any
  const desk = obs.desktop;
  if (desk) {
    const subject: FindingSubject = { kind: 'desktop', name: 'desktop' };
    if (xdmcp && desk.xServer === null) desktopFindings.push(finding('desktop.no-x-server', 'warning', subject, 'no X server found on this desktop'));
    if (tcpPorts.includes(23) && desk.telnetClient === null) desktopFindings.push(finding('desktop.no-telnet-client', 'warning', subject, 'no telnet client found on this desktop'));
    const symptoms: [FindingId, string][] = [];
    if (!desk.vipReachable) symptoms.push(['desktop.vip-unreachable', `nothing answers on the VIP ${vip} from this desktop`]);
    else {
      // the path is what matters here: a telnetd that negotiated through the VIP but whose login prompt was slow passes
      if (tcpPorts.includes(23) && desk.telnetBanner !== undefined && !desk.telnetBanner && !desk.telnetSpoke) symptoms.push(['desktop.telnet-through-vip', `no telnet banner through ${vip}:23`]);
      if (xdmcp && desk.xdmcpWilling === false) symptoms.push(['desktop.xdmcp-through-vip', `no XDMCP Willing through ${vip}:177`]);
    }
    const root = directorFindings.find((f) => f.severity === 'error') ?? rsFindings.find((f) => f.severity === 'error');
    for (const [id, what] of symptoms) {
      if (root) (root.explains ??= []).push(`desktop: ${what}`);
      else desktopFindings.push(finding(id, 'error', subject, what));
    }
  }
  return [...directorFindings, ...rsFindings, ...desktopFindings];
}

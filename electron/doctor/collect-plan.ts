/**
 * What one doctor run executes, as data: one exec per director and one per realserver (all independent: run them in
 * parallel), each with the context its parser needs. The service layer runs `argv` on the named host and hands the
 * stdout to `parse` (or records the error as the observation's `error`), then calls diagnose().
 */
import { effectiveCheck, type Cluster } from '../../shared/model/cluster.ts';
import { portNumber } from '../../shared/model/well-known-ports.ts';
import type { Resolve } from '../lvs/plan/desired-table.ts';
import { directorSysctls } from '../lvs/plan/director-plan.ts';
import { routeGateway } from '../realserver/route-fix.ts';
import { planServiceProbe, serviceProbeTimeoutMs, type ProbedService } from '../health/service-probe.ts';
import { directorCollectArgv, parseDirectorCollect, type CollectAsk } from './director-collect.ts';
import { rsName } from './diagnose.ts';
import type { DirectorObs, RealserverObs } from './model.ts';
import { parseRealserverCollect, realserverCollectArgv } from './realserver-collect.ts';

/** The least time the doctor gives each check from the director (the health check's own timeout may be shorter: 1 s by default). */
export const DOCTOR_PROBE_TIMEOUT_SEC = 3;

/** Each director check's timeout in a doctor run: the profile's health timeout, at least DOCTOR_PROBE_TIMEOUT_SEC. */
export function doctorProbeTimeoutSec(cluster: Pick<Cluster, 'health'>): number {
  return Math.max(DOCTOR_PROBE_TIMEOUT_SEC, cluster.health.timeoutSec);
}

/** One director exec. */
export interface DirectorCollect {
  /** 'director' (the profile's) or 'pair' (the second director of a pair). */
  which: 'director' | 'pair';
  /** How findings name it: 'director', or the pair director's host. */
  name: string;
  argv: string[];
  /** How long its exec may take: what its probe of the realservers may take (serviceProbeTimeoutMs of what it asks). */
  probeTimeoutMs: number;
  parse(stdout: string): DirectorObs;
}

/** One realserver exec. */
export interface RealserverCollect {
  /** The profile's name (name ?? host). */
  name: string;
  address: string;
  argv: string[];
  parse(stdout: string): RealserverObs;
}

/** The execs of one doctor run for `cluster` (enabled realservers only). `stamp` is the boot plans' backup stamp. */
export function collectPlan(cluster: Cluster, resolve: Resolve, stamp: string): { directors: DirectorCollect[]; realservers: RealserverCollect[] } {
  const directorIp = resolve(cluster.director.host);
  const gateway = routeGateway(cluster, directorIp);
  const tcpPorts = cluster.tcp.map((s) => portNumber(s.port, 'tcp')).filter((p): p is number => p !== undefined);
  const rss = cluster.realservers.filter((r) => r.enabled);
  const addresses = rss.map((r) => resolve(r.host));
  const keys = directorSysctls(cluster).map((s) => s.key);
  // TCP ports are connected to (whatever their health check); UDP services as their health check says (XDMCP: Willing).
  const probe = planServiceProbe(cluster, resolve);
  const udp = probe.services.filter((s): s is ProbedService & { protocol: 'udp' } => s.protocol === 'udp');
  // The doctor judges, it does not race: at least DOCTOR_PROBE_TIMEOUT_SEC per check (a slow director must not read as broken realservers).
  const timeoutSec = doctorProbeTimeoutSec(cluster);
  const ask: CollectAsk = { tcpPorts, realservers: addresses, udp, timeoutSec };
  const dirArgv = directorCollectArgv(keys, tcpPorts, addresses, { udp, timeoutSec });
  const probeTimeoutMs = serviceProbeTimeoutMs({ timeoutSec, checks: addresses.length * (tcpPorts.length + udp.length) });
  const directors: DirectorCollect[] = [{ which: 'director', name: 'director', argv: dirArgv, probeTimeoutMs, parse: (out) => parseDirectorCollect('director', out, ask) }];
  if (cluster.pair) {
    const name = cluster.pair.director.host;
    directors.push({ which: 'pair', name, argv: dirArgv, probeTimeoutMs, parse: (out) => parseDirectorCollect(name, out, ask) });
  }
  const realservers = rss.map((rs, i): RealserverCollect => {
    const name = rsName(rs);
    const ctx = { name, address: addresses[i]!, os: rs.os, netIf: rs.netIf, gateway, stamp };
    return { name, address: ctx.address, argv: realserverCollectArgv(rs.netIf), parse: (out) => parseRealserverCollect(ctx, out) };
  });
  return { directors, realservers };
}

/** Whether the profile asks the desktop for an XDMCP check (a UDP service checked with XDMCP). */
export function wantsXdmcp(cluster: Cluster): boolean {
  return cluster.udp.some((s) => effectiveCheck('udp', s).kind === 'xdmcp');
}

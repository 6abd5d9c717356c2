/**
 * The health probe of one realserver as one line for people (update's preview and result, lvsctl, the app's run
 * notes): "rs2 10.77.0.12 reachable: telnet (tcp/23) pass; xdmcp (udp/177) FAIL no reply within 1 s", plus what its
 * route check found.
 */
import { portName } from '../../shared/model/well-known-ports.ts';
import type { ProbeReport } from './cluster-service.ts';

/** "telnet (tcp/23)": a service id with its conventional name. */
export function serviceLabel(protocol: 'tcp' | 'udp', port: number): string {
  const name = portName(port, protocol);
  return name === String(port) ? `${protocol}/${port}` : `${name} (${protocol}/${port})`;
}

/** One probed realserver as a line. */
export function probeLine(r: ProbeReport): string {
  const services = r.services
    .map((s) => {
      const label = serviceLabel(s.protocol, s.port);
      if (s.verdict === 'pass') return `${label} pass`;
      if (s.verdict === 'unchecked') return `${label} not checked`;
      if (s.verdict === 'unknown') return `${label} unknown (${s.detail})`;
      return `${label} FAIL ${s.detail}`;
    })
    .join('; ');
  const routes = r.routes === undefined ? '' : 'error' in r.routes ? `; routes not checked (${r.routes.error})` : r.routes.ok ? '; routes ok' : '';
  // icmp: it answered a ping, or (the perl and lean probes) one of its checks, which no ping is needed for
  return `${r.display} ${r.address} ${r.icmp ? 'reachable' : 'unreachable (no answer, not even to ping)'}: ${services || 'no service checked'}${routes}`;
}

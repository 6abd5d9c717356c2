/**
 * "Which realserver did I land on?": looks this desktop's connection to the VIP up in the director's connection table
 * (`ipvsadm -L -n -c`, parsed into IpvsConnection). Persistent services also keep a template entry (client port 0);
 * a port-0 (all ports) service shows virtual port 0, so that is the fallback when no entry for the port exists.
 */
import type { IpvsConnection } from '../../shared/model/ipvs.ts';

/** States of a connection that is going away; a live one wins over them. */
const CLOSING = new Set(['CLOSE', 'CLOSE_WAIT', 'TIME_WAIT', 'FIN_WAIT', 'LAST_ACK', 'SYN_RECV', 'NONE']);

function norm(address: string): string {
  const a = address.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

/**
 * The realserver address the client at `clientAddress` was sent to for `vip:port`, or undefined when the table has no
 * entry for it. Prefers a live entry over a closing one, then the one with the most time left (the most recent).
 */
export function landedOn(connections: readonly IpvsConnection[], clientAddress: string, vip: string, port: number): string | undefined {
  const client = norm(clientAddress);
  const v = norm(vip);
  const mine = connections.filter((c) => norm(c.source.address) === client && norm(c.virtual.address) === v);
  const exact = mine.filter((c) => c.virtual.port === port);
  const pool = exact.length ? exact : mine.filter((c) => c.virtual.port === 0);
  if (!pool.length) return undefined;
  const rank = (c: IpvsConnection) => (CLOSING.has(c.state.toUpperCase()) ? 0 : 1);
  const best = [...pool].sort((a, b) => rank(b) - rank(a) || b.expires - a.expires)[0]!;
  return best.destination.address;
}

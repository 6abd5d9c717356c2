/**
 * Which virtual services a profile owns: the ones on its own VIP. Several profiles (VIPs) may share one director; each
 * one's start, stop, reload, reconcile and drain follow-up touch only its own services, and a table read back is still
 * compared whole (the other VIPs' services included, unchanged). Pure.
 */
import type { IpvsService, IpvsTable } from '../../../shared/model/ipvs.ts';

/** True when `svc` is on the VIP `vip` (an address literal; compared case-insensitively). fwmark services are nobody's. */
export function ownsService(svc: Pick<IpvsService, 'protocol' | 'address'>, vip: string): boolean {
  return svc.protocol !== 'fwmark' && svc.address.toLowerCase() === vip.toLowerCase();
}

/** The table split into the services on `vip` (own) and everything else (foreign: another profile's, or by hand). */
export function splitByOwner(table: IpvsTable, vip: string): { own: IpvsTable; foreign: IpvsTable } {
  return {
    own: { services: table.services.filter((s) => ownsService(s, vip)) },
    foreign: { services: table.services.filter((s) => !ownsService(s, vip)) },
  };
}

import type { FindingId } from './model.ts';

/**
 * Why each finding matters, in the seed's terms ("Providing Network Services Using LVS", Sys Admin, Sep 2002): one or
 * two plain sentences an admin can act on without knowing the article by heart.
 */
export const WHY: Record<FindingId, string> = {
  'desktop.no-x-server': 'Connect me starts an X server with -query VIP to get an XDMCP login screen; without one this desktop can only use telnet.',
  'desktop.no-telnet-client': 'Connect me opens a telnet session to the VIP; without a telnet client this desktop can only use XDMCP.',
  'desktop.vip-unreachable': 'Every client connects to the VIP, which the director publishes; if nothing answers there, nobody reaches the cluster.',
  'desktop.telnet-through-vip': 'Users start a session with telnet to the VIP; the director must forward it to a realserver and the reply must come back through the director.',
  'desktop.xdmcp-through-vip': 'X users get their login screen by an XDMCP Query to the VIP; the director forwards it to a realserver whose display manager must answer Willing.',
  'director.unreachable': 'The director carries every connection to the cluster; the console could not reach it, so nothing about it could be checked.',
  'director.ipvs-unavailable': 'The director balances connections with the kernel\'s IP Virtual Server; without it (no ipvsadm, or no ip_vs in the kernel) there is no virtual service at all.',
  'director.vip-missing': 'Clients connect to the virtual IP address, which the director must publish on its VIP_IF alias; without it their connections go nowhere.',
  'director.vip-on-both': 'Only the active director may hold the VIP; on both, clients and realservers see two machines answering for one address and connections break.',
  'director.ip-forward-off': 'In LVS-NAT the director forwards and masquerades every packet between clients and realservers; with IP forwarding off it drops them.',
  'director.redirects-on': 'On one shared network the director would send ICMP redirects telling realservers to reply to clients directly, bypassing the NAT; send_redirects must be 0 on LVS_IF and on "all".',
  'director.table-empty': 'The director\'s IPVS table is empty: the cluster is not started, so no connection to the VIP reaches a realserver.',
  'director.table-drift': 'The live IPVS table is what the kernel uses; where it differs from the profile, connections go to realservers the profile does not name, or miss ones it does.',
  'director.config-drift': 'The director loads its own configuration at boot and on reload (and keepalived at every start); if it differs from the profile, the table changes back to it when that happens.',
  'director.runtime-missing': 'Without its boot script and cron update (or keepalived), the director loses the cluster at its next reboot and never drops a dead realserver unless a console is open.',
  'director.runtime-not-running': 'The seed polls realservers with a cron `update` so a crashed one leaves the table; without it, clients keep landing on dead realservers.',
  'director.pair-handover': 'Both directors of a pair must run both IPVS sync daemons (each kernel holds the other\'s connections) and the takeover guard, so a failover or a "make master" keeps the sessions and the connections opened just before it; without them those are reset.',
  'director.pair-roles': 'Of a director pair exactly one must be master and hold the VIP and the gateway; otherwise both or neither forward the traffic.',
  'realserver.down': 'The realserver does not answer the director; its users get nothing, and it should be out of the table until it is back.',
  'realserver.unreachable': 'The console could not log in to this realserver, so its routes and services could not be checked.',
  'realserver.subnet-route': 'With a subnet route on the LVS interface, the realserver replies to clients on the subnet directly instead of through the director, so the NAT never sees the reply and the connection hangs.',
  'realserver.default-route': 'Every reply must leave the realserver through the director (its default route), so the director can de-masquerade it; replies that go elsewhere never reach the client.',
  'realserver.boot-script-missing': 'The seed installs lvs-route as a boot script because the kernel puts the subnet route back at every boot; without it, a reboot silently breaks this realserver again.',
  'realserver.boot-script-stale': 'The installed lvs-route differs from what the profile needs now (edited by hand, or the director or interface changed), so a reboot would set the wrong routes.',
  'realserver.boot-script-unknown': 'The console could not tell whether lvs-route runs at boot here, so a reboot may break this realserver\'s routes.',
  'realserver.display-manager-stopped': 'XDMCP users need a display manager on every realserver (xdm, gdm or kdm on Linux, CDE\'s dtlogin on HP-UX); without one the director sends their Query to a realserver that never answers.',
  'realserver.xdmcp-no-answer': 'The director must get an XDMCP Willing from the realserver\'s UDP 177, or X users who land on it see no login screen.',
  'realserver.service-not-listening': 'The director forwards this service\'s connections to the same port on each realserver; nothing listening there means users who land on it are refused.',
  'realserver.service-unreachable': 'The service listens on the realserver, but the director cannot connect to it (a firewall?), so forwarded connections fail.',
};

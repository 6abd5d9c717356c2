/**
 * A director pair's connection handover: the boot script /etc/init.d/lvs-pair, generated from the profile and installed
 * on both directors with the keepalived runtime. Why it exists (issue 11, measured on the lab with a capture on its
 * bridge): keepalived's own `lvs_sync_daemon` runs the kernel's MASTER sync daemon on the master only, and stops it the
 * moment that director leaves MASTER; the kernel then frees the connections it had not sent yet (stop_sync_thread /
 * sync_thread_master in net/netfilter/ipvs/ip_vs_sync.c), and it sends them only every 2 s (IPVS_SYNC_FLUSH_TIME) or
 * when a buffer fills. So on a "make master" the connections opened in the last moments before the switch were not on
 * the new master: their next packets passed it un-NATed (a client segment to the VIP reached its local stack, which
 * answered RST; a realserver's reply left with the realserver's own address and the client reset it).
 *
 * What the script does instead:
 *   - `start` (at boot, linked before keepalived; and at the end of every console change of a pair): the sync
 *     threshold "2 50" (net.ipv4.vs.sync_threshold; default "3 50"). The kernel sends a TCP connection when it is
 *     ESTABLISHED and has seen THRESHOLD packets from the client (ip_vs_sync_conn_needed); a telnet client speaks only
 *     after the realserver's first data, so at 3 a connection opened ~1 s before a switch (inetd + telnetd's first
 *     bytes) had never been sent: seen on the lab, 6-7 of ~60 such connections hung behind the guard, then died. At 2
 *     it is sent once the handshake completes. Then BOTH sync daemons
 *     on LVS_IF with syncid = the VRRP router id (the kernel runs master and backup at once: ip_vs_sync.c, "Added
 *     master & backup support at a time"). A director that yields keeps sending what it still holds, so within the
 *     2 s flush the new master knows every connection. Then the takeover guard (below), armed.
 *   - the guard: nft table `ip lvs_console_pair`, two chains at priority 200, after IPVS (its LOCAL_IN hooks are at
 *     98/99 and its FORWARD reply hook at 100, ip_vs_core.c), so they see only what IPVS did not take:
 *       input:   TCP to VIP:port that IPVS did not know (a segment of a connection not synced yet)  → drop
 *       forward: TCP from a service port whose source was not rewritten to the VIP (a realserver's reply to such a
 *                connection)                                                                         → drop
 *     "port" is the set guard_port: the profile's TCP service ports while ARMED, empty while disarmed. A dropped segment
 *     is retransmitted by its sender; once the connection is synced the retransmission is NATed as usual, so the
 *     connection lives instead of being reset. UDP needs nothing: IPVS schedules any UDP datagram.
 *   - keepalived's notify (notify-script.ts) calls it with the new state: BACKUP, FAULT, STOP arm the guard (no traffic
 *     reaches a backup: it holds neither the VIP nor the gateway); MASTER disarms it GUARD_SECONDS later, and only if
 *     the VIP is still here. A connection the old master never sent (it died within the last flush) is dropped for
 *     those seconds, then reset as before.
 *   - `status`: the sync daemons and the guard (exit 0 when both daemons run as configured and the table is loaded).
 * Without nft on the director `start` says so and runs the sync daemons only (exit 0): failovers work, new
 * connections of the last moments may be reset as before.
 *
 * Profile values in it: LVS_IF (a plain interface name), the VRRP id, the VIP (IPv4: pairs are IPv4) and the TCP ports
 * (numbers); each is checked here, the rest is constant. POSIX sh (busybox sh on the lab's director, dash elsewhere).
 */
import type { Cluster } from '../../shared/model/cluster.ts';
import { isIPv4 } from '../../shared/model/validators.ts';
import { portNumber } from '../../shared/model/well-known-ports.ts';
import { AppError } from '../../shared/result.ts';
import type { Resolve } from '../lvs/plan/desired-table.ts';

/** Its boot link in rc3.d: after lvs-kernel (S45), before keepalived (S50). */
export const PAIR_LINK = 'S47lvs-pair';
/** How long a new master keeps dropping unknown TCP segments: the 2 s sync flush, its 1 s check, and some margin. */
export const GUARD_SECONDS = 4;
/** The nft table of the guard. */
export const GUARD_TABLE = 'lvs_console_pair';

/** The script's text for a pair profile (see the module comment). */
export function pairScriptText(cluster: Cluster, resolve: Resolve): string {
  if (!cluster.pair) throw new AppError('INVALID_INPUT', 'lvs-pair: the profile has no second director (pair)');
  const lvsIf = cluster.lvsIf;
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(lvsIf)) throw new AppError('INVALID_INPUT', `lvs-pair: lvsIf '${lvsIf}' is not a plain interface name`);
  const vipDev = cluster.vipIf.split(':')[0]!;
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(vipDev)) throw new AppError('INVALID_INPUT', `lvs-pair: vipIf '${cluster.vipIf}' is not a plain interface name`);
  const vip = resolve(cluster.vip);
  if (!isIPv4(vip)) throw new AppError('INVALID_INPUT', `lvs-pair: vip ${cluster.vip}: a director pair needs an IPv4 VIP`);
  const vrid = cluster.pair.vrid;
  if (!Number.isInteger(vrid) || vrid < 1 || vrid > 255) throw new AppError('INVALID_INPUT', `lvs-pair: VRRP id ${vrid} is not 1-255`);
  const ports = [
    ...new Set(
      cluster.tcp.map((s) => {
        const p = portNumber(s.port, 'tcp');
        if (p === undefined || !Number.isInteger(p) || p < 1 || p > 65535) throw new AppError('INVALID_INPUT', `lvs-pair: bad TCP port ${s.port}`);
        return p;
      }),
    ),
  ].sort((a, b) => a - b);
  return `#!/bin/sh
# lvs-pair: a director pair's connection handover for cluster ${/^[A-Za-z0-9._-]+$/.test(cluster.id) ? cluster.id : '(profile)'} (installed by LVS Console; generated, do not edit).
#   start   both IPVS sync daemons (master and backup) on ${lvsIf}, syncid ${vrid}, and the takeover guard (nft table
#           ${GUARD_TABLE}), armed unless this director holds the VIP
#   MASTER  (keepalived's notify) disarm the guard ${GUARD_SECONDS} s later if the VIP is still here; BACKUP|FAULT|STOP arm it
#   status  the sync daemons and the guard; exit 0 when both daemons run and the guard is loaded
### BEGIN INIT INFO
# Provides:          lvs-pair
# Required-Start:    $network lvs-kernel
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:
# Short-Description: LVS director pair: IPVS connection sync, takeover guard
### END INIT INFO
PATH=\${PATH:+$PATH:}/sbin:/usr/sbin:/bin:/usr/bin
IF=${lvsIf}
SYNCID=${vrid}
VIP=${vip}
VIPDEV=${vipDev}
PORTS='${ports.join(', ')}'
T=${GUARD_TABLE}
has_vip() { ip -o -4 addr show dev "$VIPDEV" 2>/dev/null | grep -qF " $VIP/"; }
has_nft() { command -v nft >/dev/null 2>&1; }
arm() { has_nft || return 0; [ -n "$PORTS" ] || return 0; nft add element ip $T guard_port "{ $PORTS }"; }
disarm() { has_nft || return 0; nft flush set ip $T guard_port; }
# has_daemon ROLE: \`ipvsadm -L --daemon\` ($now) lists ROLE on IF with SYNCID; ipvsadm 1.31 on Debian 12 prints
# "master sync daemon (mcast=eth0, syncid=51, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)", older ones end at the id
has_daemon() { case $now in *"$1 sync daemon (mcast=$IF, syncid=$SYNCID)"* | *"$1 sync daemon (mcast=$IF, syncid=$SYNCID,"*) return 0 ;; esac; return 1; }
daemons() {
  now=$(ipvsadm -L --daemon 2>/dev/null) || now=
  for role in master backup; do
    has_daemon $role && continue
    case $now in *"$role sync daemon"*) ipvsadm --stop-daemon $role ;; esac
    ipvsadm --start-daemon $role --mcast-interface "$IF" --syncid $SYNCID || { echo "lvs-pair: the $role sync daemon did not start"; return 1; }
  done
}
guard_table() {
  nft -f - <<EOF
table ip $T
delete table ip $T
table ip $T {
  set guard_port { type inet_service; }
  chain input { type filter hook input priority 200; policy accept; ip daddr $VIP tcp dport @guard_port drop; }
  chain forward { type filter hook forward priority 200; policy accept; ip saddr != $VIP tcp sport @guard_port drop; }
}
EOF
}
case "$1" in
  start|restart|reload|force-reload)
    [ -d /proc/sys/net/ipv4/vs ] || modprobe ip_vs 2>/dev/null
    # sync a TCP connection on its 2nd packet from the client (the handshake's ACK: ESTABLISHED), not its 3rd (the
    # default 3 50): a client that waits for the server to speak first (telnet) sends its 3rd packet only after the
    # realserver's first data, so a connection opened in the last second before a switch was never synced at all
    f=/proc/sys/net/ipv4/vs/sync_threshold
    if [ -e $f ]; then echo "2 50" > $f || exit 1; else echo "lvs-pair: no $f (IPVS not loaded)"; fi
    daemons || exit 1
    if ! has_nft; then echo "lvs-pair: nft not found (Debian: apt-get install nftables): no takeover guard; connections opened just before a failover may be reset"; exit 0; fi
    nft list chain ip $T input 2>/dev/null | grep -qF "ip daddr $VIP tcp dport @guard_port drop" || guard_table || exit 1
    if has_vip; then disarm; else disarm && arm; fi
    exit $? ;;
  MASTER)
    ( sleep ${GUARD_SECONDS}; if has_vip; then disarm; fi ) </dev/null >/dev/null 2>&1 &
    exit 0 ;;
  BACKUP|FAULT|STOP) arm; exit $? ;;
  stop) exit 0 ;;
  status)
    now=$(ipvsadm -L --daemon 2>/dev/null) || now=
    printf '%s\n' "$now"
    ok=0
    for role in master backup; do has_daemon $role || { echo "lvs-pair: no $role sync daemon on $IF with syncid $SYNCID"; ok=1; }; done
    if has_nft && nft list set ip $T guard_port 2>/dev/null; then :; else echo "lvs-pair: the takeover guard is not loaded"; ok=1; fi
    exit $ok ;;
  *) echo "usage: $0 start|stop|status|MASTER|BACKUP|FAULT|STOP" >&2; exit 2 ;;
esac
`;
}

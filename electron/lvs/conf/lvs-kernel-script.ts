/**
 * The boot script of the keepalived runtime (/etc/init.d/lvs-kernel, linked before keepalived's): the kernel settings
 * an LVS-NAT director needs and keepalived does not make: forwarding on, ICMP redirects off on every interface (in the
 * one-interface topology they would send realservers around the director), IPVS loaded and its persistence templates
 * expiring with a weight-0 destination. Constant text (no profile value in it). The script runtime's lvs-director
 * start does the same itself.
 */
export const LVS_KERNEL_SCRIPT = `#!/bin/sh
# lvs-kernel: the kernel settings of an LVS-NAT director run by keepalived (installed by LVS Console, started at boot
# before keepalived): IP forwarding on, ICMP redirects off on all interfaces, IPVS loaded with expire_quiescent_template.
### BEGIN INIT INFO
# Provides:          lvs-kernel
# Required-Start:    $network
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:
# Short-Description: LVS director kernel settings (for keepalived)
### END INIT INFO
PATH=\${PATH:+$PATH:}/sbin:/usr/sbin:/bin:/usr/bin
case "$1" in
  start|restart|reload|force-reload)
    echo 1 > /proc/sys/net/ipv4/ip_forward
    for f in /proc/sys/net/ipv4/conf/*/send_redirects; do [ -w "$f" ] && echo 0 > "$f"; done
    [ -d /proc/sys/net/ipv4/vs ] || modprobe ip_vs 2>/dev/null
    f=/proc/sys/net/ipv4/vs/expire_quiescent_template
    [ -w $f ] && echo 1 > $f
    exit 0 ;;
  stop|status) exit 0 ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
`;

/**
 * The director's own control script, installed by `lvsctl install-director` as /etc/init.d/lvs-director so the cluster
 * runs without any desktop open: the seed's verbs start / stop / reload / status / update (+ rules), POSIX sh, reading
 * /etc/lvs.conf. `rules` prints exactly what start/reload load with `ipvsadm -R`; a unit test checks it matches the
 * console's own planner for the same configuration.
 */
export const LVS_DIRECTOR_SCRIPT = `#!/bin/sh
# lvs-director: control script for a one-interface LVS-NAT director, as described in "Providing Network Services Using
# LVS" (Sys Admin, Sep 2002). Installed and kept in sync by LVS Console; runs without any desktop open (boot + cron).
# Verbs: start | stop | reload | status | update, and rules (print what start/reload would load, for ipvsadm -R).   Configuration: /etc/lvs.conf (override with LVS_CONF=...).
#   VIP VIP_IF LVS_IF TPORTS UPORTS RIPS  (the seed's variables)
#   optional (written by LVS Console): VIP_PREFIX (default 32), SCHEDULER (default wlc), SCHEDULERS ("tcp:23:rr ..."
#   per-service overrides), PERSISTENT ("udp:177:360[:netmask] ..."), WEIGHTS ("rip=w ..."), RIPS_DISABLED ("rip ..."
#   listed in RIPS but kept out of the table), FORWARD (masq, the seed's NAT; route; tunnel)
### BEGIN INIT INFO
# Provides:          lvs-director
# Required-Start:    $network
# Required-Stop:     $network
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: LVS-NAT director (virtual IP and IPVS table)
### END INIT INFO

PATH=/sbin:/usr/sbin:/bin:/usr/bin:$PATH
CONF=\${LVS_CONF:-/etc/lvs.conf}
[ -r "$CONF" ] || { echo "lvs-director: cannot read $CONF" >&2; exit 6; }
. "$CONF"
: "\${VIP:?VIP is not set in $CONF}" "\${VIP_IF:?VIP_IF is not set in $CONF}"
LVS_IF=\${LVS_IF:-eth0}
VIP_PREFIX=\${VIP_PREFIX:-32}
SCHEDULER=\${SCHEDULER:-wlc}
case \${FORWARD:-masq} in
  masq) FWD=-m ;; route) FWD=-g ;; tunnel) FWD=-i ;;
  *) echo "lvs-director: FORWARD must be masq, route or tunnel" >&2; exit 6 ;;
esac
PHYS_IF=\${VIP_IF%%:*}

log() { echo "lvs-director: $*"; command -v logger >/dev/null 2>&1 && logger -t lvs-director "$*"; return 0; }

# name or number -> port number (services(5), with the common names built in for minimal directors)
portnum() {
  case $1 in
    *[!0-9]*) ;;
    *) echo "$1"; return 0 ;;
  esac
  if [ -r /etc/services ]; then
    p=$(awk -v n="$1" -v pr="$2" '$1 == n { split($2, a, "/"); if (a[2] == pr) { print a[1]; exit } }' /etc/services)
    [ -n "$p" ] && { echo "$p"; return 0; }
  fi
  case $1 in
    telnet) echo 23 ;; ssh) echo 22 ;; ftp) echo 21 ;; http|www) echo 80 ;; https) echo 443 ;; xdmcp) echo 177 ;;
    x11) echo 6000 ;; nfs) echo 2049 ;; *) echo "lvs-director: unknown service $1" >&2; return 1 ;;
  esac
}

# name or address -> IPv4 address
addr() {
  case $1 in
    *[!0-9.]*) ;;
    *) echo "$1"; return 0 ;;
  esac
  a=$(getent hosts "$1" 2>/dev/null | awk '{ print $1; exit }')
  [ -z "$a" ] && [ -r /etc/hosts ] && a=$(awk -v n="$1" '$1 !~ /^#/ { for (i = 2; i <= NF; i++) if ($i == n) { print $1; exit } }' /etc/hosts)
  [ -n "$a" ] || { echo "lvs-director: cannot resolve $1" >&2; return 1; }
  echo "$a"
}

weight() {
  for w in $WEIGHTS; do
    [ "\${w%%=*}" = "$1" ] && { echo "\${w#*=}"; return 0; }
  done
  echo 1
}

disabled() {
  for d in $RIPS_DISABLED; do [ "$d" = "$1" ] && return 0; done
  return 1
}

sched_for() { # proto port
  for p in $SCHEDULERS; do
    pr=\${p%%:*}; rest=\${p#*:}; pt=\${rest%%:*}
    [ "$pr" = "$1" ] && [ "$(portnum "$pt" "$pr")" = "$2" ] && { echo "\${rest#*:}"; return 0; }
  done
  echo "$SCHEDULER"
}

persist_opts() { # proto port
  for p in $PERSISTENT; do
    pr=\${p%%:*}; rest=\${p#*:}; pt=\${rest%%:*}; rest=\${rest#*:}; secs=\${rest%%:*}
    if [ "$pr" = "$1" ] && [ "$(portnum "$pt" "$pr")" = "$2" ]; then
      if [ "$rest" != "$secs" ]; then echo "-p $secs -M \${rest#*:}"; else echo "-p $secs"; fi
      return 0
    fi
  done
  return 0
}

# The rules for ipvsadm -R: every service, and every realserver given (default: all RIPS)
rules() {
  vip=$(addr "$VIP") || return 1
  for proto in tcp udp; do
    if [ $proto = tcp ]; then ports=$TPORTS; flag=-t; else ports=$UPORTS; flag=-u; fi
    for p in $ports; do
      n=$(portnum "$p" $proto) || return 1
      po=$(persist_opts $proto "$n")
      echo "-A $flag $vip:$n -s $(sched_for $proto "$n")\${po:+ $po}"
      for r in \${1-$RIPS}; do
        disabled "$r" && continue
        ra=$(addr "$r") || return 1
        echo "-a $flag $vip:$n -r $ra:$n $FWD -w $(weight "$r")"
      done
    done
  done
}

vip_up() {
  vip=$(addr "$VIP") || return 1
  if command -v ip >/dev/null 2>&1; then
    ip -o addr show dev "$PHYS_IF" | grep -q " $vip/" || ip addr add "$vip/$VIP_PREFIX" dev "$PHYS_IF" label "$VIP_IF" || return 1
  else
    ifconfig "$VIP_IF" "$vip" up || return 1
  fi
}

vip_down() {
  vip=$(addr "$VIP") || return 1
  if command -v ip >/dev/null 2>&1; then
    if ip -o addr show dev "$PHYS_IF" | grep -q " $vip/"; then ip addr del "$vip/$VIP_PREFIX" dev "$PHYS_IF" || return 1; fi
  else
    ifconfig "$VIP_IF" down 2>/dev/null
  fi
  return 0
}

kernel_setup() {
  for f in all "$LVS_IF"; do
    [ -w "/proc/sys/net/ipv4/conf/$f/send_redirects" ] && echo 0 > "/proc/sys/net/ipv4/conf/$f/send_redirects"
  done
  echo 1 > /proc/sys/net/ipv4/ip_forward
}

load_table() {
  r=$(rules "$@") || return 1
  ipvsadm -C || return 1
  printf '%s\\n' "$r" | ipvsadm -R
}

update() {
  vip=$(addr "$VIP") || return 1
  live=$(ipvsadm -S -n) || return 1
  for r in $RIPS; do
    disabled "$r" && continue
    ra=$(addr "$r") || continue
    if ping -c 1 -W 2 "$ra" >/dev/null 2>&1; then up=1; else up=0; fi
    for proto in tcp udp; do
      if [ $proto = tcp ]; then ports=$TPORTS; flag=-t; else ports=$UPORTS; flag=-u; fi
      for p in $ports; do
        n=$(portnum "$p" $proto) || continue
        if printf '%s\\n' "$live" | grep -q -- "^-a $flag $vip:$n -r $ra:$n "; then present=1; else present=0; fi
        if [ $up = 0 ] && [ $present = 1 ]; then
          ipvsadm -d $flag "$vip:$n" -r "$ra:$n" && log "removed $r from $proto/$n (no answer to ping)"
        elif [ $up = 1 ] && [ $present = 0 ]; then
          ipvsadm -a $flag "$vip:$n" -r "$ra:$n" $FWD -w "$(weight "$r")" && log "added $r to $proto/$n"
        fi
      done
    done
  done
}

case "$1" in
  start)
    kernel_setup && vip_up && load_table || { log "start failed"; exit 1; }
    log "started: VIP $VIP on $VIP_IF"
    ;;
  stop)
    ipvsadm -C; vip_down || exit 1
    log "stopped"
    ;;
  reload|force-reload)
    load_table || { log "reload failed"; exit 1; }
    log "reloaded"
    ;;
  restart)
    "$0" stop; "$0" start
    ;;
  status)
    ipvsadm -L -n
    ;;
  rules)
    rules || exit 1
    ;;
  update)
    update
    ;;
  *)
    echo "usage: $0 {start|stop|reload|status|update|rules}" >&2
    exit 2
    ;;
esac
`;

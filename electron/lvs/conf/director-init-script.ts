/**
 * The director's own control script, installed by `lvsctl install-director` as /etc/init.d/lvs-director so the cluster
 * runs without any desktop open: the seed's verbs start / stop / reload / status / update (+ rules), POSIX sh, reading
 * /etc/lvs.conf. `rules` prints exactly what start/reload load with `ipvsadm -R`; a unit test checks it matches the
 * console's own planner for the same configuration.
 *
 * `update` (the cron poll) checks every service of every realserver the way the console does: it embeds the console's
 * own probe (shell/service-probe-script.ts: TCP connect, XDMCP Query → Willing, a UDP payload/reply) and takes a
 * realserver out of exactly the services whose check fails (CHECKS says how each service is checked). start, stop and
 * reload follow the profile ownership rule: only this VIP's services are cleared, `ipvsadm -C` only when the director
 * holds nothing else or EXCLUSIVE=yes. EXCLUDE keeps a realserver out of named services (a per-service drain/disable).
 *
 * start, stop, reload and update take the director's lock (shell/director-lock.ts), the one LVS Console's apply
 * transaction holds from its snapshot to its verdict, BEFORE they read /etc/lvs.conf (a transaction may be installing a
 * new one) and keep it until they exit (an EXIT trap; HUP/INT/TERM exit through it). `update` waits at most
 * LOCK_WAIT_S.update seconds and then skips this minute, logging who holds the lock: cron runs it again a minute later
 * with the configuration and the health as they are then, whereas waiting longer would only stack cron runs behind a
 * long transaction and act on a probe taken before it. start/stop/reload wait LOCK_WAIT_S.verb seconds (they must
 * happen: boot, an admin), then fail saying who holds it. status, rules and restart (which runs stop and start) take no
 * lock. LVS_LOCK_DIR overrides the lock's directory (tests); it must pass the same private-directory check.
 */
import { LEAN_PROBE_SCRIPT, PROBE_ALL_FN } from '../../shell/lean-probe-script.ts';
import { PERL_PROBE_SCRIPT } from '../../shell/perl-probe-script.ts';
import { SERVICE_PROBE_SCRIPT } from '../../shell/service-probe-script.ts';
import { LOCK_DIR, LOCK_FNS, LOCK_NAME, LOCK_WAIT_S } from '../../shell/director-lock.ts';
import { PRIVATE_DIR_FN } from '../../shell/private-dir.ts';

/**
 * The probe as shell functions: probe_all T TCPPORTS UDPSPECS HOST… (shell/lean-probe-script.ts) runs the console's
 * perl probe (one process for every check) when the director has perl, else its lean probe under bash when it has bash
 * (a few processes per realserver where the health probe starts ~20; at 50 realservers on the lab's emulated director
 * the cron update took the director's only CPU for 7–12 s of every minute with the health probe, 1.1 s with the perl
 * probe), else health_probe: the health probe under sh (a subshell body: its variables and helpers stay inside). All
 * print the same line format, which update's awk reads.
 */
const PROBE_FN = [`PERL_PROBE='${PERL_PROBE_SCRIPT}'`, `LEAN_PROBE='${LEAN_PROBE_SCRIPT}'`, PROBE_ALL_FN, `health_probe() (\n${SERVICE_PROBE_SCRIPT}\n)`].join('\n');

/** The director script (see the module comment). */
export const LVS_DIRECTOR_SCRIPT = `#!/bin/sh
# lvs-director: control script for a one-interface LVS-NAT director, as described in "Providing Network Services Using
# LVS" (Sys Admin, Sep 2002). Installed and kept in sync by LVS Console; runs without any desktop open (boot + cron).
# Verbs: start | stop | reload | status | update, and rules (print what start/reload would load, for ipvsadm -R).   Configuration: /etc/lvs.conf (override with LVS_CONF=...).
#   VIP VIP_IF LVS_IF TPORTS UPORTS RIPS  (the seed's variables)
#   optional (written by LVS Console): VIP_PREFIX (default 32), SCHEDULER (default wlc), SCHEDULERS ("tcp:23:rr ..."
#   per-service overrides), PERSISTENT ("udp:177:360[:netmask] ..."), WEIGHTS ("rip=w ..."), RIPS_DISABLED ("rip ..."
#   listed in RIPS but kept out of the table), FORWARD (masq, the seed's NAT; route; tunnel), EXCLUDE ("rip=udp/177 ...":
#   a realserver kept out of one service), CHECKS ("tcp/23=connect udp/177=xdmcp udp/5000=udp:PAYLOADHEX:REPLYHEX
#   udp/123=none": how update checks each service; default connect for TCP, xdmcp for UDP 177, none otherwise),
#   CHECK_TIMEOUT (seconds per check, default 1), EXCLUSIVE (yes: start/stop/reload clear the whole table, the seed's
#   way; default no: only this VIP's services, ipvsadm -C only when the director holds nothing else)
### BEGIN INIT INFO
# Provides:          lvs-director
# Required-Start:    $network
# Required-Stop:     $network
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: LVS-NAT director (virtual IP and IPVS table)
### END INIT INFO

PATH=\${PATH:+$PATH:}/sbin:/usr/sbin:/bin:/usr/bin
CONF=\${LVS_CONF:-/etc/lvs.conf}

log() { echo "lvs-director: $*"; command -v logger >/dev/null 2>&1 && logger -t lvs-director "$*"; return 0; }

# The director's lock, shared with LVS Console's apply transaction (its snapshot, apply, read-back and rollback happen
# under it): the verbs that change the table take it before reading $CONF. update waits ${LOCK_WAIT_S.update} s, then skips this
# minute (cron runs it again); start/stop/reload wait ${LOCK_WAIT_S.verb} s, then fail. A lock whose holder no longer runs is removed.
LOCK_DIR=\${LVS_LOCK_DIR:-${LOCK_DIR}}
${PRIVATE_DIR_FN}
${LOCK_FNS}
case "$1" in
  start|stop|reload|force-reload) lock_wait=${LOCK_WAIT_S.verb} ;;
  update) lock_wait=${LOCK_WAIT_S.update} ;;
  *) lock_wait= ;;
esac
if [ -n "$lock_wait" ]; then
  why=$(private_dir "$LOCK_DIR") || { log "$1 refused: $why (the lock's directory must be root's alone)"; exit 1; }
  lock_take "$LOCK_DIR/${LOCK_NAME}" "$lock_wait" "lvs-director-$1"
  case $? in
    0) trap lock_release EXIT; trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM ;;
    1) holder="\${lk_cur##*:} (pid \${lk_cur%%:*})"
       if [ "$1" = update ]; then log "update skipped this minute: $holder holds $lk (waited $lock_wait s); cron runs it again"; exit 0; fi
       log "$1 failed: $holder holds $lk (waited $lock_wait s)"; exit 1 ;;
    *) log "$1 failed: $lk is not a lock (a directory or a plain file): remove it"; exit 1 ;;
  esac
fi

[ -r "$CONF" ] || { echo "lvs-director: cannot read $CONF" >&2; exit 6; }
. "$CONF"
: "\${VIP:?VIP is not set in $CONF}" "\${VIP_IF:?VIP_IF is not set in $CONF}"
LVS_IF=\${LVS_IF:-eth0}
VIP_PREFIX=\${VIP_PREFIX:-32}
SCHEDULER=\${SCHEDULER:-wlc}
CHECK_TIMEOUT=\${CHECK_TIMEOUT:-1}
EXCLUSIVE=\${EXCLUSIVE:-no}
# An XDMCP Query (version 1, opcode Query 2, length 1, no authentication names) as printf octal escapes.
XDMCP_QUERY='\\000\\001\\000\\002\\000\\001\\000'
case \${FORWARD:-masq} in
  masq) FWD=-m ;; route) FWD=-g ;; tunnel) FWD=-i ;;
  *) echo "lvs-director: FORWARD must be masq, route or tunnel" >&2; exit 6 ;;
esac
PHYS_IF=\${VIP_IF%%:*}

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
  weight_v "$1"; echo "$W"
}

# The same two without a subshell (on a small or emulated director every fork costs milliseconds; rules runs them for
# every realserver of every service): the address in A, the weight in W.
addr_v() {
  case $1 in
    *[!0-9.]*) A=$(addr "$1") ;;
    *) A=$1 ;;
  esac
}

weight_v() {
  W=1
  for w in $WEIGHTS; do
    [ "\${w%%=*}" = "$1" ] && { W=\${w#*=}; return 0; }
  done
  return 0
}

disabled() {
  for d in $RIPS_DISABLED; do [ "$d" = "$1" ] && return 0; done
  return 1
}

excluded() { # rip proto port: kept out of this one service
  for e in $EXCLUDE; do [ "$e" = "$1=$2/$3" ] && return 0; done
  return 1
}

check_for() { # proto port -> connect | xdmcp | udp:PAYLOADHEX:REPLYHEX | none
  for c in $CHECKS; do
    sv=\${c%%=*}; pr=\${sv%%/*}
    [ "$pr" = "$1" ] && [ "$(portnum "\${sv#*/}" "$pr")" = "$2" ] && { echo "\${c#*=}"; return 0; }
  done
  if [ "$1" = tcp ]; then echo connect; elif [ "$2" = 177 ]; then echo xdmcp; else echo none; fi
}

hex_format() { # hex bytes -> printf octal escapes (\\ooo each)
  h=$1; o=
  while [ -n "$h" ]; do b=\${h%"\${h#??}"}; h=\${h#??}; o="$o\\\\$(printf %03o "0x$b")"; done
  printf '%s' "$o"
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
        excluded "$r" $proto "$n" && continue
        addr_v "$r" || return 1
        weight_v "$r"
        echo "-a $flag $vip:$n -r $A:$n $FWD -w $W"
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

# Once IPVS is loaded: a persistence template pointing at a weight-0 (drained, or failed) realserver expires instead of
# sending its client there for the whole persistence timeout.
vs_setup() {
  f=/proc/sys/net/ipv4/vs/expire_quiescent_template
  [ -w $f ] && echo 1 > $f
  return 0
}

# Empties this VIP's part of the table: ipvsadm -C when EXCLUSIVE=yes or nothing else is there, else ipvsadm -D per
# service of this VIP (other VIPs' services are someone else's).
clear_own() {
  vip=$(addr "$VIP") || return 1
  [ "$EXCLUSIVE" = yes ] && { ipvsadm -C; return; }
  save=$(ipvsadm -S -n) || return 1
  others=$(printf '%s\\n' "$save" | awk -v v="$vip:" '$1 == "-A" && !(($2 == "-t" || $2 == "-u") && index($3, v) == 1)' | wc -l)
  [ "$others" -eq 0 ] && { ipvsadm -C; return; }
  printf '%s\\n' "$save" | awk -v v="$vip:" '$1 == "-A" && ($2 == "-t" || $2 == "-u") && index($3, v) == 1 { print $2, $3 }' |
    while read -r f a; do ipvsadm -D "$f" "$a" || exit 1; done
}

load_table() {
  r=$(rules "$@") || return 1
  clear_own || return 1
  printf '%s\\n' "$r" | ipvsadm -R
}

${PROBE_FN}

# The cron poll: every service of every enabled realserver checked at once (probe_all), each realserver taken out of
# exactly the services whose check fails and added back to those whose check passes; excluded ones are left alone.
# One awk pass decides every (realserver, service) from the probe's lines and the live table (a fork or two per
# destination made update take minutes at 50 realservers on a slow director). Verdicts: a service whose check is
# "none" is in; TCP "up" in, "down" out; UDP "noreply" out, a reply in when it is an XDMCP Willing (opcode 5, at
# least 12 bytes) or starts with the expected bytes; no UDP tool or no probe line: left as it is.
update() {
  vip=$(addr "$VIP") || return 1
  live=$(ipvsadm -S -n) || return 1
  tports=; uspecs=; specs=; pairs=; hosts=
  for p in $TPORTS; do
    n=$(portnum "$p" tcp) || continue
    k=$(check_for tcp "$n")
    [ "$k" = connect ] && tports="$tports $n"
    specs="$specs tcp:$n:$k"
  done
  for p in $UPORTS; do
    n=$(portnum "$p" udp) || continue
    k=$(check_for udp "$n")
    case $k in
      xdmcp) uspecs="$uspecs $n/$XDMCP_QUERY" ;;
      udp:*) kk=\${k#udp:}; uspecs="$uspecs $n/$(hex_format "\${kk%%:*}")" ;;
    esac
    specs="$specs udp:$n:$k"
  done
  for r in $RIPS; do
    disabled "$r" && continue
    case $r in
      *[!0-9.]*) ra=$(addr "$r") || continue ;;
      *) ra=$r ;;
    esac
    hosts="$hosts $ra"; pairs="$pairs $r=$ra"
  done
  [ -n "$hosts" ] || return 0
  # shellcheck disable=SC2086
  res=$(probe_all "$CHECK_TIMEOUT" "$tports" "$uspecs" $hosts)
  { printf '%s\\n' "$live"; printf '%s\\n' "$res"; } | awk -v vip="$vip" -v specs="$specs" -v pairs="$pairs" -v excl="$EXCLUDE" '
    function verdict(ra, proto, n, k,   line, m, hex, want) {
      if (k == "none") return "in"
      line = probe[ra " " proto " " n]
      if (line == "") return "asis not probed"
      m = split(line, F, " ")
      if (proto == "tcp") {
        if (F[m] == "up") return "in"
        if (F[m] == "down") return "out connect refused or no answer"
        if (F[m] == "notool") return "asis no TCP tool on the director (bash, or nc and timeout)"
        return "asis not probed"
      }
      if (F[m] == "notool") return "asis no UDP tool on the director (bash or socat)"
      if (F[m] == "noreply") return "out no reply"
      if (F[4] != "reply" || m < 5) return "asis not probed"
      hex = F[m]
      if (k == "xdmcp") {
        if (substr(hex, 1, 8) != "00010005") return "out not a Willing"
        return length(hex) >= 24 ? "in" : "out a Willing too short"
      }
      want = substr(k, 5); want = substr(want, index(want, ":") + 1)
      return substr(hex, 1, length(want)) == want ? "in" : "out unexpected reply"
    }
    /^-a / { present[$2 " " $3 " " $5] = 1; next }
    /^-/ { next }
    NF >= 4 && !(($1 " " $2 " " $3) in probe) { probe[$1 " " $2 " " $3] = $0 }
    END {
      ns = split(specs, S, " "); np = split(pairs, P, " "); ne = split(excl, E, " ")
      for (i = 1; i <= ne; i++) ex[E[i]] = 1
      for (i = 1; i <= np; i++) {
        c = index(P[i], "="); r = substr(P[i], 1, c - 1); ra = substr(P[i], c + 1)
        for (j = 1; j <= ns; j++) {
          s = S[j]; c = index(s, ":"); proto = substr(s, 1, c - 1); rest = substr(s, c + 1)
          c = index(rest, ":"); n = substr(rest, 1, c - 1); k = substr(rest, c + 1)
          if ((r "=" proto "/" n) in ex) continue
          flag = proto == "tcp" ? "-t" : "-u"
          v = verdict(ra, proto, n, k)
          on = (flag " " vip ":" n " " ra ":" n) in present
          if (v ~ /^out / && on) print "del", flag, vip ":" n, ra ":" n, proto "/" n, r, substr(v, 5)
          else if (v == "in" && !on) print "add", flag, vip ":" n, ra ":" n, proto "/" n, r
        }
      }
    }' | while read -r act flag svc dst what r why; do
    if [ "$act" = del ]; then
      ipvsadm -d "$flag" "$svc" -r "$dst" && log "removed $r from $what ($why)"
    else
      ipvsadm -a "$flag" "$svc" -r "$dst" $FWD -w "$(weight "$r")" && log "added $r to $what"
    fi
  done
  return 0
}

case "$1" in
  start)
    kernel_setup && vip_up && load_table && vs_setup || { log "start failed"; exit 1; }
    log "started: VIP $VIP on $VIP_IF"
    ;;
  stop)
    clear_own; vip_down || exit 1
    log "stopped"
    ;;
  reload|force-reload)
    load_table && vs_setup || { log "reload failed"; exit 1; }
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

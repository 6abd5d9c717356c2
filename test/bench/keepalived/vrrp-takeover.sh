#!/usr/bin/env bash
# VRRP takeover of the lab pair's compiled keepalived.conf, measured side by side for two priority pairs, without the
# lab: Debian's keepalived 2.2.7 on this machine, VRRP only (keepalived -P; no IPVS here, so the lvs_sync_daemon line
# is removed), one keepalived per "director" in its own network + mount namespace, both on a bridge in a third (as
# test/fixtures/keepalived/capture-vrrp.sh). Each trial: the primary started and MASTER, the secondary started and
# BACKUP, a random wait (so the death falls anywhere between two adverts), then the primary's link cut (ip link set
# eth0 down inside it: no advert, not even a priority-0 one, can leave: a hard death as seen from the LAN); the time
# from the cut until the secondary holds the VIP (its `ip -ts monitor address`). The file is the compiler's output for
# the lab pair (test/fixtures/keepalived/compile-lab-pair.ts); the comparison pair only changes the two priority lines.
# usage (root): bash vrrp-takeover.sh [TRIALS (default 8)] [PRIMARY/SECONDARY …] (default: 150/100 254/253)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
trials=${1:-8}
shift || true
pairs=("$@")
((${#pairs[@]})) || pairs=(150/100 254/253)
d=$(mktemp -d /run/vrrp-takeover.XXXXXX)
pids=()
cleanup() {
  for f in "$d"/*.pid; do [ -e "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$d"
}
trap cleanup EXIT
# shellcheck source=../../fixtures/keepalived/vrrp-netns.sh
. "$repo/test/fixtures/keepalived/vrrp-netns.sh"
vrrp_netns_setup
advert=$(awk '/advert_int/ { print $2; exit }' "$d/primary.conf")

state() { cut -d' ' -f3 "$d/$1-state/vrrp-state" 2>/dev/null || echo none; }
wait_state() { for _ in $(seq 100); do [ "$(state "$1")" = "$2" ] && return 0; sleep 0.05; done; echo "timeout: $1 is $(state "$1"), not $2" >&2; return 1; }
start() { in_ns "$1" keepalived -n -l -P -f "$d/$1.conf" -p "$d/$1.pid" -r "$d/$1-vrrp.pid" >>"$d/$1.log" 2>&1 & }
stop_all() {
  for f in "$d"/primary.pid "$d"/secondary.pid; do [ -e "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null; done
  for _ in $(seq 100); do [ -e "$d/primary.pid" ] || [ -e "$d/secondary.pid" ] || return 0; sleep 0.05; done
  for f in "$d"/*.pid; do [ -e "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done; rm -f "$d"/*.pid
}

printf 'keepalived %s, advert_int %s s, %s trials per priority pair\n' "$(keepalived -v 2>&1 | head -1 | awk '{print $2}')" "$advert" "$trials"
for pair in "${pairs[@]}"; do
  p1=${pair%/*} p2=${pair#*/}
  sed -i -E "s/^  priority [0-9]+$/  priority $p1/" "$d/primary.conf"
  sed -i -E "s/^  priority [0-9]+$/  priority $p2/" "$d/secondary.conf"
  : > "$d/ms"
  for i in $(seq "$trials"); do
    for r in primary secondary; do
      in_ns "$r" ip addr flush dev eth0
      in_ns "$r" ip addr add "10.77.0.$([ $r = primary ] && echo 1 || echo 2)/24" dev eth0
      in_ns "$r" ip link set eth0 up
      rm -rf "$d/$r-state"
    done
    start primary; wait_state primary MASTER
    start secondary; wait_state secondary BACKUP
    sleep "1.$(printf '%03d' $((RANDOM % 1000)))"
    in_ns secondary bash -c 'TZ=UTC exec ip -ts monitor address' > "$d/mon" 2>&1 &
    mon=$!
    sleep 0.2
    t0=$(date +%s%6N)
    in_ns primary ip link set eth0 down
    wait_state secondary MASTER
    sleep 0.2
    kill "$mon" 2>/dev/null; wait "$mon" 2>/dev/null || true
    at=$(awk '/ 10\.77\.0\.100\/24 / { gsub(/[][]/, "", $1); print $1; exit }' "$d/mon")
    [ -n "$at" ] || { echo "trial $i: no VIP event on the secondary" >&2; exit 1; }
    t1=$(date -u -d "$at" +%s%6N)
    ms=$(( (t1 - t0) / 1000 ))
    echo "$ms" >> "$d/ms"
    stop_all
  done
  sort -n "$d/ms" | awk -v p="$pair" '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2;
    s = ""; for (i = 1; i <= NR; i++) s = s " " a[i];
    printf "priorities %-8s link cut → VIP on the backup: median %d ms, max %d ms, min %d ms (ms:%s)\n", p, m, a[NR], a[1], s }'
done

#!/usr/bin/env bash
# Smoke test of the lab, by hand-made seed steps (no product code): run after `npm run lab:up`, as root.
#  1. the director answers ssh and `ipvsadm -L -n` works; the table is empty, no VIP, ip_forward=0
#  2. telnet from the client to each realserver shows that realserver's host name
#  3. the seed's director steps (VIP alias eth0:110, ip_forward, send_redirects, ipvsadm -A/-a -m for telnet and
#     persistent XDMCP): WITHOUT the realservers' route fix the client's telnet to VIP:23 fails
#  4. with the seed's route fix (subnet route removed, host route to the director, default via the director) 9 telnets to
#     VIP:23 reach at least two realservers
#  5. `Xvfb :9 -query VIP` in the client gets an xdm login window (saved to test/lab/out/smoke-xdm-login.png)
#  6. everything undone: empty table, no VIP, the boot-time sysctls and routes back (checked)
# Prints PASS/FAIL per check and the time each step took; exits 1 when any check failed.
set -uo pipefail
# shellcheck source=config.sh
. "$(dirname "${BASH_SOURCE[0]}")/config.sh"
# shellcheck source=lib/common.sh
. "$LAB_SRC/lib/common.sh"

LAB=("bash" "$LAB_SRC/lab.sh")
OUT=$LAB_SRC/out
mkdir -p "$OUT"
FAILS=0
lab() { "${LAB[@]}" exec "$@"; }
pass() { printf 'PASS  %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; FAILS=$((FAILS + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
step() { printf '\n## %s\n' "$*"; STEP_T0=$(now_ms); }
took() { printf '      (%s ms)\n' "$(( $(now_ms) - STEP_T0 ))"; }

# telnet_banner HOST_IP — what a telnet client in the client namespace sees in 3 s (control characters stripped).
telnet_banner() {
  lab client sh -c "sleep 3 | timeout 5 telnet $1 23 2>&1" | tr -d '\r' | tr -c '[:print:]\n' ' '
}
# banner_name TEXT — the realserver name in a "NAME login:" line, or nothing.
banner_name() { grep -o -E '(^| )rs[0-9]+ login:' <<<"$1" | head -n1 | awk '{print $1}'; }

routes_of() { lab "$1" ip -4 route show | sort; }

step "0. lab is up"
"${LAB[@]}" status || { echo "the lab is not (fully) up: npm run lab:up"; exit 1; }
declare -A BOOT_ROUTES
for rs in "${RS_NAMES[@]}"; do BOOT_ROUTES[$rs]=$(routes_of "$rs"); done
BOOT_SYSCTL=$(lab director 'sysctl -n net.ipv4.ip_forward net.ipv4.conf.all.send_redirects net.ipv4.conf.eth0.send_redirects' | paste -sd ' ' -)
took

step "1. director: ssh + ipvsadm"
out=$(lab director 'ipvsadm -L -n'); rc=$?
check "ipvsadm -L -n over ssh exits 0" test "$rc" -eq 0
check "ipvsadm reports IPVS (real kernel table)" grep -q '^IP Virtual Server version' <<<"$out"
check "table empty at boot" test -z "$(grep -E '^(TCP|UDP|FWM)' <<<"$out")"
check "no VIP at boot" test -z "$(lab director "ip -o -4 addr show | grep ' $VIP/'")"
check "ip_forward=0 at boot" test "${BOOT_SYSCTL%% *}" = 0
check "director resolves rs1 from /etc/hosts" test "$(lab director 'getent hosts rs1' | awk '{print $1}')" = "${RS_IPS[0]}"
took

step "2. telnet from the client to each realserver"
for i in "${!RS_NAMES[@]}"; do
  b=$(telnet_banner "${RS_IPS[$i]}")
  check "telnet ${RS_IPS[$i]} shows '${RS_NAMES[$i]} login:'" test "$(banner_name "$b")" = "${RS_NAMES[$i]}"
done
took

undo() {
  step "6. undo (back to the boot state)"
  lab client sh -c '[ -f /tmp/smoke-xvfb.pid ] && kill "$(cat /tmp/smoke-xvfb.pid)" 2>/dev/null; rm -f /tmp/smoke-xvfb.pid; true'
  lab director "ipvsadm -C; ip addr del $VIP/$LAB_PREFIX dev eth0 2>/dev/null; set -- $BOOT_SYSCTL; sysctl -q -w net.ipv4.ip_forward=\$1; sysctl -q -w net.ipv4.conf.all.send_redirects=\$2; sysctl -q -w net.ipv4.conf.eth0.send_redirects=\$3; true"
  for i in "${!RS_NAMES[@]}"; do
    lab "${RS_NAMES[$i]}" sh -c "ip route del $DIRECTOR_IP dev eth0 2>/dev/null; ip route replace $LAB_NET.0/$LAB_PREFIX dev eth0 proto kernel scope link src ${RS_IPS[$i]}; ip route replace default via $DIRECTOR_IP dev eth0"
  done
  check "table empty again" test -z "$(lab director 'ipvsadm -S -n')"
  check "no VIP again" test -z "$(lab director "ip -o -4 addr show | grep ' $VIP/'")"
  check "sysctls as at boot ($BOOT_SYSCTL)" test "$(lab director 'sysctl -n net.ipv4.ip_forward net.ipv4.conf.all.send_redirects net.ipv4.conf.eth0.send_redirects' | paste -sd ' ' -)" = "$BOOT_SYSCTL"
  for rs in "${RS_NAMES[@]}"; do check "$rs routes as at boot" test "$(routes_of "$rs")" = "${BOOT_ROUTES[$rs]}"; done
  took
}
trap undo EXIT

step "3. the seed's director steps; realservers not yet fixed"
lab director "ip addr add $VIP/$LAB_PREFIX dev eth0 label eth0:110 &&
  sysctl -q -w net.ipv4.ip_forward=1 && sysctl -q -w net.ipv4.conf.all.send_redirects=0 &&
  sysctl -q -w net.ipv4.conf.eth0.send_redirects=0 &&
  ipvsadm -A -t $VIP:23 -s rr && ipvsadm -A -u $VIP:177 -s wlc -p 360 &&
  for r in ${RS_IPS[*]}; do ipvsadm -a -t $VIP:23 -r \$r:23 -m && ipvsadm -a -u $VIP:177 -r \$r:177 -m || exit 1; done"
check "director configured (VIP on eth0:110, 2 services x ${#RS_NAMES[@]} realservers)" \
  test "$(lab director 'ipvsadm -S -n' | grep -c -- ' -m ')" -eq $(( 2 * ${#RS_NAMES[@]} ))
b=$(telnet_banner "$VIP")
check "without the route fix, telnet VIP:23 gets no login banner (replies bypass the director)" test -z "$(banner_name "$b")"
took

step "4. the seed's route fix on every realserver, then 9 telnets to VIP:23"
for rs in "${RS_NAMES[@]}"; do
  lab "$rs" sh -c "ip route del $LAB_NET.0/$LAB_PREFIX dev eth0 && ip route add $DIRECTOR_IP dev eth0 && ip route replace default via $DIRECTOR_IP dev eth0"
done
declare -A SEEN=()
for n in $(seq 9); do
  name=$(banner_name "$(telnet_banner "$VIP")")
  printf '      telnet %s:23 #%s -> %s\n' "$VIP" "$n" "${name:-(no banner)}"
  [[ -n $name ]] && SEEN[$name]=1
done
check "9 telnets through the VIP reached >= 2 realservers (${!SEEN[*]})" test "${#SEEN[@]}" -ge 2
check "director's connection table shows the client's own address (NAT)" grep -q "$CLIENT_IP" <<<"$(lab director 'ipvsadm -L -n -c')"
b=$(sleep 3 | timeout 5 telnet "$VIP" 23 2>&1 | tr -d '\r' | tr -c '[:print:]\n' ' ')
check "the desktop (this host) also reaches a realserver through the VIP ($(banner_name "$b"))" test -n "$(banner_name "$b")"
SSH=(ssh -F /dev/null -i "$LAB_KEY" -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile="$KNOWN_HOSTS"
  -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o ConnectTimeout=10)
jump="${SSH[*]} -W %h:%p root@$DIRECTOR_IP"
check "ssh to rs1 through the director (the profile's viaDirector) after the route fix" \
  test "$("${SSH[@]}" -o ProxyCommand="$jump" "root@${RS_IPS[0]}" hostname)" = "${RS_NAMES[0]}"
took

step "5. XDMCP: Xvfb :9 -query VIP in the client"
lab client sh -c "Xvfb :9 -query $VIP -listen tcp -ac -screen 0 1024x768x24 </dev/null >/tmp/smoke-xvfb.log 2>&1 & echo \$! > /tmp/smoke-xvfb.pid"
login_up() { lab client sh -c 'xwininfo -root -tree -display :9 2>/dev/null' | grep -q '"xlogin"'; }
if wait_until 60 login_up; then
  pass "xdm's login window (xlogin) is on the client's display"
  lab client import -display :9 -window root "$OUT/smoke-xdm-login.png"
  check "screenshot saved: $OUT/smoke-xdm-login.png" test -s "$OUT/smoke-xdm-login.png"
  served=''
  for rs in "${RS_NAMES[@]}"; do lab "$rs" ps -eo args | grep -q -E '^-(client|'"$CLIENT_IP"'):9' && served+="$rs "; done
  check "one realserver's xdm manages the display (${served:-none})" test -n "$served"
  check "director shows the XDMCP persistence template ($CLIENT_IP:0)" grep -q "UDP.*$CLIENT_IP:0 .*$VIP:177" <<<"$(lab director 'ipvsadm -L -n -c')"
else
  fail "no xdm login window within 60 s (see the client's /tmp/smoke-xvfb.log)"
fi
took

trap - EXIT
undo
printf '\n%s\n' "$( ((FAILS == 0)) && echo "smoke: all checks passed" || echo "smoke: $FAILS check(s) FAILED")"
exit $(( FAILS > 0 ))

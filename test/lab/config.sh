# shellcheck shell=bash disable=SC2034  # a library of settings: its variables are used by the scripts that source it
# The lab's fixed facts: names, addresses, sizes. Sourced by lab.sh, build-image.sh, smoke.sh, measure.sh and install-deps.sh.
# One private /24 used only inside the namespaces the lab creates (override LVSLAB_NET=10.x.y before the first lab:up if it
# collides with something on your machine; the director image is rebuilt when it changes).
#
#   .1 director   .2 director2   .11-.13 rs1-rs3   .50 client   .60 desktop   .100 VIP   .111-.253 rs4-rs146   .254 gateway
# The VIP and the pair's floating gateway are configured by the product, never by the lab.

LAB_NET=${LVSLAB_NET:-10.77.0}          # first three octets of the lab /24
LAB_PREFIX=24
DIRECTOR_IP=$LAB_NET.1                  # the first qemu VM (eth0)
DIRECTOR2_IP=$LAB_NET.2                 # the second qemu VM of a director pair (eth0)
GATEWAY_IP=$LAB_NET.254                 # the pair's floating gateway (VRRP, for the product to configure)
VIP=$LAB_NET.100                        # for the product to put on eth0:110 (never configured by the lab)
CLIENT_IP=$LAB_NET.50                   # client namespace (telnet, Xvfb)
DESKTOP_IP=$LAB_NET.60                  # the host's own leg into the lab bridge ("the admin's desktop")
RS_MAX=146                              # rs1-rs3 at .11-.13, rs4… at .111… up to rs146 at .253

# rs_addr N — the address of realserver rsN (1 ≤ N ≤ RS_MAX): rs1-rs3 keep .11-.13, rs4… are .111….
rs_addr() { if (( $1 <= 3 )); then printf '%s.%d' "$LAB_NET" $(( 10 + $1 )); else printf '%s.%d' "$LAB_NET" $(( 107 + $1 )); fi; }

# set_realservers COUNT — RS_NAMES/RS_IPS for rs1…rsCOUNT (fails on a COUNT outside 1…RS_MAX).
set_realservers() {
  local n=$1 i
  if ! [[ $n =~ ^[0-9]+$ ]] || (( n < 1 || n > RS_MAX )); then printf '[lab] error: LVSLAB_REALSERVERS=%s: want 1…%s\n' "$n" "$RS_MAX" >&2; return 1; fi
  RS_NAMES=(); RS_IPS=()
  for (( i = 1; i <= n; i++ )); do RS_NAMES+=("rs$i"); RS_IPS+=("$(rs_addr "$i")"); done
}

NS_BRIDGE=lvslab                        # namespace holding the bridge br0 and the VMs' tap0/tap1 (qemu runs in it)
NS_PREFIX=lvslab-                       # lvslab-rs1 … lvslab-client
DESK_IF=lvslab-desk                     # the desktop veth end in the root namespace
DIRECTOR_MAC=52:54:00:77:00:01
DIRECTOR2_MAC=52:54:00:77:00:02
VM_MEM_MB=384
VM_DISK_MB=320
BOOT_TIMEOUT_S=${LVSLAB_BOOT_TIMEOUT:-240} # cold boot-to-ssh under TCG is ~30 s; CI machines can be much slower

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)   # test/lab
REPO_ROOT=$(cd "$LAB_SRC/../.." && pwd)
STATE=$REPO_ROOT/.lab                   # git-ignored: keys, cache, logs, run state, profiles
CACHE=$STATE/cache
RUN=$STATE/run
LOGS=$STATE/logs
KEYS=$STATE/keys
LAB_KEY=$STATE/id_ed25519               # the lab's client key (root on every lab host accepts it)
KNOWN_HOSTS=$STATE/known_hosts
PROFILE=$STATE/profile.json             # the cluster on the seed's script runtime
PROFILE_KEEPALIVED=$STATE/profile-keepalived.json   # the same cluster, runtime keepalived
PROFILE_HA=$STATE/profile-ha.json       # the director pair (director + director2, gateway), runtime keepalived

# The realservers: LVSLAB_REALSERVERS when set, else as many as the last lab:up made (run/realservers), else 3.
# (lab.sh up itself uses LVSLAB_REALSERVERS or 3.)
if [[ -n ${LVSLAB_REALSERVERS:-} ]]; then
  set_realservers "$LVSLAB_REALSERVERS" || exit 1
elif [[ -r $RUN/realservers ]] && [[ $(<"$RUN/realservers") =~ ^[0-9]+$ ]]; then
  set_realservers "$(<"$RUN/realservers")" || exit 1
else
  set_realservers 3
fi

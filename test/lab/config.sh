# shellcheck shell=bash
# The lab's fixed facts: names, addresses, sizes. Sourced by lab.sh, build-image.sh, smoke.sh and install-deps.sh.
# One private /24 used only inside the namespaces the lab creates (override LVSLAB_NET=10.x.y before the first lab:up if it
# collides with something on your machine; the director image is rebuilt when it changes).

LAB_NET=${LVSLAB_NET:-10.77.0}          # first three octets of the lab /24
LAB_PREFIX=24
DIRECTOR_IP=$LAB_NET.1                  # the qemu VM (eth0)
VIP=$LAB_NET.100                        # for the product to put on eth0:110 (never configured by the lab)
CLIENT_IP=$LAB_NET.50                   # client namespace (telnet, Xvfb)
DESKTOP_IP=$LAB_NET.60                  # the host's own leg into the lab bridge ("the admin's desktop")
RS_NAMES=(rs1 rs2 rs3)
RS_IPS=("$LAB_NET.11" "$LAB_NET.12" "$LAB_NET.13")

NS_BRIDGE=lvslab                        # namespace holding the bridge br0 and the VM's tap0 (qemu runs in it)
NS_PREFIX=lvslab-                       # lvslab-rs1 … lvslab-client
DESK_IF=lvslab-desk                     # the desktop veth end in the root namespace
DIRECTOR_MAC=52:54:00:77:00:01
VM_MEM_MB=384
VM_DISK_MB=256
BOOT_TIMEOUT_S=${LVSLAB_BOOT_TIMEOUT:-240} # cold boot-to-ssh under TCG is ~30 s; CI machines can be much slower

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)   # test/lab
REPO_ROOT=$(cd "$LAB_SRC/../.." && pwd)
STATE=$REPO_ROOT/.lab                   # git-ignored: keys, cache, logs, run state, profile.json
CACHE=$STATE/cache
RUN=$STATE/run
LOGS=$STATE/logs
KEYS=$STATE/keys
LAB_KEY=$STATE/id_ed25519               # the lab's client key (root on every lab host accepts it)
KNOWN_HOSTS=$STATE/known_hosts
PROFILE=$STATE/profile.json

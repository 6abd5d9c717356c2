#!/usr/bin/env bash
# The LVS lab: the seed's one-interface LVS-NAT cluster on one Linux machine (root).
#
#   director   qemu VM (-accel tcg) booting Debian's kernel (IPVS modules), persistent ext4 root, sshd, ipvsadm, keepalived
#   director2  a second VM from the same image (10.77.0.2), for a director pair; booted on demand (or LVSLAB_DIRECTOR2=1)
#   rs1..rsN   network + UTS + PID + mount namespaces with their own /etc (overlay) and a SysV boot (/etc/init.d/rc 3):
#              sshd (own host key), telnet (inetd + telnetd), xdm (XDMCP, UDP 177); N = LVSLAB_REALSERVERS (default 3)
#   client     namespace with telnet, Xvfb, xdpyinfo, import
#   desktop    this host's root namespace, with a veth leg into the lab bridge
# all on one bridge (br0 in namespace "lvslab") on one private /24 (config.sh). Traffic never leaves these namespaces.
#
# usage: lab.sh up | down | status | exec HOST CMD… | console [VM] | reboot VM|RS | kill VM | start VM
#               | service RS sshd|telnet|xdm start|stop|restart|status | link RS|client down|up | rekey RS [--restore]
#               | keepalived VM hide|restore | xwilling RS stock|builtin
#   up       idempotent; builds/caches what is missing, starts what is not running (director2 only with
#            LVSLAB_DIRECTOR2=1; a running director2 is left running). Its last stdout lines are
#            "profile: PATH", "profile-keepalived: PATH", "profile-ha: PATH" and "vip: ADDRESS"
#   down     idempotent; removes every namespace, process, veth, tap, both VMs and their disks, the realservers' /etc
#            (keeps .lab/cache, keys and logs)
#   status   one line per part; exit 0 when everything lab:up starts is up (services listening, cables plugged in), 1
#            otherwise (director2 counts when running or asked for with LVSLAB_DIRECTOR2=1)
#   exec     runs CMD on director or director2 (ssh, lab key, lab known_hosts, BatchMode), client, rs1…, or desktop (this
#            host); CMD's output and exit code pass through. One CMD word containing spaces is run by sh -c (like ssh);
#            several words are an argv (quoted for the director's shell). stdin is passed through.
#   reboot   VM: reboots it from inside ("reboot") and waits until sshd answers on a new boot.
#            RS: kills every process of the realserver, resets its network (a fresh namespace and veth, as at power-on) and
#            boots it: /etc/init.d/rc 3 runs /etc/rc3.d/S* start in order (its network from /etc/network/interfaces,
#            the lab's sshd, telnet and xdm, and whatever a product installed there); waits for its services
#   kill     hard-kills the VM's qemu (a power cut: no shutdown, its disk stays as it was)
#   start    boots the VM (its existing disk, or a fresh copy of the image) and waits until sshd answers
#   service  runs the realserver's /etc/init.d/lab-sshd|lab-telnet|lab-xdm ACTION and checks the port with ss
#   link     the realserver's (or client's) cable: its veth end in the bridge down/up (eth0 inside loses carrier)
#   rekey    gives RS's sshd a NEW random host key (to test "host key changed"); --restore puts the lab's key back
#   keepalived  hide: moves the VM's /usr/sbin/keepalived away (keepalived "not installed"); restore: puts it back
#   xwilling how RS's xdm answers an XDMCP Query: stock (Debian's Xwilling script, as rs1–rs3 do) or builtin (xdm's
#            own status, as rs4… do: see rs_config); restarts its xdm. lab:up puts the lab's choice back
#   console  prints a VM's serial console log (default director)
set -euo pipefail
# shellcheck source=config.sh
. "$(dirname "${BASH_SOURCE[0]}")/config.sh"
# shellcheck source=lib/common.sh
. "$LAB_SRC/lib/common.sh"
# shellcheck source=lib/kernel.sh
. "$LAB_SRC/lib/kernel.sh"

VMS=(director director2)
LAB_SERVICES=(sshd:tcp:22 telnet:tcp:23 xdm:udp:177)   # the lab's own realserver services: rc script lab-NAME, port
JOBS=${LVSLAB_JOBS:-6}                                 # realservers booted at once by lab:up

# ================================================================ small queries
ns_of() { printf '%s%s' "$NS_PREFIX" "$1"; }
ns_exists() { [[ -e /run/netns/$1 ]]; }
is_vm() { [[ $1 == director || $1 == director2 ]]; }
# rs_index NAME — N for a realserver name rsN within 1…RS_MAX, or fail.
rs_index() { [[ $1 =~ ^rs([1-9][0-9]{0,2})$ ]] && (( BASH_REMATCH[1] <= RS_MAX )) && printf '%s' "${BASH_REMATCH[1]}"; }
rs_ip() { local i; i=$(rs_index "$1") && rs_addr "$i"; }
host_ip() { if [[ $1 == client ]]; then printf '%s' "$CLIENT_IP"; else rs_ip "$1"; fi; }
# lab_netns — every lab namespace that exists now, except the bridge's (lvslab-rs1 … lvslab-client).
lab_netns() { local f; for f in /run/netns/"$NS_PREFIX"*; do [[ -e $f ]] && printf '%s\n' "${f##*/}"; done; return 0; }

vm_ip() { if [[ $1 == director2 ]]; then printf '%s' "$DIRECTOR2_IP"; else printf '%s' "$DIRECTOR_IP"; fi; }
vm_mac() { if [[ $1 == director2 ]]; then printf '%s' "$DIRECTOR2_MAC"; else printf '%s' "$DIRECTOR_MAC"; fi; }
vm_tap() { if [[ $1 == director2 ]]; then printf tap1; else printf tap0; fi; }
vm_disk() { printf '%s/%s.img' "$STATE" "$1"; }
vm_pidfile() { if [[ $1 == director2 ]]; then printf '%s/qemu-director2.pid' "$RUN"; else printf '%s/qemu.pid' "$RUN"; fi; }
vm_monitor() { if [[ $1 == director2 ]]; then printf '%s/qemu-director2-monitor.sock' "$RUN"; else printf '%s/qemu-monitor.sock' "$RUN"; fi; }
vm_console() { printf '%s/%s-console.log' "$LOGS" "$1"; }

# holder_pid NAME — pid of NAME's live namespace holder (its PID 1), or fail.
holder_pid() {
  local name=$1 pid ns
  ns=$(ns_of "$name")
  [[ -r $RUN/$name.holder ]] || return 1
  pid=$(<"$RUN/$name.holder")
  alive "$pid" || return 1
  [[ $(tr '\0' ' ' < "/proc/$pid/cmdline") == "lvslab-holder $name "* ]] || return 1
  ns_exists "$ns" && [[ $(stat -L -c %i "/proc/$pid/ns/net") == "$(stat -L -c %i "/run/netns/$ns")" ]] || return 1
  printf '%s' "$pid"
}

# in_host NAME CMD… — run CMD inside host NAME (all its namespaces), cwd kept when it exists there.
in_host() {
  local name=$1 pid wd=/; shift
  pid=$(holder_pid "$name") || die "$name is not up (npm run lab:up)"
  case $PWD in /tmp|/tmp/*|/run|/run/*) ;; *) wd=$PWD ;; esac
  nsenter -t "$pid" -m -u -n -p --wd="$wd" -- "$@"
}

# qemu_pid VM — pid of the running VM (director or director2), or fail.
qemu_pid() {
  local vm=${1:-director} pid pidfile
  pidfile=$(vm_pidfile "$vm")
  [[ -r $pidfile ]] || return 1
  pid=$(<"$pidfile")
  alive "$pid" || return 1
  # the argument after -name must be exactly lvslab-VM (lvslab-director is a prefix of lvslab-director2)
  tr '\0' '\n' < "/proc/$pid/cmdline" | grep -A1 -x -- -name | grep -q -x -- "lvslab-$vm" || return 1
  printf '%s' "$pid"
}

# The ssh client options for the VMs: lab key and known_hosts only, no prompts, and a shared connection (an ssh
# "master" kept 60 s after its last use: a new ssh handshake costs 1-3 s against the emulated CPU). Keepalives make a
# master whose VM went away exit within seconds. LVSLAB_SSH_MUX=0 turns the sharing off.
mux_path() { if (( ${#RUN} < 60 )); then printf '%s/ssh-%%C' "$RUN"; else printf '/tmp/lvslab-ssh-%%C'; fi; }
ssh_opts() {
  SSH_OPTS=(-F /dev/null -i "$LAB_KEY" -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile="$KNOWN_HOSTS"
    -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o ConnectTimeout="${SSH_CONNECT_TIMEOUT:-10}"
    -o ServerAliveInterval=2 -o ServerAliveCountMax=3 -o LogLevel=ERROR)
  if [[ ${LVSLAB_SSH_MUX:-1} != 0 ]]; then
    SSH_OPTS+=(-o ControlMaster=auto -o ControlPath="$(mux_path)" -o ControlPersist=60)
  else
    SSH_OPTS+=(-o ControlMaster=no -o ControlPath=none)
  fi
}

# vm_ssh VM CMDLINE — run CMDLINE with the VM's sh over ssh.
vm_ssh() {
  ssh_opts
  ssh "${SSH_OPTS[@]}" "root@$(vm_ip "$1")" -- "$2"
}

# vm_mux_close VM — end the shared ssh connection to the VM, if any.
vm_mux_close() {
  ssh_opts
  ssh "${SSH_OPTS[@]}" -O exit "root@$(vm_ip "$1")" >/dev/null 2>&1 || true
}

# ssh_banner IP — true when something answers "SSH-" on IP:22 within a second.
ssh_banner() {
  local line
  line=$(timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/22" && head -c 4 <&3' _ "$1" 2>/dev/null) || return 1
  [[ $line == SSH- ]]
}

vm_ready() { ssh_banner "$(vm_ip "$1")" && SSH_CONNECT_TIMEOUT=3 vm_ssh "$1" true </dev/null >/dev/null 2>&1; }

# listening NAME PROTO PORT — true when host NAME has a socket listening on PROTO (tcp/udp) PORT.
listening() {
  local flag=-lnt
  [[ $2 == udp ]] && flag=-lnu
  [[ -n $(ip netns exec "$(ns_of "$1")" ss -H "$flag" "sport = :$3" 2>/dev/null) ]]
}

# cable_in NAME — true when NAME's veth end in the bridge is administratively up (its "cable" plugged in).
cable_in() { ip -n "$NS_BRIDGE" link show "v-$1" 2>/dev/null | grep -q -E '<([^>]*,)?UP[,>]'; }

not_listening() { ! listening "$@"; }

# missing_services NAME — the lab services (sshd telnet xdm) NAME is not listening for, space-separated (one ss call).
missing_services() {
  local listen s svc proto port out=''
  listen=$(ip netns exec "$(ns_of "$1")" ss -H -lntu 2>/dev/null | awk '{print $1 ":" $5}')
  for s in "${LAB_SERVICES[@]}"; do
    IFS=: read -r svc proto port <<<"$s"
    grep -q -E "^$proto:.*:$port\$" <<<"$listen" || out+="$svc "
  done
  printf '%s' "${out% }"
}

# ================================================================ keys, files, image
ensure_keys() {
  mkdir -p "$STATE" "$CACHE" "$RUN" "$LOGS" "$KEYS"
  chmod 700 "$STATE" "$KEYS"
  [[ -f $LAB_KEY ]] || ssh-keygen -q -t ed25519 -N '' -C lvslab -f "$LAB_KEY"
  local n
  for n in "${VMS[@]}" "${RS_NAMES[@]}"; do
    [[ -f $KEYS/${n}_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C "lvslab-$n" -f "$KEYS/${n}_host_ed25519_key"
  done
  install -m 600 "$LAB_KEY.pub" "$STATE/authorized_keys"
  {
    printf '127.0.0.1\tlocalhost\n'
    printf '%s\tdirector\n%s\tdirector2\n' "$DIRECTOR_IP" "$DIRECTOR2_IP"
    for n in "${!RS_NAMES[@]}"; do printf '%s\t%s\n' "${RS_IPS[$n]}" "${RS_NAMES[$n]}"; done
    printf '%s\tclient\n%s\tdesktop\n' "$CLIENT_IP" "$DESKTOP_IP"
  } > "$STATE/hosts"
  printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' > "$STATE/resolv.conf"
  write_known_hosts
}

# write_known_hosts — OpenSSH known_hosts lines for both VMs and every realserver (keys the lab generated itself).
write_known_hosts() {
  local vm i
  {
    for vm in "${VMS[@]}"; do printf '%s %s\n' "$(vm_ip "$vm")" "$(cut -d' ' -f1,2 "$KEYS/${vm}_host_ed25519_key.pub")"; done
    for i in "${!RS_NAMES[@]}"; do
      printf '%s %s\n' "${RS_IPS[$i]}" "$(cut -d' ' -f1,2 "$KEYS/${RS_NAMES[$i]}_host_ed25519_key.pub")"
    done
  } > "$KNOWN_HOSTS.tmp"
  mv "$KNOWN_HOSTS.tmp" "$KNOWN_HOSTS"
}

# ensure_image — IMAGE_DIR: the cached VM image for the current build script, kernel and keys (built when missing).
IMAGE_BUILD_S=cached
ensure_image() {
  local kver hash dir t0
  [[ -n ${IMAGE_DIR:-} ]] && return 0
  kver=$(kernel_ensure)
  hash=$( { cat "$LAB_SRC/build-image.sh" "$LAB_SRC/config.sh"; printf '%s\n' "$LAB_NET" "$kver" "$VM_DISK_MB"
    cat "$LAB_KEY.pub" "$KEYS/director_host_ed25519_key.pub" "$KEYS/director2_host_ed25519_key.pub"; } | sha256sum | cut -c1-12)
  dir=$CACHE/director-$hash
  if [[ ! -f $dir/root.img ]]; then
    log "building the director image ($dir)"
    t0=$(now_ms)
    bash "$LAB_SRC/build-image.sh" "$dir" "$CACHE/kernel/$kver" "$kver" >&2
    IMAGE_BUILD_S=$(( $(now_ms) - t0 ))ms
    find "$CACHE" -maxdepth 1 -name 'director-*' ! -name "director-$hash" -exec rm -rf {} +
  fi
  IMAGE_DIR=$dir
}

# ================================================================ network
check_subnet_free() {
  local routes
  routes=$(ip -4 route show match "$DIRECTOR_IP" | grep -v '^default' | grep -v "dev $DESK_IF" || true)
  [[ -z $routes ]] || die "the lab subnet $LAB_NET.0/$LAB_PREFIX collides with a route on this machine: $routes (set LVSLAB_NET)"
}

# ensure_bridge — namespace "lvslab" with br0 (multicast snooping off: VRRP and the IPVS sync daemon's groups pass to
# every port) and one tap per VM.
ensure_bridge() {
  local tap
  if ! ns_exists "$NS_BRIDGE"; then ip netns add "$NS_BRIDGE"; fi
  ip -n "$NS_BRIDGE" link set lo up
  ip netns exec "$NS_BRIDGE" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$NS_BRIDGE" link show br0 >/dev/null 2>&1 || ip -n "$NS_BRIDGE" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
  ip -n "$NS_BRIDGE" link set br0 type bridge mcast_snooping 0
  ip -n "$NS_BRIDGE" link set br0 up
  for tap in tap0 tap1; do
    ip -n "$NS_BRIDGE" link show "$tap" >/dev/null 2>&1 || ip -n "$NS_BRIDGE" tuntap add dev "$tap" mode tap
    ip -n "$NS_BRIDGE" link set "$tap" master br0 up
  done
}

ensure_desktop_leg() {
  if ! ip link show "$DESK_IF" >/dev/null 2>&1; then
    check_subnet_free
    ip link add "$DESK_IF" type veth peer name v-desk netns "$NS_BRIDGE"
    sysctl -q -w "net.ipv6.conf.$DESK_IF.disable_ipv6=1"
  fi
  ip -n "$NS_BRIDGE" link set v-desk master br0 up
  ip addr replace "$DESKTOP_IP/$LAB_PREFIX" dev "$DESK_IF"
  ip link set "$DESK_IF" up
}

# ensure_host_ns NAME — namespace and a veth eth0 into the bridge. The client gets its address here; a realserver's eth0
# stays unconfigured (its boot configures it from its own /etc/network/interfaces).
ensure_host_ns() {
  local name=$1 ns ip
  ns=$(ns_of "$name"); ip=$(host_ip "$name")
  ns_exists "$ns" || ip netns add "$ns"
  if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
    ip -n "$NS_BRIDGE" link del "v-$name" 2>/dev/null || true
    # A stable MAC from the address (02:4c:56 + its last three bytes), as real hardware keeps across a reboot: otherwise
    # the director's neighbour entry goes stale at every `reboot rsN` and its packets to the realserver are lost for ~25 s.
    local mac a b c d
    IFS=. read -r a b c d <<<"$ip"
    printf -v mac '02:4c:56:%02x:%02x:%02x' "$b" "$c" "$d"
    ip link add "v-$name" netns "$NS_BRIDGE" type veth peer name eth0 netns "$ns" address "$mac"
    if [[ $name == client ]]; then
      ip -n "$ns" addr add "$ip/$LAB_PREFIX" dev eth0
      ip -n "$ns" link set lo up
      ip -n "$ns" link set eth0 up
    fi
  fi
  ip -n "$NS_BRIDGE" link set "v-$name" master br0
  ip -n "$NS_BRIDGE" link set "v-$name" up
}

# ensure_holder NAME KIND — the namespace holder (PID 1 of the host's PID namespace), started when not running.
ensure_holder() {
  local name=$1 kind=$2 ns upid pid i
  holder_pid "$name" >/dev/null && return 0
  ns=$(ns_of "$name")
  # started from a subshell, so it is not a job of this script (a bare `wait` must not wait for it)
  upid=$(setsid ip netns exec "$ns" unshare --uts --pid --mount --fork --mount-proc --propagation private -- \
    /bin/sh "$LAB_SRC/lib/holder.sh" "$name" "$STATE" "$kind" </dev/null >>"$LOGS/$name-holder.log" 2>&1 & echo $!)
  for i in $(seq 100); do
    pid=$(children "$upid" | awk '{print $1}')
    if [[ -n $pid ]] && [[ $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) == "lvslab-holder $name "* ]]; then
      printf '%s\n' "$pid" > "$RUN/$name.holder"
      return 0
    fi
    alive "$upid" || break
    sleep 0.1
  done
  die "$name: namespace holder did not start (see $LOGS/$name-holder.log)"
}

# stop_host NAME — kill NAME's holder (the kernel then kills every process of its PID namespace) and whatever else is
# still in its network namespace; delete the namespace (its veth pair goes with it).
stop_host() {
  local name=$1 ns pid p
  ns=$(ns_of "$name")
  if pid=$(holder_pid "$name"); then kill_pid "$pid"; fi
  rm -f "$RUN/$name.holder"
  if ns_exists "$ns"; then
    while read -r p; do [[ -n $p ]] && kill_pid "$p"; done < <(pids_in_netns "$ns")
    ip netns del "$ns"
  fi
  ip -n "$NS_BRIDGE" link del "v-$name" 2>/dev/null || true
}

# ================================================================ realservers: configuration, own /etc, boot
# xwilling_set XDM_CONFIG stock|builtin — how xdm answers an XDMCP Query: Debian's Xwilling script (stock) or xdm's
# built-in status (builtin: the DisplayManager.willing line commented out).
xwilling_set() {
  case $2 in
    stock) sed -i -E 's|^! lvslab builtin: (DisplayManager\.willing:.*)$|\1|' "$1" ;;
    builtin) sed -i -E 's|^(DisplayManager\.willing:.*)$|! lvslab builtin: \1|' "$1" ;;
    *) die "xwilling: stock or builtin, not '$2'" ;;
  esac
}

# rs_config NAME — the realserver's sshd, inetd and xdm configuration under .lab/NAME/, and etc.seed/: the lab's files its
# /etc gets at every boot (hosts, hostname, resolv.conf, network/interfaces, the rc runner and the lab's rc scripts).
rs_config() {
  local name=$1 d=$STATE/$1 seed ip q
  ip=$(rs_ip "$name")
  mkdir -p "$d/xdm-auth"
  cat > "$d/sshd_config" <<X
# lvslab $name: root logs in with the lab key; nothing here touches /etc/ssh or /root/.ssh.
Port 22
HostKey $KEYS/${name}_host_ed25519_key
PidFile /run/sshd.pid
AuthorizedKeysFile $STATE/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
X11Forwarding no
PrintMotd no
PrintLastLog no
MaxStartups 50:30:100
Subsystem sftp /usr/lib/openssh/sftp-server
X
  printf 'telnet stream tcp nowait root /usr/sbin/telnetd telnetd\n' > "$d/inetd.conf"
  : > "$d/Xservers"
  sed -E -e "s|^DisplayManager\.authDir:.*|DisplayManager.authDir:\t$d/xdm-auth|" \
    -e "s|^DisplayManager\.errorLogFile:.*|DisplayManager.errorLogFile:\t$LOGS/$name-xdm.log|" \
    -e "s|^DisplayManager\.pidFile:.*|DisplayManager.pidFile:\t/run/xdm.pid|" \
    -e "s|^DisplayManager\.servers:.*|DisplayManager.servers:\t$d/Xservers|" \
    -e "s|^DisplayManager\.accessFile:.*|DisplayManager.accessFile:\t$d/Xaccess|" \
    -e "s|^DisplayManager\.requestPort:.*|DisplayManager.requestPort:\t177|" \
    /etc/X11/xdm/xdm-config > "$d/xdm-config"
  # rs1–rs3 answer an XDMCP Query as Debian's xdm does (its Xwilling script: `su nobody` and ~9 programs per Query);
  # the scale realservers (rs4…, LVSLAB_REALSERVERS) with xdm's built-in status. 50 Xwilling scripts at once cost this
  # 2-core host seconds of CPU that 50 workstations spend on their own CPUs, and the TCG director's probe waited on them
  # (measured: see README). `xwilling rsN stock|builtin` switches one (the realserver-doctor bench measures both).
  if (( $(rs_index "$name") > 3 )); then xwilling_set "$d/xdm-config" builtin; fi
  grep -q '^DisplayManager.requestPort:[[:space:]]*177' "$d/xdm-config" || die "could not enable XDMCP in $d/xdm-config"
  sed -E 's/^#\*([[:space:]]+)#any host can get a login window/*\1#any host can get a login window/' /etc/X11/xdm/Xaccess > "$d/Xaccess"
  grep -q '^\*' "$d/Xaccess" || die "could not allow every host in $d/Xaccess"

  seed=$d/etc.seed
  rm -rf "$seed"
  mkdir -p "$seed/init.d" "$seed/rc3.d" "$seed"/network/if-{pre-up,up,down,post-down}.d
  cp "$STATE/hosts" "$seed/hosts"
  cp "$STATE/resolv.conf" "$seed/resolv.conf"
  printf '%s\n' "$name" > "$seed/hostname"
  cat > "$seed/network/interfaces" <<X
# $name's network at boot (busybox ifup, run by /etc/init.d/lab-network): its address, the subnet route that comes with
# it, and the default route via the director. The seed's lvs-route (if installed) changes the routes after this.
auto lo
iface lo inet loopback

auto eth0
iface eth0 inet static
	address $ip
	netmask 255.255.255.0
	gateway $DIRECTOR_IP
X
  cat > "$seed/init.d/rc" <<'X'
#!/bin/sh
# /etc/init.d/rc RUNLEVEL — the SysV runlevel runner of this lab realserver (its PID 1 is the lab's holder, not systemd;
# the lab boots runlevel 3): every /etc/rcRUNLEVEL.d/S* with "start", in name order, each given at most 60 s.
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
level=${1:-3}
echo "rc: $(hostname) runlevel $level at $(date '+%F %T')"
echo "$level" > /run/lvslab-runlevel
for s in /etc/rc"$level".d/S*; do
  [ -x "$s" ] || continue
  timeout 60 "$s" start </dev/null
  echo "rc: $s start: exit $?"
done
echo "rc: done at $(date '+%F %T')"
X
  cat > "$seed/init.d/lab-network" <<'X'
#!/bin/sh
# The realserver's network from /etc/network/interfaces (busybox ifup: no udev, no ifupdown package needed).
case "$1" in
  start) mkdir -p /run/network; busybox ifup -a ;;
  stop) busybox ifdown -a ;;
  restart) "$0" stop; "$0" start ;;
  status) ip -4 addr show; ip -4 route show ;;
  *) echo "usage: $0 start|stop|restart|status"; exit 2 ;;
esac
X
  # The three daemons: one rc script each, with its pid file; start is a no-op when it already runs.
  rc_daemon "$seed/init.d/lab-sshd" "OpenSSH server (the lab's config $d/sshd_config, port 22)" /run/sshd.pid \
    "mkdir -p /run/sshd; /usr/sbin/sshd -f $(squote "$d/sshd_config") -E $(squote "$LOGS/$name-sshd.log")"
  rc_daemon "$seed/init.d/lab-telnet" "telnet: inetutils-inetd running telnetd (port 23)" /run/inetd.pid \
    "/usr/sbin/inetutils-inetd $(squote "$d/inetd.conf") 2>>$(squote "$LOGS/$name-inetd.log")"
  q=$(squote "$LOGS/$name-xdm.log")
  rc_daemon "$seed/init.d/lab-xdm" "xdm answering XDMCP on UDP 177 (the lab's config $d/xdm-config)" /run/xdm.pid \
    "setsid -f /usr/bin/xdm -config $(squote "$d/xdm-config") -nodaemon </dev/null >>$q 2>&1"
  chmod 755 "$seed"/init.d/*
  ln -s ../init.d/lab-network "$seed/rc3.d/S10lab-network"
  ln -s ../init.d/lab-sshd "$seed/rc3.d/S20lab-sshd"
  ln -s ../init.d/lab-telnet "$seed/rc3.d/S30lab-telnet"
  ln -s ../init.d/lab-xdm "$seed/rc3.d/S40lab-xdm"
}

# rc_daemon FILE DESCRIPTION PIDFILE START_LINE — writes an rc script: start (no-op when running; waits for the pid file),
# stop (TERM, waits up to 5 s, then KILL), restart, status (0 running, 3 stopped).
rc_daemon() {
  {
    printf '#!/bin/sh\n# %s — an lvslab realserver service.\nPIDFILE=%s\n' "$2" "$3"
    cat <<'X'
running() { [ -r "$PIDFILE" ] && p=$(cat "$PIDFILE" 2>/dev/null) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
start() {
X
    printf '  %s\n' "$4"
    cat <<'X'
}
case "$1" in
  start)
    if running; then echo "$0: already running (pid $p)"; exit 0; fi
    rm -f "$PIDFILE"
    start || exit 1
    i=0; while ! running && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
    running || { echo "$0: did not start"; exit 1; } ;;
  stop)
    if running; then
      kill -TERM "$p"
      i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
      kill -0 "$p" 2>/dev/null && kill -KILL "$p"
    fi
    rm -f "$PIDFILE" ;;
  restart) "$0" stop; "$0" start ;;
  status) if running; then echo "running (pid $p)"; exit 0; fi; echo stopped; exit 3 ;;
  *) echo "usage: $0 start|stop|restart|status"; exit 2 ;;
esac
X
  } > "$1"
}

# boot_rs NAME — power-on of a realserver: a fresh network namespace and veth (the cable as it was: a link pulled with
# `link NAME down` stays pulled), a new holder (own PID/mount/UTS namespaces; its /etc is the overlay kept in
# .lab/NAME/etc.upper), then /etc/init.d/rc 3 inside (log: .lab/logs/NAME-boot.log). Fails naming a service that does not
# come up (unless the realserver's own rc3.d no longer starts it).
boot_rs() {
  local name=$1 cable=up
  if ip -n "$NS_BRIDGE" link show "v-$name" >/dev/null 2>&1 && ! cable_in "$name"; then cable=down; fi
  stop_host "$name"
  ensure_host_ns "$name"
  [[ $cable == down ]] && ip -n "$NS_BRIDGE" link set "v-$name" down
  [[ -d $STATE/$name/etc.seed ]] || rs_config "$name"
  ensure_holder "$name" rs
  printf '\n==== boot %s\n' "$(date '+%F %T')" >> "$LOGS/$name-boot.log"
  in_host "$name" /etc/init.d/rc 3 </dev/null >>"$LOGS/$name-boot.log" 2>&1 || die "$name: /etc/init.d/rc 3 failed (see $LOGS/$name-boot.log)"
  wait_rs_services "$name"
}

# wait_rs_services NAME — waits (10 s) for the lab's services NAME's rc3.d starts; fails naming the missing ones.
wait_rs_services() {
  local name=$1 want='' s svc proto port missing
  for s in "${LAB_SERVICES[@]}"; do
    IFS=: read -r svc proto port <<<"$s"
    in_host "$name" sh -c "ls /etc/rc3.d/S*lab-$svc" >/dev/null 2>&1 && want+="$svc "
  done
  [[ -n $want ]] || return 0
  rs_missing() { local m w; m=" $(missing_services "$1") "; for w in $want; do [[ $m == *" $w "* ]] && return 1; done; return 0; }
  if ! wait_until 10 rs_missing "$name"; then
    missing=$(missing_services "$name")
    die "$name: not listening after boot: $missing (logs: $LOGS/$name-boot.log, $LOGS/$name-*.log)"
  fi
}

# ensure_rs NAME — a realserver as lab:up wants it: booted when its holder is not running (or predates the lab's own
# /etc); otherwise each lab service that is not listening is started again with its rc script (warm lab:up).
ensure_rs() {
  local name=$1 missing svc
  if holder_pid "$name" >/dev/null && in_host "$name" test -x /etc/init.d/lab-sshd 2>/dev/null; then
    missing=$(missing_services "$name")
    for svc in $missing; do
      log "$name: $svc was not running: /etc/init.d/lab-$svc start"
      in_host "$name" "/etc/init.d/lab-$svc" start </dev/null >>"$LOGS/$name-boot.log" 2>&1 || true
    done
    [[ -z $missing ]] || wait_rs_services "$name"
  else
    boot_rs "$name"
  fi
}

# ================================================================ director VMs
# vm_boot VM — start the VM's qemu: its existing disk when it was made from the current image, else a fresh copy.
vm_boot() {
  local vm=$1 disk stamp
  qemu_pid "$vm" >/dev/null && return 0
  ensure_image
  disk=$(vm_disk "$vm"); stamp=$disk.image
  if [[ -f $disk && -f $stamp && $(<"$stamp") == "$IMAGE_DIR" ]]; then
    log "starting $vm (its disk $disk)"
  else
    log "starting $vm (fresh disk from $IMAGE_DIR)"
    cp --sparse=always "$IMAGE_DIR/root.img" "$disk.tmp"
    mv "$disk.tmp" "$disk"
    printf '%s\n' "$IMAGE_DIR" > "$stamp"
  fi
  printf '\n==== lab.sh: %s qemu started %s\n' "$vm" "$(date '+%F %T')" >> "$(vm_console "$vm")"   # kept across boots
  ip netns exec "$NS_BRIDGE" qemu-system-x86_64 -name "lvslab-$vm" -accel tcg -cpu "${LVSLAB_QEMU_CPU:-max}" -m "$VM_MEM_MB" -smp 1 \
    -nodefaults -no-user-config -display none -vga none \
    -kernel "$IMAGE_DIR/vmlinuz" -initrd "$IMAGE_DIR/initrd.img" \
    -append "console=ttyS0 root=/dev/vda rw panic=5 quiet loglevel=4 lvslab.host=$vm lvslab.ip=$(vm_ip "$vm")" \
    -drive "file=$disk,format=raw,if=virtio,cache=writeback" \
    -netdev "tap,id=n0,ifname=$(vm_tap "$vm"),script=no,downscript=no" -device "virtio-net-pci,netdev=n0,mac=$(vm_mac "$vm")" \
    -chardev "file,id=console,path=$(vm_console "$vm"),append=on" -serial chardev:console -monitor "unix:$(vm_monitor "$vm"),server,nowait" \
    -pidfile "$(vm_pidfile "$vm")" -daemonize
  BOOT_STARTED_MS[$vm]=$(now_ms)
}
declare -A BOOT_STARTED_MS=()

vm_wait() {
  wait_until "$BOOT_TIMEOUT_S" vm_ready "$1" ||
    die "$1 did not answer ssh within ${BOOT_TIMEOUT_S}s (console: $(vm_console "$1"))"
}

# vm_stop VM — SIGKILL the VM's qemu (no shutdown) and wait until it is gone.
vm_stop() {
  local vm=$1 pid
  vm_mux_close "$vm"
  if pid=$(qemu_pid "$vm"); then
    kill -KILL "$pid" 2>/dev/null || true
    wait_until 10 bash -c "! [ -d /proc/$pid ] || grep -q '^State:.*[ZX]' /proc/$pid/status" || die "$vm: qemu pid $pid did not die"
  fi
  rm -f "$(vm_pidfile "$vm")" "$(vm_monitor "$vm")"
}

# ================================================================ verbs
cmd_up() {
  need_root_linux
  set_realservers "${LVSLAB_REALSERVERS:-3}" || exit 1
  local t0 t_net t_boot='' n missing=() ns failed=() vm want_d2=${LVSLAB_DIRECTOR2:-0}
  t0=$(now_ms)
  for n in qemu-system-x86_64 ip ss nsenter unshare ssh ssh-keygen sshd mkfs.ext4 cpio depmod modprobe dpkg apt-cache \
    perl xdm inetutils-inetd telnetd Xvfb telnet xdpyinfo import busybox ipvsadm keepalived getent timeout; do
    command -v "$n" >/dev/null 2>&1 || [[ -x /usr/sbin/$n ]] || missing+=("$n")
  done
  (( ${#missing[@]} == 0 )) || die "missing: ${missing[*]} (run: bash test/lab/install-deps.sh)"
  ensure_keys
  ensure_bridge
  ensure_desktop_leg
  vm_boot director                      # VMs start booting now; namespaces are set up while they boot
  if [[ $want_d2 == 1 ]]; then vm_boot director2; fi
  t_net=$(now_ms)
  # realservers beyond LVSLAB_REALSERVERS (from an earlier, bigger lab:up) go away
  while read -r ns; do
    n=${ns#"$NS_PREFIX"}
    if rs_index "$n" >/dev/null && (( $(rs_index "$n") > ${#RS_NAMES[@]} )); then log "removing $n"; stop_host "$n"; rm -rf "$STATE/$n"/etc.* "$STATE/$n/root"; fi
  done < <(lab_netns)
  printf '%s\n' "${#RS_NAMES[@]}" > "$RUN/realservers"
  ensure_host_ns client
  ensure_holder client client
  for n in "${RS_NAMES[@]}"; do
    local rekeyed=no willing_before willing_after
    grep -q rekeyed_host_key "$STATE/$n/sshd_config" 2>/dev/null && rekeyed=yes
    willing_before=$(grep -c '^DisplayManager.willing:' "$STATE/$n/xdm-config" 2>/dev/null || true)
    rs_config "$n"
    if [[ $rekeyed == yes ]] && holder_pid "$n" >/dev/null; then log "$n: back to the lab's host key"; restart_lab_service "$n" sshd; fi
    willing_after=$(grep -c '^DisplayManager.willing:' "$STATE/$n/xdm-config" || true)
    if [[ -n $willing_before && $willing_before != "$willing_after" ]] && holder_pid "$n" >/dev/null; then
      log "$n: xdm back to the lab's Willing answer"; restart_lab_service "$n" xdm
    fi
  done
  # boot (or check) the realservers, JOBS at a time; each job leaves run/NAME.up when it succeeded
  for n in "${RS_NAMES[@]}"; do
    rm -f "$RUN/$n.up"
    while (( $(jobs -rp | wc -l) >= JOBS )); do wait -n || true; done
    ( set -e; ensure_rs "$n"; : > "$RUN/$n.up" ) &
  done
  wait
  for n in "${RS_NAMES[@]}"; do [[ -f $RUN/$n.up ]] && rm -f "$RUN/$n.up" || failed+=("$n"); done
  (( ${#failed[@]} == 0 )) || die "realserver(s) not up: ${failed[*]} (see the errors above)"
  t_net=$(( $(now_ms) - t_net ))
  for vm in "${VMS[@]}"; do
    qemu_pid "$vm" >/dev/null || continue
    vm_wait "$vm"
    if [[ -n ${BOOT_STARTED_MS[$vm]:-} ]]; then t_boot+=" $vm boot-to-ssh $(( $(now_ms) - BOOT_STARTED_MS[$vm] ))ms,"; fi
  done
  write_profile
  log "timings: image build ${IMAGE_BUILD_S}, ${#RS_NAMES[@]} realservers + client ${t_net}ms,${t_boot:- VMs already running,} total $(( $(now_ms) - t0 ))ms"
  printf 'profile: %s\n' "$PROFILE"
  printf 'profile-keepalived: %s\n' "$PROFILE_KEEPALIVED"
  printf 'profile-ha: %s\n' "$PROFILE_HA"
  printf 'vip: %s\n' "$VIP"
}

write_profile() {
  local tsx=$REPO_ROOT/node_modules/.bin/tsx pairs='' i
  [[ -x $tsx ]] || die "node_modules/.bin/tsx missing: run npm ci first (the profile is validated with shared/model)"
  for i in "${!RS_NAMES[@]}"; do pairs+="${RS_NAMES[$i]}=${RS_IPS[$i]} "; done
  LAB_DIRECTOR_IP=$DIRECTOR_IP LAB_DIRECTOR2_IP=$DIRECTOR2_IP LAB_GATEWAY=$GATEWAY_IP LAB_VIP=$VIP LAB_KEY=$LAB_KEY \
    LAB_KNOWN_HOSTS=$KNOWN_HOSTS LAB_REALSERVERS=$pairs LAB_RS_VIA_DIRECTOR=true \
    "$tsx" "$LAB_SRC/write-profile.ts" "$PROFILE" "$PROFILE_KEEPALIVED" "$PROFILE_HA" ||
    die "could not write the lab profiles"
}

# kill_pid PID — TERM, wait up to 5 s, then KILL.
kill_pid() {
  local pid=$1
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait_until 5 bash -c "! [ -d /proc/$pid ] || grep -q '^State:.*[ZX]' /proc/$pid/status" || kill -KILL "$pid" 2>/dev/null || true
}

# pids_in_netns NS… — pids of every process whose network namespace is one of NS… (leftovers the holders did not own).
pids_in_netns() {
  local -A inos=(); local ns p ino
  for ns in "$@"; do ns_exists "$ns" && inos[$(stat -L -c %i "/run/netns/$ns")]=$ns; done
  (( ${#inos[@]} )) || return 0
  for p in /proc/[0-9]*; do
    ino=$(stat -L -c %i "$p/ns/net" 2>/dev/null) || continue
    [[ -n ${inos[$ino]:-} ]] && printf '%s\n' "${p#/proc/}"
  done
  return 0
}

cmd_down() {
  need_root_linux
  local t0 pid n ns f all_ns=()
  t0=$(now_ms)
  for n in "${VMS[@]}"; do
    [[ -f $KNOWN_HOSTS ]] && vm_mux_close "$n"
    if pid=$(qemu_pid "$n"); then log "stopping $n (qemu pid $pid)"; kill_pid "$pid"; fi
  done
  for f in "$RUN"/*.holder; do
    [[ -e $f ]] || continue
    n=$(basename "$f" .holder)
    if pid=$(holder_pid "$n"); then log "stopping $n (holder pid $pid)"; kill_pid "$pid"; fi
  done
  mapfile -t all_ns < <(lab_netns)
  all_ns+=("$NS_BRIDGE")
  while read -r pid; do
    [[ -n $pid ]] || continue
    log "stopping leftover pid $pid in a lab namespace"; kill_pid "$pid"
  done < <(pids_in_netns "${all_ns[@]}")
  for ns in "${all_ns[@]}"; do
    if ns_exists "$ns"; then ip netns del "$ns"; fi
  done
  ip link del "$DESK_IF" 2>/dev/null || true
  rm -f "$RUN"/*.holder "$RUN"/qemu*.pid "$RUN"/qemu*.sock "$RUN/realservers" "$PROFILE" "$PROFILE_KEEPALIVED" "$PROFILE_HA"
  for n in "${VMS[@]}"; do f=$(vm_disk "$n"); rm -f "$f" "$f.tmp" "$f.image"; done
  rm -rf "$STATE"/rs*/etc.upper "$STATE"/rs*/etc.work "$STATE"/rs*/etc.seed "$STATE"/rs*/root
  log "lab down in $(( $(now_ms) - t0 ))ms"
}

cmd_status() {
  local ok=0 pid n r vm
  if ns_exists "$NS_BRIDGE" && ip -n "$NS_BRIDGE" link show br0 2>/dev/null | grep -q 'state UP\|,UP'; then
    echo "bridge    up      br0 in netns $NS_BRIDGE"
  else echo "bridge    DOWN"; ok=1; fi
  if ip -br addr show "$DESK_IF" 2>/dev/null | grep -q "$DESKTOP_IP"; then
    echo "desktop   up      $DESK_IF $DESKTOP_IP/$LAB_PREFIX (this host)"
  else echo "desktop   DOWN    no $DESK_IF"; ok=1; fi
  for vm in "${VMS[@]}"; do
    if pid=$(qemu_pid "$vm"); then
      if r=$(SSH_CONNECT_TIMEOUT=3 vm_ssh "$vm" 'echo "$(cut -d" " -f1 /proc/uptime)s up; ip_forward=$(cat /proc/sys/net/ipv4/ip_forward); $(ipvsadm -L -n 2>/dev/null | grep -c -E "^(TCP|UDP|FWM)") services; $(ip -o -4 addr show dev eth0 | wc -l) eth0 address(es); keepalived $(/etc/init.d/keepalived status >/dev/null 2>&1 && echo running || echo stopped)"' </dev/null 2>/dev/null); then
        printf '%-9s up      qemu pid %s, ssh root@%s ok: %s\n' "$vm" "$pid" "$(vm_ip "$vm")" "$r"
      else printf '%-9s BOOTING qemu pid %s, ssh root@%s not answering yet\n' "$vm" "$pid" "$(vm_ip "$vm")"; ok=1; fi
    elif [[ $vm == director2 && ${LVSLAB_DIRECTOR2:-0} != 1 ]]; then
      printf '%-9s off     (on demand: lab.sh start director2)\n' "$vm"
    else printf '%-9s DOWN\n' "$vm"; ok=1; fi
  done
  for n in "${RS_NAMES[@]}" client; do
    if pid=$(holder_pid "$n"); then
      local svc='' s m
      if [[ $n != client ]]; then
        m=" $(missing_services "$n") "
        for s in "${LAB_SERVICES[@]}"; do
          s=${s%%:*}
          if [[ $m == *" $s "* ]]; then svc+=" $s=DOWN"; ok=1; else svc+=" $s"; fi
        done
        svc+="; routes: $(ip -n "$(ns_of "$n")" -4 route show | sed 's/ *$//' | paste -sd ',' - | sed 's/,/, /g')"
        cable_in "$n" || { svc+="; CABLE PULLED (lab.sh link $n up)"; ok=1; }
      fi
      printf '%-9s up      %s (netns %s, holder pid %s)%s\n' "$n" "$(host_ip "$n")" "$(ns_of "$n")" "$pid" "$svc"
    else printf '%-9s DOWN\n' "$n"; ok=1; fi
  done
  if [[ -f $PROFILE ]]; then echo "profile   $PROFILE (also $PROFILE_KEEPALIVED, $PROFILE_HA)"; fi
  echo "vip       $VIP, gateway $GATEWAY_IP (configured by the product, not the lab)"
  return "$ok"
}

cmd_exec() {
  (( $# >= 2 )) || die "usage: lab.sh exec HOST CMD… (HOST: director, director2, client, rs1…, desktop)"
  local host=$1; shift
  case $host in
    director|director2)
      if (( $# == 1 )); then vm_ssh "$host" "$1"; else vm_ssh "$host" "$(squote "$@")"; fi ;;
    desktop)
      if (( $# == 1 )) && [[ $1 == *[[:space:]]* ]]; then exec sh -c "$1"; else exec "$@"; fi ;;
    client|rs[0-9]*)
      host_ip "$host" >/dev/null || die "unknown host $host (director, director2, client, ${RS_NAMES[*]}, desktop)"
      if (( $# == 1 )) && [[ $1 == *[[:space:]]* ]]; then in_host "$host" sh -c "$1"; else in_host "$host" "$@"; fi ;;
    *) die "unknown host $host (director, director2, client, ${RS_NAMES[*]}, desktop)" ;;
  esac
}

# need_vm VERB VM — VM must be director or director2.
need_vm() { is_vm "${2:-}" || die "usage: lab.sh $1 director|director2"; }
# need_rs VERB RS — RS must be a realserver of the running lab.
need_rs() { [[ " ${RS_NAMES[*]} " == *" ${2:-} "* && -n ${2:-} ]] || die "usage: lab.sh $1 RS…: '${2:-}' is not a realserver of this lab (${RS_NAMES[*]})"; }

cmd_reboot() {
  local target=${1:-director} before after t0
  t0=$(now_ms)
  if rs_index "$target" >/dev/null; then
    need_rs reboot "$target"
    boot_rs "$target"
    log "$target rebooted in $(( $(now_ms) - t0 ))ms: $(ip -n "$(ns_of "$target")" -4 route show | paste -sd ',' - | sed 's/ *,/, /g')"
    return 0
  fi
  need_vm reboot "$target"
  qemu_pid "$target" >/dev/null || die "$target is not running (lab.sh start $target)"
  before=$(vm_ssh "$target" 'cat /proc/sys/kernel/random/boot_id' </dev/null)
  vm_ssh "$target" 'reboot' </dev/null >/dev/null 2>&1 || true
  vm_mux_close "$target"
  reboot_done() { local b; b=$(SSH_CONNECT_TIMEOUT=3 vm_ssh "$target" 'cat /proc/sys/kernel/random/boot_id' </dev/null 2>/dev/null) && [[ -n $b && $b != "$before" ]]; }
  wait_until "$BOOT_TIMEOUT_S" reboot_done || die "$target did not come back within ${BOOT_TIMEOUT_S}s (console: $(vm_console "$target"))"
  after=$(vm_ssh "$target" 'cat /proc/sys/kernel/random/boot_id' </dev/null)
  log "$target rebooted in $(( $(now_ms) - t0 ))ms (boot id $before -> $after)"
}

cmd_kill() {
  need_vm kill "${1:-}"
  local pid
  pid=$(qemu_pid "$1") || { log "$1 is not running"; return 0; }
  vm_stop "$1"
  log "$1 killed (qemu pid $pid, no shutdown)"
}

cmd_start() {
  need_vm start "${1:-}"
  local t0
  need_root_linux
  t0=$(now_ms)
  ensure_keys
  ensure_bridge
  vm_boot "$1"
  vm_wait "$1"
  log "$1 answers ssh after $(( $(now_ms) - t0 ))ms"
}

cmd_service() {
  local name=${1:-} svc=${2:-} action=${3:-} s proto port
  need_rs service "$name"
  for s in "${LAB_SERVICES[@]}"; do [[ ${s%%:*} == "$svc" ]] && IFS=: read -r _ proto port <<<"$s"; done
  [[ -n ${port:-} && $action =~ ^(start|stop|restart|status)$ ]] || die "usage: lab.sh service RS sshd|telnet|xdm start|stop|restart|status"
  if [[ $action == status ]]; then in_host "$name" "/etc/init.d/lab-$svc" status; return; fi
  in_host "$name" "/etc/init.d/lab-$svc" "$action" </dev/null >>"$LOGS/$name-boot.log" 2>&1 ||
    die "$name: /etc/init.d/lab-$svc $action failed (see $LOGS/$name-boot.log)"
  if [[ $action == stop ]]; then
    wait_until 5 not_listening "$name" "$proto" "$port" || die "$name: $svc still listening on $proto $port"
    log "$name: $svc stopped ($proto $port closed)"
  else
    wait_until 10 listening "$name" "$proto" "$port" || die "$name: $svc is not listening on $proto $port (see $LOGS/$name-*.log)"
    log "$name: $svc ${action}ed ($proto $port listening)"
  fi
}

cmd_link() {
  local name=${1:-} state=${2:-}
  [[ $name == client ]] || need_rs link "$name"
  [[ $state == up || $state == down ]] || die "usage: lab.sh link RS|client down|up"
  ip -n "$NS_BRIDGE" link set "v-$name" "$state"
  log "$name: cable $( [[ $state == down ]] && echo pulled || echo plugged in) (v-$name $state in the bridge)"
}

cmd_rekey() {
  local name=${1:-} mode=${2:-} d key
  need_rs rekey "$name"
  d=$STATE/$name
  key=$KEYS/${name}_host_ed25519_key
  if [[ $mode == --restore ]]; then
    sed -i "s|^HostKey .*|HostKey $key|" "$d/sshd_config"
  else
    rm -f "$d/rekeyed_host_key" "$d/rekeyed_host_key.pub"
    ssh-keygen -q -t ed25519 -N '' -C "lvslab-$name-rekeyed" -f "$d/rekeyed_host_key"
    sed -i "s|^HostKey .*|HostKey $d/rekeyed_host_key|" "$d/sshd_config"
    key=$d/rekeyed_host_key
  fi
  restart_lab_service "$name" sshd
  ssh-keygen -l -f "$key.pub"
}

# xwilling RS stock|builtin — how RS's xdm answers an XDMCP Query (see rs_config); restarts its xdm.
cmd_xwilling() {
  local name=${1:-} mode=${2:-}
  need_rs xwilling "$name"
  [[ $mode == stock || $mode == builtin ]] || die "usage: lab.sh xwilling RS stock|builtin"
  xwilling_set "$STATE/$name/xdm-config" "$mode"
  restart_lab_service "$name" xdm
  log "$name: xdm answers a Query with $( [[ $mode == stock ]] && echo "Debian's Xwilling script" || echo "its built-in status")"
}

# restart_lab_service NAME sshd|xdm — the realserver's sshd or xdm stopped and started again with its current config (its
# rc script); waits until it listens again.
restart_lab_service() {
  local name=$1 svc=$2 proto=tcp port=22
  [[ $svc == xdm ]] && proto=udp port=177
  in_host "$name" "/etc/init.d/lab-$svc" restart </dev/null >>"$LOGS/$name-boot.log" 2>&1 || true
  wait_until 10 listening "$name" "$proto" "$port" || die "$name: $svc did not come back (see $LOGS/$name-$svc.log)"
}

cmd_keepalived() {
  local vm=${1:-} action=${2:-}
  need_vm keepalived "$vm"
  case $action in
    hide) vm_ssh "$vm" 'if [ -e /usr/sbin/keepalived ]; then mv /usr/sbin/keepalived /usr/sbin/.keepalived.hidden; fi; ! command -v keepalived' </dev/null >/dev/null ||
            die "$vm: keepalived still found"
          log "$vm: /usr/sbin/keepalived hidden (lab.sh keepalived $vm restore puts it back)" ;;
    restore) vm_ssh "$vm" 'if [ -e /usr/sbin/.keepalived.hidden ]; then mv /usr/sbin/.keepalived.hidden /usr/sbin/keepalived; fi; test -x /usr/sbin/keepalived' </dev/null ||
            die "$vm: /usr/sbin/keepalived is not there"
          log "$vm: /usr/sbin/keepalived back" ;;
    *) die "usage: lab.sh keepalived director|director2 hide|restore" ;;
  esac
}

verb=${1:-}
shift || true
case $verb in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  status) cmd_status "$@" ;;
  exec) cmd_exec "$@" ;;
  reboot) cmd_reboot "$@" ;;
  kill) cmd_kill "$@" ;;
  start) cmd_start "$@" ;;
  service) cmd_service "$@" ;;
  link) cmd_link "$@" ;;
  rekey) cmd_rekey "$@" ;;
  keepalived) cmd_keepalived "$@" ;;
  xwilling) cmd_xwilling "$@" ;;
  console) is_vm "${1:-director}" || die "usage: lab.sh console [director|director2]"; cat "$(vm_console "${1:-director}")" ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

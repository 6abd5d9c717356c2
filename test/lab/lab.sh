#!/usr/bin/env bash
# The LVS lab: the seed's one-interface LVS-NAT cluster on one Linux machine (root).
#
#   director  qemu VM (-accel tcg) booting Debian's kernel (IPVS modules), persistent ext4 root, sshd, ipvsadm
#   rs1..rs3  network + UTS + PID + mount namespaces: sshd (own host key), telnet (inetd + telnetd), xdm (XDMCP, UDP 177)
#   client    namespace with telnet, Xvfb, xdpyinfo, import
#   desktop   this host's root namespace, with a veth leg into the lab bridge
# all on one bridge (br0 in namespace "lvslab") on one private /24 (config.sh). Traffic never leaves these namespaces.
#
# usage: lab.sh up | down | status | exec HOST CMD… | reboot [director] | rekey RS [--restore] | console
#   up       idempotent; builds/caches what is missing, starts what is not running; last two stdout lines are
#            "profile: /abs/.lab/profile.json" and "vip: ADDRESS"
#   down     idempotent; removes every namespace, process, veth, tap and the VM (keeps .lab/cache, keys and logs)
#   status   one line per part; exit 0 when everything is up, 1 otherwise
#   exec     runs CMD on director (ssh, lab key, lab known_hosts, BatchMode), client, rs1…, or desktop (this host);
#            CMD's output and exit code pass through. One CMD word containing spaces is run by sh -c (like ssh); several
#            words are an argv (quoted for the director's shell). stdin is passed through.
#   reboot   reboots the director VM (its own "reboot") and waits until sshd answers again on a new boot
#   rekey    gives RS's sshd a NEW random host key (to test "host key changed"); --restore puts the lab's key back
#   console  prints the director's serial console log
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/config.sh"
. "$LAB_SRC/lib/common.sh"
. "$LAB_SRC/lib/kernel.sh"

ALL_HOSTS=("${RS_NAMES[@]}" client)
QEMU_PIDFILE=$RUN/qemu.pid
DISK=$STATE/director.img

# ================================================================ small queries
ns_of() { printf '%s%s' "$NS_PREFIX" "$1"; }
ns_exists() { [[ -e /run/netns/$1 ]]; }
rs_ip() { local i; for i in "${!RS_NAMES[@]}"; do [[ ${RS_NAMES[$i]} == "$1" ]] && { printf '%s' "${RS_IPS[$i]}"; return 0; }; done; return 1; }
host_ip() { if [[ $1 == client ]]; then printf '%s' "$CLIENT_IP"; else rs_ip "$1"; fi; }

# holder_pid NAME — pid of NAME's live namespace holder (its PID 1), or fail.
holder_pid() {
  local name=$1 pid ns
  ns=$(ns_of "$name")
  [[ -r $RUN/$name.holder ]] || return 1
  pid=$(<"$RUN/$name.holder")
  alive "$pid" || return 1
  [[ $(tr '\0' ' ' < "/proc/$pid/cmdline") == "lvslab-holder $name"* ]] || return 1
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

# qemu_pid — pid of the running director VM, or fail.
qemu_pid() {
  local pid
  [[ -r $QEMU_PIDFILE ]] || return 1
  pid=$(<"$QEMU_PIDFILE")
  alive "$pid" && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- '-name lvslab-director' || return 1
  printf '%s' "$pid"
}

# The ssh client options for the director: lab key and known_hosts only, no prompts, and a shared connection (an ssh
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

# director_ssh CMDLINE — run CMDLINE with the director's sh over ssh.
director_ssh() {
  ssh_opts
  ssh "${SSH_OPTS[@]}" "root@$DIRECTOR_IP" -- "$1"
}

# director_mux_close — end the shared ssh connection to the director, if any.
director_mux_close() {
  ssh_opts
  ssh "${SSH_OPTS[@]}" -O exit "root@$DIRECTOR_IP" >/dev/null 2>&1 || true
}

# ssh_banner IP — true when something answers "SSH-" on IP:22 within a second.
ssh_banner() {
  local line
  line=$(timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/22" && head -c 4 <&3' _ "$1" 2>/dev/null) || return 1
  [[ $line == SSH- ]]
}

director_ready() { ssh_banner "$DIRECTOR_IP" && SSH_CONNECT_TIMEOUT=3 director_ssh true </dev/null >/dev/null 2>&1; }

# listening NAME PROTO PORT — true when host NAME has a socket listening on PROTO (tcp/udp) PORT.
listening() {
  local flag=-lnt
  [[ $2 == udp ]] && flag=-lnu
  [[ -n $(ip netns exec "$(ns_of "$1")" ss -H "$flag" "sport = :$3" 2>/dev/null) ]]
}

# ================================================================ keys, files, image
ensure_keys() {
  mkdir -p "$STATE" "$CACHE" "$RUN" "$LOGS" "$KEYS"
  chmod 700 "$STATE" "$KEYS"
  [[ -f $LAB_KEY ]] || ssh-keygen -q -t ed25519 -N '' -C lvslab -f "$LAB_KEY"
  [[ -f $KEYS/director_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C lvslab-director -f "$KEYS/director_host_ed25519_key"
  local n
  for n in "${RS_NAMES[@]}"; do
    [[ -f $KEYS/${n}_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C "lvslab-$n" -f "$KEYS/${n}_host_ed25519_key"
  done
  install -m 600 "$LAB_KEY.pub" "$STATE/authorized_keys"
  {
    printf '127.0.0.1\tlocalhost\n'
    printf '%s\tdirector\n' "$DIRECTOR_IP"
    for n in "${!RS_NAMES[@]}"; do printf '%s\t%s\n' "${RS_IPS[$n]}" "${RS_NAMES[$n]}"; done
    printf '%s\tclient\n%s\tdesktop\n' "$CLIENT_IP" "$DESKTOP_IP"
  } > "$STATE/hosts"
  printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' > "$STATE/resolv.conf"
  write_known_hosts
}

# write_known_hosts — OpenSSH known_hosts lines for the VM and every realserver (keys the lab generated itself).
write_known_hosts() {
  local n i key
  {
    printf '%s %s\n' "$DIRECTOR_IP" "$(cut -d' ' -f1,2 "$KEYS/director_host_ed25519_key.pub")"
    for i in "${!RS_NAMES[@]}"; do
      n=${RS_NAMES[$i]}
      key=$KEYS/${n}_host_ed25519_key.pub
      printf '%s %s\n' "${RS_IPS[$i]}" "$(cut -d' ' -f1,2 "$key")"
    done
  } > "$KNOWN_HOSTS.tmp"
  mv "$KNOWN_HOSTS.tmp" "$KNOWN_HOSTS"
}

# image_dir — the cached director image folder for the current build script, kernel and keys (built when missing).
IMAGE_BUILD_S=cached
ensure_image() {
  local kver hash dir t0
  kver=$(kernel_ensure)
  hash=$( { cat "$LAB_SRC/build-image.sh"; printf '%s\n' "$LAB_NET" "$kver" "$VM_DISK_MB"; cat "$LAB_KEY.pub" "$KEYS/director_host_ed25519_key.pub"; } | sha256sum | cut -c1-12)
  dir=$CACHE/director-$hash
  if [[ ! -f $dir/root.img ]]; then
    log "building the director image ($dir)"
    t0=$(now_ms)
    bash "$LAB_SRC/build-image.sh" "$dir" "$CACHE/kernel/$kver" "$kver" >&2
    IMAGE_BUILD_S=$(( ($(now_ms) - t0) ))ms
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

ensure_bridge() {
  if ! ns_exists "$NS_BRIDGE"; then ip netns add "$NS_BRIDGE"; fi
  ip -n "$NS_BRIDGE" link set lo up
  ip netns exec "$NS_BRIDGE" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$NS_BRIDGE" link show br0 >/dev/null 2>&1 || ip -n "$NS_BRIDGE" link add br0 type bridge stp_state 0 forward_delay 0
  ip -n "$NS_BRIDGE" link set br0 up
  ip -n "$NS_BRIDGE" link show tap0 >/dev/null 2>&1 || ip -n "$NS_BRIDGE" tuntap add dev tap0 mode tap
  ip -n "$NS_BRIDGE" link set tap0 master br0 up
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

# ensure_host_ns NAME — namespace, veth eth0 into the bridge, address, routes (realservers: default via the director).
ensure_host_ns() {
  local name=$1 ns ip
  ns=$(ns_of "$name"); ip=$(host_ip "$name")
  ns_exists "$ns" || ip netns add "$ns"
  if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
    ip -n "$NS_BRIDGE" link del "v-$name" 2>/dev/null || true
    ip link add "v-$name" netns "$NS_BRIDGE" type veth peer name eth0 netns "$ns"
    ip -n "$ns" addr add "$ip/$LAB_PREFIX" dev eth0
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    if [[ $name != client ]]; then ip -n "$ns" route replace default via "$DIRECTOR_IP" dev eth0; fi
  fi
  ip -n "$NS_BRIDGE" link set "v-$name" master br0 up
}

# ensure_holder NAME — the namespace holder (PID 1 of the host's PID namespace), started when not running.
ensure_holder() {
  local name=$1 ns upid pid i
  holder_pid "$name" >/dev/null && return 0
  ns=$(ns_of "$name")
  setsid ip netns exec "$ns" unshare --uts --pid --mount --fork --mount-proc --propagation private -- \
    /bin/sh "$LAB_SRC/lib/holder.sh" "$name" "$STATE" </dev/null >>"$LOGS/$name-holder.log" 2>&1 &
  upid=$!
  for i in $(seq 50); do
    pid=$(children "$upid" | awk '{print $1}')
    if [[ -n $pid ]] && [[ $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) == "lvslab-holder $name"* ]]; then
      printf '%s\n' "$pid" > "$RUN/$name.holder"
      return 0
    fi
    alive "$upid" || break
    sleep 0.1
  done
  die "$name: namespace holder did not start (see $LOGS/$name-holder.log)"
}

# rs_config NAME — the realserver's own sshd, inetd and xdm configuration under .lab/NAME/.
rs_config() {
  local name=$1 d=$STATE/$1
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
  grep -q '^DisplayManager.requestPort:[[:space:]]*177' "$d/xdm-config" || die "could not enable XDMCP in $d/xdm-config"
  sed -E 's/^#\*([[:space:]]+)#any host can get a login window/*\1#any host can get a login window/' /etc/X11/xdm/Xaccess > "$d/Xaccess"
  grep -q '^\*' "$d/Xaccess" || die "could not allow every host in $d/Xaccess"
}

# ensure_rs_services NAME — sshd (tcp 22), telnet via inetd (tcp 23), xdm (udp 177), each started when not listening.
ensure_rs_services() {
  local name=$1 d=$STATE/$1
  listening "$name" tcp 22 || in_host "$name" /usr/sbin/sshd -f "$d/sshd_config" -E "$LOGS/$name-sshd.log"
  listening "$name" tcp 23 || in_host "$name" /usr/sbin/inetutils-inetd "$d/inetd.conf" 2>>"$LOGS/$name-inetd.log"
  listening "$name" udp 177 || in_host "$name" setsid -f /usr/bin/xdm -config "$d/xdm-config" -nodaemon \
    </dev/null >>"$LOGS/$name-xdm.log" 2>&1
  wait_until 10 listening "$name" tcp 22 || die "$name: sshd is not listening (see $LOGS/$name-sshd.log)"
  wait_until 10 listening "$name" tcp 23 || die "$name: inetd/telnet is not listening (see $LOGS/$name-inetd.log)"
  wait_until 10 listening "$name" udp 177 || die "$name: xdm is not answering on UDP 177 (see $LOGS/$name-xdm.log)"
}

# ================================================================ director VM
ensure_director() {
  qemu_pid >/dev/null && return 0
  ensure_image
  log "starting the director VM (fresh disk from $IMAGE_DIR)"
  cp --sparse=always "$IMAGE_DIR/root.img" "$DISK.tmp"
  mv "$DISK.tmp" "$DISK"
  : > "$LOGS/director-console.log"
  ip netns exec "$NS_BRIDGE" qemu-system-x86_64 -name lvslab-director -accel tcg -cpu "${LVSLAB_QEMU_CPU:-max}" -m "$VM_MEM_MB" -smp 1 \
    -nodefaults -no-user-config -display none -vga none \
    -kernel "$IMAGE_DIR/vmlinuz" -initrd "$IMAGE_DIR/initrd.img" \
    -append "console=ttyS0 root=/dev/vda rw panic=5 quiet loglevel=4" \
    -drive "file=$DISK,format=raw,if=virtio,cache=writeback" \
    -netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device "virtio-net-pci,netdev=n0,mac=$DIRECTOR_MAC" \
    -serial "file:$LOGS/director-console.log" -monitor "unix:$RUN/qemu-monitor.sock,server,nowait" \
    -pidfile "$QEMU_PIDFILE" -daemonize
  BOOT_STARTED_MS=$(now_ms)
}

wait_director() {
  wait_until "$BOOT_TIMEOUT_S" director_ready ||
    die "the director did not answer ssh within ${BOOT_TIMEOUT_S}s (console: $LOGS/director-console.log)"
}

# ================================================================ verbs
cmd_up() {
  need_root_linux
  local t0 t_net t_boot n missing=()
  t0=$(now_ms)
  for n in qemu-system-x86_64 ip ss nsenter unshare ssh ssh-keygen sshd mkfs.ext4 cpio depmod modprobe dpkg apt-cache \
    perl xdm inetutils-inetd telnetd Xvfb telnet xdpyinfo import busybox ipvsadm getent; do
    command -v "$n" >/dev/null 2>&1 || [[ -x /usr/sbin/$n ]] || missing+=("$n")
  done
  (( ${#missing[@]} == 0 )) || die "missing: ${missing[*]} (run: bash test/lab/install-deps.sh)"
  ensure_keys
  ensure_bridge
  ensure_desktop_leg
  BOOT_STARTED_MS=
  ensure_director                      # starts booting now; namespaces are set up while it boots
  t_net=$(now_ms)
  for n in "${ALL_HOSTS[@]}"; do
    ensure_host_ns "$n"
    ensure_holder "$n"
  done
  for n in "${RS_NAMES[@]}"; do
    local rekeyed=no
    grep -q rekeyed_host_key "$STATE/$n/sshd_config" 2>/dev/null && rekeyed=yes
    rs_config "$n"
    ensure_rs_services "$n"
    if [[ $rekeyed == yes ]]; then log "$n: back to the lab's host key"; restart_sshd "$n"; fi
  done
  t_net=$(( $(now_ms) - t_net ))
  wait_director
  [[ -n $BOOT_STARTED_MS ]] && t_boot=$(( $(now_ms) - BOOT_STARTED_MS ))ms || t_boot=running
  write_profile
  log "timings: image build ${IMAGE_BUILD_S}, hosts ${t_net}ms, director boot-to-ssh ${t_boot}, total $(( $(now_ms) - t0 ))ms"
  printf 'profile: %s\n' "$PROFILE"
  printf 'vip: %s\n' "$VIP"
}

write_profile() {
  local tsx=$REPO_ROOT/node_modules/.bin/tsx pairs='' i
  [[ -x $tsx ]] || die "node_modules/.bin/tsx missing: run npm ci first (the profile is validated with shared/model)"
  for i in "${!RS_NAMES[@]}"; do pairs+="${RS_NAMES[$i]}=${RS_IPS[$i]} "; done
  LAB_DIRECTOR_IP=$DIRECTOR_IP LAB_VIP=$VIP LAB_KEY=$LAB_KEY LAB_KNOWN_HOSTS=$KNOWN_HOSTS LAB_REALSERVERS=$pairs \
    LAB_RS_VIA_DIRECTOR=true "$tsx" "$LAB_SRC/write-profile.ts" "$PROFILE" ||
    die "could not write $PROFILE"
}

# kill_pid PID — TERM, wait up to 5 s, then KILL.
kill_pid() {
  local pid=$1
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait_until 5 bash -c "! [ -d /proc/$pid ] || grep -q '^State:.*[ZX]' /proc/$pid/status" || kill -KILL "$pid" 2>/dev/null || true
}

# pids_in_lab_netns — every process whose network namespace is one of the lab's (leftovers the holders did not own).
pids_in_lab_netns() {
  local -A inos=() ; local n ns p ino
  for n in "${ALL_HOSTS[@]}" ""; do
    if [[ -z $n ]]; then ns=$NS_BRIDGE; else ns=$(ns_of "$n"); fi
    ns_exists "$ns" && inos[$(stat -L -c %i "/run/netns/$ns")]=$ns
  done
  (( ${#inos[@]} )) || return 0
  for p in /proc/[0-9]*; do
    ino=$(stat -L -c %i "$p/ns/net" 2>/dev/null) || continue
    [[ -n ${inos[$ino]:-} ]] && printf '%s %s\n' "${p#/proc/}" "${inos[$ino]}"
  done
  return 0
}

cmd_down() {
  need_root_linux
  local t0 pid n ns
  t0=$(now_ms)
  [[ -f $KNOWN_HOSTS ]] && director_mux_close
  if pid=$(qemu_pid); then log "stopping the director VM (pid $pid)"; kill_pid "$pid"; fi
  for n in "${ALL_HOSTS[@]}"; do
    if pid=$(holder_pid "$n"); then log "stopping $n (holder pid $pid)"; kill_pid "$pid"; fi
  done
  while read -r pid ns; do
    [[ -n $pid ]] || continue
    log "stopping leftover pid $pid in netns $ns"; kill_pid "$pid"
  done < <(pids_in_lab_netns)
  for n in "${ALL_HOSTS[@]}" ""; do
    if [[ -z $n ]]; then ns=$NS_BRIDGE; else ns=$(ns_of "$n"); fi
    if ns_exists "$ns"; then ip netns del "$ns"; fi
  done
  ip link del "$DESK_IF" 2>/dev/null || true
  rm -f "$RUN"/*.holder "$QEMU_PIDFILE" "$RUN/qemu-monitor.sock" "$DISK" "$DISK.tmp" "$PROFILE"
  log "lab down in $(( $(now_ms) - t0 ))ms"
}

cmd_status() {
  local ok=0 pid n r
  if ns_exists "$NS_BRIDGE" && ip -n "$NS_BRIDGE" link show br0 2>/dev/null | grep -q 'state UP\|,UP'; then
    echo "bridge    up      br0 in netns $NS_BRIDGE"
  else echo "bridge    DOWN"; ok=1; fi
  if ip -br addr show "$DESK_IF" 2>/dev/null | grep -q "$DESKTOP_IP"; then
    echo "desktop   up      $DESK_IF $DESKTOP_IP/$LAB_PREFIX (this host)"
  else echo "desktop   DOWN    no $DESK_IF"; ok=1; fi
  if pid=$(qemu_pid); then
    if r=$(SSH_CONNECT_TIMEOUT=3 director_ssh 'echo "$(cut -d" " -f1 /proc/uptime)s up; ip_forward=$(cat /proc/sys/net/ipv4/ip_forward); $(ipvsadm -L -n 2>/dev/null | grep -c -E "^(TCP|UDP|FWM)") services; $(ip -o -4 addr show dev eth0 | wc -l) eth0 address(es)"' </dev/null 2>/dev/null); then
      echo "director  up      qemu pid $pid, ssh root@$DIRECTOR_IP ok: $r"
    else echo "director  BOOTING qemu pid $pid, ssh root@$DIRECTOR_IP not answering yet"; ok=1; fi
  else echo "director  DOWN"; ok=1; fi
  for n in "${ALL_HOSTS[@]}"; do
    if pid=$(holder_pid "$n"); then
      local svc='' s
      if [[ $n != client ]]; then
        for s in tcp:22:sshd tcp:23:telnet udp:177:xdm; do
          if listening "$n" "${s%%:*}" "$(cut -d: -f2 <<<"$s")"; then svc+=" ${s##*:}"; else svc+=" ${s##*:}=DOWN"; ok=1; fi
        done
        svc+="; routes: $(ip -n "$(ns_of "$n")" -4 route show | sed 's/ *$//' | paste -sd ',' - | sed 's/,/, /g')"
      fi
      printf '%-9s up      %s (netns %s, holder pid %s)%s\n' "$n" "$(host_ip "$n")" "$(ns_of "$n")" "$pid" "$svc"
    else printf '%-9s DOWN\n' "$n"; ok=1; fi
  done
  if [[ -f $PROFILE ]]; then echo "profile   $PROFILE"; fi
  echo "vip       $VIP (configured by the product, not the lab)"
  return "$ok"
}

cmd_exec() {
  (( $# >= 2 )) || die "usage: lab.sh exec HOST CMD… (HOST: director, client, ${RS_NAMES[*]}, desktop)"
  local host=$1; shift
  case $host in
    director)
      if (( $# == 1 )); then director_ssh "$1"; else director_ssh "$(squote "$@")"; fi ;;
    desktop)
      if (( $# == 1 )) && [[ $1 == *[[:space:]]* ]]; then exec sh -c "$1"; else exec "$@"; fi ;;
    client|rs[0-9]*)
      host_ip "$host" >/dev/null || die "unknown host $host (director, client, ${RS_NAMES[*]}, desktop)"
      if (( $# == 1 )) && [[ $1 == *[[:space:]]* ]]; then in_host "$host" sh -c "$1"; else in_host "$host" "$@"; fi ;;
    *) die "unknown host $host (director, client, ${RS_NAMES[*]}, desktop)" ;;
  esac
}

cmd_reboot() {
  local target=${1:-director} before after t0
  [[ $target == director ]] || die "only the director VM reboots (realservers are namespaces)"
  qemu_pid >/dev/null || die "the director is not running"
  before=$(director_ssh 'cat /proc/sys/kernel/random/boot_id' </dev/null)
  t0=$(now_ms)
  director_ssh 'reboot' </dev/null >/dev/null 2>&1 || true
  director_mux_close
  reboot_done() { local b; b=$(SSH_CONNECT_TIMEOUT=3 director_ssh 'cat /proc/sys/kernel/random/boot_id' </dev/null 2>/dev/null) && [[ -n $b && $b != "$before" ]]; }
  wait_until "$BOOT_TIMEOUT_S" reboot_done || die "the director did not come back within ${BOOT_TIMEOUT_S}s (console: $LOGS/director-console.log)"
  after=$(director_ssh 'cat /proc/sys/kernel/random/boot_id' </dev/null)
  log "director rebooted in $(( $(now_ms) - t0 ))ms (boot id $before -> $after)"
}

cmd_rekey() {
  local name=${1:-} mode=${2:-} d key pid
  rs_ip "$name" >/dev/null || die "usage: lab.sh rekey RS [--restore]  (RS: ${RS_NAMES[*]})"
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
  restart_sshd "$name"
  ssh-keygen -l -f "$key.pub"
}

# restart_sshd NAME — stop the realserver's sshd (by its pid file) and start it again with its current config.
restart_sshd() {
  local name=$1 pid
  pid=$(in_host "$name" cat /run/sshd.pid 2>/dev/null || true)
  if [[ -n $pid ]]; then in_host "$name" kill "$pid" 2>/dev/null || true; fi
  wait_until 5 bash -c "! ip netns exec $(ns_of "$name") ss -H -lnt 'sport = :22' | grep -q ." || true
  in_host "$name" /usr/sbin/sshd -f "$STATE/$name/sshd_config" -E "$LOGS/$name-sshd.log"
  wait_until 10 listening "$name" tcp 22 || die "$name: sshd did not come back (see $LOGS/$name-sshd.log)"
}

verb=${1:-}
shift || true
case $verb in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  status) cmd_status "$@" ;;
  exec) cmd_exec "$@" ;;
  reboot) cmd_reboot "$@" ;;
  rekey) cmd_rekey "$@" ;;
  console) cat "$LOGS/director-console.log" ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

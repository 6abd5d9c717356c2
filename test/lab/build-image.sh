#!/usr/bin/env bash
# Builds the director VM's boot files into OUT_DIR:
#   vmlinuz     Debian's kernel (IPVS as modules)
#   initrd.img  busybox + the modules needed to mount the root disk (virtio_pci, virtio_blk, ext4, crc32c)
#   root.img    ext4 image (mkfs.ext4 -d) of a small root: busybox (init, sh, ping, sysctl, crond, syslogd …), OpenSSH sshd
#               and sftp-server, ipvsadm, keepalived (Debian 12's 2.2.7), nft, iproute2 ip/ss, kmod, getent, with the libraries
#               ldd names, perl-base, the IPVS/netfilter (nf_tables included) and virtio_net modules, /etc (passwd, hosts, sshd_config, inittab, SysV-style
#               rc scripts, keepalived's init script NOT enabled).
# One image serves both directors: the kernel command line names the VM (lvslab.host=director2 lvslab.ip=10.77.0.2), and
# the first boot of a disk personalizes it (host name, eth0 address, that VM's own ssh host key; the other key is deleted).
# The guest boots like a small SysV Linux: busybox init runs /etc/rc.d/rcS, which mounts the pseudo file systems and runs
# /etc/rc.d/rc3.d/S* start in order (S10syslog S20network S30sshd S40crond); shutdown/reboot runs their stop in reverse.
# Nothing LVS-related is configured: no VIP, ip_forward=0, no table, ip_vs not even loaded, keepalived not started. A
# product can add /etc/lvs.conf, /etc/rc.d/init.d/NAME (= /etc/init.d/NAME) with an rc3.d/S99 link, a crontab
# (/var/spool/cron/crontabs/root, busybox crond), /etc/keepalived/keepalived.conf and an rc3.d link to init.d/keepalived;
# they survive a reboot (and a hard kill of the VM) because root.img is a persistent disk.
#
# usage: build-image.sh OUT_DIR KERNEL_TREE KERNEL_VERSION   (lab.sh calls it; run as root)
set -euo pipefail
# shellcheck source=config.sh
. "$(dirname "${BASH_SOURCE[0]}")/config.sh"
# shellcheck source=lib/common.sh
. "$LAB_SRC/lib/common.sh"
set_realservers 3   # the image names rs1-rs3 only: it must not depend on LVSLAB_REALSERVERS (realservers beyond are used by address)

(( $# == 3 )) || die "usage: build-image.sh OUT_DIR KERNEL_TREE KERNEL_VERSION"
OUT=$(realpath -m "$1") KTREE=$(realpath -m "$2") KVER=$3
[[ -f $KTREE/boot/vmlinuz-$KVER ]] || die "no kernel at $KTREE/boot/vmlinuz-$KVER"
for k in "$LAB_KEY.pub" "$KEYS/director_host_ed25519_key" "$KEYS/director2_host_ed25519_key"; do
  [[ -f $k ]] || die "lab key $k missing (lab.sh up makes them)"
done
[[ -x /usr/sbin/keepalived ]] || die "/usr/sbin/keepalived missing (bash test/lab/install-deps.sh installs Debian's keepalived)"

WORK=$(mktemp -d "${OUT%/}.build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
R=$WORK/rootfs
I=$WORK/initramfs
MODSRC=$KTREE/lib/modules/$KVER

# ---------------------------------------------------------------- helpers
# install_file SRC DEST — copy SRC (following symlinks) to DEST inside the tree, creating parents.
install_file() { mkdir -p "$(dirname "$2")"; rm -f "$2"; cp -L "$1" "$2"; }

# install_bin ROOT PATH [AS] — copy a host binary and every library ldd lists (plus the loader) into ROOT.
install_bin() {
  local root=$1 src=$2 dest=${3:-$2} lib
  install_file "$src" "$root$dest"
  while read -r lib; do
    [[ -e $root$lib ]] || install_file "$lib" "$root$lib"
  done < <(ldd "$src" | awk '/=> \//{print $3} /^[[:space:]]*\/[^ ]*ld-linux/{print $1}')
}

# module_closure TREE MODULE… — .ko paths (relative to lib/modules/VER) MODULE… need, in load order, deduplicated.
module_closure() {
  local tree=$1 m; shift
  for m in "$@"; do
    modprobe -d "$tree" -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
  done | sed "s|^$tree/lib/modules/$KVER/||" | awk '!seen[$0]++'
}

# ---------------------------------------------------------------- root file system
mkdir -p "$R"/usr/{bin,sbin,lib,lib64} "$R"/{etc,proc,sys,dev,run,tmp,root,var/log,var/spool/cron/crontabs,home,etc/keepalived,etc/sysconfig}
ln -s usr/bin "$R/bin"; ln -s usr/sbin "$R/sbin"; ln -s usr/lib "$R/lib"; ln -s usr/lib64 "$R/lib64"
ln -s ../run "$R/var/run"
chmod 1777 "$R/tmp"; chmod 700 "$R/root"

install_file /bin/busybox "$R/usr/bin/busybox"
for applet in $(/bin/busybox --list-full); do
  [[ -e $R/$applet || -L $R/$applet ]] || ln -s /usr/bin/busybox "$R/$applet"
done
# Real tools replace the busybox applets of the same name.
install_bin "$R" /usr/sbin/sshd
install_bin "$R" /usr/lib/openssh/sftp-server
install_bin "$R" /usr/bin/ssh-keygen
install_bin "$R" /usr/sbin/ipvsadm
# bash: what a real director (Debian, RHEL) has; its /dev/udp lets a director-side check send an XDMCP Query and read
# the reply (busybox nc has no UDP mode). /bin/sh stays busybox.
install_bin "$R" /bin/bash /usr/bin/bash
install_bin "$R" /usr/sbin/keepalived
install_bin "$R" /usr/sbin/nft
# perl-base (Debian's Essential perl: on every Debian director): the director-side probe of the realservers runs as ONE
# perl process when the director has perl (shell/perl-probe-script.ts; probe_all in shell/lean-probe-script.ts chooses),
# else bash's lean probe, else sh's health probe.
install_bin "$R" /usr/bin/perl
while read -r f; do
  [[ -f $f && ! -L $f && $f != /usr/share/* && $f != /usr/bin/perl ]] && install_file "$f" "$R$f"
done < <(dpkg -L perl-base)
install_bin "$R" "$(readlink -f "$(command -v ip)")" /usr/bin/ip
install_bin "$R" "$(readlink -f "$(command -v ss)")" /usr/bin/ss
install_bin "$R" "$(readlink -f "$(command -v getent)")" /usr/bin/getent
install_bin "$R" /usr/bin/kmod
for t in modprobe insmod rmmod lsmod depmod modinfo; do rm -f "$R/usr/sbin/$t" "$R/usr/bin/$t"; ln -s ../bin/kmod "$R/usr/sbin/$t"; done
rm -f "$R/usr/sbin/ip"   # busybox's ip would shadow iproute2's /usr/bin/ip (PATH has sbin first)
install_file /etc/ssh/moduli "$R/etc/ssh/moduli"
for f in services protocols; do [[ -f /etc/$f ]] && install_file "/etc/$f" "$R/etc/$f"; done

# Kernel modules: IPVS (every scheduler and helper), the NIC, the disk stack, and all their dependencies.
mapfile -t ipvs_mods < <(find "$MODSRC/kernel/net/netfilter/ipvs" -name '*.ko' -printf '%f\n' | sed 's/\.ko$//' | sort)
mapfile -t root_mods < <(module_closure "$KTREE" virtio_net virtio_pci virtio_blk ext4 crc32c_generic nf_tables "${ipvs_mods[@]}")
for m in "${root_mods[@]}"; do install_file "$MODSRC/$m" "$R/lib/modules/$KVER/$m"; done
for f in modules.builtin modules.builtin.modinfo modules.order; do install_file "$MODSRC/$f" "$R/lib/modules/$KVER/$f"; done
depmod -b "$R" "$KVER"

# Accounts: root logs in with the lab key only; sshd is the privilege-separation user.
cat > "$R/etc/passwd" <<'X'
root:x:0:0:root:/root:/bin/sh
sshd:x:100:65534:sshd privsep:/run/sshd:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
X
cat > "$R/etc/group" <<'X'
root:x:0:
tty:x:5:
nogroup:x:65534:
X
printf 'root:*:19700:0:99999:7:::\nsshd:!:19700::::::\nnobody:!:19700::::::\n' > "$R/etc/shadow"
chmod 600 "$R/etc/shadow"
printf '/bin/sh\n/bin/ash\n' > "$R/etc/shells"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\nservices: files\nprotocols: files\n' > "$R/etc/nsswitch.conf"
printf 'director\n' > "$R/etc/hostname"
{
  printf '127.0.0.1\tlocalhost\n'
  printf '%s\tdirector\n%s\tdirector2\n' "$DIRECTOR_IP" "$DIRECTOR2_IP"
  for i in "${!RS_NAMES[@]}"; do printf '%s\t%s\n' "${RS_IPS[$i]}" "${RS_NAMES[$i]}"; done
  printf '%s\tclient\n%s\tdesktop\n' "$CLIENT_IP" "$DESKTOP_IP"
} > "$R/etc/hosts"
printf 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nexport PS1='"'"'\\h:\\w\\$ '"'"'\n' > "$R/etc/profile"
printf 'proc /proc proc defaults 0 0\nsysfs /sys sysfs defaults 0 0\n/dev/vda / ext4 rw 0 1\n' > "$R/etc/fstab"
: > "$R/var/log/wtmp"; : > "$R/var/log/lastlog"

# Network: only the director's own address (busybox ifup, Debian syntax). No gateway, no VIP.
mkdir -p "$R"/etc/network/if-{pre-up,up,down,post-down}.d
cat > "$R/etc/network/interfaces" <<X
auto lo
iface lo inet loopback

auto eth0
iface eth0 inet static
	address $DIRECTOR_IP
	netmask 255.255.255.0
X

# SSH: root with the lab key (also allowed to forward TCP, so realservers can be reached through the director).
mkdir -p "$R/root/.ssh"
install -m 600 "$LAB_KEY.pub" "$R/root/.ssh/authorized_keys"
chmod 700 "$R/root/.ssh"
# Both VMs' host keys; the first boot keeps the one its kernel command line names (rcS) and deletes the other.
for vm in director director2; do
  mkdir -p "$R/etc/ssh/lvslab-identity/$vm"
  install -m 600 "$KEYS/${vm}_host_ed25519_key" "$R/etc/ssh/lvslab-identity/$vm/ssh_host_ed25519_key"
  install -m 644 "$KEYS/${vm}_host_ed25519_key.pub" "$R/etc/ssh/lvslab-identity/$vm/ssh_host_ed25519_key.pub"
done
chmod 700 "$R/etc/ssh/lvslab-identity"
cat > "$R/etc/ssh/sshd_config" <<'X'
# lvslab director: root logs in with the lab key only.
Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
PidFile /run/sshd.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
PrintLastLog no
MaxStartups 50:30:100
MaxSessions 50
Subsystem sftp /usr/lib/openssh/sftp-server
X

# ---------------------------------------------------------------- init and rc scripts
mkdir -p "$R/etc/rc.d/init.d" "$R/etc/rc.d/rc3.d" "$R/etc/rc.d/rc0.d" "$R/etc/rc.d/rc6.d"
ln -s rc.d/init.d "$R/etc/init.d"
for n in 0 3 6; do ln -s "rc.d/rc$n.d" "$R/etc/rc$n.d"; done
ln -s ../var/spool/cron/crontabs "$R/etc/crontabs"

cat > "$R/etc/inittab" <<'X'
# busybox init: runlevel 3 style boot, SysV rc scripts.
::sysinit:/etc/rc.d/rcS
::ctrlaltdel:/sbin/reboot
::shutdown:/etc/rc.d/rcK
::restart:/sbin/init
X

cat > "$R/etc/rc.d/rcS" <<'X'
#!/bin/sh
# System start: pseudo file systems, host name, then every /etc/rc.d/rc3.d/S* script with "start", in name order.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
grep -q ' /dev ' /proc/mounts || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
mount -o remount,rw /
: > /run/utmp
# First boot of this disk: take the identity the kernel command line names (lvslab.host=NAME lvslab.ip=ADDRESS; default
# director): host name, eth0 address, that VM's ssh host key. Later boots keep what the disk says.
if [ -d /etc/ssh/lvslab-identity ]; then
  id_host=director id_ip=
  for w in $(cat /proc/cmdline); do
    case $w in lvslab.host=*) id_host=${w#lvslab.host=} ;; lvslab.ip=*) id_ip=${w#lvslab.ip=} ;; esac
  done
  if [ -d "/etc/ssh/lvslab-identity/$id_host" ]; then
    echo "$id_host" > /etc/hostname
    [ -n "$id_ip" ] && sed -i "s/^\\([[:space:]]*\\)address .*/\\1address $id_ip/" /etc/network/interfaces
    mv "/etc/ssh/lvslab-identity/$id_host/ssh_host_ed25519_key" "/etc/ssh/lvslab-identity/$id_host/ssh_host_ed25519_key.pub" /etc/ssh/
    rm -rf /etc/ssh/lvslab-identity
    echo "lvslab: this disk is now $id_host ${id_ip:-(image address)}"
  else
    echo "lvslab: unknown lvslab.host=$id_host on the kernel command line; identity left unset"
  fi
fi
hostname -F /etc/hostname
echo "lvslab: rcS at $(cut -d' ' -f1 /proc/uptime)s"
for s in /etc/rc.d/rc3.d/S*; do
  [ -x "$s" ] || continue
  echo "lvslab: $s start"
  "$s" start
done
echo "lvslab: boot finished at $(cut -d' ' -f1 /proc/uptime)s"
X

cat > "$R/etc/rc.d/rcK" <<'X'
#!/bin/sh
# System stop (reboot/poweroff): every /etc/rc.d/rc3.d/S* script with "stop", in reverse order; then sync.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
for s in $(ls -r /etc/rc.d/rc3.d/S* 2>/dev/null); do
  [ -x "$s" ] || continue
  echo "lvslab: $s stop"
  "$s" stop
done
sync
mount -o remount,ro / 2>/dev/null
sync
X

cat > "$R/etc/rc.d/init.d/syslog" <<'X'
#!/bin/sh
# busybox syslogd -> /var/log/messages (sshd and crond log here).
case "$1" in
  start) syslogd -O /var/log/messages ;;
  stop) killall syslogd 2>/dev/null ;;
  restart) "$0" stop; sleep 1; "$0" start ;;
  *) echo "usage: $0 start|stop|restart"; exit 1 ;;
esac
X

cat > "$R/etc/rc.d/init.d/network" <<'X'
#!/bin/sh
# The NIC driver (no udev here) and /etc/network/interfaces (busybox ifup).
case "$1" in
  start) mkdir -p /run/network; modprobe virtio_net; i=0; while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; ifup -a ;;
  stop) ifdown -a ;;
  restart) "$0" stop; "$0" start ;;
  *) echo "usage: $0 start|stop|restart"; exit 1 ;;
esac
X

cat > "$R/etc/rc.d/init.d/sshd" <<'X'
#!/bin/sh
# OpenSSH server.
case "$1" in
  start) mkdir -p -m 0755 /run/sshd; /usr/sbin/sshd ;;
  stop) [ -f /run/sshd.pid ] && kill "$(cat /run/sshd.pid)" 2>/dev/null; rm -f /run/sshd.pid ;;
  restart) "$0" stop; sleep 1; "$0" start ;;
  *) echo "usage: $0 start|stop|restart"; exit 1 ;;
esac
X

cat > "$R/etc/rc.d/init.d/crond" <<'X'
#!/bin/sh
# busybox crond: per-user crontabs in /var/spool/cron/crontabs (= /etc/crontabs), e.g. root; edit with crontab(1).
case "$1" in
  start) mkdir -p /var/spool/cron/crontabs; crond -c /var/spool/cron/crontabs -l 8 ;;
  stop) killall crond 2>/dev/null ;;
  restart) "$0" stop; sleep 1; "$0" start ;;
  *) echo "usage: $0 start|stop|restart"; exit 1 ;;
esac
X
cat > "$R/etc/rc.d/init.d/keepalived" <<'X'
#!/bin/sh
# keepalived (Debian 12's 2.2.7): VRRP and IPVS virtual servers with health checks, from /etc/keepalived/keepalived.conf.
# Not started at boot until an installer links it into /etc/rc.d/rc3.d (e.g. S50keepalived -> ../init.d/keepalived).
# Extra daemon options: KEEPALIVED_OPTIONS in /etc/sysconfig/keepalived (default -D, detailed log to syslog).
# start | stop | reload (SIGHUP: re-read the config, keep connections) | restart | status (LSB codes: 0 running, 3 stopped)
# | configtest (keepalived -t -f the config).
DAEMON=/usr/sbin/keepalived
CONF=/etc/keepalived/keepalived.conf
PIDFILE=/run/keepalived.pid
KEEPALIVED_OPTIONS=-D
[ -r /etc/sysconfig/keepalived ] && . /etc/sysconfig/keepalived
running() { [ -r $PIDFILE ] && p=$(cat $PIDFILE 2>/dev/null) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
case "$1" in
  start)
    if running; then echo "keepalived is already running (pid $p)"; exit 0; fi
    [ -x $DAEMON ] || { echo "keepalived: $DAEMON is missing"; exit 5; }
    [ -r $CONF ] || { echo "keepalived: $CONF is missing"; exit 6; }
    # shellcheck disable=SC2086
    $DAEMON $KEEPALIVED_OPTIONS -f $CONF -p $PIDFILE || exit 1
    i=0; while ! running && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
    running || { echo "keepalived did not start (see /var/log/messages)"; exit 1; } ;;
  stop)
    if running; then
      kill -TERM "$p"
      i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
      kill -0 "$p" 2>/dev/null && { echo "keepalived (pid $p) did not stop in 10 s"; exit 1; }
    fi
    rm -f $PIDFILE ;;
  reload)
    running || { echo "keepalived is not running"; exit 7; }
    kill -HUP "$p" ;;
  restart) "$0" stop && "$0" start ;;
  status)
    if running; then echo "keepalived (pid $p) is running"; exit 0; fi
    echo "keepalived is stopped"; exit 3 ;;
  configtest) $DAEMON -t -f $CONF ;;
  *) echo "usage: $0 start|stop|reload|restart|status|configtest"; exit 2 ;;
esac
X
chmod 755 "$R"/etc/rc.d/rcS "$R"/etc/rc.d/rcK "$R"/etc/rc.d/init.d/*
ln -s ../init.d/syslog "$R/etc/rc.d/rc3.d/S10syslog"
ln -s ../init.d/network "$R/etc/rc.d/rc3.d/S20network"
ln -s ../init.d/sshd "$R/etc/rc.d/rc3.d/S30sshd"
ln -s ../init.d/crond "$R/etc/rc.d/rc3.d/S40crond"

# ---------------------------------------------------------------- initramfs (just enough to mount /dev/vda)
mkdir -p "$I"/{bin,dev,proc,sys,newroot}
install_file /bin/busybox "$I/bin/busybox"
mapfile -t boot_mods < <(module_closure "$KTREE" virtio_pci virtio_blk crc32c_generic ext4)
for m in "${boot_mods[@]}"; do install_file "$MODSRC/$m" "$I/lib/modules/$m"; done
printf '%s\n' "${boot_mods[@]}" > "$I/modules.list"
cat > "$I/init" <<'X'
#!/bin/busybox sh
# Load the disk modules, mount /dev/vda read-write and hand over to the disk's /sbin/init.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do insmod "/lib/modules/$m" 2>/dev/null; done < /modules.list
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
if ! mount -t ext4 -o rw /dev/vda /newroot; then
  echo "lvslab initramfs: cannot mount /dev/vda"; sleep 5; reboot -f
fi
mount --move /dev /newroot/dev
umount /sys /proc
exec switch_root /newroot /sbin/init
X
chmod 755 "$I/init"

# ---------------------------------------------------------------- assemble
mkdir -p "$WORK/out"
install_file "$KTREE/boot/vmlinuz-$KVER" "$WORK/out/vmlinuz"
(cd "$I" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$WORK/out/initrd.img"
truncate -s "${VM_DISK_MB}M" "$WORK/out/root.img"
mkfs.ext4 -q -F -L lvsroot -E root_owner=0:0 -d "$R" "$WORK/out/root.img"
printf 'kernel %s\nbuilt %s\nrootfs %s\n' "$KVER" "$(date -u +%FT%TZ)" "$(du -sh "$R" | cut -f1)" > "$WORK/out/BUILD-INFO"
rm -rf "$OUT"
mv "$WORK/out" "$OUT"
log "director image built: $OUT ($(du -sh --apparent-size "$OUT/root.img" | cut -f1) disk, $(du -sh "$OUT/root.img" | cut -f1) used)"

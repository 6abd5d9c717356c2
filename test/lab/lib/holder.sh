#!/bin/sh
# PID 1 of one lab host (realserver or client). lab.sh starts it as
#   ip netns exec lvslab-NAME unshare --uts --pid --mount --fork --mount-proc --propagation private -- sh holder.sh NAME STATE KIND
# so the host gets its own network, host name, process table and mounts: its own /run and /tmp (tmpfs). Then it becomes a
# tiny reaper (perl: Essential on Debian; its comm is "lvslab-holder", not systemd) that collects every orphaned daemon;
# killing it (SIGTERM) ends every process of the host at once, and its mounts with it.
#
# KIND rs: the realserver gets its own /etc, an overlay over this machine's /etc whose upper dir (STATE/NAME/etc.upper) is
# the realserver's "disk": what a product installs there (/etc/init.d/lvs-route, /etc/rc3.d/S99lvs-route…) stays across
# `lab.sh reboot NAME` and never touches this machine's /etc. On the disk's first boot its SysV runlevel directories
# /etc/rc0.d…rc6.d, rcS.d are emptied (this machine's Debian links are hidden); at every boot the lab's own files from
# STATE/NAME/etc.seed are copied in (hosts, hostname, resolv.conf, network/interfaces, init.d/rc and init.d/lab-*, their
# rc3.d links). lab.sh then runs /etc/init.d/rc 3 inside.
# A realserver also gets its own root home (STATE/NAME/root, kept across reboots; first filled from /etc/skel): this
# machine's /root is a developer's or CI's home, whose ~/.bashrc (pyenv init, say) bash runs for every command sshd
# starts. Inherited, it cost the lab's realservers about 100 processes and 140 ms of CPU per SSH exec.
# KIND client: this machine's /etc with the lab's hosts and resolv.conf bound over it.
set -e
name=$1 state=$2 kind=${3:-client}
if [ "$kind" = rs ]; then
  d=$state/$name
  mkdir -p "$d/etc.upper" "$d/etc.work"
  mount -t overlay overlay -o "lowerdir=/etc,upperdir=$d/etc.upper,workdir=$d/etc.work" /etc
  if [ ! -e /etc/.lvslab-realserver ]; then
    for l in 0 1 2 3 4 5 6 S; do rm -rf "/etc/rc$l.d"; mkdir "/etc/rc$l.d"; done
    echo "$name" > /etc/.lvslab-realserver
  fi
  cp -a --remove-destination "$d/etc.seed/." /etc/
fi
hostname "$name"
# The checkout (and so the lab's state: keys, sshd/xdm configs) may itself live under /tmp, e.g. a CI clone in /tmp/x:
# keep it visible at the same path on top of the private /tmp.
repo=$(cd "$state/.." && pwd)
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/sshd /run/lock /run/network /run/lvslab-repo
: > /run/utmp
case $repo in /tmp/*|/root/*) mount --bind "$repo" /run/lvslab-repo ;; esac
mount -t tmpfs -o mode=1777 tmpfs /tmp
case $repo in /tmp/*) mkdir -p "$repo"; mount --bind /run/lvslab-repo "$repo" ;; esac
# (after the checkout is visible again: STATE may be under /tmp)
if [ "$kind" = rs ]; then
  if [ ! -d "$d/root" ]; then
    rm -rf "$d/root.new"; mkdir -m 700 "$d/root.new"
    cp -a /etc/skel/. "$d/root.new/" 2>/dev/null || true
    chmod 700 "$d/root.new"; mv "$d/root.new" "$d/root"
  fi
  mount --bind "$d/root" /root
  case $repo in /root/*) mkdir -p "$repo"; mount --bind /run/lvslab-repo "$repo" ;; esac
fi
if [ "$kind" != rs ]; then
  mount --bind "$state/hosts" /etc/hosts
  if [ -e /etc/resolv.conf ]; then mount --bind "$state/resolv.conf" /etc/resolv.conf; fi
fi
exec perl -e '$0 = "lvslab-holder $ARGV[0]"; $SIG{TERM} = sub { exit 0 }; while (1) { sleep 1 if wait() == -1 }' "$name"

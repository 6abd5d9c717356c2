#!/bin/sh
# PID 1 of one lab host (realserver or client). lab.sh starts it as
#   ip netns exec lvslab-NAME unshare --uts --pid --mount --fork --mount-proc --propagation private -- sh holder.sh NAME STATE
# so the host gets its own network, host name, process table and mounts: its own /run and /tmp (tmpfs), and the lab's
# /etc/hosts and /etc/resolv.conf bound over the host's. Then it becomes a tiny reaper (perl: Essential on Debian) that
# collects every orphaned daemon; killing it (SIGTERM) ends every process of the host at once.
set -e
name=$1 state=$2
hostname "$name"
# The checkout (and so the lab's state: keys, sshd/xdm configs) may itself live under /tmp, e.g. a CI clone in /tmp/x:
# keep it visible at the same path on top of the private /tmp.
repo=$(cd "$state/.." && pwd)
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/sshd /run/lock /run/lvslab-repo
: > /run/utmp
case $repo in /tmp/*) mount --bind "$repo" /run/lvslab-repo ;; esac
mount -t tmpfs -o mode=1777 tmpfs /tmp
case $repo in /tmp/*) mkdir -p "$repo"; mount --bind /run/lvslab-repo "$repo" ;; esac
mount --bind "$state/hosts" /etc/hosts
if [ -e /etc/resolv.conf ]; then mount --bind "$state/resolv.conf" /etc/resolv.conf; fi
exec perl -e '$0 = "lvslab-holder $ARGV[0]"; $SIG{TERM} = sub { exit 0 }; while (1) { sleep 1 if wait() == -1 }' "$name"

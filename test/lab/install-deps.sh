#!/usr/bin/env bash
# Installs everything the lab needs on a fresh Debian 12 (root): the apt packages below, then Debian's kernel package (the
# version linux-image-amd64 depends on, asked from apt-cache) downloaded and unpacked into .lab/cache/kernel/VERSION.
# Only the Debian apt archive is contacted. Package services are NOT started on this machine while installing (a temporary
# /usr/sbin/policy-rc.d refuses it): the lab starts its own sshd, inetd and xdm inside its namespaces, and keepalived only
# ever runs inside the director VMs.
# Safe to re-run (apt-get install of installed packages is a no-op; the kernel is unpacked once per version).
set -euo pipefail
# shellcheck source=config.sh
. "$(dirname "${BASH_SOURCE[0]}")/config.sh"
# shellcheck source=lib/common.sh
. "$LAB_SRC/lib/common.sh"
# shellcheck source=lib/kernel.sh
. "$LAB_SRC/lib/kernel.sh"
need_root_linux

PACKAGES=(
  # director VMs: emulator, the guest's tools (copied from this machine with their libraries), image building.
  # keepalived (Debian 12: 2.2.7) is only copied into the image; the policy-rc.d below keeps it from starting here.
  qemu-system-x86 busybox-static ipvsadm keepalived openssh-server openssh-client openssh-sftp-server iproute2 kmod
  libc-bin e2fsprogs cpio gzip
  # namespaces and the lab's own plumbing
  util-linux procps perl-base iputils-ping socat netbase
  # keepalived 2.2.7: the director's second runtime; its config test (keepalived -t) checks every keepalived.conf the
  # console compiles (unit tests), and VRRP-only instances run in namespaces here (not started while installing)
  keepalived
  # nft: the director pair's takeover guard (a table the console loads on each director; unit tests check its text
  # with nft -c in a namespace, and the director VM gets the binary)
  nftables
  # systemd-analyze verifies the realserver boot unit the console generates (systemd need not run here)
  systemd
  # realservers: telnet service and XDMCP display manager
  inetutils-inetd inetutils-telnetd xdm xfonts-base
  # client: telnet, X server for -query, screenshots
  inetutils-telnet xvfb x11-utils x11-apps x11-xserver-utils imagemagick
  # the desktop (this host): a terminal for Connect me's telnet, so the doctor finds a telnet client as an admin's would
  xterm
)

export DEBIAN_FRONTEND=noninteractive
POLICY=/usr/sbin/policy-rc.d
if [[ ! -e $POLICY ]]; then
  printf '#!/bin/sh\n# lvslab install-deps: do not start services while installing\nexit 101\n' > "$POLICY"
  chmod 755 "$POLICY"
  trap 'rm -f "$POLICY"' EXIT
fi

log "apt-get update"
apt-get update -q
log "apt-get install ${#PACKAGES[@]} packages"
apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"

ver=$(kernel_fetch)
log "kernel $ver unpacked in $CACHE/kernel/$ver"

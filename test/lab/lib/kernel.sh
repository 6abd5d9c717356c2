# shellcheck shell=bash
# Debian's own kernel for the director VM (this machine's kernel has no IPVS; Debian's ships it as modules).
# The package is the one linux-image-amd64 depends on (asked from apt, never globbed), downloaded with apt-get download,
# unpacked with dpkg -x into $CACHE/kernel/VERSION/ and indexed with depmod. $CACHE/kernel/current names the version in use.

# kernel_package_from_apt — the versioned package linux-image-amd64 depends on, e.g. linux-image-6.1.0-56-amd64.
kernel_package_from_apt() {
  local pkg
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ {print $2; exit}')
  [[ -n $pkg ]] || die "apt-cache depends linux-image-amd64 named no linux-image-<version> package (run apt-get update?)"
  printf '%s\n' "$pkg"
}

# kernel_current — the version recorded by the last fetch (empty when none).
kernel_current() {
  local v
  [[ -r $CACHE/kernel/current ]] || return 0
  v=$(<"$CACHE/kernel/current")
  [[ -f $CACHE/kernel/$v/boot/vmlinuz-$v && -f $CACHE/kernel/$v/lib/modules/$v/modules.dep ]] && printf '%s\n' "$v"
  return 0
}

# kernel_fetch — download + unpack the kernel apt names now, unless that version is already unpacked. Prints the version.
kernel_fetch() {
  local pkg ver dir tmp deb
  pkg=$(kernel_package_from_apt)
  ver=${pkg#linux-image-}
  dir=$CACHE/kernel/$ver
  mkdir -p "$CACHE/kernel"
  if [[ ! -f $dir/lib/modules/$ver/modules.dep ]]; then
    tmp=$(mktemp -d "$CACHE/kernel/.fetch.XXXXXX")
    log "downloading $pkg (apt-get download)"
    (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2) || { rm -rf "$tmp"; die "apt-get download $pkg failed"; }
    deb=$(find "$tmp" -maxdepth 1 -name "${pkg}_*.deb" | head -n1)
    [[ -n $deb ]] || { rm -rf "$tmp"; die "apt-get download $pkg produced no .deb"; }
    log "unpacking $(basename "$deb")"
    dpkg -x "$deb" "$tmp/root"
    depmod -b "$tmp/root" "$ver"
    rm -rf "$dir"
    mv "$tmp/root" "$dir"
    rm -rf "$tmp"
  fi
  printf '%s\n' "$ver" > "$CACHE/kernel/current"
  printf '%s\n' "$ver"
}

# kernel_ensure — the version to boot: the one already unpacked, else fetch it now.
kernel_ensure() {
  local v
  v=$(kernel_current)
  if [[ -z $v ]]; then v=$(kernel_fetch); fi
  printf '%s\n' "$v"
}

# shellcheck shell=bash
# Small helpers shared by the lab scripts: logging, failing, POSIX quoting, waiting, process checks.

# log MESSAGE… — progress on stderr (stdout is kept for results such as the last two lines of lab:up).
log() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# die MESSAGE… — print and exit 1.
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

# now_ms — wall clock in milliseconds (for the timings lab:up prints).
now_ms() { date +%s%3N; }

# squote ARG… — each argument POSIX single-quoted (' becomes '\''), joined by spaces: a command line for a remote sh.
squote() {
  local out='' a
  for a in "$@"; do
    out+="'${a//\'/\'\\\'\'}' "
  done
  printf '%s' "${out% }"
}

# alive PID — true when PID is a running (not zombie) process.
alive() {
  local pid=$1 state
  [[ -n $pid && -r /proc/$pid/stat ]] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ $state != Z && $state != X ]]
}

# children PID — direct child pids of PID (from /proc, no procps needed).
children() {
  local pid=$1 f
  if [[ -r /proc/$pid/task/$pid/children ]]; then
    cat "/proc/$pid/task/$pid/children"
  else
    for f in /proc/[0-9]*/stat; do
      awk -v p="$pid" '$4 == p {printf "%s ", $1}' "$f" 2>/dev/null
    done
  fi
}

# wait_until SECONDS CMD… — run CMD every 0.2 s until it succeeds; fail after SECONDS.
wait_until() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" 2>/dev/null; do
    (( $(date +%s) < deadline )) || return 1
    sleep 0.2
  done
}

# need_root_linux — the lab manipulates namespaces and runs qemu: Linux and root only.
need_root_linux() {
  [[ $(uname -s) == Linux ]] || die "the lab needs Linux (network namespaces, qemu)"
  (( EUID == 0 )) || die "the lab needs root (network namespaces, veth, tap); CI runs it as root"
}

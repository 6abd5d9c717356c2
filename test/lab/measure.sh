#!/usr/bin/env bash
# Measures the lab's life cycle on this machine and prints the figures (nothing is asserted; TCG timings are noisy):
#   lab:down; image cache removed -> lab:up cold WITH image build; lab:up warm; lab:down; lab:up cold with the cached
#   image; lab:down; lab:up cold with both directors (LVSLAB_DIRECTOR2=1); director reboot-to-ssh; director2 kill -> start
#   -> ssh; rs1 reboot; lab:down; then (unless MEASURE_N=0) lab:up with MEASURE_N realservers (default 50): time, memory
#   (PSS) and idle CPU of the realservers' processes; lab:down. Run as root; takes about five minutes.
set -euo pipefail
# shellcheck source=config.sh
. "$(dirname "${BASH_SOURCE[0]}")/config.sh"
# shellcheck source=lib/common.sh
. "$LAB_SRC/lib/common.sh"
need_root_linux

lab() { bash "$LAB_SRC/lab.sh" "$@"; }
# timed LABEL CMD… — run CMD (its stderr kept in $LOGS/measure.log), print LABEL and the wall time; TIMINGS gets lab:up's
# own "timings:" line when there is one.
timed() {
  local label=$1 t0 ms; shift
  t0=$(now_ms)
  "$@" >/dev/null 2>"$LOGS/measure.step.log" || { cat "$LOGS/measure.step.log" >&2; die "$label failed"; }
  ms=$(( $(now_ms) - t0 ))
  cat "$LOGS/measure.step.log" >> "$LOGS/measure.log"
  TIMINGS=$(grep -o 'timings: .*' "$LOGS/measure.step.log" | tail -n1 || true)
  printf '%-48s %7d ms   %s\n' "$label" "$ms" "$TIMINGS"
}

# rs_pids — pids of every process in a realserver's network namespace.
rs_pids() {
  local -A inos=(); local f p ino
  for f in /run/netns/"$NS_PREFIX"rs*; do [[ -e $f ]] && inos[$(stat -L -c %i "$f")]=1; done
  for p in /proc/[0-9]*; do
    ino=$(stat -L -c %i "$p/ns/net" 2>/dev/null) || continue
    [[ -n ${inos[$ino]:-} ]] && printf '%s\n' "${p#/proc/}"
  done
  return 0
}

# rs_footprint — "N processes, PSS X MB, RSS Y MB" of the realservers' processes.
rs_footprint() {
  rs_pids | while read -r p; do
    awk '/^Pss:/ {pss=$2} /^Rss:/ {rss=$2} END {print pss, rss}' "/proc/$p/smaps_rollup" 2>/dev/null
  done | awk '{n++; pss+=$1; rss+=$2} END {printf "%d processes, PSS %.0f MB, RSS %.0f MB", n, pss/1024, rss/1024}'
}

# rs_cpu SECONDS — CPU time the realservers' processes used over SECONDS of idling (utime+stime from /proc/PID/stat).
rs_cpu() {
  local s=$1 a b
  ticks() { rs_pids | while read -r p; do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null; done | awk '{t+=$1} END {print t+0}'; }
  a=$(ticks); sleep "$s"; b=$(ticks)
  awk -v d=$(( b - a )) -v hz="$(getconf CLK_TCK)" -v s="$s" 'BEGIN {printf "%.1f%% of one core over %d s", 100 * d / hz / s, s}'
}

# pid_cpu PID SECONDS — CPU the process used over SECONDS (utime+stime).
pid_cpu() {
  local a b
  a=$(awk '{print $14 + $15}' "/proc/$1/stat"); sleep "$2"; b=$(awk '{print $14 + $15}' "/proc/$1/stat")
  awk -v d=$(( b - a )) -v hz="$(getconf CLK_TCK)" -v s="$2" 'BEGIN {printf "%.1f%% of one core over %d s", 100 * d / hz / s, s}'
}

mkdir -p "$LOGS"; : > "$LOGS/measure.log"
printf 'lvslab figures on %s (%s CPUs, load %s), qemu -accel tcg, %s MB per VM guest\n' "$(uname -r)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$VM_MEM_MB"
timed "lab:down (whatever was up)" lab down
find "$CACHE" -maxdepth 1 -name 'director-*' -exec rm -rf {} +
timed "lab:up cold, image rebuilt" lab up
timed "lab:up warm (everything already up)" lab up
timed "lab:down" lab down
timed "lab:up cold, cached image, one director" lab up
timed "lab:down" lab down
timed "lab:up cold, both directors" env LVSLAB_DIRECTOR2=1 bash "$LAB_SRC/lab.sh" up
timed "lab:up warm, both directors" env LVSLAB_DIRECTOR2=1 bash "$LAB_SRC/lab.sh" up
printf '%-48s %s\n' "director2 idle (qemu, booted, nothing running)" "$(pid_cpu "$(cat "$RUN/qemu-director2.pid")" 20)"
timed "director reboot until ssh answers again" lab reboot director
timed "director2 kill (qemu SIGKILL)" lab kill director2
timed "director2 start (its disk) until ssh answers" lab start director2
timed "rs1 reboot (rc 3, services listening)" lab reboot rs1
printf '%-48s %s\n' "3 realservers' processes" "$(rs_footprint)"
timed "lab:down (both directors)" lab down
n=${MEASURE_N:-50}
if (( n > 0 )); then
  timed "lab:up cold, $n realservers" env LVSLAB_REALSERVERS="$n" bash "$LAB_SRC/lab.sh" up
  timed "lab:up warm, $n realservers" env LVSLAB_REALSERVERS="$n" bash "$LAB_SRC/lab.sh" up
  printf '%-48s %s\n' "$n realservers' processes" "$(rs_footprint)"
  printf '%-48s %s\n' "$n realservers idle CPU" "$(rs_cpu 20)"
  timed "rs$n reboot" lab reboot "rs$n"
  timed "lab:down ($n realservers)" lab down
fi

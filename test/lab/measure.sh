#!/usr/bin/env bash
# Measures the lab's life cycle on this machine and prints the figures (nothing is asserted; TCG timings are noisy):
#   lab:down; image cache removed -> lab:up cold WITH image build; lab:up warm; lab:down; lab:up cold with the cached
#   image; director reboot-to-ssh. Leaves the lab up. Run as root; takes about two minutes.
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
  printf '%-44s %7d ms   %s\n' "$label" "$ms" "$TIMINGS"
}

mkdir -p "$LOGS"; : > "$LOGS/measure.log"
printf 'lvslab figures on %s (%s CPUs), qemu -accel tcg, %s MB guest\n' "$(uname -r)" "$(nproc)" "$VM_MEM_MB"
timed "lab:down (whatever was up)" lab down
find "$CACHE" -maxdepth 1 -name 'director-*' -exec rm -rf {} +
timed "lab:up cold, image rebuilt" lab up
timed "lab:up warm (everything already up)" lab up
timed "lab:down" lab down
timed "lab:up cold, cached image" lab up
timed "director reboot until ssh answers again" lab reboot director

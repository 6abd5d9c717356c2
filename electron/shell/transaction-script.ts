/**
 * The director-side scripts of the apply transaction (see lvs/plan/transaction.ts for how a plan becomes one): constant
 * POSIX sh texts; every value they use arrives as a positional argument, never inside the text.
 */
import { AppError } from '../../shared/result.ts';
import { PRIVATE_DIR_FN } from './private-dir.ts';

/**
 * `thr_merge THRESHOLDS SAVE`: the `ipvsadm -S -n` text SAVE with " -x U -y L" added to each destination that the
 * `ipvsadm -L -n --thresholds` listing THRESHOLDS shows with a non-zero threshold (-S leaves them out, -R reads them),
 * matched by service (TCP/UDP/SCTP ADDR:PORT or FWM MARK, as -n prints both) and realserver. POSIX awk (busybox too);
 * FILENAME, not NR == FNR, tells the files apart, so an empty THRESHOLDS still prints SAVE whole.
 */
export const THR_MERGE = [
  'thr_merge() { awk \'',
  '  FILENAME == ARGV[1] {',
  '    if ($1 == "TCP" || $1 == "UDP" || $1 == "SCTP" || $1 == "FWM") { svc = $1 " " $2; next }',
  '    if ($1 == "->" && svc != "" && ($3 != "0" || $4 != "0")) x[svc " " $2] = " -x " $3 " -y " $4',
  '    next',
  '  }',
  '  $1 == "-a" {',
  '    k = ""; r = ""',
  '    for (i = 2; i < NF; i++) {',
  '      if ($i == "-t") k = "TCP " $(i + 1); else if ($i == "-u") k = "UDP " $(i + 1)',
  '      else if ($i == "--sctp-service") k = "SCTP " $(i + 1); else if ($i == "-f") k = "FWM " $(i + 1)',
  '      else if ($i == "-r") r = $(i + 1)',
  '    }',
  '    if ((k " " r) in x) { print $0 x[k " " r]; next }',
  '  }',
  '  { print }',
  '\' "$1" "$2"; }',
].join('\n');

/**
 * The transaction. $1 = prefix (PREFIX = DIR/lvs-console.TXID: DIR must pass PRIVATE_DIR_FN, else the verdict is
 * "refused private-dir WHY" and nothing is written), $2 = the upload's size in bytes ('-' = no upload), $3 = check | - (compare the table
 * read back with the wanted text), then ops:
 *   clear | restore | vip-add ADDR/PFX DEV LABEL|- | vip-del ADDR/PFX DEV | sysctl PATH VALUE
 * Verdict (PREFIX.result, and "@@lvs-console result VERDICT" on stdout after the log):
 *   applied | rolled-back N OP | rollback-failed N OP | refused WHY   (N = 1-based op number; N OP = "N verify" when
 *   the read-back differed). After rollback-failed the snapshot is kept as PREFIX.snap.keep.
 */
export const TX_SCRIPT = [
  "trap '' HUP PIPE INT TERM",
  'p=$1; size=$2; check=$3; shift 3',
  'PATH=$PATH:/usr/sbin:/sbin:/usr/bin:/bin',
  'umask 077',
  PRIVATE_DIR_FN,
  'why=$(private_dir "${p%/*}") || { printf \'@@lvs-console result refused private-dir %s\\n\' "$why"; exit 0; }',
  'exec 3>&1 >"$p.log" 2>&1 </dev/null',
  ': > "$p.started"',
  "find \"${p%/*}\" -maxdepth 1 -name 'lvs-console.*' -mtime +0 -exec rm -f {} \\; 2>/dev/null",
  'say() {',
  '  printf \'%s\\n\' "$1" > "$p.result.tmp" && mv -f "$p.result.tmp" "$p.result"',
  '  rm -f "$p.upload" "$p.batch" "$p.want" "$p.snap" "$p.thr" "$p.restore" "$p.after" "$p.err" "$p.started"',
  '  cat "$p.log" >&3 2>/dev/null',
  '  printf \'@@lvs-console result %s\\n\' "$1" >&3 2>/dev/null',
  '  exit 0',
  '}',
  'has_addr() { ip -o addr show dev "$2" 2>/dev/null | grep -qF " ${1%/*}/"; }',
  'vip_add() { if [ "$3" = - ]; then ip addr add "$1" dev "$2"; else ip addr add "$1" dev "$2" label "$3"; fi; }',
  "vip_label() { ip -o addr show dev \"$2\" | awk -v a=\"$1\" '$4 == a { for (i = 5; i <= NF; i++) if ($i ~ /\\\\$/ || i == NF) { l = $i; sub(/\\\\$/, \"\", l); print l; exit } }'; }",
  THR_MERGE,
  'undo=',
  'rollback() {',
  '  echo "lvs-console: op $failed failed: restoring the snapshot"',
  '  ok=1',
  '  thr_merge "$p.thr" "$p.snap" > "$p.restore" || cp "$p.snap" "$p.restore"',
  '  ipvsadm -C || ok=0',
  '  ipvsadm -R < "$p.restore" || ok=0',
  '  case $undo in',
  '    del\\ *) set -- $undo; ip addr del "$2" dev "$3" || ok=0 ;;',
  '    add\\ *) set -- $undo; vip_add "$2" "$3" "$4" || ok=0 ;;',
  '  esac',
  '  if ipvsadm -S -n > "$p.after" && cmp -s "$p.snap" "$p.after"; then :; else ok=0; fi',
  '  if [ $ok = 1 ]; then say "rolled-back $failed"; else cp "$p.restore" "$p.snap.keep"; say "rollback-failed $failed"; fi',
  '}',
  'if [ "$size" != - ]; then',
  '  [ -f "$p.upload" ] || say "refused upload-missing"',
  '  n=$(wc -c < "$p.upload" | tr -d \' \')',
  '  [ "$n" = "$size" ] || say "refused upload-size-$n"',
  '  grep -qx \'@@lvs-console want\' "$p.upload" || say "refused upload-unmarked"',
  '  sed \'/^@@lvs-console want$/,$d\' "$p.upload" > "$p.batch" || say "refused split-failed"',
  '  sed \'1,/^@@lvs-console want$/d\' "$p.upload" > "$p.want" || say "refused split-failed"',
  'fi',
  'ipvsadm -S -n > "$p.snap" || say "refused snapshot-failed"',
  'if [ -s "$p.snap" ]; then ipvsadm -L -n --thresholds > "$p.thr" 2>/dev/null || : > "$p.thr"; else : > "$p.thr"; fi',
  'i=0',
  'while [ $# -gt 0 ]; do',
  '  i=$((i+1)); op=$1; shift; failed="$i $op"',
  '  case $op in',
  '    clear) ipvsadm -C || rollback ;;',
  '    restore) ipvsadm -R < "$p.batch" 2> "$p.err"; r=$?; cat "$p.err"; if [ $r != 0 ] || [ -s "$p.err" ]; then rollback; fi ;;',
  '    vip-add) a=$1; d=$2; l=$3; shift 3',
  '      if has_addr "$a" "$d"; then echo "lvs-console: $a already on $d"',
  '      elif vip_add "$a" "$d" "$l"; then undo="del $a $d"',
  '      else rollback; fi ;;',
  '    vip-del) a=$1; d=$2; shift 2',
  '      if ! has_addr "$a" "$d"; then echo "lvs-console: $a not on $d"',
  '      else',
  '        l=$(vip_label "$a" "$d"); case $l in *:*) ;; *) l=- ;; esac',
  '        if ip addr del "$a" dev "$d"; then undo="add $a $d $l"; else rollback; fi',
  '      fi ;;',
  '    sysctl) k=$1; v=$2; shift 2; echo "$v" > "/proc/sys/$k" || rollback ;;',
  '    *) echo "lvs-console: unknown op $op"; rollback ;;',
  '  esac',
  'done',
  'if [ "$check" = check ]; then',
  '  i=$((i+1)); failed="$i verify"',
  '  if ipvsadm -S -n > "$p.after" && cmp -s "$p.want" "$p.after"; then :; else',
  '    echo "lvs-console: the table read back differs from the plan (- planned, + read back):"; diff -u "$p.want" "$p.after"; rollback',
  '  fi',
  'fi',
  'say applied',
].join('\n');

/**
 * After a cut connection: refuses a PREFIX whose directory is not private (a verdict planted there proves nothing), else
 * waits up to $2 seconds for PREFIX.result ($1 = prefix), then prints the log and
 * "@@lvs-console result VERDICT"; "@@lvs-console result not-started" when no PREFIX.started appeared within 5 s (the
 * transaction never ran), "@@lvs-console result still-running" on timeout. Removes the files once the verdict is read.
 */
export const WAIT_SCRIPT = [
  'p=$1; n=$2; i=0',
  PRIVATE_DIR_FN,
  'why=$(private_dir "${p%/*}") || { printf \'@@lvs-console result refused private-dir %s\\n\' "$why"; exit 0; }',
  'while [ ! -f "$p.result" ]; do',
  '  if [ ! -f "$p.started" ] && [ $i -ge 5 ]; then rm -f "$p.upload"; echo \'@@lvs-console result not-started\'; exit 0; fi',
  '  if [ $i -ge "$n" ]; then echo \'@@lvs-console result still-running\'; exit 0; fi',
  '  sleep 1; i=$((i+1))',
  'done',
  'cat "$p.log" 2>/dev/null',
  'printf \'@@lvs-console result %s\\n\' "$(cat "$p.result")"',
  'rm -f "$p.log" "$p.result" "$p.upload"',
].join('\n');

/** argv of the wait after a cut connection. */
export function waitArgv(prefix: string, timeoutS: number): string[] {
  if (!/^(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9_.-]+)+$/.test(prefix)) throw new AppError('INVALID_INPUT', `bad transaction prefix ${prefix}`);
  return ['sh', '-c', WAIT_SCRIPT, 'lvs-console-wait', prefix, String(Math.max(1, Math.floor(timeoutS)))];
}


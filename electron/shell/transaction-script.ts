/**
 * The director-side scripts of the apply transaction (see lvs/plan/transaction.ts for how a plan becomes one): constant
 * POSIX sh texts; every value they use arrives as a positional argument, never inside the text.
 */
import { AppError } from '../../shared/result.ts';
import { PRIVATE_DIR_FN } from './private-dir.ts';
import { LOCK_FNS, LOCK_NAME } from './director-lock.ts';

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
 * `tcmp WANT AFTER`: two `ipvsadm -S -n` texts equal line for line (in any order), except that a destination's weight may be 0 on
 * either side (keepalived's inhibit_on_failure sets a failing destination's weight to 0 instead of deleting it).
 */
export const TCMP_FN = [
  "tcmp() { awk '",
  '  function norm(l) { W = ""; if (match(l, / -w [0-9]+/)) { W = substr(l, RSTART + 4, RLENGTH - 4); l = substr(l, 1, RSTART - 1) substr(l, RSTART + RLENGTH) } return l }',
  // by line, in any order: the kernel lists destinations in the order they were added
  '  FILENAME == ARGV[1] { k = norm($0); if (k in a) exit 1; a[k] = W; n++; next }',
  '  { k = norm($0); if (k in b) exit 1; b[k] = W; m++ }',
  '  END { if (n != m) exit 1; for (k in a) { if (!(k in b)) exit 1; if (a[k] != b[k] && a[k] != "0" && b[k] != "0") exit 1 } exit 0 }',
  '\' "$1" "$2"; }',
].join('\n');

/**
 * The transaction. $1 = prefix (PREFIX = DIR/lvs-console.TXID: DIR must pass PRIVATE_DIR_FN, else the verdict is
 * "refused private-dir WHY" and nothing is written), $2 = the upload's size in bytes ('-' = no upload), $3 = check | ka
 * | - (compare the table read back with the wanted text: exactly, or with keepalived's weight-0 inhibits allowed),
 * $4 = how many seconds to wait for the director's lock (DIR/director.lock, shell/director-lock.ts), $5 = look | - (the
 * upload ends with the table as the console saw it when it planned: the snapshot must be exactly that), then ops:
 *   clear | restore | vip-add ADDR/PFX DEV LABEL|- | vip-del ADDR/PFX DEV | sysctl PATH VALUE
 *   | install N TARGET MODE SIZE sh|-    (PREFIX.fN, uploaded, replaces TARGET atomically; the old file kept)
 *   | remove TARGET | link TARGET LINK | crond USER DIR
 *   | ka start|reload|stop ADDR/PFX|- DEV|- up|down|-   (keepalived; waits until it runs or stopped, the table is the
 *     wanted one and the VIP up or down as said, up to 20 s)
 * Every file, link and keepalived change is journalled (PREFIX.undo); a rollback undoes them newest first (files and
 * links, then keepalived back to how it was), then restores the table snapshot with its thresholds if the table still
 * differs from it, and undoes a VIP change.
 * Verdict (PREFIX.result, and "@@lvs-console result VERDICT" on stdout after the log):
 *   applied | rolled-back N OP | rollback-failed N OP | refused WHY   (N = 1-based op number; N OP = "N verify" when
 *   the read-back differed). After rollback-failed the snapshot is kept as PREFIX.snap.keep.
 * The director's lock is taken before the snapshot (verdict "refused lock-busy TOKEN" when its holder keeps it for $4
 * seconds, "refused lock-unusable WHAT" when the lock's path is something else; nothing changed either way) and held
 * through the ops, the read-back and a rollback, so the director's own `lvs-director update` (which takes the same lock)
 * cannot change the table in between. Then, still under the lock, the table is read once more (PREFIX.final, printed
 * after the log as "@@lvs-console table" and its lines: the table this transaction left, before anyone else could change
 * it), the verdict written, and the lock released — on every verdict, also after a cut connection (the script ignores
 * HUP; an EXIT trap releases it too). With $5 = look, a snapshot that differs from the console's look is refused
 * ("refused changed-since-look", the difference in the log): the plan was made for another table.
 */
export const TX_SCRIPT = [
  "trap '' HUP PIPE INT TERM",
  'p=$1; size=$2; check=$3; lockwait=$4; look=$5; shift 5',
  'PATH=$PATH:/usr/sbin:/sbin:/usr/bin:/bin',
  'umask 077',
  PRIVATE_DIR_FN,
  'why=$(private_dir "${p%/*}") || { printf \'@@lvs-console result refused private-dir %s\\n\' "$why"; exit 0; }',
  'exec 3>&1 >"$p.log" 2>&1 </dev/null',
  ': > "$p.started"',
  "find \"${p%/*}\" -maxdepth 1 -name 'lvs-console.*' -mtime +0 -exec rm -f {} \\; 2>/dev/null",
  LOCK_FNS,
  // say VERDICT: under the lock, the table as this transaction leaves it; the verdict; the lock released; the output
  'say() {',
  '  if [ -n "$lk_held" ]; then ipvsadm -S -n > "$p.final" 2>/dev/null || rm -f "$p.final"; fi',
  '  printf \'%s\\n\' "$1" > "$p.result.tmp" && mv -f "$p.result.tmp" "$p.result"',
  '  lock_release',
  '  rm -f "$p.upload" "$p.batch" "$p.want" "$p.look" "$p.snap" "$p.thr" "$p.restore" "$p.after" "$p.err" "$p.started" "$p.undo" "$p.undo.rev" "$p".f[0-9]* "$p".old[0-9]*',
  '  cat "$p.log" >&3 2>/dev/null',
  '  if [ -f "$p.final" ]; then echo \'@@lvs-console table\' >&3; cat "$p.final" >&3; fi',
  '  printf \'@@lvs-console result %s\\n\' "$1" >&3 2>/dev/null',
  '  exit 0',
  '}',
  'has_addr() { ip -o addr show dev "$2" 2>/dev/null | grep -qF " ${1%/*}/"; }',
  'vip_add() { if [ "$3" = - ]; then ip addr add "$1" dev "$2"; else ip addr add "$1" dev "$2" label "$3"; fi; }',
  "vip_label() { ip -o addr show dev \"$2\" | awk -v a=\"$1\" '$4 == a { for (i = 5; i <= NF; i++) if ($i ~ /\\\\$/ || i == NF) { l = $i; sub(/\\\\$/, \"\", l); print l; exit } }'; }",
  THR_MERGE,
  TCMP_FN,
  // the table as planned: exactly, or (ka) with keepalived's weight-0 inhibits allowed
  'table_same() { ipvsadm -S -n > "$p.after" 2>/dev/null || return 1; if [ "$check" = ka ]; then tcmp "$1" "$p.after"; else cmp -s "$1" "$p.after"; fi; }',
  'ka_pid() { kp=; [ -r /run/keepalived.pid ] && kp=$(cat /run/keepalived.pid 2>/dev/null) && [ -n "$kp" ] && kill -0 "$kp" 2>/dev/null; }',
  // fd 3 (the SSH channel) closed for keepalived: a daemon holding it open kept the channel from closing, and the
  // console waited for the transaction until its timeout (seen on the lab: 300 s, then "the connection was cut")
  'ka_do() { if [ -x /etc/init.d/keepalived ]; then /etc/init.d/keepalived "$1" 3>&-; elif command -v systemctl >/dev/null 2>&1; then systemctl "$1" keepalived 3>&-; else echo "lvs-console: neither /etc/init.d/keepalived nor systemctl"; return 1; fi; }',
  // ka_wait ACTION TABLEFILE|- ADDR/PFX|- DEV|- up|down|-: up to 20 s for keepalived running (stopped), the table, the VIP
  'ka_wait() {',
  '  w=0',
  '  while [ $w -lt 100 ]; do',
  '    if [ "$1" = stop ]; then ka_pid || return 0',
  '    elif ka_pid && { [ "$2" = - ] || table_same "$2"; } && case $5 in up) has_addr "$3" "$4" ;; down) ! has_addr "$3" "$4" ;; *) true ;; esac; then return 0; fi',
  '    sleep 0.2; w=$((w+1))',
  '  done',
  '  echo "lvs-console: keepalived $1: not as planned after 20 s (running: $(ka_pid && echo yes || echo no))"; return 1',
  '}',
  // undo_journal: files and links back (newest first), then keepalived as it was (and the VIP it added or removed)
  'undo_journal() {',
  '  [ -s "$p.undo" ] || return 0',
  '  uok=1',
  "  sed '1!G;h;$!d' \"$p.undo\" > \"$p.undo.rev\"",
  '  while read -r k a b c d e; do',
  '    case $k in',
  '      file) { cp -p "$p.old$a" "$b.lvsconsole.r" && mv -f "$b.lvsconsole.r" "$b"; } || uok=0 ;;',
  '      new) rm -f "$a" || uok=0 ;;',
  '      link) if [ "$b" = - ]; then rm -f "$a" || uok=0; else ln -sfn "$b" "$a" || uok=0; fi ;;',
  '    esac',
  '  done < "$p.undo.rev"',
  '  while read -r k a b c d e; do',
  '    case $k in',
  '      crond) echo "$a" >> "$b/cron.update" ;;',
  '      ka)',
  '        case $a:$b in',
  '          start:stopped) ka_do stop; ka_wait stop - - - - || uok=0 ;;',
  '          stop:running) { ka_do start && ka_wait start - "$d" "$e" -; } || uok=0 ;;',
  '          *:running) ka_do reload || uok=0 ;;',
  '        esac',
  '        if [ "$c" = down ] && has_addr "$d" "$e"; then ip addr del "$d" dev "$e" || uok=0; fi ;;',
  '    esac',
  '  done < "$p.undo.rev"',
  '  [ $uok = 1 ]',
  '}',
  'undo=',
  'rollback() {',
  '  echo "lvs-console: op $failed failed: restoring the snapshot"',
  '  ok=1',
  '  undo_journal || ok=0',
  '  case $undo in',
  '    del\\ *) set -- $undo; ip addr del "$2" dev "$3" || ok=0 ;;',
  '    add\\ *) set -- $undo; vip_add "$2" "$3" "$4" || ok=0 ;;',
  '  esac',
  // keepalived, reloaded with its old file, rebuilds the old table by itself: give it a moment before forcing it
  '  if [ "$check" = ka ]; then w=0; until table_same "$p.snap" || [ $w -ge 50 ]; do sleep 0.2; w=$((w+1)); done; fi',
  '  if ! table_same "$p.snap"; then',
  '    thr_merge "$p.thr" "$p.snap" > "$p.restore" || cp "$p.snap" "$p.restore"',
  '    ipvsadm -C || ok=0',
  '    ipvsadm -R < "$p.restore" || ok=0',
  '    table_same "$p.snap" || ok=0',
  '  fi',
  '  if [ $ok = 1 ]; then say "rolled-back $failed"; else cp "$p.restore" "$p.snap.keep" 2>/dev/null || cp "$p.snap" "$p.snap.keep"; say "rollback-failed $failed"; fi',
  '}',
  'if [ "$size" != - ]; then',
  '  [ -f "$p.upload" ] || say "refused upload-missing"',
  '  n=$(wc -c < "$p.upload" | tr -d \' \')',
  '  [ "$n" = "$size" ] || say "refused upload-size-$n"',
  '  grep -qx \'@@lvs-console want\' "$p.upload" || say "refused upload-unmarked"',
  '  sed \'/^@@lvs-console want$/,$d\' "$p.upload" > "$p.batch" || say "refused split-failed"',
  // not sed '1,/MARK/d': with an empty batch the mark is line 1, and sed looks for the range's end from line 2 on
  '  awk \'/^@@lvs-console look$/ { exit } f { print } /^@@lvs-console want$/ { f = 1 }\' "$p.upload" > "$p.want" || say "refused split-failed"',
  '  if [ "$look" = look ]; then',
  '    grep -qx \'@@lvs-console look\' "$p.upload" || say "refused upload-unmarked"',
  '    awk \'f { print } /^@@lvs-console look$/ { f = 1 }\' "$p.upload" > "$p.look" || say "refused split-failed"',
  '  fi',
  'fi',
  // the director's lock, before the snapshot, held until say: lvs-director start/stop/reload/update take it too
  `lock_take "\${p%/*}/${LOCK_NAME}" "$lockwait" "\${p##*/}"`,
  'case $? in 0) trap lock_release EXIT ;; 1) say "refused lock-busy $lk_cur" ;; *) say "refused lock-unusable $lk_cur" ;; esac',
  'ipvsadm -S -n > "$p.snap" || say "refused snapshot-failed"',
  'if [ "$look" = look ] && ! cmp -s "$p.look" "$p.snap"; then',
  '  echo "lvs-console: the table changed since the console looked at it (- then, + now):"; diff -u "$p.look" "$p.snap"; say "refused changed-since-look"',
  'fi',
  'if [ -s "$p.snap" ]; then ipvsadm -L -n --thresholds > "$p.thr" 2>/dev/null || : > "$p.thr"; else : > "$p.thr"; fi',
  ': > "$p.undo"',
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
  '    install) f="$p.f$1"; t=$2; m=$3; z=$4; c=$5; shift 5',
  '      if [ ! -f "$f" ] || [ "$(wc -c < "$f" | tr -d \' \')" != "$z" ]; then echo "lvs-console: the upload for $t is missing or cut"; rollback; fi',
  '      if [ "$c" = sh ] && ! sh -n "$f"; then echo "lvs-console: $t: the new file fails sh -n"; rollback; fi',
  '      if [ -e "$t" ] || [ -L "$t" ]; then cp -p "$t" "$p.old$i" || rollback; echo "file $i $t" >> "$p.undo"; else echo "new $t" >> "$p.undo"; fi',
  '      mkdir -p "${t%/*}" && cp "$f" "$t.lvsconsole.$$" && chmod "$m" "$t.lvsconsole.$$" && mv -f "$t.lvsconsole.$$" "$t" || { rm -f "$t.lvsconsole.$$"; rollback; } ;;',
  '    remove) t=$1; shift',
  '      if [ -e "$t" ] || [ -L "$t" ]; then',
  '        if [ -L "$t" ]; then echo "link $t $(readlink "$t")" >> "$p.undo"; else cp -p "$t" "$p.old$i" && echo "file $i $t" >> "$p.undo" || rollback; fi',
  '        rm -f "$t" || rollback',
  '      fi ;;',
  '    link) t=$1; l=$2; shift 2',
  '      if [ -L "$l" ]; then echo "link $l $(readlink "$l")" >> "$p.undo"; elif [ -e "$l" ]; then echo "lvs-console: $l exists and is not a link"; rollback; else echo "link $l -" >> "$p.undo"; fi',
  '      ln -sfn "$t" "$l" || rollback ;;',
  '    crond) u=$1; d=$2; shift 2; echo "crond $u $d" >> "$p.undo"; echo "$u" >> "$d/cron.update" || rollback ;;',
  '    ka) a=$1; v=$2; d=$3; s=$4; shift 4',
  '      was=stopped; ka_pid && was=running',
  '      vw=-; if [ "$v" != - ]; then if has_addr "$v" "$d"; then vw=up; else vw=down; fi; fi',
  '      echo "ka $a $was $vw $v $d" >> "$p.undo"',
  '      ka_do "$a" || rollback',
  '      tw=-; [ "$a" != stop ] && [ "$check" != - ] && tw="$p.want"',
  '      ka_wait "$a" "$tw" "$v" "$d" "$s" || rollback ;;',
  // a pair's sync daemons and takeover guard (idempotent: nothing to undo); fd 3 closed as for keepalived
  '    pair) /etc/init.d/lvs-pair start 3>&- || rollback ;;',
  '    *) echo "lvs-console: unknown op $op"; rollback ;;',
  '  esac',
  'done',
  'if [ "$check" != - ]; then',
  '  i=$((i+1)); failed="$i verify"',
  '  if table_same "$p.want"; then :; else',
  '    echo "lvs-console: the table read back differs from the plan (- planned, + read back):"; diff -u "$p.want" "$p.after"; rollback',
  '  fi',
  'fi',
  // files, links and removals reach the disk before the verdict: a director powered off soon after an install came
  // back with a zero-length keepalived.conf and notify script (ext4 delayed allocation of new files; seen on the lab)
  'if [ -s "$p.undo" ]; then sync; fi',
  'say applied',
].join('\n');

/**
 * After a cut connection: refuses a PREFIX whose directory is not private (a verdict planted there proves nothing), else
 * waits up to $2 seconds for PREFIX.result ($1 = prefix), then prints the log, the table read under the lock (as TX_SCRIPT does) and
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
  'if [ -f "$p.final" ]; then echo \'@@lvs-console table\'; cat "$p.final"; fi',
  'printf \'@@lvs-console result %s\\n\' "$(cat "$p.result")"',
  'rm -f "$p.log" "$p.result" "$p.upload" "$p.final"',
].join('\n');

/** argv of the wait after a cut connection. */
export function waitArgv(prefix: string, timeoutS: number): string[] {
  if (!/^(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9_.-]+)+$/.test(prefix)) throw new AppError('INVALID_INPUT', `bad transaction prefix ${prefix}`);
  return ['sh', '-c', WAIT_SCRIPT, 'lvs-console-wait', prefix, String(Math.max(1, Math.floor(timeoutS)))];
}


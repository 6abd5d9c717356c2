import { PROBE_REPLY_MAX } from './service-probe-script.ts';

/**
 * The text of the lean probe of every realserver from the director (see electron/health/lean-probe.ts for what it does,
 * when it runs and how its output is read): a constant bash script taking only positional arguments, `bash -c
 * LEAN_PROBE_SCRIPT NAME T TCPPORTS UDPSPECS HOST…`. It lives in shell/ (pure text) so that the director's own script
 * (lvs/conf/director-init-script.ts) runs exactly the probe the console runs.
 */
/** The lean probe (see the file comment); run by bash. Contains no single quote (the director's script embeds it in single quotes). */
export const LEAN_PROBE_SCRIPT = [
  't=$1 tports=$2 uspecs=$3; shift 3',
  // the replies go to a private folder (mktemp -d: a random name, mode 0700), never to guessable names in /tmp. It is
  // removed at the end, not by an EXIT trap: bash catches TERM in a shell that has an EXIT trap, and a child forked
  // from it (the timer, a check) that gets TERM before it has reset its handlers runs the parent's trap. Under load
  // that removed the folder before wc and od read the replies (seen in 3 of 150 runs). A probe killed from outside
  // leaves its folder behind.
  'set -C; dir=$(mktemp -d /tmp/lvs-console-probe.XXXXXXXX) || exit 3; pre=$dir/r; n=0',
  'pids=() what=() files=() hostof=() answered=() hosts=("$@") hi=0',
  'for h in "$@"; do',
  '  for p in $tports; do',
  '    ( exec 3<>"/dev/tcp/$h/$p" ) </dev/null >/dev/null 2>&1 & pids[n]=$! what[n]="$h tcp $p" hostof[n]=$hi; n=$((n + 1))',
  '  done',
  '  for u in $uspecs; do',
  '    p=${u%%/*} f=${u#*/} o=$pre.$n',
  '    : >"$o" || { rm -rf "$dir"; exit 3; }',
  `    ( exec 3<>"/dev/udp/$h/$p" && printf "$f" >&3 && exec dd bs=8192 count=1 <&3 1<>"$o" ) </dev/null 2>/dev/null & pids[n]=$! what[n]="$h udp $p" files[n]=$o hostof[n]=$hi; n=$((n + 1))`,
  '  done',
  '  hi=$((hi + 1))',
  'done',
  // one timer for all: killed when everything answered first (its trap ends its sleep too)
  'timer() { ( trap "kill \\$s 2>/dev/null; exit 0" TERM; sleep "$t" </dev/null >/dev/null 2>&1 & s=$!; wait $s; kill "$@" 2>/dev/null ) </dev/null >/dev/null 2>&1 & k=$!; }',
  'if [ $n -gt 0 ]; then timer "${pids[@]}"; fi',
  'got=() gotwhat=()',
  'for ((i = 0; i < n; i++)); do',
  '  wait "${pids[i]}"; rc=$?',
  '  case ${what[i]} in',
  '    *" udp "*) if [ $rc = 0 ] && [ -s "${files[i]}" ]; then got+=("${files[i]}") gotwhat+=("${what[i]}"); answered[hostof[i]]=1; else echo "${what[i]} noreply"; fi ;;',
  '    *) if [ $rc = 0 ]; then echo "${what[i]} up"; answered[hostof[i]]=1; else echo "${what[i]} down"; fi ;;',
  '  esac',
  'done',
  'if [ $n -gt 0 ]; then kill $k 2>/dev/null; wait $k 2>/dev/null; fi',
  // reachable: a host that answered a check answered packets, so it is up without a ping; the others are pinged
  'm=0 ppids=() phost=()',
  'for ((j = 0; j < ${#hosts[@]}; j++)); do',
  '  if [ -n "${answered[j]}" ]; then echo "${hosts[j]} icmp up"; continue; fi',
  '  ping -c 1 -W "$t" "${hosts[j]}" </dev/null >/dev/null 2>&1 & ppids[m]=$! phost[m]=${hosts[j]}; m=$((m + 1))',
  'done',
  'if [ $m -gt 0 ]; then',
  '  timer "${ppids[@]}"',
  '  for ((i = 0; i < m; i++)); do if wait "${ppids[i]}"; then echo "${phost[i]} icmp up"; else echo "${phost[i]} icmp down"; fi; done',
  '  kill $k 2>/dev/null; wait $k 2>/dev/null',
  'fi',
  // the replies: ONE wc -c (their sizes, in the order given, then a total line when more than one) and ONE od (their
  // bytes, concatenated in the same order, made one hex string by ONE tr); bash cuts the string by the sizes and
  // prints each reply as the health probe does (`HOST udp PORT reply HEX`, at most PROBE_REPLY_MAX bytes). Substrings,
  // not a bash array of bytes: slicing an array of 2,800 bytes for 50 replies took 0.3 s on the lab's emulated
  // director, the substrings 0.04–0.08 s. Sizes and bytes that do not add up print a line no parser takes for a
  // verdict (the console names it in a PARSE_ERROR; the director's update leaves those realservers as they are).
  'if [ ${#got[@]} -gt 0 ]; then',
  '  sizes=($(wc -c "${got[@]}" 2>/dev/null)) all=$(od -An -v -tx1 "${got[@]}" 2>/dev/null | tr -d " \\n") sum=0',
  '  for ((i = 0; i < ${#got[@]}; i++)); do',
  '    sz=${sizes[2 * i]}; case $sz in ""|*[!0-9]*) sum=x; break;; esac',
  '    if [ "${sizes[2 * i + 1]}" != "${got[i]}" ]; then sum=x; break; fi',
  '    sum=$((sum + sz))',
  '  done',
  '  if [ "$sum" != x ] && [ $((sum * 2)) = ${#all} ]; then',
  '    at=0',
  '    for ((i = 0; i < ${#got[@]}; i++)); do',
  '      sz=${sizes[2 * i]} m=${sizes[2 * i]}; [ "$m" -gt ' + PROBE_REPLY_MAX + ' ] && m=' + PROBE_REPLY_MAX,
  '      echo "${gotwhat[i]} reply ${all:2 * at:2 * m}"; at=$((at + sz))',
  '    done',
  '  else echo "lean-probe-error: the sizes of ${#got[@]} replies (wc -c: ${sizes[*]:0:6}) and their $((${#all} / 2)) bytes (od) do not add up"; fi',
  'fi',
  'rm -rf "$dir"',
  'exit 0',
].join('\n');
if (LEAN_PROBE_SCRIPT.includes("'")) throw new Error('LEAN_PROBE_SCRIPT must not contain a single quote');

/**
 * POSIX sh function `probe_all T TCPPORTS UDPSPECS HOST…`: the one place that decides which probe of the realservers a
 * director runs: the perl probe ($PERL_PROBE, shell/perl-probe-script.ts: one process for every check) when it has perl
 * with the modules it needs (else that probe exits 250 having printed nothing), else the lean probe ($LEAN_PROBE, the
 * script above) when it has bash, else `health_probe` (the caller's function running the health probe,
 * shell/service-probe-script.ts, under sh). All three print the same lines. The console's probe (health/lean-probe.ts),
 * the doctor's director collect and the director's own cron update all embed it.
 */
export const PROBE_ALL_FN = [
  'probe_all() {',
  '  if command -v perl >/dev/null 2>&1; then perl -e "$PERL_PROBE" -- "$@"; probe_rc=$?; [ "$probe_rc" = 250 ] || return "$probe_rc"; fi',
  '  if command -v bash >/dev/null 2>&1; then bash -c "$LEAN_PROBE" lvs-console-probe "$@"; else health_probe "$@"; fi',
  '}',
].join('\n');

/** POSIX sh function `health_probe ARGS…` for a caller that has the health probe's text in $HEALTH_PROBE (an argument, not embedded). */
export const HEALTH_PROBE_FROM_VAR_FN = 'health_probe() { sh -c "$HEALTH_PROBE" sh "$@"; }';

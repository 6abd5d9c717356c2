/**
 * The text of the per-(service, realserver) probe (see electron/health/service-probe.ts for how it is planned and
 * parsed): a constant POSIX sh script taking only positional arguments, `sh -c SERVICE_PROBE_SCRIPT sh T TCPPORTS
 * UDPSPECS HOST…`. It lives in shell/ (pure text) so that the director's own init script (lvs/conf/director-init-script.ts)
 * embeds exactly the probe the console runs: the cron `update` judges each service the way the console does.
 */

/** At most this many reply bytes come back per UDP check (keeps each output line under PIPE_BUF, so parallel lines never interleave). */
export const PROBE_REPLY_MAX = 1024;

/**
 * The TCP and UDP checks when the director has bash: ONE bash runs them all, each check a forked subshell (no exec of a
 * new interpreter) with its own timer that starts when the check does. Starting an interpreter per check under
 * `timeout` counted its start-up against the check: on a busy or emulated director (the lab's, one vCPU under TCG) nine
 * bash processes started at once took over 2 s, and every healthy service failed its 1 s check. A slow `sleep` start
 * only lengthens a timer, never fails a check. Double quotes only: it is embedded in single quotes.
 */
const BASH_CHECKS = [
  't=$1 tports=$2 uspecs=$3; shift 3',
  // run "$@" in the background, killed after $t s; its exit status (143 when killed)
  'lim() { "$@" & local p=$!; ( sleep "$t"; kill "$p" ) >/dev/null 2>&1 & local k=$!; wait "$p"; local rc=$?; kill "$k" 2>/dev/null; return $rc; }',
  'tcpc() { exec 3<>"/dev/tcp/$1/$2"; }',
  // send the payload, print the first reply datagram (dd count=1 reads one datagram)
  'udpc() { exec 3<>"/dev/udp/$1/$2" && printf "$3" >&3 && exec dd bs=8192 count=1 <&3; }',
  'for h in "$@"; do',
  '  for p in $tports; do ( if lim tcpc "$h" "$p" 2>/dev/null; then printf "%s tcp %s up\\n" "$h" "$p"; else printf "%s tcp %s down\\n" "$h" "$p"; fi ) & done',
  '  for u in $uspecs; do (',
  '    p=${u%%/*}; f=${u#*/}',
  `    r=$(lim udpc "$h" "$p" "$f" 2>/dev/null | od -An -v -N ${PROBE_REPLY_MAX} -tx1 | tr -d " \\n")`,
  '    if [ -n "$r" ]; then printf "%s udp %s reply %s\\n" "$h" "$p" "$r"; else printf "%s udp %s noreply\\n" "$h" "$p"; fi',
  '  ) & done',
  'done; wait',
].join('\n');
if (BASH_CHECKS.includes("'")) throw new Error('BASH_CHECKS must not contain a single quote');

/** The probe script (a constant; see the module comment): `sh -c SERVICE_PROBE_SCRIPT sh T TCPPORTS UDPSPECS HOST…`. */
export const SERVICE_PROBE_SCRIPT = [
  'set -f; t=$1 tports=$2 uspecs=$3; shift 3',
  'for h in "$@"; do',
  '  ( if ping -c 1 -W "$t" "$h" >/dev/null 2>&1; then printf \'%s icmp up\\n\' "$h"; else printf \'%s icmp down\\n\' "$h"; fi ) &',
  'done',
  // bash (/dev/tcp, /dev/udp): every check in one bash (BASH_CHECKS)
  `if command -v bash >/dev/null 2>&1; then bash -c '${BASH_CHECKS}' _ "$t" "$tports" "$uspecs" "$@"; wait; exit 0; fi`,
  // No bash. TCP: nc with stdin at EOF: busybox nc exits 0 once connected, other netcats keep the connection open
  // until `timeout` kills them (124 GNU, 143 busybox); refused or unreachable exits 1.
  'tcp() { timeout $((t + 1)) nc -w "$t" "$1" "$2" </dev/null >/dev/null 2>&1; rc=$?; [ $rc = 0 ] || [ $rc = 124 ] || [ $rc = 143 ]; }',
  // With no nc (or no timeout) there is nothing to connect with: every TCP check reports `notool` (judged unknown; the
  // update leaves the realserver as it is), never `down`, which would take every realserver out of every TCP service.
  'if command -v nc >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1; then N=nc; else N=; fi',
  // UDP: socat sends the payload and prints the first reply datagram; nothing when none came.
  'if command -v socat >/dev/null 2>&1; then U=socat; else U=; fi',
  'udp() { case $1 in *:*) a="UDP6:[$1]:$2" ;; *) a="UDP4:$1:$2" ;; esac',
  '  printf "$3" | timeout $((t + 1)) socat -t "$t" -T "$t" - "$a" 2>/dev/null | dd bs=8192 count=1 2>/dev/null; }',
  // every check at once: a dead realserver costs one timeout, not one per check
  'for h in "$@"; do',
  '  for p in $tports; do ( if [ -z "$N" ]; then printf \'%s tcp %s notool\\n\' "$h" "$p"; elif tcp "$h" "$p"; then printf \'%s tcp %s up\\n\' "$h" "$p"; else printf \'%s tcp %s down\\n\' "$h" "$p"; fi ) & done',
  '  for u in $uspecs; do (',
  '    p=${u%%/*}; f=${u#*/}',
  '    if [ -z "$U" ]; then printf \'%s udp %s notool\\n\' "$h" "$p"; exit; fi',
  `    r=$(udp "$h" "$p" "$f" | od -An -v -N ${PROBE_REPLY_MAX} -tx1 | tr -d ' \\n')`,
  '    if [ -n "$r" ]; then printf \'%s udp %s reply %s\\n\' "$h" "$p" "$r"; else printf \'%s udp %s noreply\\n\' "$h" "$p"; fi',
  '  ) & done',
  'done; wait',
].join('\n');

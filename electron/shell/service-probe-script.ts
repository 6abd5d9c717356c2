/**
 * The text of the per-(service, realserver) probe (see electron/health/service-probe.ts for how it is planned and
 * parsed): a constant POSIX sh script taking only positional arguments, `sh -c SERVICE_PROBE_SCRIPT sh T TCPPORTS
 * UDPSPECS HOST…`. It lives in shell/ (pure text) so that the director's own init script (lvs/conf/director-init-script.ts)
 * embeds exactly the probe the console runs: the cron `update` judges each service the way the console does.
 */

/** At most this many reply bytes come back per UDP check (keeps each output line under PIPE_BUF, so parallel lines never interleave). */
export const PROBE_REPLY_MAX = 1024;

/** The probe script (a constant; see the module comment): `sh -c SERVICE_PROBE_SCRIPT sh T TCPPORTS UDPSPECS HOST…`. */
export const SERVICE_PROBE_SCRIPT = [
  'set -f; t=$1 tports=$2 uspecs=$3; shift 3',
  // TCP: bash's /dev/tcp; else nc with stdin at EOF: busybox nc exits 0 once connected, other netcats keep the
  // connection open until `timeout` kills them (124 GNU, 143 busybox); refused or unreachable exits 1.
  'tcp() { if command -v bash >/dev/null 2>&1; then timeout "$t" bash -c \'exec 3<>"/dev/tcp/$1/$2"\' _ "$1" "$2" >/dev/null 2>&1; return; fi',
  '  timeout $((t + 1)) nc -w "$t" "$1" "$2" </dev/null >/dev/null 2>&1; rc=$?; [ $rc = 0 ] || [ $rc = 124 ] || [ $rc = 143 ]; }',
  // UDP: send the payload, print the first reply datagram (dd count=1 reads one datagram); nothing when none came.
  'if command -v bash >/dev/null 2>&1; then U=bash; elif command -v socat >/dev/null 2>&1; then U=socat; else U=; fi',
  'udp() { if [ "$U" = bash ]; then',
  '    timeout "$t" bash -c \'exec 3<>"/dev/udp/$1/$2" && printf "$3" >&3 && exec dd bs=8192 count=1 <&3\' _ "$1" "$2" "$3" 2>/dev/null',
  '  else case $1 in *:*) a="UDP6:[$1]:$2" ;; *) a="UDP4:$1:$2" ;; esac',
  '    printf "$3" | timeout $((t + 1)) socat -t "$t" -T "$t" - "$a" 2>/dev/null | dd bs=8192 count=1 2>/dev/null; fi',
  `  }`,
  // every check at once: a dead realserver costs one timeout, not one per check
  'for h in "$@"; do',
  '  ( if ping -c 1 -W "$t" "$h" >/dev/null 2>&1; then printf \'%s icmp up\\n\' "$h"; else printf \'%s icmp down\\n\' "$h"; fi ) &',
  '  for p in $tports; do ( if tcp "$h" "$p"; then printf \'%s tcp %s up\\n\' "$h" "$p"; else printf \'%s tcp %s down\\n\' "$h" "$p"; fi ) & done',
  '  for u in $uspecs; do (',
  '    p=${u%%/*}; f=${u#*/}',
  '    if [ -z "$U" ]; then printf \'%s udp %s notool\\n\' "$h" "$p"; exit; fi',
  `    r=$(udp "$h" "$p" "$f" | od -An -v -N ${PROBE_REPLY_MAX} -tx1 | tr -d ' \\n')`,
  '    if [ -n "$r" ]; then printf \'%s udp %s reply %s\\n\' "$h" "$p" "$r"; else printf \'%s udp %s noreply\\n\' "$h" "$p"; fi',
  '  ) & done',
  'done; wait',
].join('\n');

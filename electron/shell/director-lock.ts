/**
 * The director's one lock: everything that changes the IPVS table on a director takes it first — the console's apply
 * transaction (shell/transaction-script.ts: before its snapshot, through apply, read-back and rollback) and the verbs of
 * the director's own script that change the table (start, stop, reload, update: lvs/conf/director-init-script.ts) — so
 * the director's cron `update` can never change the table between a transaction's snapshot and its check (a false
 * rollback), nor a rollback undo what `update` just did.
 *
 * Mechanism: an atomic `ln -s TOKEN LOCK` (symlink(2) fails when LOCK exists), not flock(1). flock(1) is util-linux's:
 * every Debian/RHEL/SUSE director has it, but the lab's busybox director does not (its busybox has no flock applet), nor do
 * other minimal directors, and two mechanisms on one host would not exclude each other. Like an atomic mkdir, but the
 * owner travels in the link itself (written atomically with the lock: there is no moment where a lock exists without
 * its owner). Nothing holds a file descriptor, so a daemon started under the lock (keepalived, by the transaction's `ka`
 * op) does not inherit it.
 *
 * TOKEN = PID:START:BOOT:SINCE:WHO (the holder's pid, its start time in clock ticks from /proc/PID/stat, the kernel's
 * boot id, the epoch second it took the lock, who: lvs-director-VERB or lvs-console.TXID). Stale rule: a lock is stale,
 * and removed by the next taker, only when its holder provably no longer runs — the boot id differs (the director
 * rebooted), no process PID exists (or only its zombie), or PID is a different process (another start time: a reused
 * pid). A token in any
 * other form is never removed (the error names the file). Removing a stale lock is serialized by LOCK.break (the same
 * kind of lock) and re-checked under it, so two takers cannot both remove it and then one remove the other's fresh lock.
 * Holders release on every exit (the transaction in its verdict; the script with an EXIT trap); a holder killed by
 * SIGKILL or a power cut leaves a lock that the rule above finds stale.
 *
 * The lock lives in the transaction's private directory (root's, 0700, no symlink on its path: shell/private-dir.ts),
 * checked by both takers before they use it: never in a world-writable /tmp.
 */

/** The lock's file name inside the director's private transaction directory. */
export const LOCK_NAME = 'director.lock';

/** The director's private transaction directory (lvs/plan/transaction.ts's TX_DIR), where the lock lives. */
export const LOCK_DIR = '/var/lib/lvs-console/tx';

/** How long (seconds) each taker waits for the lock: see the init script and the transaction for why. */
export const LOCK_WAIT_S = {
  /** A console transaction: an `update` takes a few seconds (every probe runs at once, each ≤ CHECK_TIMEOUT). */
  transaction: 30,
  /** The cron `update`: a console transaction takes seconds; after that it skips this minute (cron runs it again). */
  update: 10,
  /** start, stop, reload (boot, an admin): they must happen, so they wait longer, then fail saying who holds it. */
  verb: 60,
} as const;

/**
 * POSIX sh functions (dash, bash, busybox; they use ln, readlink, rm, awk, date, sleep 0.2):
 *   lock_take LOCK WAIT_S WHO   0: taken (lk_held=1); 1: held by a live holder for WAIT_S seconds (lk_cur = its token);
 *                               2: LOCK is something else (lk_cur = what)
 *   lock_release                removes LOCK if this process holds it (safe to call twice)
 *   lock_alive TOKEN            0: its holder may still run (or the token is not ours to judge); 1: stale
 * Variables: lk (the lock path), lk_me (this holder's token), lk_held, lk_cur; la_*, lb, li, ln_* inside.
 */
export const LOCK_FNS = [
  'lock_boot() { cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo -; }',
  // field 22 of /proc/PID/stat (start time), "Z" for a zombie (it has exited: its lock is no longer held); the command
  // name (field 2) may hold blanks and ")": cut after the last ") "
  'lock_pstart() { ls_s=$(awk \'{ sub(/^.*\\) /, ""); print ($1 == "Z" ? "Z" : $20) }\' "/proc/$1/stat" 2>/dev/null); echo "${ls_s:--}"; }',
  'lock_alive() {',
  '  case $1 in *:*:*:*:*) ;; *) return 0 ;; esac',
  '  la_pid=${1%%:*}; la_r=${1#*:}; la_st=${la_r%%:*}; la_r=${la_r#*:}; la_boot=${la_r%%:*}',
  '  case $la_pid in ""|*[!0-9]*) return 0 ;; esac',
  '  [ "$la_boot" = "$(lock_boot)" ] || return 1',
  '  if [ -d /proc/self ]; then [ -d "/proc/$la_pid" ] || return 1; else kill -0 "$la_pid" 2>/dev/null || return 1; fi',
  '  [ "$la_st" = - ] || [ "$la_st" = "$(lock_pstart "$la_pid")" ] || return 1',
  '  return 0',
  '}',
  // lock_break LOCK TOKEN: under LOCK.break, removes LOCK only if it still is TOKEN (its holder is gone)
  'lock_break() {',
  '  if ln -s "$lk_me" "$1.break" 2>/dev/null; then',
  '    if [ "$(readlink "$1" 2>/dev/null)" = "$2" ]; then rm -f "$1" && echo "lvs-lock: removed the stale lock $1 ($2: that process no longer runs)"; fi',
  '    rm -f "$1.break"',
  '  else',
  '    lb=$(readlink "$1.break" 2>/dev/null) && ! lock_alive "$lb" && [ "$(readlink "$1.break" 2>/dev/null)" = "$lb" ] && rm -f "$1.break"',
  '  fi',
  '  return 0',
  '}',
  'lock_take() {',
  '  lk=$1; lk_cur=; li=0',
  '  lk_me="$$:$(lock_pstart $$):$(lock_boot):$(date +%s):$3"',
  '  while :; do',
  '    if [ -d "$lk" ] || { [ -e "$lk" ] && [ ! -L "$lk" ]; }; then lk_cur="$lk-is-not-a-lock"; return 2; fi',
  '    if ln -s "$lk_me" "$lk" 2>/dev/null; then lk_held=1; return 0; fi',
  // gone since ln failed (released): try again at once
  '    lk_cur=$(readlink "$lk" 2>/dev/null) || { [ -L "$lk" ] || continue; lk_cur=; }',
  '    if [ -n "$lk_cur" ] && ! lock_alive "$lk_cur"; then lock_break "$lk" "$lk_cur"; [ -L "$lk" ] || continue; fi',
  '    [ $li -ge $(($2 * 5)) ] && return 1',
  '    li=$((li+1)); sleep 0.2',
  '  done',
  '}',
  'lock_release() { if [ -n "$lk_held" ] && [ "$(readlink "$lk" 2>/dev/null)" = "$lk_me" ]; then rm -f "$lk"; fi; lk_held=; return 0; }',
].join('\n');

/** A lock token parsed: who holds it, since when (epoch seconds), its pid. */
export interface LockHolder {
  who: string;
  pid: number;
  since?: Date;
  token: string;
}

/** Parses a token (PID:START:BOOT:SINCE:WHO); undefined when it is not in that form. */
export function parseLockToken(token: string): LockHolder | undefined {
  const m = /^(\d+):[^:]*:[^:]*:(\d+|-):([^:\s]+)$/.exec(token);
  if (!m) return undefined;
  return { pid: Number(m[1]), who: m[3]!, ...(m[2] !== '-' ? { since: new Date(Number(m[2]) * 1000) } : {}), token };
}

/** "the director's own lvs-director update" | "another LVS Console transaction (TXID)" | the raw name. */
export function describeLockHolder(h: LockHolder): string {
  const verb = /^lvs-director-([a-z-]+)$/.exec(h.who);
  if (verb) return `the director's own lvs-director ${verb[1]}`;
  const tx = /^lvs-console\.([0-9a-f]+)$/.exec(h.who);
  if (tx) return `another LVS Console transaction (${tx[1]})`;
  return h.who;
}

/**
 * The script keepalived runs on every VRRP transition (the instance's `notify`), installed on each director at
 * DEFAULT_KEEPALIVED_PATHS.notifyScript (root-owned, 0755: enable_script_security refuses a script any non-root user
 * could change). keepalived.conf(5), 2.2.7: `notify` is called after the notify_* scripts with 4 arguments:
 *   $1 "GROUP"|"INSTANCE", $2 the name, $3 the target state ("MASTER"|"BACKUP"|"FAULT"|"STOP"|"DELETED"), $4 priority.
 * It appends `EPOCH TYPE NAME STATE PRIORITY` to the event log (the last 200 kept: the console's "last failovers") and
 * replaces the state file with `EPOCH NAME STATE PRIORITY` (written to a temp file and renamed, so a reader never sees
 * half a line). Scripts may run concurrently (the man page says only the notify FIFO guarantees order), so the state
 * file is a hint; keepalived's JSON dump is the authority on the current state (state-parse.ts). POSIX sh: runs under
 * busybox sh on the lab's director and dash/bash elsewhere.
 * First of all, for an INSTANCE transition, it hands the new state to a pair's /etc/init.d/lvs-pair when that is
 * installed (pair-handover.ts: the takeover guard is armed or disarmed before anything else is written).
 */

import { PAIR_INIT } from '../lvs/plan/runtime-steps.ts';

/** Where the notify script keeps its files on a director. */
export const NOTIFY_DIR = '/var/lib/lvs-console';
/** The event log (one line per transition). */
export const VRRP_EVENTS_FILE = `${NOTIFY_DIR}/vrrp-events`;
/** The last transition's state. */
export const VRRP_STATE_FILE = `${NOTIFY_DIR}/vrrp-state`;
/** How many transitions the event log keeps. */
export const VRRP_EVENTS_KEEP = 200;

/** The notify script's text (constant: no profile value is part of it). `dir` defaults to NOTIFY_DIR (tests use a temp folder). */
export function notifyScriptText(dir: string = NOTIFY_DIR): string {
  if (!/^\/[A-Za-z0-9._/-]+$/.test(dir)) throw new Error(`notify script: bad directory '${dir}'`);
  return [
    '#!/bin/sh',
    '# LVS Console: keepalived VRRP notify (args: GROUP|INSTANCE NAME STATE PRIORITY). Generated; do not edit.',
    `d=${dir}`,
    'mkdir -p "$d" || exit 1',
    'now=$(date +%s)',
    'case $3 in MASTER|BACKUP|FAULT|STOP|DELETED) ;; *) exit 0 ;; esac',
    `if [ "$1" = INSTANCE ] && [ -x ${PAIR_INIT} ]; then ${PAIR_INIT} "$3" </dev/null >/dev/null 2>&1; fi`,
    'printf \'%s %s %s %s %s\\n\' "$now" "$1" "$2" "$3" "${4:-0}" >> "$d/vrrp-events"',
    `if [ "$(wc -l < "$d/vrrp-events")" -gt ${VRRP_EVENTS_KEEP} ]; then`,
    `  tail -n ${VRRP_EVENTS_KEEP} "$d/vrrp-events" > "$d/vrrp-events.tmp.$$" && mv -f "$d/vrrp-events.tmp.$$" "$d/vrrp-events"`,
    'fi',
    '[ "$1" = INSTANCE ] || exit 0',
    'printf \'%s %s %s %s\\n\' "$now" "$2" "$3" "${4:-0}" > "$d/vrrp-state.tmp.$$" && mv -f "$d/vrrp-state.tmp.$$" "$d/vrrp-state"',
    '',
  ].join('\n');
}

/**
 * The private directory every file of the apply transaction lives in, and the POSIX sh function that makes and checks it
 * on the director before anything is written there. A world-writable /tmp under guessable names would let any local user
 * plant a symlink (root then truncates the file it points to) or pre-create a file root writes and reads back (the batch
 * swapped between the snapshot and `ipvsadm -R`). A directory that only root can change removes both.
 */
import { AppError } from '../../shared/result.ts';

/**
 * `private_dir DIR` (call it inside `$(…)`: it sets variables): creates DIR when missing (its parents 0755, DIR 0700),
 * then checks DIR and every directory above it up to `/`: a real directory (not a symbolic link), owned by root or by the
 * user running the script (root: the transaction runs through sudo), writable by its owner only (no group/other write
 * bit, no ACL: `ls` shows no `+`); DIR itself owned by that user with mode exactly drwx------. On a failure it prints
 * "DIR: why" and returns 1. POSIX sh + `ls -ldn` (dash, bash, busybox).
 */
export const PRIVATE_DIR_FN = [
  'private_dir() {',
  '  pd=$1; pu=$(id -u) || return 1; pl=1',
  '  case $pd in /*) ;; *) echo "$pd is not an absolute path"; return 1 ;; esac',
  '  if [ ! -e "$pd" ] && [ ! -L "$pd" ]; then',
  '    if [ -n "${pd%/*}" ]; then (umask 022; mkdir -p "${pd%/*}") 2>/dev/null; fi',
  '    (umask 077; mkdir "$pd") 2>/dev/null || { [ -d "$pd" ] && [ ! -L "$pd" ]; } || { echo "$pd cannot be created"; return 1; }',
  '  fi',
  '  while :; do',
  '    if [ -L "$pd" ]; then echo "$pd is a symbolic link"; return 1; fi',
  '    if [ ! -d "$pd" ]; then echo "$pd is not a directory"; return 1; fi',
  '    pls=$(ls -ldn "$pd") || { echo "$pd cannot be listed"; return 1; }',
  '    set -f; set -- $pls; set +f',
  '    case $3 in 0|"$pu") ;; *) echo "$pd is owned by uid $3, not by root"; return 1 ;; esac',
  '    if [ $pl = 1 ]; then',
  '      [ "$3" = "$pu" ] || { echo "$pd is owned by uid $3, not by uid $pu who runs the transaction"; return 1; }',
  '      case $1 in drwx------|drwx------.) ;; *) echo "$pd has mode $1, not drwx------"; return 1 ;; esac',
  '    else',
  '      case $1 in d????-??-?|d????-??-?.) ;; *) echo "$pd has mode $1: others than its owner may change it"; return 1 ;; esac',
  '    fi',
  '    pl=0',
  '    [ "$pd" = / ] && return 0',
  '    pd=${pd%/*}; [ -n "$pd" ] || pd=/',
  '  done',
  '}',
].join('\n');

// An absolute path of plain names: no empty, "." or ".." component, nothing a shell or `ls` would make more of.
const DIR_PATH = /^(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9_.-]+)+$/;

/** Throws unless `dir` is an absolute path of plain names (what PRIVATE_DIR_FN and the prefixes built on it accept). */
export function assertPlainDir(dir: string): string {
  if (!DIR_PATH.test(dir)) throw new AppError('INVALID_INPUT', `not a plain absolute directory path: ${dir}`);
  return dir;
}

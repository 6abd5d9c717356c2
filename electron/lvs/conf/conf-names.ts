/**
 * Variable names lvs.conf may not set or export: the file is sourced by the director's root script, so a variable the
 * shell, the dynamic loader, the C library or the script's commands read would change what that script runs, how it
 * splits its lists, or the shell's own state (and some of them the shell computes, so the value read back is not the
 * one written). Refused by name (exact) or by prefix, each group with the reason the message gives.
 */

const GROUPS: { reason: string; names: string[]; prefixes?: string[] }[] = [
  {
    reason: "it changes where the director's root script finds the programs and directories it runs",
    names: ['PATH', 'CDPATH', 'FPATH'],
  },
  {
    reason: "it changes how the director's script splits TPORTS, UPORTS, RIPS and every other word",
    names: ['IFS'],
  },
  {
    reason: '/bin/sh itself reads it (start-up files, prompts expanded with commands in them, shell options)',
    names: ['ENV', 'PS1', 'PS2', 'PS3', 'PS4', 'PROMPT_COMMAND', 'SHELLOPTS', 'POSIXLY_CORRECT', 'GLOBIGNORE', 'EXECIGNORE', 'SHELL'],
    prefixes: ['BASH', 'KSH_'],
  },
  {
    reason: 'the dynamic loader, the C library or the commands the script runs read it (loader, locale, time zone, resolver, grep, awk)',
    names: [
      'GCONV_PATH', 'LOCPATH', 'GLIBC_TUNABLES', 'HOSTALIASES', 'RES_OPTIONS', 'LOCALDOMAIN', 'NLSPATH', 'TZ', 'TZDIR', 'LANG', 'LANGUAGE', 'TMPDIR', 'AWKPATH', 'AWKLIBPATH',
      'GREP_OPTIONS', 'GREP_COLOR', 'GREP_COLORS',
    ],
    prefixes: ['LD_', 'LC_', 'MALLOC_'],
  },
  {
    reason: 'the shell manages it (computed when read, read-only, or it changes the shell’s own state)',
    names: [
      'HOME', 'PWD', 'OLDPWD', 'OPTIND', 'OPTARG', 'OPTERR', 'LINENO', 'PPID', 'RANDOM', 'SRANDOM', 'SECONDS', 'EPOCHSECONDS', 'EPOCHREALTIME',
      'UID', 'EUID', 'GROUPS', 'SHLVL', 'HOSTNAME', 'HOSTTYPE', 'MACHTYPE', 'OSTYPE', 'FUNCNAME', 'FUNCNEST', 'DIRSTACK', 'PIPESTATUS', 'HISTCMD',
      'MAIL', 'MAILCHECK', 'MAILPATH', 'TMOUT', 'FCEDIT', 'IGNOREEOF', 'INPUTRC', 'HOSTFILE', 'TIMEFORMAT', 'COPROC', 'MAPFILE', 'REPLY', '_',
      'HISTFILE', 'HISTSIZE', 'HISTFILESIZE', 'HISTCONTROL', 'HISTIGNORE', 'HISTTIMEFORMAT', 'HISTCHARS',
    ],
    prefixes: ['COMP_', 'READLINE_'],
  },
];

const EXACT = new Map<string, string>();
const PREFIXES: [string, string][] = [];
for (const g of GROUPS) {
  for (const n of g.names) EXACT.set(n, g.reason);
  for (const p of g.prefixes ?? []) PREFIXES.push([p, g.reason]);
}

/** Why `name` may not be set or exported in lvs.conf, or undefined when it may. */
export function reservedNameReason(name: string): string | undefined {
  return EXACT.get(name) ?? PREFIXES.find(([p]) => name.startsWith(p))?.[1];
}

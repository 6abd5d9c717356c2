/**
 * observe: the director's live state in ONE exec of a constant script (positional arguments only): the IPVS table
 * (`ipvsadm -S -n`), its addresses (`ip -o addr show`, is the VIP up?), the sysctls start sets, and for status the
 * listing with connections (`ipvsadm -L -n`, what the seed's status prints) and, when asked, the cumulative counters
 * (`--stats`) and the kernel's rate estimates (`--rate`). Each part is parsed with the existing parsers. When asked,
 * it also reads the director's runtime (its config files, keepalived, boot links, cron: what a change rewrites in the
 * same transaction as the table, and what drift compares with the profile and the kernel).
 */
import type { Cluster } from '../../shared/model/cluster.ts';
import type { IpvsDestination, IpvsService, IpvsTable } from '../../shared/model/ipvs.ts';
import { isIPv6 } from '../../shared/model/validators.ts';
import { sysctlKey, sysctlPath } from '../lvs/plan/sysctl-path.ts';
import { AppError } from '../../shared/result.ts';
import { directorSysctls, type DirectorObserved } from '../lvs/plan/director-plan.ts';
import type { DirectorRuntime } from '../lvs/plan/runtime-steps.ts';
import { parseIpAddr } from '../lvs/ipvs/ip-addr-parse.ts';
import { COMPLETE_LIST_VARIANTS, parseIpvsadmList, type IpvsListResult } from '../lvs/ipvs/ipvsadm-list-parse.ts';
import { parseIpvsadmSave } from '../lvs/ipvs/ipvsadm-save-parse.ts';
import { execChecked } from '../ssh/exec-checked.ts';
import type { Executor } from '../ssh/types.ts';
import { parseSections, SECTION_FUNCTION, type Section } from '../shell/marked-sections.ts';

/**
 * The observe script. $1 = mode (table | status), $2 = the counter listings status adds (`-`, `stats`, `rate` or
 * `stats,rate`), the rest = sysctl paths under /proc/sys. Exit 127 when ipvsadm is missing (so callers can say
 * "ipvsadm not found"); otherwise one section per command: table mode save (`ipvsadm -S -n`, exactly what a rollback
 * restores), addr, sysctl; status mode list (`-L -n`, which carries the whole table and the connections too), then
 * stats and rate if asked (each is one more ipvsadm run: on a small or emulated director a run costs tens of
 * milliseconds, so a status only pays for the listings it shows), addr, sysctl. The sysctl section is one `grep -H "" FILE…` ("/proc/sys/PATH:VALUE" per file; a sysctl
 * this kernel does not have is simply absent). Not the shell's `read`: dash and busybox read /proc/sys byte by byte and
 * the kernel answers a read at a non-zero offset with EOF, so they would see only the first character.
 */
export const OBSERVE_SCRIPT = [
  'mode=$1; counters=,$2,; files=$3; shift 3',
  'PATH=$PATH:/usr/sbin:/sbin:/usr/bin:/bin',
  "command -v ipvsadm >/dev/null 2>&1 || { echo 'ipvsadm: not found' >&2; exit 127; }",
  SECTION_FUNCTION,
  'sysctls() { grep -H "" "$@" 2>/dev/null; return 0; }',
  'if [ "$mode" = status ]; then sec list ipvsadm -L -n',
  '  case $counters in *,stats,*) sec stats ipvsadm -L -n --stats --exact;; esac',
  '  case $counters in *,rate,*) sec rate ipvsadm -L -n --rate --exact;; esac',
  'else sec save ipvsadm -S -n; fi',
  'sec addr ip -o addr show',
  'sec sysctl sysctls "$@"',
  // The runtime: facts, then each file asked for as its own section (exit 1 when it does not exist).
  'facts() {',
  '  k=$(command -v keepalived) && echo "keepalived-bin $k"',
  '  if [ -r /run/keepalived.pid ] && k=$(cat /run/keepalived.pid 2>/dev/null) && [ -n "$k" ] && kill -0 "$k" 2>/dev/null; then',
  '    echo "keepalived-pid $k"; printf \'keepalived-args %s\\n\' "$(tr \'\\000\' \' \' < /proc/$k/cmdline)"; fi',
  '  rc=; for d in /etc/rc.d/rc3.d /etc/rc3.d; do [ -d "$d" ] && [ -z "$rc" ] && rc=$d && echo "rcdir $d"; done',
  '  for d in /etc/cron.d /etc/crontabs /var/spool/cron/crontabs /etc/sysconfig /etc/default /etc/init.d; do [ -d "$d" ] && echo "dir $d"; done',
  '  if [ -n "$rc" ]; then for l in "$rc"/*; do [ -L "$l" ] && echo "link $l $(readlink "$l")"; done; fi',
  '  return 0',
  '}',
  'catf() { [ -f "$1" ] || return 1; cat "$1"; }',
  'if [ "$files" != - ]; then',
  '  sec facts facts',
  // (sec sets $n and $r: the counter is $j)
  '  j=0; set -f; IFS=:; for f in $files; do sec "file$j" catf "$f"; j=$((j+1)); done; unset IFS; set +f',
  'fi',
].join('\n');

export type { DirectorRuntime } from '../lvs/plan/runtime-steps.ts';

/** The director as observed: the planner's DirectorObserved, plus the listings with counters when asked for. */
export interface DirectorState extends DirectorObserved {
  /** The host label ("director 10.0.0.1"). */
  label: string;
  /** `ipvsadm -S -n` exactly as printed (what a rollback restores); only in mode 'table'. */
  saveText?: string;
  /** Only for mode 'status' (the table then comes from `list`). */
  list?: IpvsListResult;
  /** `--stats` and `--rate` listings: only for mode 'status' and when asked for (ObserveCounters). */
  stats?: IpvsListResult;
  rate?: IpvsListResult;
  /** The runtime, when files were asked for. */
  runtime?: DirectorRuntime;
}

/** Which counter listings a status observe adds to `ipvsadm -L -n`: cumulative (`--stats`), rates (`--rate`). */
export interface ObserveCounters {
  stats?: boolean;
  rate?: boolean;
}

/** The script's $2 for these counters. */
function countersArg(c: ObserveCounters): string {
  return [c.stats ? 'stats' : '', c.rate ? 'rate' : ''].filter(Boolean).join(',') || '-';
}

/** The sysctl keys observe reads for a cluster (the ones start sets). */
export function observedSysctlKeys(cluster: Cluster, vipAddress: string): string[] {
  return directorSysctls(cluster, isIPv6(vipAddress) ? 'inet6' : 'inet').map((s) => s.key);
}

/** argv of the observe exec (`counters` only matter in mode 'status'; `files`: the runtime's files to read, and its facts). */
export function observeArgv(mode: 'table' | 'status', sysctlKeys: readonly string[], counters: ObserveCounters = {}, files?: readonly string[]): string[] {
  for (const f of files ?? []) if (!/^\/[A-Za-z0-9_./@+-]+$/.test(f) || f.includes('..')) throw new AppError('INVALID_INPUT', `observe: bad path ${f}`);
  return [
    'sh',
    '-c',
    OBSERVE_SCRIPT,
    'lvs-console-observe',
    mode,
    mode === 'status' ? countersArg(counters) : '-',
    files ? files.join(':') : '-',
    ...sysctlKeys.map((k) => `/proc/sys/${sysctlPath(k)}`),
  ];
}

/** The runtime sections: the facts, and file0… in the order `files` were asked for. */
export function parseRuntime(label: string, sections: Map<string, Section>, files: readonly string[]): DirectorRuntime {
  const out: DirectorRuntime = { files: new Map(), keepalived: {}, links: new Map(), dirs: new Set() };
  const facts = sections.get('facts');
  if (!facts) throw new AppError('PARSE_ERROR', `${label}: observe: no runtime facts (observe script cut short)`, { host: label, step: 'observe runtime' });
  facts.stdout.split('\n').forEach((line, i) => {
    if (line === '') return;
    // "keepalived-bin PATH" | "keepalived-pid N" | "keepalived-args ARGS…" | "rcdir DIR" | "dir DIR" | "link PATH TARGET"
    const m = /^(keepalived-bin|keepalived-pid|keepalived-args|rcdir|dir|link) (.*)$/.exec(line);
    if (!m) throw new AppError('PARSE_ERROR', `${label}: observe runtime: line ${i + 1}: unexpected "${line.slice(0, 80)}"`, { host: label, step: 'observe runtime' });
    const v = m[2]!;
    if (m[1] === 'keepalived-bin') out.keepalived.bin = v;
    else if (m[1] === 'keepalived-pid') out.keepalived.pid = Number(v);
    else if (m[1] === 'keepalived-args') out.keepalived.args = v.trim();
    else if (m[1] === 'rcdir') out.rcDir = v;
    else if (m[1] === 'dir') out.dirs.add(v);
    else {
      const sp = v.indexOf(' ');
      if (sp > 0) out.links.set(v.slice(0, sp), v.slice(sp + 1));
    }
  });
  files.forEach((f, i) => {
    const sec = sections.get(`file${i}`);
    if (!sec) throw new AppError('PARSE_ERROR', `${label}: observe: no section for ${f} (observe script cut short)`, { host: label, step: `cat ${f}` });
    out.files.set(f, sec.rc === 0 ? sec.stdout : undefined);
  });
  return out;
}

/** What each section is, for error messages ("director 10.0.0.1: ipvsadm -S -n: …"). */
const SECTION_STEP: Record<string, string> = {
  save: 'ipvsadm -S -n',
  addr: 'ip -o addr show',
  sysctl: 'read sysctls',
  list: 'ipvsadm -L -n',
  stats: 'ipvsadm -L -n --stats --exact',
  rate: 'ipvsadm -L -n --rate --exact',
};

/** One section's stdout, or an AppError naming the host and the command when it is missing or failed. */
function sectionOut(label: string, sections: Map<string, Section>, name: string): string {
  const step = SECTION_STEP[name] ?? name;
  const s = sections.get(name);
  if (!s) throw new AppError('PARSE_ERROR', `${label}: ${step}: no output (observe script cut short)`, { host: label, step });
  if (s.rc === 127) throw new AppError('NOT_FOUND', `${label}: ${step.split(' ')[0]} not found`, { host: label, step });
  if (s.rc !== 0) throw new AppError('COMMAND_FAILED', `${label}: ${step}: ${s.stderr.trim() || `exit ${s.rc}`}`, { host: label, step, detail: { code: s.rc } });
  return s.stdout;
}

/** Runs a parser, re-throwing its PARSE_ERROR with the host and step in front. */
function parsed<T>(label: string, step: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof AppError) throw new AppError(e.code, `${label}: ${step}: ${e.message}`, { host: label, step, cause: e, detail: e.detail });
    throw e;
  }
}

/**
 * Parses the observe script's stdout (pure). `keys` are the sysctl keys asked for, in order; `counters` the listings
 * asked for (each must be there). Throws AppError naming the host and the failing command.
 */
export function parseObserveOutput(label: string, mode: 'table' | 'status', keys: readonly string[], stdout: string, stderr = '', counters: ObserveCounters = {}, files?: readonly string[]): DirectorState {
  const { sections } = parsed(label, 'observe', () => parseSections(stdout, stderr));
  const runtime = files ? { runtime: parseRuntime(label, sections, files) } : {};
  const saveText = mode === 'table' ? sectionOut(label, sections, 'save') : undefined;
  const addrText = sectionOut(label, sections, 'addr');
  const addresses = parsed(label, 'ip -o addr show', () => parseIpAddr(addrText));
  const sysctls: Record<string, string> = {};
  const wanted = new Set(keys.map(sysctlPath));
  sectionOut(label, sections, 'sysctl')
    .split('\n')
    .forEach((line, i) => {
      if (line === '') return;
      // "/proc/sys/PATH:VALUE"
      const m = /^\/proc\/sys\/([^:]+):(.*)$/.exec(line);
      if (!m || !wanted.has(m[1]!)) throw new AppError('PARSE_ERROR', `${label}: read sysctls: line ${i + 1}: unexpected "${line.slice(0, 80)}"`, { host: label, step: 'read sysctls' });
      sysctls[sysctlKey(m[1]!)] = m[2]!.trim();
    });
  if (saveText !== undefined) {
    const table = { services: parsed(label, 'ipvsadm -S -n', () => parseIpvsadmSave(saveText)).services };
    return { label, table, addresses, sysctls, saveText, ...runtime };
  }
  const listing = (name: 'list' | 'stats' | 'rate'): IpvsListResult => {
    const text = sectionOut(label, sections, name);
    return parsed(label, SECTION_STEP[name]!, () => parseIpvsadmList(text));
  };
  const list = listing('list');
  return {
    label,
    table: tableFromList(label, list),
    addresses,
    sysctls,
    list,
    ...(counters.stats ? { stats: listing('stats') } : {}),
    ...(counters.rate ? { rate: listing('rate') } : {}),
    ...runtime,
  };
}

/** The table a plain `ipvsadm -L -n` listing shows (it carries scheduler, persistence, forwarding and weights). */
export function tableFromList(label: string, list: IpvsListResult): IpvsTable {
  if (!COMPLETE_LIST_VARIANTS.includes(list.variant)) throw new AppError('PARSE_ERROR', `${label}: ipvsadm -L -n: a ${list.variant} listing does not carry the whole table`, { host: label });
  return {
    services: list.services.map((s): IpvsService => {
      const { destinations, stats: _s, rate: _r, ...rest } = s;
      return {
        ...rest,
        scheduler: s.scheduler ?? '',
        destinations: destinations.map((d): IpvsDestination => ({ ...d, forward: d.forward ?? 'masq', weight: d.weight ?? 0 })),
      };
    }),
  };
}

/** How long observe may take before it counts as hung (a TCG director can be slow). */
export const OBSERVE_TIMEOUT_MS = 60_000;

/**
 * Observes the director in one exec. Errors: NOT_FOUND "director 10.x: observe: ipvsadm not found (…)" (exit 127, execChecked), COMMAND_FAILED /
 * PARSE_ERROR naming the command, or the executor's own (connect, auth, host key).
 */
export async function observeDirector(
  exec: Executor,
  mode: 'table' | 'status',
  keys: readonly string[],
  opts: { signal?: AbortSignal; counters?: ObserveCounters; files?: readonly string[] } = {},
): Promise<DirectorState> {
  const { signal, counters = {}, files } = opts;
  const r = await execChecked(exec, observeArgv(mode, keys, counters, files), [0], 'observe', { sudo: true, shared: true, timeoutMs: OBSERVE_TIMEOUT_MS, ...(signal ? { signal } : {}) });
  return parseObserveOutput(exec.label, mode, keys, r.stdout, r.stderr, mode === 'status' ? counters : {}, files);
}

/**
 * Name resolution the way the director sees it: addresses pass through; names are looked up ON THE DIRECTOR once
 * (`getent hosts`, else /etc/hosts, as the seed's lvs-director does), so the table the console plans is the one the
 * director's own script would build. An unresolvable name is an error naming it.
 */
import { isIPv4, isIPv6 } from '../../shared/model/validators.ts';
import { AppError } from '../../shared/result.ts';
import type { Resolve } from '../lvs/plan/desired-table.ts';
import { execChecked } from '../ssh/exec-checked.ts';
import type { Executor } from '../ssh/types.ts';

/**
 * Prints "NAME ADDRESS" per argument ("NAME -" when neither getent nor /etc/hosts knows it). Names travel as
 * positional arguments only.
 */
export const RESOLVE_SCRIPT = [
  'for h in "$@"; do',
  '  a=$(getent hosts "$h" 2>/dev/null | awk \'{ print $1; exit }\')',
  '  [ -z "$a" ] && [ -r /etc/hosts ] && a=$(awk -v n="$h" \'$1 !~ /^#/ { for (i = 2; i <= NF; i++) if ($i == n) { print $1; exit } }\' /etc/hosts)',
  '  printf \'%s %s\\n\' "$h" "${a:--}"',
  'done',
].join('\n');

/** True for an IPv4 or IPv6 literal (passes through without a lookup). */
export function isAddress(host: string): boolean {
  return isIPv4(host) || isIPv6(host);
}

/** argv that resolves `names` on the director. */
export function resolveArgv(names: readonly string[]): string[] {
  for (const n of names) if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(n)) throw new AppError('INVALID_INPUT', `not a host name: ${n}`);
  return ['sh', '-c', RESOLVE_SCRIPT, 'lvs-console-resolve', ...names];
}

/** Parses RESOLVE_SCRIPT's output into name → address; every name must appear once. Throws naming the host. */
export function parseResolveOutput(label: string, names: readonly string[], stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  const want = new Set(names);
  stdout.split('\n').forEach((line, i) => {
    if (line === '') return;
    // "NAME ADDRESS" | "NAME -"
    const m = /^(\S+) (\S+)$/.exec(line);
    if (!m || !want.has(m[1]!)) throw new AppError('PARSE_ERROR', `${label}: resolve: line ${i + 1}: unexpected "${line.slice(0, 80)}"`, { host: label, step: 'resolve' });
    if (m[2] === '-') throw new AppError('NOT_FOUND', `${label}: cannot resolve '${m[1]}' (getent hosts and /etc/hosts on the director know no address)`, { host: label, step: 'resolve' });
    if (!isAddress(m[2]!)) throw new AppError('PARSE_ERROR', `${label}: resolve: '${m[1]}' resolved to '${m[2]}', not an address`, { host: label, step: 'resolve' });
    out.set(m[1]!, m[2]!);
  });
  for (const n of names) if (!out.has(n)) throw new AppError('PARSE_ERROR', `${label}: resolve: no answer for '${n}'`, { host: label, step: 'resolve' });
  return out;
}

/** A Resolve over a fixed map (addresses pass through; a name not in the map is an error naming it). */
export function mapResolver(map: ReadonlyMap<string, string>): Resolve {
  return (host: string) => {
    if (isAddress(host)) return host;
    const a = map.get(host);
    if (a === undefined) throw new AppError('NOT_FOUND', `cannot resolve '${host}': it was not looked up on the director`);
    return a;
  };
}

/** Looks `hosts` up on the director in one exec (none when all are addresses) and returns a Resolve over the answers. */
export async function resolveOnDirector(exec: Executor, hosts: readonly string[]): Promise<Resolve> {
  const names = [...new Set(hosts.filter((h) => !isAddress(h)))];
  if (names.length === 0) return mapResolver(new Map());
  const r = await execChecked(exec, resolveArgv(names), [0], 'resolve', { timeoutMs: 30_000 });
  return mapResolver(parseResolveOutput(exec.label, names, r.stdout));
}

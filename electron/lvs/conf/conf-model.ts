/**
 * lvs.conf ⇄ cluster profile. The file holds only VIP, VIP_IF, LVS_IF, TPORTS, UPORTS and RIPS; everything else a
 * profile needs (id, name, director access, weights, persistence…) comes from a base profile. Validation is the
 * cluster schema's, with each rejection mapped back to the FILE:LINE:COL of the variable (or list item) it came from.
 */
import type { z } from 'zod';
import { clusterSchema, describeIssues, type ClusterInput } from '../../../shared/model/cluster.ts';
import { portNumber } from '../../../shared/model/well-known-ports.ts';
import { AppError, issueMessage, pathText } from '../../../shared/result.ts';
import { confVariables, type ConfItem, type ConfVariables, type LvsConfDoc } from './conf-parse.ts';
import { setConfVariable } from './conf-write.ts';

/** The variables of lvs.conf that map to the cluster profile. */
export const CONF_CLUSTER_VARIABLES = ['VIP', 'VIP_IF', 'LVS_IF', 'TPORTS', 'UPORTS', 'RIPS'] as const;

/** What the file cannot say: at least id, name and director; any other field is a default the file overrides. */
export type ConfClusterBase = Pick<ClusterInput, 'id' | 'name' | 'director'> & Partial<ClusterInput>;

/** A placeholder base for checking a file on its own (`lvsctl conf check`): valid, and never reported. */
export const CHECK_BASE: ConfClusterBase = { id: 'conf-check', name: 'conf check', director: { host: 'localhost', user: 'root' } };

type Port = string | number;
type Service = NonNullable<ClusterInput['tcp']>[number];
type Realserver = NonNullable<ClusterInput['realservers']>[number];

/** A port as the user wrote it: digits become a number (so range checks apply), names stay names. */
function portRef(text: string): Port {
  return /^[0-9]+$/.test(text) ? Number(text) : text;
}

/**
 * Builds a cluster profile from the file's variables on top of `base` and validates it with clusterSchema. Services
 * and realservers keep the base's settings (persistence, weight, os, ssh, check…) when the port or host matches. A UDP
 * service other than XDMCP (177) that the base does not know gets the health check `none` (the file cannot say how to
 * check it, and the profile must say it explicitly), with a warning pushed to `warnings` naming FILE:LINE:COL. A
 * variable missing from the file falls back to the base (then to the schema default); VIP has no default. Throws
 * AppError('INVALID_INPUT') whose message has one `FILE:LINE:COL: VAR …: why` line per problem, in file order (a
 * variable that is missing altogether is reported at 1:1).
 */
export function confToCluster(vars: ConfVariables, base: ConfClusterBase, warnings: string[] = []): ClusterInput {
  const input: Omit<ClusterInput, 'vip'> & { vip?: string } = { ...base };
  const v = (name: string) => vars.get(name);
  if (v('VIP')) input.vip = v('VIP')!.value;
  if (v('VIP_IF')) input.vipIf = v('VIP_IF')!.value;
  if (v('LVS_IF')) input.lvsIf = v('LVS_IF')!.value;
  for (const [name, proto] of [['TPORTS', 'tcp'], ['UPORTS', 'udp']] as const) {
    const items = v(name)?.items;
    if (!items) continue;
    const known = new Map<number, Service>();
    for (const s of base[proto] ?? []) {
      const n = portNumber(s.port, proto);
      if (n !== undefined && !known.has(n)) known.set(n, s);
    }
    input[proto] = items.map((it) => {
      const port = portRef(it.text);
      const n = portNumber(port, proto);
      const service: Service = { ...(n === undefined ? undefined : known.get(n)), port };
      if (proto === 'udp' && n !== undefined && n !== 177 && service.check === undefined) {
        service.check = { kind: 'none' };
        warnings.push(
          `${vars.file}:${it.line}:${it.col}: UPORTS item "${it.text}": UDP ${n} imported with health check 'none' (lvs.conf cannot say how to check it; give it a UDP payload and the reply to expect in the profile)`,
        );
      }
      return service;
    });
  }
  const rips = v('RIPS')?.items;
  if (rips) {
    const known = new Map<string, Realserver>();
    for (const r of base.realservers ?? []) if (!known.has(r.host.toLowerCase())) known.set(r.host.toLowerCase(), r);
    input.realservers = rips.map((it) => ({ ...known.get(it.text.toLowerCase()), host: it.text }));
  }
  const res = clusterSchema.safeParse(input);
  if (res.success) return input as ClusterInput;
  throw new AppError('INVALID_INPUT', issueLines(res.error, vars).join('\n'));
}

/** One located message per place (the first zod issue there), sorted by position. */
function issueLines(error: z.ZodError, vars: ConfVariables): string[] {
  const file = vars.file;
  const located: { line: number; col: number; text: string }[] = [];
  const scalar: Record<string, string> = { vip: 'VIP', vipIf: 'VIP_IF', lvsIf: 'LVS_IF' };
  const list: Record<string, string> = { tcp: 'TPORTS', udp: 'UPORTS', realservers: 'RIPS' };
  for (const issue of error.issues) {
    const [head, index] = issue.path;
    const name = typeof head === 'string' ? (scalar[head] ?? list[head]) : undefined;
    const variable = name ? vars.get(name) : undefined;
    if (name && scalar[head as string]) {
      if (variable) located.push({ line: variable.line, col: variable.col, text: `${name}=${JSON.stringify(variable.value)}: ${issue.message}` });
      else located.push({ line: 1, col: 1, text: `${name} is not set` });
      continue;
    }
    const item: ConfItem | undefined = name && typeof index === 'number' ? variable?.items[index] : undefined;
    if (name && item) {
      // The schema names the other duplicate by its path; in a file, its position says more.
      const message = issueMessage(issue, (p) => {
        const other = p[0] === head && typeof p[1] === 'number' ? variable!.items[p[1]] : undefined;
        return other ? `at ${other.line}:${other.col}` : pathText(p);
      });
      located.push({ line: item.line, col: item.col, text: `${name} item ${JSON.stringify(item.text)}: ${message}` });
      continue;
    }
    // Not from the file: a field of the base profile.
    located.push({ line: 0, col: 0, text: `${issue.path.join('.') || '(profile)'}: ${issue.message}` });
  }
  // One message per place: zod may report several reasons for one value (e.g. out of range, and so not a TCP service).
  const seen = new Set<string>();
  const unique = located.filter((l) => l.line === 0 || (!seen.has(`${l.line}:${l.col}`) && seen.add(`${l.line}:${l.col}`)));
  unique.sort((a, b) => a.line - b.line || a.col - b.col);
  return unique.map((l) => (l.line === 0 ? `${file}: base profile ${l.text}` : `${file}:${l.line}:${l.col}: ${l.text}`));
}

/**
 * Checks a file's values for the seed's lvs-director script: VIP, VIP_IF and LVS_IF must be set (a missing one is
 * reported at 1:1), VIP must be a host, VIP_IF an alias such as eth0:110, LVS_IF an interface, ports known for their
 * protocol, RIPS hosts, no duplicate ports or realservers. Throws like confToCluster, with every problem found.
 */
export function checkConfValues(doc: LvsConfDoc): void {
  const vars = confVariables(doc);
  const lines: string[] = [];
  try {
    confToCluster(vars, CHECK_BASE);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    lines.push(...e.message.split('\n'));
  }
  for (const n of ['VIP_IF', 'LVS_IF']) if (!vars.has(n)) lines.push(`${doc.file}:1:1: ${n} is not set (lvs-director needs VIP, VIP_IF and LVS_IF)`);
  if (lines.length > 0) throw new AppError('INVALID_INPUT', lines.join('\n'));
}

/** Same port sequence (by number for the protocol; names that are not known compare as text). */
function samePorts(items: readonly string[], desired: readonly Port[], proto: 'tcp' | 'udp'): boolean {
  return (
    items.length === desired.length &&
    items.every((it, k) => {
      const a = portNumber(it, proto);
      const b = portNumber(desired[k]!, proto);
      return a !== undefined && b !== undefined ? a === b : it === String(desired[k]);
    })
  );
}

/**
 * Writes a cluster profile's VIP, VIP_IF, LVS_IF, TPORTS, UPORTS and RIPS into a document and returns the new one.
 * Only lines whose meaning differs change (23 vs telnet is the same port; host names compare case-insensitively);
 * ports are written as the profile writes them (numbers as numbers, names as names); every realserver is listed
 * (enabled or not, as the seed's file knows no such flag). An empty list missing from the file is not added.
 * Throws AppError('INVALID_INPUT') if the profile is not valid.
 */
export function applyClusterToConf(doc: LvsConfDoc, cluster: ClusterInput): LvsConfDoc {
  const res = clusterSchema.safeParse(cluster);
  if (!res.success) throw new AppError('INVALID_INPUT', `cluster profile is not valid: ${describeIssues(res.error).join('; ')}`);
  const c = res.data;
  let out = doc;
  const vars = confVariables(doc);
  const scalar = (name: string, value: string) => {
    if (vars.get(name)?.value !== value) out = setConfVariable(out, name, value);
  };
  scalar('VIP', c.vip);
  scalar('VIP_IF', c.vipIf);
  scalar('LVS_IF', c.lvsIf);
  for (const [name, proto] of [['TPORTS', 'tcp'], ['UPORTS', 'udp']] as const) {
    const desired = c[proto].map((s) => s.port);
    const current = vars.get(name);
    if (!current && desired.length === 0) continue;
    if (current && samePorts(current.items.map((i) => i.text), desired, proto)) continue;
    out = setConfVariable(out, name, desired.map(String));
  }
  const hosts = c.realservers.map((r) => r.host);
  const rips = vars.get('RIPS');
  const sameHosts = rips && rips.items.length === hosts.length && rips.items.every((it, k) => it.text.toLowerCase() === hosts[k]!.toLowerCase());
  if (!sameHosts && (rips || hosts.length > 0)) out = setConfVariable(out, 'RIPS', hosts);
  return out;
}

/**
 * The cluster form's data model, kept pure so it is unit-tested: the draft is plain JSON edited by path, validated on
 * every change with clusterSchema, and the zod issues become one message per field path ("director.host"), worded
 * with the form's field names (field-labels.ts). Besides the schema's errors, offline warnings (the VIP outside the
 * director's subnet when both are addresses), and the merge of an lvs.conf import into a half-filled form.
 */
import { z } from 'zod';
import { clusterSchema, type Cluster } from '../../../shared/model/cluster.ts';
import { vipSubnetProblem } from '../../../shared/model/subnet.ts';
import { issueMessage } from '../../../shared/result.ts';
import { fieldLabel } from './field-labels.ts';

/**
 * What an lvs.conf import needs besides the file: id, name and how to reach the director. (zod 4 refuses .pick() on
 * clusterSchema because it carries a superRefine, so the fields are taken from its shape.)
 */
export const clusterBaseSchema = z.object({ id: clusterSchema.shape.id, name: clusterSchema.shape.name, director: clusterSchema.shape.director });

/** A draft profile as the form edits it (anything JSON; validated, never trusted). */
export type Draft = Record<string, unknown>;
/** A path into the draft, e.g. ['realservers', 0, 'host']. */
export type Path = readonly (string | number)[];

/** "realservers.0.host" */
export function pathKey(path: Path): string {
  return path.join('.');
}

/** The value at path, or undefined. */
export function getAt(obj: unknown, path: Path): unknown {
  let cur: unknown = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** A copy of obj with path set to value (undefined removes the key, so schema defaults apply). Creates objects/arrays on the way. */
export function setAt<T>(obj: T, path: Path, value: unknown): T {
  if (path.length === 0) return value as T;
  const [k, ...rest] = path;
  const base: Record<string | number, unknown> | unknown[] = Array.isArray(obj) ? [...obj] : obj && typeof obj === 'object' ? { ...(obj as object) } : typeof k === 'number' ? [] : {};
  const child = (base as Record<string | number, unknown>)[k!];
  const next = setAt(child, rest, value);
  if (next === undefined && !Array.isArray(base)) delete (base as Record<string, unknown>)[k as string];
  else (base as Record<string | number, unknown>)[k!] = next;
  return base as T;
}

/** A copy of the array at path without element i. */
export function removeAt<T>(obj: T, path: Path, i: number): T {
  const arr = getAt(obj, path);
  return setAt(obj, path, Array.isArray(arr) ? arr.filter((_, j) => j !== i) : arr);
}

/** A copy of the array at path with item appended. */
export function appendAt<T>(obj: T, path: Path, item: unknown): T {
  const arr = getAt(obj, path);
  return setAt(obj, path, [...(Array.isArray(arr) ? arr : []), item]);
}

/** Text typed into a number field: '' → undefined (the default applies), a number → number, anything else kept (and reported). */
export function numberish(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

/** A port field: digits become a number, a name (telnet, xdmcp) stays text, '' is undefined. */
export function portish(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return /^\d+$/.test(t) ? Number(t) : t;
}

/** Rewords zod's generic messages for a form (the schema's own messages pass through unchanged). */
export function friendlyMessage(message: string): string {
  // "Too small: expected string to have >=1 characters"
  if (/^Too small: expected string to have >=1 characters?$/.test(message)) return 'required';
  // "Invalid input: expected number, received string" / "… received undefined"
  const expected = /^Invalid input: expected (\w+), received (\w+)$/.exec(message);
  if (expected) return expected[2] === 'undefined' ? 'required' : `must be a ${expected[1]}`;
  return message;
}

/** One message per field path (the first zod reports for it), another field it refers to named the form's way. */
export function issuesByPath(error: z.ZodError): Map<string, string> {
  const m = new Map<string, string>();
  for (const i of error.issues) {
    const k = pathKey(i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)));
    if (!m.has(k)) m.set(k, friendlyMessage(issueMessage(i, fieldLabel)));
  }
  return m;
}

/** The field a path key ("realservers.1.host") names, in the form's words ("Realserver 2: host"). */
export function labelOfKey(key: string): string {
  return key ? fieldLabel(key.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p))) : 'The profile';
}

/**
 * What can be said before saving without asking the machine, and does not make the profile invalid: the VIP outside the
 * director's subnet (both written as addresses; prefix = the VIP prefix length). Keyed like the errors.
 */
export function offlineWarnings(draft: Draft): Map<string, string> {
  const m = new Map<string, string>();
  const vip = getAt(draft, ['vip']);
  const dir = getAt(draft, ['director', 'host']);
  const prefix = getAt(draft, ['vipPrefix']) ?? 24;
  if (typeof vip === 'string' && typeof dir === 'string' && typeof prefix === 'number') {
    const p = vipSubnetProblem(vip.trim(), dir.trim(), prefix);
    if (p) m.set('vip', p);
  }
  return m;
}

/** The draft's top-level fields that are valid on their own (what an import may keep where the file is silent). */
export function validTopFields(draft: Draft): Draft {
  const shape = clusterSchema.shape as Record<string, z.ZodType>;
  return Object.fromEntries(Object.entries(draft).filter(([k, v]) => shape[k] !== undefined && v !== undefined && shape[k]!.safeParse(v).success));
}

/** A placeholder for what an lvs.conf cannot say, when the form does not hold it yet (never kept: see mergeImport). */
export const IMPORT_PLACEHOLDER = { id: 'import', name: 'import', director: { host: 'localhost', user: 'root' } } as const;

/** The import base for a draft: its valid fields, with placeholders for a missing id, name or director. */
export function importBase(draft: Draft): Draft {
  const kept = validTopFields(draft);
  return { ...IMPORT_PLACEHOLDER, ...kept };
}

/**
 * The draft after an lvs.conf import: the fields the file set (`fields`) from the imported profile, everything else
 * as the form had it (also what was empty: the placeholders never show).
 */
export function mergeImport(draft: Draft, imported: Draft, fields: readonly string[]): Draft {
  const out: Draft = { ...draft };
  for (const f of fields) if (imported[f] !== undefined) out[f] = imported[f];
  return out;
}

/** The outcome of validating a draft. */
export type Validation = { ok: true; cluster: Cluster; errors: Map<string, string> } | { ok: false; errors: Map<string, string> };

/** Validates a draft with the shared clusterSchema. */
export function validateDraft(draft: Draft): Validation {
  const r = clusterSchema.safeParse(draft);
  return r.success ? { ok: true, cluster: r.data, errors: new Map() } : { ok: false, errors: issuesByPath(r.error) };
}

/** The first error at or under path (e.g. an object-level issue for "director.auth"). */
export function errorAt(errors: Map<string, string>, path: Path): string | undefined {
  const k = pathKey(path);
  return errors.get(k);
}

/** A new profile with the seed's defaults: telnet over TCP, xdmcp over UDP, one-interface LVS-NAT on eth0:110. */
export function newDraft(): Draft {
  return {
    id: '',
    name: '',
    director: { host: '', port: 22, user: 'root', auth: { method: 'agent' } },
    vip: '',
    vipPrefix: 24,
    vipIf: 'eth0:110',
    lvsIf: 'eth0',
    scheduler: 'wlc',
    forwarding: 'masq',
    tcp: [{ port: 'telnet' }],
    udp: [{ port: 'xdmcp' }],
    realservers: [],
  };
}

/** A lowercase id suggestion from a name ("Lab Cluster 1" → "lab-cluster-1"). */
export function idFromName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

/** The secret reference a profile uses for a given secret of its director, e.g. "lab.director.password". */
export function secretRefFor(clusterId: string, what: 'password' | 'passphrase' | 'sudo'): string {
  return `${clusterId || 'cluster'}.director.${what}`;
}

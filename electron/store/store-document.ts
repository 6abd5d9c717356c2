/**
 * The stored document (profiles, settings, window state, trusted host keys), its schema version and migrations.
 * Version history:
 *   1  { schemaVersion?: 1, profiles: Cluster[], settings?, windowBounds?: {x,y,width,height}, knownHosts?: string[] }
 *      (knownHosts as OpenSSH known_hosts lines "host keytype base64" or "[host]:port keytype base64")
 *   2  { schemaVersion: 2, clusters: {id: Cluster}, settings, windowState?: {bounds, maximized}, hostKeys: {"[host]:port": [...]} }
 * A document from a NEWER version is refused (never overwritten), so an older app cannot destroy newer data.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError, describeIssues } from '../../shared/result.ts';

/** The version this code reads and writes. */
export const STORE_SCHEMA_VERSION = 2;

const boundsSchema = z.object({ x: z.number(), y: z.number(), width: z.number().positive(), height: z.number().positive() });
/** A window's saved state. */
export const windowStateSchema = z.object({ bounds: boundsSchema, maximized: z.boolean().default(false) });

/** One trusted key of a host:port. */
export const hostKeyRecordSchema = z.object({
  keyType: z.string().regex(/^[A-Za-z0-9@._-]{1,64}$/),
  key: z.string().regex(/^[A-Za-z0-9+/]+=*$/),
  fingerprint: z.string(),
  addedAt: z.number(),
});
export type HostKeyRecord = z.infer<typeof hostKeyRecordSchema>;

/** The v2 document. Profiles and settings are validated one by one by their stores (a bad one must not hide the rest). */
export const storeDocSchema = z.object({
  schemaVersion: z.literal(STORE_SCHEMA_VERSION),
  clusters: z.record(z.string(), z.unknown()),
  settings: z.record(z.string(), z.unknown()),
  windowState: z.unknown().optional(),
  hostKeys: z.record(z.string(), z.array(hostKeyRecordSchema)),
});
export type StoreDoc = z.infer<typeof storeDocSchema>;

/** An empty current-version document. */
export function emptyStoreDoc(): StoreDoc {
  return { schemaVersion: STORE_SCHEMA_VERSION, clusters: {}, settings: {}, hostKeys: {} };
}

/** The key a host:port's trusted keys are filed under: "[host]:port", host lower-cased. */
export function hostKeyId(host: string, port: number): string {
  return `[${host.toLowerCase()}]:${port}`;
}

/** OpenSSH's SHA256 fingerprint of a base64 key blob: "SHA256:" + unpadded base64 of sha256(blob). */
export function sshFingerprint(keyBase64: string): string {
  return 'SHA256:' + createHash('sha256').update(Buffer.from(keyBase64, 'base64')).digest('base64').replace(/=+$/, '');
}

const v1Schema = z.object({
  schemaVersion: z.literal(1).optional(),
  profiles: z.array(z.record(z.string(), z.unknown())).default([]),
  settings: z.record(z.string(), z.unknown()).optional(),
  windowBounds: boundsSchema.optional(),
  knownHosts: z.array(z.string()).default([]),
});

// known_hosts line (plain host names only; hashed |1| entries and markers are not something v1 ever wrote):
//   host keytype base64 [comment]        → port 22
//   [host]:port keytype base64 [comment]
const KNOWN_HOSTS_LINE = /^(?:\[([^\]\s]+)\]:(\d{1,5})|([^\s[\]]+))\s+([A-Za-z0-9@._-]+)\s+([A-Za-z0-9+/]+=*)(?:\s.*)?$/;

/** v1 → v2: profiles array → clusters by id, windowBounds → windowState, knownHosts lines → hostKeys. */
export function migrateV1toV2(raw: unknown, where: string, now: () => number = Date.now): StoreDoc {
  const parsed = v1Schema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('PARSE_ERROR', `${where}: not a version 1 settings document (${describeIssues(parsed.error, '(document)').join('; ')})`, { step: 'migrate settings v1→v2' });
  }
  const v1 = parsed.data;
  const doc = emptyStoreDoc();
  v1.profiles.forEach((p, i) => {
    const id = p['id'];
    if (typeof id !== 'string' || id === '') throw new AppError('PARSE_ERROR', `${where}: profiles[${i}] has no id`, { step: 'migrate settings v1→v2' });
    doc.clusters[id] = p;
  });
  if (v1.settings) doc.settings = v1.settings;
  if (v1.windowBounds) doc.windowState = { bounds: v1.windowBounds, maximized: false };
  v1.knownHosts.forEach((line, i) => {
    const m = KNOWN_HOSTS_LINE.exec(line.trim());
    if (!m) throw new AppError('PARSE_ERROR', `${where}: knownHosts[${i}] is not "host keytype base64": ${line.slice(0, 80)}`, { step: 'migrate settings v1→v2' });
    const host = m[1] ?? m[3]!;
    const port = m[2] ? Number(m[2]) : 22;
    const keyType = m[4]!;
    const key = m[5]!;
    const id = hostKeyId(host, port);
    const list = (doc.hostKeys[id] ??= []);
    if (!list.some((r) => r.keyType === keyType)) list.push({ keyType, key, fingerprint: sshFingerprint(key), addedAt: now() });
  });
  return doc;
}

/** Migrations by the version they start from. */
const MIGRATIONS: Record<number, (raw: unknown, where: string) => unknown> = { 1: migrateV1toV2 };

/**
 * Brings any stored document up to STORE_SCHEMA_VERSION. Returns the document and whether it changed (the caller saves
 * it then). undefined → a fresh document. Throws AppError naming `where` for a newer or unreadable document.
 */
export function migrateStoreDoc(raw: unknown, where: string): { doc: StoreDoc; migrated: boolean } {
  if (raw === undefined) return { doc: emptyStoreDoc(), migrated: false };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new AppError('PARSE_ERROR', `${where}: expected a JSON object`, { step: 'load settings' });
  }
  let current: unknown = raw;
  let version = (raw as { schemaVersion?: unknown }).schemaVersion ?? 1;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new AppError('PARSE_ERROR', `${where}: schemaVersion ${JSON.stringify(version)} is not a version number`, { step: 'load settings' });
  }
  if (version > STORE_SCHEMA_VERSION) {
    throw new AppError('UNSUPPORTED', `${where} was written by a newer LVS Console (schema ${version}; this one knows ${STORE_SCHEMA_VERSION}): update the app; the file was not changed`, { step: 'load settings' });
  }
  const migrated = version !== STORE_SCHEMA_VERSION;
  while (version < STORE_SCHEMA_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) throw new AppError('INTERNAL', `no migration from settings schema ${version}`);
    current = step(current, where);
    version += 1;
  }
  const ok = storeDocSchema.safeParse(current);
  if (!ok.success) {
    throw new AppError('PARSE_ERROR', `${where}: ${describeIssues(ok.error, '(document)').join('; ')}`, { step: 'load settings' });
  }
  return { doc: ok.data, migrated };
}

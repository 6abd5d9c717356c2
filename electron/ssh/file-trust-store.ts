/**
 * A file-backed host key trust store for the CLI: JSON at $XDG_CONFIG_HOME/lvs-console/trusted-host-keys.json (or
 * ~/.config/…, or a path given). The app backs the same HostKeyTrust interface with electron-store later.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/result.ts';
import type { HostKeyTrust, HostKeyVerdict } from './types.ts';

const entrySchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  keyType: z.string().regex(/^[a-z0-9][a-z0-9@.-]*$/),
  key: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/),
  addedAt: z.string(),
});
const fileSchema = z.object({ version: z.literal(1), keys: z.array(entrySchema) });
/** One trusted key in the store file. */
export type TrustedKey = z.infer<typeof entrySchema>;

/** Default store path: $XDG_CONFIG_HOME/lvs-console/trusted-host-keys.json, else ~/.config/lvs-console/…. */
export function defaultTrustStorePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.trim() !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'lvs-console', 'trusted-host-keys.json');
}

/** HostKeyTrust backed by a JSON file (read on every check so two processes see each other's additions). */
export class FileTrustStore implements HostKeyTrust {
  readonly path: string;
  constructor(path: string = defaultTrustStorePath()) {
    this.path = path;
  }

  /** All trusted keys (empty when the file does not exist). Throws PARSE_ERROR naming the file if it is corrupt. */
  list(): TrustedKey[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new AppError('PARSE_ERROR', `${this.path}: not JSON (${(e as Error).message})`, { step: 'trust store' });
    }
    const r = fileSchema.safeParse(json);
    if (!r.success) throw new AppError('PARSE_ERROR', `${this.path}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { step: 'trust store' });
    return r.data.keys;
  }

  /** trusted / changed (another key of this type is trusted for host:port) / unknown. */
  check(host: string, port: number, keyType: string, keyBase64: string): HostKeyVerdict {
    const mine = this.list().filter((k) => k.host === host.toLowerCase() && k.port === port && k.keyType === keyType);
    if (mine.some((k) => k.key === keyBase64)) return 'trusted';
    return mine.length > 0 ? 'changed' : 'unknown';
  }

  /** Key types trusted for host:port. */
  knownKeyTypes(host: string, port: number): string[] {
    return [...new Set(this.list().filter((k) => k.host === host.toLowerCase() && k.port === port).map((k) => k.keyType))];
  }

  /**
   * Trusts a new key. Refuses (HOST_KEY_CHANGED) to replace a different key of the same type: a changed key is only
   * accepted after the old one was explicitly removed with forget().
   */
  trust(host: string, port: number, keyType: string, keyBase64: string): void {
    const keys = this.list();
    const h = host.toLowerCase();
    const same = keys.filter((k) => k.host === h && k.port === port && k.keyType === keyType);
    if (same.some((k) => k.key === keyBase64)) return;
    if (same.length > 0) throw new AppError('HOST_KEY_CHANGED', `${host}:${port}: a different ${keyType} key is already trusted; remove it first (after verifying the new one)`, { host, step: 'trust host key' });
    keys.push({ host: h, port, keyType, key: keyBase64, addedAt: new Date().toISOString() });
    this.write(keys);
  }

  /** Removes trusted keys for host:port (all types, or one). Returns how many were removed. */
  forget(host: string, port: number, keyType?: string): number {
    const keys = this.list();
    const h = host.toLowerCase();
    const keep = keys.filter((k) => !(k.host === h && k.port === port && (keyType === undefined || k.keyType === keyType)));
    if (keep.length !== keys.length) this.write(keep);
    return keys.length - keep.length;
  }

  private write(keys: TrustedKey[]): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, keys }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}

/**
 * What the stores give the rest of the main side (services, CLI, web host). Two backends implement them: electron-store +
 * safeStorage in the app (electron-stores.ts), plain JSON files + in-memory secrets for the CLI and web host
 * (node-stores.ts). Nothing here imports electron or electron-store.
 */
import type { z } from 'zod';
import type { settingsSchema } from '../../shared/api/contract.ts';
import type { Cluster } from '../../shared/model/cluster.ts';
import type { HostKeyTrust, SecretSource } from '../ssh/types.ts';

/** App settings as stored (defaults applied). */
export type Settings = z.output<typeof settingsSchema>;

/** A saved profile that no longer validates (e.g. edited by hand): kept on disk, reported, not used. */
export interface InvalidProfile {
  id: string;
  problems: string[];
}

/** Cluster profiles by id. */
export interface ProfileStore {
  /** Every valid profile, in id order. */
  list(): Cluster[];
  /** Profiles on disk that fail validation, with "field: message" problems. */
  invalid(): InvalidProfile[];
  get(id: string): Cluster | undefined;
  /** Validates (throws the ZodError, which crosses IPC as INVALID_INPUT naming the field) and saves; returns it parsed. */
  save(input: unknown): Cluster;
  /** True when something was deleted. */
  delete(id: string): boolean;
}

/** App settings. */
export interface SettingsStore {
  get(): Settings;
  /** Merges, validates (throws ZodError on a bad value) and saves; returns the new settings. */
  set(patch: Partial<Settings>): Settings;
}

/** A window's position and size. */
export interface WindowBounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the main window remembers between runs. */
export interface WindowState {
  bounds: WindowBounds;
  maximized: boolean;
}

/** The main window's last bounds. */
export interface WindowStateStore {
  get(): WindowState | undefined;
  set(state: WindowState): void;
}

/** One trusted host key. */
export interface TrustedHostKey {
  host: string;
  port: number;
  keyType: string;
  /** The key blob, base64, as in a known_hosts line. */
  key: string;
  /** OpenSSH's SHA256:… fingerprint of the blob. */
  fingerprint: string;
  /** When the user trusted it (ms since epoch). */
  addedAt: number;
}

/** Trusted host keys (implements the SSH layer's HostKeyTrust). */
export interface HostKeyStore extends HostKeyTrust {
  list(): TrustedHostKey[];
  /** Forgets the keys of host:port (one type, or all). True when something was removed. */
  forget(host: string, port: number, keyType?: string): boolean;
}

/**
 * Secrets (passwords, key passphrases, sudo passwords) by reference. The renderer may only set them and ask whether one
 * exists; `get` is for main-side code (the SSH layer) and never crosses IPC.
 */
export interface SecretStore extends SecretSource {
  set(ref: string, value: string): void;
  has(ref: string): boolean;
  delete(ref: string): boolean;
  /** Secret values stored or handed out in this process: what the audit log scrubs from argv and output. */
  knownValues(): string[];
}

/** Everything the stores provide, as main.ts hands it to createHandlers. */
export interface AppStores {
  profiles: ProfileStore;
  settings: SettingsStore;
  windowState: WindowStateStore;
  hostKeys: HostKeyStore;
  secrets: SecretStore;
  /** Where the data lives (a folder), for messages and the About box. */
  location: string;
}

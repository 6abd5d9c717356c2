/**
 * The host key trust the sessions use: read-only known_hosts sources (~/.ssh/known_hosts, a cluster profile's knownHosts
 * lines) layered over the app's own writable store. New trust always goes to the store; known_hosts files are never written.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { checkKnownHosts, entryMatchesHost, knownKeyTypes, parseKnownHosts, type KnownHostsEntry } from './known-hosts.ts';
import type { HostKeyTrust, HostKeyVerdict } from './types.ts';

/** Where known_hosts lines come from. */
export interface LayeredTrustOptions {
  /** The one writable host-key store (electron/store/host-key-store.ts; the app's document, or the same as a JSON file for lvsctl and the web host). */
  store: HostKeyTrust;
  /** known_hosts files read (missing files are fine). Default: [~/.ssh/known_hosts]. Pass [] to ignore the user's file. */
  knownHostsFiles?: string[];
  /** Extra known_hosts lines, e.g. a cluster profile's `knownHosts`, with a name for errors. */
  extraLines?: { source: string; lines: readonly string[] };
}

/** ~/.ssh/known_hosts. */
export function userKnownHostsPath(): string {
  return join(homedir(), '.ssh', 'known_hosts');
}

/**
 * Combines the sources (each known_hosts file, the profile's lines, the store), each judged on its own with OpenSSH's
 * rules (within one source, the key listed → trusted even if another key of its type is listed too): a revoked key
 * anywhere → changed; ANY source that holds another key of this type (changed) → changed, whatever another source says
 * (a profile line, even `*`, never overrides a key the app or ~/.ssh/known_hosts already holds); trusted in a source →
 * trusted; else unknown.
 */
export class LayeredTrust implements HostKeyTrust {
  /** Every known_hosts entry (for revocations and key types). */
  private readonly entries: KnownHostsEntry[];
  /** The entries per source, each judged separately. */
  private readonly sources: KnownHostsEntry[][];
  private readonly store: HostKeyTrust;

  constructor(opts: LayeredTrustOptions) {
    this.store = opts.store;
    this.entries = [];
    this.sources = [];
    for (const file of opts.knownHostsFiles ?? [userKnownHostsPath()]) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      this.sources.push(parseKnownHosts(text, file));
    }
    if (opts.extraLines) this.sources.push(parseKnownHosts(opts.extraLines.lines.join('\n'), opts.extraLines.source));
    for (const s of this.sources) this.entries.push(...s);
  }

  async check(host: string, port: number, keyType: string, keyBase64: string): Promise<HostKeyVerdict> {
    const revoked = this.entries.some((e) => e.marker === 'revoked' && e.keyBase64 === keyBase64 && entryMatchesHost(e, host, port));
    if (revoked) return 'changed';
    const verdicts = this.sources.map((s) => checkKnownHosts(s, host, port, keyType, keyBase64));
    verdicts.push(await this.store.check(host, port, keyType, keyBase64));
    if (verdicts.includes('changed')) return 'changed';
    return verdicts.includes('trusted') ? 'trusted' : 'unknown';
  }

  async trust(host: string, port: number, keyType: string, keyBase64: string): Promise<void> {
    await this.store.trust(host, port, keyType, keyBase64);
  }

  async knownKeyTypes(host: string, port: number): Promise<string[]> {
    const fromStore = this.store.knownKeyTypes ? await this.store.knownKeyTypes(host, port) : [];
    return [...new Set([...knownKeyTypes(this.entries, host, port), ...fromStore])];
  }
}

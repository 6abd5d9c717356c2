/**
 * Pure parser and matcher for OpenSSH known_hosts (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain names, comma lists,
 * wildcards and negations, `[host]:port`, hashed `|1|salt|hash` (HMAC-SHA1), `@revoked` (honoured: a revoked key is
 * refused) and `@cert-authority` (parsed, not used: host certificates are not supported, so such lines trust nothing).
 */
import { createHmac } from 'node:crypto';
import { AppError } from '../../shared/result.ts';
import type { HostKeyVerdict } from './types.ts';
import { keyTypeOfBlob } from './host-key.ts';

/** How a known_hosts line names its hosts. */
export type KnownHostsHosts =
  | { kind: 'hashed'; salt: Buffer; hash: Buffer }
  | { kind: 'patterns'; patterns: Array<{ negated: boolean; pattern: string }> };

/** One key line of a known_hosts file. */
export interface KnownHostsEntry {
  source: string;
  line: number;
  marker?: 'revoked' | 'cert-authority';
  hosts: KnownHostsHosts;
  keyType: string;
  keyBase64: string;
  comment?: string;
}

// A key line: [@marker] hostnames keytype base64 [comment], fields separated by spaces/tabs.
//   e.g. "@revoked * ssh-rsa AAAA… old key", "|1|c2FsdA==|aGFzaA== ssh-ed25519 AAAA…", "[10.0.0.1]:2222,rs1 ssh-rsa AAAA…"
const KEY_LINE = /^(?:@(revoked|cert-authority)[ \t]+)?(\S+)[ \t]+([a-z0-9][a-z0-9@.-]*)[ \t]+([A-Za-z0-9+/]+={0,2})(?:[ \t]+(.*))?$/;
// A hashed host field: |1|base64(salt)|base64(HMAC-SHA1(salt, name)) (salt and hash are 20 bytes each).
const HASHED = /^\|1\|([A-Za-z0-9+/]+={0,2})\|([A-Za-z0-9+/]+={0,2})$/;
// One host pattern: optional "!", then a name/address with * and ? wildcards, or "[name]:port".
const PATTERN = /^(!?)((?:\[[^\]\s,]+\]:\d{1,5})|[^\s,[\]]+)$/;

/**
 * Parses known_hosts text. Blank lines and `#` comments are skipped; every other line must be a key line, else a
 * PARSE_ERROR naming `source:line` is thrown.
 */
export function parseKnownHosts(text: string, source: string): KnownHostsEntry[] {
  const out: KnownHostsEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s === '' || s.startsWith('#')) return;
    const fail = (why: string): never => {
      throw new AppError('PARSE_ERROR', `${source}:${line}: ${why}`, { step: 'known_hosts' });
    };
    if (s.startsWith('@') && !/^@(revoked|cert-authority)[ \t]/.test(s)) fail(`unknown marker ${s.split(/[ \t]/)[0]} (expected @revoked or @cert-authority)`);
    const m = KEY_LINE.exec(s);
    if (!m) return fail('not a known_hosts key line ([@marker] hostnames keytype base64-key [comment])');
    const [, marker, hostField, keyType, keyBase64, comment] = m as unknown as [string, string | undefined, string, string, string, string | undefined];
    let hosts: KnownHostsHosts;
    const h = HASHED.exec(hostField);
    if (hostField.startsWith('|')) {
      if (!h) return fail('hashed host field is not |1|salt|hash');
      hosts = { kind: 'hashed', salt: Buffer.from(h[1]!, 'base64'), hash: Buffer.from(h[2]!, 'base64') };
      if (hosts.hash.length !== 20) fail('hashed host field: hash is not 20 bytes (HMAC-SHA1)');
    } else {
      const patterns = hostField.split(',').map((p) => {
        const pm = PATTERN.exec(p);
        if (!pm) return fail(`bad host pattern "${p}"`);
        return { negated: pm[1] === '!', pattern: pm[2]!.toLowerCase() };
      });
      hosts = { kind: 'patterns', patterns };
    }
    const blob = Buffer.from(keyBase64, 'base64');
    let blobType: string;
    try {
      blobType = keyTypeOfBlob(blob);
    } catch {
      return fail(`key data for ${keyType} is not a public key blob`);
    }
    if (blobType !== keyType) fail(`key type ${keyType} does not match the key data (${blobType})`);
    out.push({ source, line, ...(marker ? { marker: marker as 'revoked' | 'cert-authority' } : {}), hosts, keyType, keyBase64, ...(comment ? { comment } : {}) });
  });
  return out;
}

/** The name OpenSSH looks up: `host` for port 22, `[host]:port` otherwise (lowercase). */
export function hostLookupName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/**
 * OpenSSH-style wildcard match: `*` any run (also empty), `?` exactly one character, everything else literal,
 * case-insensitive. Greedy with one remembered star (the last `*` seen, and where in the name it was tried): a mismatch
 * retries that star one character further, never an earlier one (a later star can absorb whatever an earlier one would
 * have). Worst case O(|pattern|·|name|), no backtracking blow-up (a regex built from the pattern backtracks exponentially
 * in the number of stars on a name that almost matches).
 */
export function wildcardMatch(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const s = name.toLowerCase();
  let pi = 0;
  let si = 0;
  let star = -1; // index in p of the last '*' seen
  let mark = 0; // where in s that star's run ends now
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === s[si]))) {
      pi++;
      si++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = si;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** True if the entry's host field names host:port (hashed: HMAC-SHA1(salt, lookup name); patterns: any match, no negated match). */
export function entryMatchesHost(entry: KnownHostsEntry, host: string, port: number): boolean {
  const name = hostLookupName(host, port);
  if (entry.hosts.kind === 'hashed') {
    return createHmac('sha1', entry.hosts.salt).update(name).digest().equals(entry.hosts.hash);
  }
  let matched = false;
  for (const p of entry.hosts.patterns) {
    if (wildcardMatch(p.pattern, name)) {
      if (p.negated) return false;
      matched = true;
    }
  }
  return matched;
}

/**
 * The verdict of a set of known_hosts entries for a presented key (OpenSSH semantics): revoked → changed; the same key
 * listed → trusted; another key of the same type listed → changed; nothing of this type → unknown.
 */
export function checkKnownHosts(entries: readonly KnownHostsEntry[], host: string, port: number, keyType: string, keyBase64: string): HostKeyVerdict {
  if (entries.some((e) => e.marker === 'revoked' && e.keyBase64 === keyBase64 && entryMatchesHost(e, host, port))) return 'changed';
  const mine = entries.filter((e) => e.marker === undefined && e.keyType === keyType && entryMatchesHost(e, host, port));
  if (mine.some((e) => e.keyBase64 === keyBase64)) return 'trusted';
  return mine.length > 0 ? 'changed' : 'unknown';
}

/** Key types listed (not revoked, not CA) for host:port. */
export function knownKeyTypes(entries: readonly KnownHostsEntry[], host: string, port: number): string[] {
  return [...new Set(entries.filter((e) => e.marker === undefined && entryMatchesHost(e, host, port)).map((e) => e.keyType))];
}

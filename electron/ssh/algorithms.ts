/**
 * The ssh2 `algorithms` option for one host: ssh2's defaults, plus the legacy algorithms old HP-UX sshd needs when
 * SshTarget.legacyAlgorithms is on, with host key types already trusted for the host moved to the front (as OpenSSH does,
 * so a host with a known ssh-rsa key is not asked for a not-yet-known ed25519 key).
 *
 * diffie-hellman-group1-sha1 is deliberately NOT offered: inside Electron, Node's crypto is built on BoringSSL, which has
 * no named 1024-bit Oakley group 2 (modp2), so ssh2's createDiffieHellmanGroup('modp2') throws "Unknown DH group"
 * (electron/electron#39603, Eugeny/tabby#8840). A server that offers only group1-sha1 cannot be reached from the app.
 */
import { algorithmsForKeyType } from './host-key.ts';

/** Algorithms appended to ssh2's defaults by the legacy switch. */
export const LEGACY_ALGORITHMS = {
  kex: ['diffie-hellman-group14-sha1', 'diffie-hellman-group-exchange-sha1'],
  serverHostKey: ['ssh-rsa', 'ssh-dss'],
  cipher: ['aes128-cbc', 'aes256-cbc', '3des-cbc'],
  hmac: ['hmac-sha1', 'hmac-md5'],
} as const;

/** The shape ssh2 accepts per category: operations on its default list. */
export interface AlgorithmOps {
  remove?: string[];
  prepend?: RegExp[];
  append?: RegExp[];
}

/** ssh2 `algorithms` (a subset of its ConnectConfig.algorithms). */
export interface AlgorithmsOption {
  kex?: AlgorithmOps;
  serverHostKey?: AlgorithmOps;
  cipher?: AlgorithmOps;
  hmac?: AlgorithmOps;
}

// Exact-name regexes: ssh2 adds a regex-matched name only if this build supports it (a string it does not support throws,
// e.g. 3des-cbc where the crypto library lacks it), and skips names already in the list.
const exact = (name: string) => new RegExp(`^${name.replace(/[.+^$]/g, '\\$&')}$`);

/**
 * Builds the algorithms option. Returns undefined when ssh2's defaults are fine as they are (no legacy, nothing known).
 * `knownKeyTypes` are key blob types (ssh-rsa, ssh-ed25519…) already trusted for this host.
 */
export function algorithmsFor(opts: { legacy: boolean; knownKeyTypes?: readonly string[] }): AlgorithmsOption | undefined {
  const out: AlgorithmsOption = {};
  if (opts.legacy) {
    out.kex = { append: LEGACY_ALGORITHMS.kex.map(exact) };
    out.serverHostKey = { append: LEGACY_ALGORITHMS.serverHostKey.map(exact) };
    out.cipher = { append: LEGACY_ALGORITHMS.cipher.map(exact) };
    out.hmac = { append: LEGACY_ALGORITHMS.hmac.map(exact) };
  }
  const preferred = (opts.knownKeyTypes ?? [])
    .flatMap(algorithmsForKeyType)
    // ssh-dss is only ever offered with the legacy switch on.
    .filter((a) => a !== 'ssh-dss' || opts.legacy);
  if (preferred.length > 0) {
    // ssh2 applies the operations in key order: remove the known ones from the default list, then put them in front.
    out.serverHostKey = { remove: preferred, prepend: preferred.map(exact), ...(out.serverHostKey?.append ? { append: out.serverHostKey.append } : {}) };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Loads a private key file for publickey auth with ssh2's parseKey: OpenSSH ("BEGIN OPENSSH PRIVATE KEY"), PEM
 * (PKCS#1 / PKCS#8, encrypted or not) and PuTTY .ppk version 2 (ssh-rsa / ssh-dss only: what ssh2 reads). PuTTY .ppk
 * version 3 (PuTTY ≥ 0.75's default) and v2 files of other key types get a clear UNSUPPORTED error saying how to convert.
 */
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import { AppError } from '../../shared/result.ts';

const CONVERT_HINT = (path: string) =>
  `convert it to an OpenSSH key: \`puttygen ${path} -O private-openssh -o KEYFILE\`, or in PuTTYgen load it and use Conversions → "Export OpenSSH key"`;

// PuTTY key file header: "PuTTY-User-Key-File-<version>: <key type>"
const PPK_HEADER = /^PuTTY-User-Key-File-(\d+): (\S+)\r?$/m;

/**
 * Parses private key text (`path` only names the file in errors). Throws UNSUPPORTED for ppk v3 / non-RSA/DSA ppk v2,
 * INVALID_INPUT for a public key or an unreadable file, AUTH_FAILED for a missing or wrong passphrase.
 */
export function parsePrivateKey(text: string, path: string, passphrase?: string): ParsedKey {
  const ppk = PPK_HEADER.exec(text.trimStart().split(/\n/, 1)[0] ?? '');
  if (ppk) {
    const [, version, type] = ppk;
    if (version !== '2') throw new AppError('UNSUPPORTED', `${path}: PuTTY key format version ${version} (.ppk v3) is not supported; ${CONVERT_HINT(path)}`, { step: 'load key' });
    if (type !== 'ssh-rsa' && type !== 'ssh-dss') throw new AppError('UNSUPPORTED', `${path}: PuTTY .ppk v2 ${type} keys are not supported (only ssh-rsa and ssh-dss); ${CONVERT_HINT(path)}`, { step: 'load key' });
  }
  const r = ssh2.utils.parseKey(text, passphrase);
  const key = Array.isArray(r) ? (r[0] as ParsedKey | undefined) : r;
  if (key instanceof Error || key === undefined) {
    const msg = key instanceof Error ? key.message : 'no key found';
    if (/no passphrase given/i.test(msg)) throw new AppError('AUTH_FAILED', `${path}: the key is encrypted and no passphrase is set for it`, { step: 'load key' });
    if (/passphrase|bad decrypt|integrity check/i.test(msg)) throw new AppError('AUTH_FAILED', `${path}: could not decrypt the key (wrong passphrase?)`, { step: 'load key' });
    throw new AppError('INVALID_INPUT', `${path}: not a private key ssh2 can read (${msg})`, { step: 'load key' });
  }
  if (!key.isPrivateKey()) throw new AppError('INVALID_INPUT', `${path}: this is a public key; give the private key file`, { step: 'load key' });
  return key;
}

/** Reads and parses a private key file (see parsePrivateKey). A missing file is NOT_FOUND. */
export function loadPrivateKey(path: string, passphrase?: string): ParsedKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', `${path}: key file not found`, { step: 'load key' });
    throw new AppError('INVALID_INPUT', `${path}: cannot read key file (${code ?? (e as Error).message})`, { step: 'load key' });
  }
  return parsePrivateKey(text, path, passphrase);
}

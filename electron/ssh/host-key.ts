/**
 * Host key helpers: the key type written inside an SSH public key blob and its SHA256 fingerprint exactly as OpenSSH
 * prints it ("SHA256:" + base64 of the SHA-256 digest, padding removed).
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../shared/result.ts';

/** SHA256 fingerprint of a public key blob, as `ssh-keygen -lf` prints it: SHA256:<base64 without '='>. */
export function sha256Fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * The key type at the start of an SSH public key blob (RFC 4253 §6.6: string "ssh-ed25519" / "ssh-rsa" / …, then the
 * key data). Throws PARSE_ERROR for a blob too short to hold one.
 */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) throw new AppError('PARSE_ERROR', 'host key blob shorter than 4 bytes');
  const len = blob.readUInt32BE(0);
  if (len < 1 || len > 64 || 4 + len > blob.length) throw new AppError('PARSE_ERROR', `host key blob has a bad type length ${len}`);
  const type = blob.subarray(4, 4 + len).toString('latin1');
  // Key type names: lowercase letters, digits, '-', '.', '@' (e.g. sk-ssh-ed25519@openssh.com).
  if (!/^[a-z0-9][a-z0-9@.-]*$/.test(type)) throw new AppError('PARSE_ERROR', 'host key blob has an unreadable key type');
  return type;
}

/** The host key algorithms that a key of this blob type can be negotiated as (ssh-rsa keys also sign as rsa-sha2-*). */
export function algorithmsForKeyType(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
}

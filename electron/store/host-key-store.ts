/**
 * Trusted SSH host keys (the SSH layer's HostKeyTrust). One key per key type per host:port, like OpenSSH: the same type
 * with a different key is `changed` (a hard stop); a type not seen before for that host is `unknown` (the user decides).
 */
import { AppError } from '../../shared/result.ts';
import type { HostKeyVerdict } from '../ssh/types.ts';
import type { DocAccess } from './doc-access.ts';
import { hostKeyId, sshFingerprint } from './store-document.ts';
import type { HostKeyStore, TrustedHostKey } from './types.ts';

/** Reads the key type string at the start of an SSH public key blob (RFC 4253 §6.6: uint32 length + name). */
export function blobKeyType(keyBase64: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+=*$/.test(keyBase64)) return undefined;
  const blob = Buffer.from(keyBase64, 'base64');
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  if (len < 1 || len > 64 || blob.length < 4 + len) return undefined;
  return blob.subarray(4, 4 + len).toString('latin1');
}

function sameKey(a: string, b: string): boolean {
  return Buffer.from(a, 'base64').equals(Buffer.from(b, 'base64'));
}

function validate(host: string, port: number, keyType: string, keyBase64: string): void {
  if (!host || /\s/.test(host)) throw new AppError('INVALID_INPUT', `host key: bad host ${JSON.stringify(host)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AppError('INVALID_INPUT', `host key: bad port ${port} for ${host}`);
  const inBlob = blobKeyType(keyBase64);
  if (inBlob === undefined) throw new AppError('INVALID_INPUT', `host key for ${host}:${port}: not a base64 SSH public key blob`);
  if (inBlob !== keyType) throw new AppError('INVALID_INPUT', `host key for ${host}:${port}: blob is ${inBlob}, not ${keyType}`);
}

/** A HostKeyStore over the document. */
export function createHostKeyStore(doc: DocAccess, opts: { now?: () => number } = {}): HostKeyStore {
  const now = opts.now ?? Date.now;
  return {
    check(host, port, keyType, keyBase64): HostKeyVerdict {
      const records = doc.read().hostKeys[hostKeyId(host, port)] ?? [];
      const same = records.find((r) => r.keyType === keyType);
      if (!same) return 'unknown';
      return sameKey(same.key, keyBase64) ? 'trusted' : 'changed';
    },
    trust(host, port, keyType, keyBase64) {
      validate(host, port, keyType, keyBase64);
      doc.update((d) => {
        const id = hostKeyId(host, port);
        const list = (d.hostKeys[id] ??= []);
        const same = list.find((r) => r.keyType === keyType);
        if (same) {
          if (sameKey(same.key, keyBase64)) return;
          throw new AppError('HOST_KEY_CHANGED', `${host}:${port} already has a different trusted ${keyType} key (${same.fingerprint}); refusing to replace it`, { host, step: 'trust host key' });
        }
        list.push({ keyType, key: keyBase64, fingerprint: sshFingerprint(keyBase64), addedAt: now() });
      });
    },
    knownKeyTypes(host, port) {
      return (doc.read().hostKeys[hostKeyId(host, port)] ?? []).map((r) => r.keyType);
    },
    list() {
      const out: TrustedHostKey[] = [];
      for (const [id, records] of Object.entries(doc.read().hostKeys)) {
        const m = /^\[(.*)\]:(\d+)$/.exec(id);
        if (!m) continue;
        for (const r of records) out.push({ host: m[1]!, port: Number(m[2]), keyType: r.keyType, key: r.key, fingerprint: r.fingerprint, addedAt: r.addedAt });
      }
      return out;
    },
    forget(host, port, keyType) {
      return doc.update((d) => {
        const id = hostKeyId(host, port);
        const list = d.hostKeys[id];
        if (!list) return false;
        const kept = keyType === undefined ? [] : list.filter((r) => r.keyType !== keyType);
        if (kept.length === list.length) return false;
        if (kept.length) d.hostKeys[id] = kept;
        else delete d.hostKeys[id];
        return true;
      });
    },
  };
}

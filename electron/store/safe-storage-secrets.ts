/**
 * Secrets in the app: encrypted with Electron's safeStorage (DPAPI on Windows, Keychain on macOS, libsecret/kwallet on
 * Linux) and stored as base64 ciphertext in their own document. Refuses to store anything when the OS cannot encrypt,
 * including Linux's "basic_text" fallback (a fixed, public key: not encryption).
 */
import { z } from 'zod';
import { AppError, describeIssues } from '../../shared/result.ts';
import type { DocumentBackend } from './document-backend.ts';
import { assertSecretRef } from './secret-ref.ts';
import type { SecretStore } from './types.ts';

/** The part of Electron's safeStorage used here (injected so tests need no Electron). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only in Electron; absent elsewhere. */
  getSelectedStorageBackend?(): string;
}

const secretsDocSchema = z.object({ schemaVersion: z.literal(1), secrets: z.record(z.string(), z.string().regex(/^[A-Za-z0-9+/]*=*$/)) });
type SecretsDoc = z.infer<typeof secretsDocSchema>;

/** Why encryption is not usable, or undefined when it is. */
export function encryptionUnavailableReason(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): string | undefined {
  if (!safeStorage.isEncryptionAvailable()) return 'the operating system offers no encryption for this user (safeStorage unavailable)';
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text') {
    return 'no keyring (GNOME Keyring / KWallet) is running, so Electron would only obfuscate secrets (basic_text)';
  }
  return undefined;
}

/** A SecretStore whose ciphertext lives in `backend`. */
export function safeStorageSecrets(backend: DocumentBackend, safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretStore {
  const revealed = new Set<string>();
  const read = (): SecretsDoc => {
    const raw = backend.load();
    if (raw === undefined) return { schemaVersion: 1, secrets: {} };
    const r = secretsDocSchema.safeParse(raw);
    if (!r.success) throw new AppError('PARSE_ERROR', `${backend.location}: ${describeIssues(r.error, '(document)').join('; ')}`, { step: 'load secrets' });
    return r.data;
  };
  return {
    async get(ref) {
      const b64 = read().secrets[ref];
      if (b64 === undefined) return undefined;
      let value: string;
      try {
        value = safeStorage.decryptString(Buffer.from(b64, 'base64'));
      } catch (e) {
        throw new AppError('AUTH_FAILED', `secret "${ref}" cannot be decrypted for this user (${(e as Error).message}); enter it again`, { step: 'decrypt secret' });
      }
      revealed.add(value);
      return value;
    },
    set(ref, value) {
      assertSecretRef(ref);
      const why = encryptionUnavailableReason(safeStorage, platform);
      if (why) throw new AppError('UNSUPPORTED', `cannot store secret "${ref}": ${why}. Use an SSH agent or a key file instead.`, { step: 'store secret' });
      const cipher = safeStorage.encryptString(value).toString('base64');
      const doc = read();
      doc.secrets[ref] = cipher;
      backend.save(doc);
      revealed.add(value);
    },
    has: (ref) => Object.hasOwn(read().secrets, ref),
    delete(ref) {
      const doc = read();
      if (!Object.hasOwn(doc.secrets, ref)) return false;
      delete doc.secrets[ref];
      backend.save(doc);
      return true;
    },
    knownValues: () => [...revealed],
  };
}

/**
 * Secrets for the CLI and the web host: kept in this process's memory only, for its lifetime, and never written to disk
 * (there is no OS keychain API in plain Node that we trust everywhere). Restarting the process forgets them; a user of
 * `lvsctl` uses an SSH agent or key file, or enters the secret again.
 */
import { assertSecretRef } from './secret-ref.ts';
import type { SecretStore } from './types.ts';

/** An in-memory SecretStore. */
export function memorySecrets(): SecretStore {
  const values = new Map<string, string>();
  return {
    async get(ref) {
      return values.get(ref);
    },
    set(ref, value) {
      assertSecretRef(ref);
      values.set(ref, value);
    },
    has: (ref) => values.has(ref),
    delete: (ref) => values.delete(ref),
    knownValues: () => [...new Set(values.values())],
  };
}

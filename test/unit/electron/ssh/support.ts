/** Small helpers shared by the real-sshd tests. */
import { join } from 'node:path';
import { LayeredTrust } from '../../../../electron/ssh/layered-trust.ts';
import { openNodeStores } from '../../../../electron/store/node-stores.ts';
import type { HostKeyStore } from '../../../../electron/store/types.ts';
import type { SecretSource, SessionEvent } from '../../../../electron/ssh/types.ts';
import { AppError } from '../../../../shared/result.ts';

/** A SecretSource over a plain object. */
export function secretsOf(values: Record<string, string>): SecretSource {
  return { get: async (ref) => values[ref] };
}

/** The one host-key store (store/host-key-store.ts), in a fresh store folder under `dir`. */
export function hostKeyStoreIn(dir: string): HostKeyStore {
  return openNodeStores({ dir: join(dir, `store-${Math.random().toString(36).slice(2)}`) }).hostKeys;
}

/** Trust = a fresh host-key store in `dir` plus the given known_hosts lines; never reads ~/.ssh/known_hosts. */
export function trustWith(dir: string, lines: readonly string[] = [], files: string[] = []): { trust: LayeredTrust; store: HostKeyStore } {
  const store = hostKeyStoreIn(dir);
  return { trust: new LayeredTrust({ store, knownHostsFiles: files, extraLines: { source: 'test', lines } }), store };
}

/** Waits until cond() is true, polling; throws naming `what` after `ms` (a deadline, not a timing assertion). */
export async function waitFor(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The AppError a promise rejects with (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

/** Collects session events. */
export function eventLog(): { events: SessionEvent[]; onEvent: (e: SessionEvent) => void } {
  const events: SessionEvent[] = [];
  return { events, onEvent: (e) => events.push(e) };
}

/** True if a process id is alive (signal 0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Which change a remote command belongs to. A change (a director verb, an edit, reconcile, a route fix, the drain
 * follow-up) runs inside `asChange(operation, fn)`; every command the SSH layer audits while it runs — in the same async
 * call chain, whatever session it uses — is recorded as part of that change. Everything else is a read (polls, checks,
 * previews). The person is this desktop's user.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import os from 'node:os';

const current = new AsyncLocalStorage<{ operation: string }>();

/** Runs `fn` as the change `operation` ("start (Lab)", "route fix rs1 (Lab)"): its commands are audited as such. */
export function asChange<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  return current.run({ operation }, fn);
}

/** The change the caller runs in, or undefined for a read. */
export function currentChange(): string | undefined {
  return current.getStore()?.operation;
}

/** This desktop's user name (who ran a command), or undefined when the OS does not say. */
export function desktopUser(): string | undefined {
  try {
    return os.userInfo().username || undefined;
  } catch {
    return undefined;
  }
}

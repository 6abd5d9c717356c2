/**
 * Who may talk to the web host: a random 32-byte token compared in constant time, the page's Origin and the Host header
 * (against DNS rebinding) both equal to the host's own 127.0.0.1 origin.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh access token: 32 random bytes, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time token check (both sides hashed first, so length differences leak nothing either). */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/** Why a request is refused, or undefined when its Host (and Origin, if required) are the host's own. */
export function originProblem(headers: { host?: string; origin?: string }, ownHost: string, requireOrigin: boolean): string | undefined {
  if (headers.host !== ownHost) return `Host header ${JSON.stringify(headers.host ?? '')} is not ${ownHost}`;
  if (requireOrigin && headers.origin !== `http://${ownHost}`) return `Origin ${JSON.stringify(headers.origin ?? '')} is not http://${ownHost}`;
  return undefined;
}

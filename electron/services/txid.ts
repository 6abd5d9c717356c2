import { randomBytes } from 'node:crypto';

/** A fresh random transaction id (hex, unguessable): names the transaction's files on the director. */
export function newTxid(): string {
  return randomBytes(8).toString('hex');
}

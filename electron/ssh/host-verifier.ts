/**
 * The ssh2 `hostVerifier` for one connection: checks the raw host key against the trust store during key exchange,
 * i.e. BEFORE any authentication request (and so any credential) is sent. Unknown keys are refused unless the caller
 * asked to trust new keys; a changed key is always refused.
 */
import { AppError } from '../../shared/result.ts';
import { keyTypeOfBlob, sha256Fingerprint } from './host-key.ts';
import type { HostKeyTrust, SessionEvent } from './types.ts';

/** What the verifier needs to know about the connection. */
export interface HostVerifierContext {
  label: string;
  /** Host and port as used for trust lookups (the address actually connected to). */
  host: string;
  port: number;
  trust: HostKeyTrust;
  /** Trust an unknown key on first sight (CLI --trust-new-host-key or an interactive yes). Never overrides "changed". */
  trustNew: boolean;
  onEvent?: (e: SessionEvent) => void;
}

/** The host key details carried by HOST_KEY_UNKNOWN / HOST_KEY_CHANGED errors (`detail`). */
export interface HostKeyDetail {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  /** Base64 key blob, so a UI can trust exactly this key after the user confirmed the fingerprint. */
  key: string;
}

/** The verifier and what it decided (error set when it refused). */
export interface HostVerifier {
  verify: (key: Buffer, done: (ok: boolean) => void) => void;
  readonly result: { error?: AppError; fingerprint?: string; verified: boolean };
}

/** Builds the hostVerifier for one connection attempt. */
export function createHostVerifier(ctx: HostVerifierContext): HostVerifier {
  const result: HostVerifier['result'] = { verified: false };
  const verify = (blob: Buffer, done: (ok: boolean) => void): void => {
    void (async () => {
      let keyType: string;
      try {
        keyType = keyTypeOfBlob(blob);
      } catch (e) {
        result.error = new AppError('PARSE_ERROR', `${ctx.label}: unreadable host key from ${ctx.host}:${ctx.port}`, { host: ctx.label, step: 'host key', cause: e });
        return done(false);
      }
      const fingerprint = sha256Fingerprint(blob);
      const key = blob.toString('base64');
      result.fingerprint = fingerprint;
      const detail: HostKeyDetail = { host: ctx.host, port: ctx.port, keyType, fingerprint, key };
      try {
        const verdict = await ctx.trust.check(ctx.host, ctx.port, keyType, key);
        if (verdict === 'trusted') {
          ctx.onEvent?.({ type: 'host-key', label: ctx.label, keyType, fingerprint, verdict });
          result.verified = true;
          return done(true);
        }
        if (verdict === 'unknown' && ctx.trustNew) {
          await ctx.trust.trust(ctx.host, ctx.port, keyType, key);
          ctx.onEvent?.({ type: 'host-key', label: ctx.label, keyType, fingerprint, verdict: 'trusted-new' });
          result.verified = true;
          return done(true);
        }
        ctx.onEvent?.({ type: 'host-key', label: ctx.label, keyType, fingerprint, verdict });
        result.error =
          verdict === 'changed'
            ? new AppError(
                'HOST_KEY_CHANGED',
                `${ctx.label}: HOST KEY CHANGED for ${ctx.host}:${ctx.port}: it now presents ${keyType} ${fingerprint}, not the key trusted before. ` +
                  'This can be a man-in-the-middle attack, or the host was reinstalled. Connection refused: verify the new key with the host\'s ' +
                  'administrator and remove the old key from the trust store (or known_hosts) before connecting again.',
                { host: ctx.label, step: 'host key', detail },
              )
            : new AppError(
                'HOST_KEY_UNKNOWN',
                `${ctx.label}: host key of ${ctx.host}:${ctx.port} is not trusted yet: ${keyType} ${fingerprint}. Compare it with the host's own ` +
                  '(ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on that host), then trust it explicitly.',
                { host: ctx.label, step: 'host key', detail },
              );
        done(false);
      } catch (e) {
        result.error = e instanceof AppError ? e : new AppError('INTERNAL', `${ctx.label}: host key check failed: ${(e as Error).message}`, { host: ctx.label, step: 'host key', cause: e });
        done(false);
      }
    })();
  };
  return { verify, result };
}

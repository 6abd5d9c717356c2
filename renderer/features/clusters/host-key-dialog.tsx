/**
 * The host-key dialogs: trust an unknown key after reading its SHA256 fingerprint, or a hard stop when a known host's key
 * changed (no way to accept it from here).
 */
import type { AppErrorData } from '../../../shared/result.ts';
import { Dialog } from '../../app/dialog.tsx';
import type { HostKeyDetail } from '../../app/host-key-detail.ts';

/** Asks whether to trust an unknown host key. */
export function HostKeyTrustDialog({ detail, onAnswer }: { detail: HostKeyDetail | undefined; onAnswer: (trust: boolean) => void }) {
  return (
    <Dialog
      open={detail !== undefined}
      title="Trust this host key?"
      onClose={() => onAnswer(false)}
      actions={
        <>
          <button type="button" onClick={() => onAnswer(false)} autoFocus>
            Cancel
          </button>
          <button type="button" className="primary" onClick={() => onAnswer(true)}>
            Trust and connect
          </button>
        </>
      }
    >
      {detail && (
        <>
          <p>
            LVS Console has not connected to <strong>{detail.host}</strong> (port {detail.port}) before. Compare this fingerprint with the one
            the host&apos;s administrator gives you (on the host: <code>ssh-keygen -lf /etc/ssh/ssh_host_{shortType(detail.keyType)}_key.pub</code>).
          </p>
          <dl className="kv">
            <dt>Host</dt>
            <dd>
              {detail.host}:{detail.port}
            </dd>
            <dt>Key type</dt>
            <dd>{detail.keyType}</dd>
            <dt>Fingerprint</dt>
            <dd>
              <code className="fingerprint" data-testid="host-key-fingerprint">
                {detail.fingerprint}
              </code>
            </dd>
          </dl>
          <p className="muted">Trust it only if it matches. The key is then remembered and checked on every connection.</p>
        </>
      )}
    </Dialog>
  );
}

function shortType(keyType: string): string {
  if (keyType.includes('ed25519')) return 'ed25519';
  if (keyType.includes('ecdsa')) return 'ecdsa';
  if (keyType.includes('rsa')) return 'rsa';
  return keyType;
}

/** The hard stop for a changed host key. */
export function HostKeyChangedDialog({ error, onClose }: { error: AppErrorData | undefined; onClose: () => void }) {
  const d = (error?.detail ?? {}) as { fingerprint?: unknown; expected?: unknown };
  return (
    <Dialog
      open={error !== undefined}
      tone="stop"
      title={`STOP: the host key of ${error?.host ?? 'this host'} has CHANGED`}
      onClose={onClose}
      actions={
        <button type="button" onClick={onClose} autoFocus>
          Close
        </button>
      }
    >
      {error && (
        <>
          <p className="stop-text">
            Nothing was sent to the host. The key it presented is not the one trusted before. The host may have been reinstalled,
            or someone may be intercepting the connection.
          </p>
          {typeof d.fingerprint === 'string' && (
            <p>
              Presented now: <code className="fingerprint">{d.fingerprint}</code>
            </p>
          )}
          <p>{error.message}</p>
          <p>
            <strong>What to do:</strong> do not continue. Ask the host&apos;s administrator for the new fingerprint over another channel. Only
            after they confirm it, remove the old key from the trusted keys and connect again. LVS Console will not accept a changed key
            from here.
          </p>
        </>
      )}
    </Dialog>
  );
}

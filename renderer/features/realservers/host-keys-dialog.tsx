/**
 * One dialog for every new host key of a cluster's realservers: each with its host, key type and SHA256 fingerprint,
 * trusted one by one or all at once, only when the user asks (it never opens by itself). A row of the page updates as
 * soon as its key is trusted (onTrusted), without pressing Check all again.
 */
import { useEffect, useState } from 'react';
import type { AppErrorData } from '../../../shared/result.ts';
import { useApi } from '../../app/api-context.tsx';
import { Dialog } from '../../app/dialog.tsx';
import type { HostKeyDetail } from '../../app/host-key-detail.ts';

/** A realserver whose key is not trusted yet. */
export interface NewKey {
  name: string;
  detail: HostKeyDetail;
}

/** The dialog. */
export function HostKeysDialog({ open, keys: current, onClose, onTrusted }: { open: boolean; keys: readonly NewKey[]; onClose: () => void; onTrusted: (name: string) => void }) {
  const api = useApi();
  const [state, setState] = useState<Record<string, 'trusting' | 'trusted' | AppErrorData>>({});
  const id = (k: NewKey) => `${k.detail.host}:${k.detail.port} ${k.detail.fingerprint}`;
  // The keys as they were when the dialog opened (plus any that show up meanwhile): a trusted key stays listed as
  // trusted while its row on the page updates behind the dialog.
  const [keys, setKeys] = useState<NewKey[]>([]);
  useEffect(() => {
    if (!open) return setKeys([]);
    setKeys((shown) => [...shown, ...current.filter((k) => !shown.some((s) => id(s) === id(k)))]);
  }, [open, current]);

  const trust = async (k: NewKey) => {
    setState((s) => ({ ...s, [id(k)]: 'trusting' }));
    const r = await api.raw.call('hostKeys.trust', k.detail);
    setState((s) => ({ ...s, [id(k)]: r.ok ? 'trusted' : r.error }));
    if (r.ok) onTrusted(k.name);
  };
  const pending = keys.filter((k) => state[id(k)] === undefined);

  return (
    <Dialog
      open={open}
      wide
      title={`New host keys: ${keys.length} realserver${keys.length === 1 ? '' : 's'}`}
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose} autoFocus>
            {pending.length ? 'Not now' : 'Close'}
          </button>
          <button
            type="button"
            className="primary"
            disabled={pending.length === 0}
            onClick={() =>
              void (async () => {
                for (const k of pending) await trust(k);
              })()
            }
          >
            Trust all {pending.length || ''}
          </button>
        </>
      }
    >
      <p>
        LVS Console has not connected to these realservers before. Compare each fingerprint with the one the host&apos;s administrator gives you
        (on the host: <code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code>), and trust only the ones that match. A trusted key is
        remembered and checked on every connection.
      </p>
      <div className="table-scroll">
        <table className="table" data-testid="new-host-keys">
          <thead>
            <tr>
              <th scope="col">Realserver</th>
              <th scope="col">Key</th>
              <th scope="col">Fingerprint</th>
              <th scope="col">
                <span className="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => {
              const st = state[id(k)];
              return (
                <tr key={id(k)} data-rs={k.name}>
                  <th scope="row">
                    {k.name}
                    <div className="muted small">
                      {k.detail.host}:{k.detail.port}
                    </div>
                  </th>
                  <td>{k.detail.keyType}</td>
                  <td>
                    <code className="fingerprint">{k.detail.fingerprint}</code>
                  </td>
                  <td className="actions">
                    {st === 'trusted' ? (
                      <span className="health health-up">trusted</span>
                    ) : st === 'trusting' ? (
                      <span className="muted">trusting…</span>
                    ) : st !== undefined ? (
                      <span className="field-error">{st.message}</span>
                    ) : (
                      <button type="button" onClick={() => void trust(k)}>
                        Trust
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Dialog>
  );
}

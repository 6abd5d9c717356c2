/**
 * Import an lvs.conf file as a new profile. The file says what the cluster balances but not how to reach the director,
 * so the dialog asks for a name and the director's SSH host and user first (validated with the profile schema), then
 * sends the file to clusters.importConf and hands the resulting draft to the cluster form for review.
 */
import { useState } from 'react';
import type { AppErrorData } from '../../../shared/result.ts';
import { useApi } from '../../app/api-context.tsx';
import { Dialog } from '../../app/dialog.tsx';
import { ErrorBox } from '../../app/error-box.tsx';
import { FileButton, TextField } from '../../app/fields.tsx';
import { clusterBaseSchema, idFromName, issuesByPath, numberish, type Draft } from './form-model.ts';


/** The import dialog. */
export function ImportDialog({ open, onClose, onImported }: { open: boolean; onClose: () => void; onImported: (draft: Draft, notes: string[]) => void }) {
  const api = useApi();
  const [name, setName] = useState('');
  const [host, setHost] = useState('');
  const [user, setUser] = useState('root');
  const [port, setPort] = useState('22');
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<AppErrorData>();
  const base = { id: idFromName(name), name, director: { host, user, port: numberish(port) } };
  const check = clusterBaseSchema.safeParse(base);
  const errors = check.success ? new Map<string, string>() : issuesByPath(check.error);
  const err = (k: string) => (touched ? errors.get(k) : undefined);

  const onText = async (text: string, file: string) => {
    setError(undefined);
    const r = await api.call('clusters.importConf', { source: 'text', text, file, base: check.success ? check.data : base });
    if (!r.ok) return setError(r.error);
    onImported(r.value.cluster as Draft, [`Imported from ${file}. Review every field, then Save.`, ...r.value.warnings]);
  };

  return (
    <Dialog
      open={open}
      title="Import an lvs.conf"
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          {check.success ? (
            <FileButton className="primary" label="Choose the lvs.conf file…" onText={(t, f) => void onText(t, f)} onError={(m) => setError({ code: 'INVALID_INPUT', message: m })} />
          ) : (
            <button type="button" className="primary" onClick={() => setTouched(true)}>
              Choose the lvs.conf file…
            </button>
          )}
        </>
      }
    >
      <p>The file lists the VIP, services and realservers; it does not say how LVS Console reaches the director. Tell it that first.</p>
      <div className="grid">
        <TextField label="Cluster name" field="import.name" value={name} error={err('name') ?? err('id')} onChange={(v) => (setName(v), setTouched(true))} />
        <TextField label="Director host" field="import.director.host" value={host} placeholder="10.0.0.1" error={err('director.host')} onChange={(v) => (setHost(v), setTouched(true))} />
        <TextField label="SSH user" field="import.director.user" value={user} error={err('director.user')} onChange={(v) => (setUser(v), setTouched(true))} />
        <TextField label="SSH port" field="import.director.port" value={port} inputMode="numeric" error={err('director.port')} onChange={(v) => (setPort(v), setTouched(true))} />
      </div>
      <ErrorBox error={error} context="Importing" />
    </Dialog>
  );
}

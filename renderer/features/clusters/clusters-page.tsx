/**
 * Clusters: the list of profiles with add / edit / delete / export, and import of an lvs.conf (from a file here, or from
 * the director inside the edit form).
 */
import { useState } from 'react';
import type { Cluster } from '../../../shared/model/cluster.ts';
import type { AppErrorData } from '../../../shared/result.ts';
import { useApi } from '../../app/api-context.tsx';
import { useAppState } from '../../app/app-state.tsx';
import { Dialog } from '../../app/dialog.tsx';
import { downloadText } from '../../app/download.ts';
import { ErrorBox } from '../../app/error-box.tsx';
import { focusWhenReady } from '../../app/focus.ts';
import { TableScroll } from '../../app/table-scroll.tsx';
import { ClusterForm } from './cluster-form.tsx';
import { ImportDialog } from './import-dialog.tsx';
import { newDraft, type Draft } from './form-model.ts';

type Mode = { kind: 'list' } | { kind: 'form'; mode: 'new' | 'edit'; draft: Draft; warnings?: string[] | undefined; key: number; opener?: string };

/** The Clusters screen. */
export function ClustersPage() {
  const api = useApi();
  const { clusters, clustersError, reloadClusters, selected, select } = useAppState();
  const [mode, setMode] = useState<Mode>({ kind: 'list' });
  const [error, setError] = useState<AppErrorData>();
  const [deleting, setDeleting] = useState<Cluster>();
  const [message, setMessage] = useState<string>();
  const [importing, setImporting] = useState(false);

  const openForm = (m: Omit<Extract<Mode, { kind: 'form' }>, 'kind' | 'key'>) => {
    setMode({ kind: 'form', key: Date.now(), ...m });
    // Into the form: its first field for a new profile, its heading for an edit.
    focusWhenReady(m.mode === 'new' ? '.cluster-form [data-field="name"] input' : '.cluster-form h1');
  };

  if (mode.kind === 'form') {
    return (
      <ClusterForm
        key={mode.key}
        initial={mode.draft}
        mode={mode.mode}
        warnings={mode.warnings}
        onCancel={() => {
          setMode({ kind: 'list' });
          // Back on the button that opened the form.
          if (mode.opener) focusWhenReady(mode.opener);
        }}
        onSaved={(c) => {
          setMode({ kind: 'list' });
          setMessage(`Saved ${c.name}.`);
          select(c.id);
          void reloadClusters().then(() => focusWhenReady(`[data-testid="clusters-table"] tr[data-cluster="${c.id}"] th button`));
        }}
      />
    );
  }


  const exportConf = async (c: Cluster) => {
    const r = await api.call('clusters.exportConf', { clusterId: c.id });
    if (!r.ok) return setError(r.error);
    downloadText(`lvs.conf.${c.id}`, r.value.text);
  };

  const remove = async (c: Cluster) => {
    setDeleting(undefined);
    const r = await api.call('clusters.delete', { clusterId: c.id });
    if (!r.ok) return setError(r.error);
    setMessage(`Deleted the profile ${c.name}. Nothing was changed on its director.`);
    void reloadClusters();
  };

  return (
    <section aria-labelledby="clusters-h">
      <div className="toolbar">
        <h1 id="clusters-h" tabIndex={-1}>
          Clusters
        </h1>
        <span className="spacer" />
        <button type="button" data-opener="import" onClick={() => setImporting(true)}>
          Import lvs.conf…
        </button>
        <button type="button" className="primary" data-opener="add-cluster" onClick={() => openForm({ mode: 'new', draft: newDraft(), opener: '[data-opener="add-cluster"]' })}>
          Add cluster
        </button>
      </div>
      {message && (
        <p className="notice" role="status">
          {message}
        </p>
      )}
      <ErrorBox error={clustersError} context="Loading the profiles" onRetry={() => void reloadClusters()} />
      <ErrorBox error={error} />
      {clusters && clusters.length === 0 && (
        <div className="empty">
          <p>No clusters yet.</p>
          <p className="muted">Add one by hand, or import the /etc/lvs.conf you already use on the director.</p>
        </div>
      )}
      {clusters && clusters.length > 0 && (
        <TableScroll label="Cluster profiles">
        <table className="table" data-testid="clusters-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">VIP</th>
              <th scope="col">Director</th>
              <th scope="col">Services</th>
              <th scope="col">Realservers</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {clusters.map((c) => (
              <tr key={c.id} data-cluster={c.id} className={c.id === selected?.id ? 'selected' : undefined}>
                <th scope="row">
                  <button type="button" className="link" onClick={() => select(c.id)} title="Make this the current cluster">
                    {c.name}
                  </button>
                  {c.id === selected?.id && <span className="tag">current</span>}
                  <div className="muted small">{c.id}</div>
                </th>
                <td>
                  {c.vip}/{c.vipPrefix} on {c.vipIf}
                </td>
                <td>
                  {c.director.user}@{c.director.host}:{c.director.port}
                </td>
                <td>
                  {[...c.tcp.map((s) => `tcp/${s.port}`), ...c.udp.map((s) => `udp/${s.port}`)].join(', ') || '–'} · {c.scheduler}
                </td>
                <td>
                  {c.realservers.length} ({c.realservers.filter((r) => r.enabled).length} enabled)
                </td>
                <td className="actions">
                  <button type="button" data-opener={`edit-${c.id}`} onClick={() => openForm({ mode: 'edit', draft: c as unknown as Draft, opener: `[data-opener="edit-${c.id}"]` })}>
                    Edit
                  </button>
                  <button type="button" onClick={() => void exportConf(c)}>
                    Export lvs.conf
                  </button>
                  <button type="button" className="danger" onClick={() => setDeleting(c)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </TableScroll>
      )}
      <ImportDialog
        open={importing}
        onClose={() => setImporting(false)}
        onImported={(draft, notes) => {
          setImporting(false);
          openForm({ mode: 'new', draft, warnings: notes, opener: '[data-opener="import"]' });
        }}
      />
      <Dialog
        open={deleting !== undefined}
        tone="danger"
        title={`Delete ${deleting?.name ?? ''}?`}
        onClose={() => setDeleting(undefined)}
        actions={
          <>
            <button type="button" onClick={() => setDeleting(undefined)} autoFocus>
              Keep it
            </button>
            <button type="button" className="danger" onClick={() => deleting && void remove(deleting)}>
              Delete profile
            </button>
          </>
        }
      >
        <p>This removes the profile from this computer. The director and its table are not touched.</p>
      </Dialog>
    </section>
  );
}

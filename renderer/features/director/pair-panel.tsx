/**
 * A director pair on the Director page: both directors with their roles (MASTER / BACKUP / FAULT, where the VIP and the
 * floating gateway are), the last failovers, and "Make master" for the director that is not: previewed (the steps on
 * the current master and a fingerprint of the roles), run on Confirm with that fingerprint; refused, with the fresh
 * roles, when they changed since. A failover pushed by the main side (`cluster.failover`) reloads the page's status.
 */
import { useEffect, useState } from 'react';
import type { MethodOutput } from '../../../shared/api/contract.ts';
import type { AppErrorData } from '../../../shared/result.ts';
import { useApi } from '../../app/api-context.tsx';
import { Dialog } from '../../app/dialog.tsx';
import { ErrorBox } from '../../app/error-box.tsx';
import { dateTime } from '../../app/format.ts';
import { PlanSteps } from './plan-view.tsx';

type Pair = NonNullable<MethodOutput<'director.status'>['pair']>;
type MakeMaster = MethodOutput<'director.planMakeMaster'>;

const ROLE_TONE: Record<string, string> = { MASTER: 'pill-ok', BACKUP: 'pill-info', FAULT: 'pill-bad', UNREACHABLE: 'pill-bad', STOPPED: 'pill-warn', UNKNOWN: 'pill-warn' };

/** The pair panel (the page passes the status's `pair` and a reload). */
export function PairPanel({ clusterId, pair, busy, onChanged }: { clusterId: string; pair: Pair; busy: boolean; onChanged: () => void }) {
  const api = useApi();
  const [preview, setPreview] = useState<{ plan: MakeMaster; stale?: string }>();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<AppErrorData>();
  const [done, setDone] = useState<string>();

  useEffect(() => api.on('cluster.failover', (e) => e.clusterId === clusterId && onChanged()), [api, clusterId]);

  const ask = async (director: string) => {
    setError(undefined);
    setDone(undefined);
    const r = await api.call('director.planMakeMaster', { clusterId, director });
    if (r.ok) setPreview({ plan: r.value });
    else setError(r.error);
  };
  const run = async (plan: MakeMaster) => {
    setRunning(true);
    const r = await api.call('director.runMakeMaster', { clusterId, director: plan.target, fingerprint: plan.fingerprint });
    setRunning(false);
    if (!r.ok && r.error.code === 'PLAN_STALE') {
      const fresh = (r.error.detail as { preview?: unknown } | undefined)?.preview;
      setPreview(undefined);
      setError(r.error);
      if (fresh) void ask(plan.target);
    } else if (!r.ok) {
      setPreview(undefined);
      setError(r.error);
    } else {
      setPreview(undefined);
      setDone(`${r.value.summary.join('; ')}${r.value.tookMs !== undefined ? ` (the VIP moved in ${(r.value.tookMs / 1000).toFixed(1)} s)` : ''}`);
    }
    onChanged();
  };

  return (
    <section className="panel" aria-labelledby="pair-h" data-testid="pair-panel">
      <div className="toolbar">
        <h2 id="pair-h">Director pair</h2>
        <span className="spacer" />
        {pair.problems.map((p) => (
          <span key={p} className="pill pill-bad">
            {p}
          </span>
        ))}
      </div>
      <table className="table" data-testid="pair-directors">
        <thead>
          <tr>
            <th>Director</th>
            <th>Role</th>
            <th>Holds</th>
            <th>Since</th>
            <th>
              <span className="sr-only">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {pair.directors.map((d) => (
            <tr key={d.host} data-testid={`pair-${d.which}`}>
              <td>
                {d.host} <span className="muted">({d.which === 'primary' ? 'preferred, priority 254' : 'second, priority 253'})</span>
              </td>
              <td>
                <span className={`pill ${ROLE_TONE[d.role] ?? 'pill-info'}`}>{d.role}</span>
                {d.note && <span className="muted small"> {d.note}</span>}
              </td>
              <td>{[d.vip && 'VIP', d.gateway && 'gateway'].filter(Boolean).join(' + ') || '—'}</td>
              <td>{d.since ? dateTime(d.since) : '—'}</td>
              <td>
                {!d.vip && (
                  <button type="button" disabled={busy || running} onClick={() => void ask(d.host)} title="Previewed first: the current master yields (its yield file), this director takes the VIP and the gateway; connections stay">
                    Make master…
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small" data-testid="pair-failovers">
        <strong>Last failovers:</strong>{' '}
        {pair.failovers.length ? pair.failovers.map((f) => `${dateTime(f.at)} → ${f.director}`).join(' · ') : 'none recorded'}
      </p>
      {done && (
        <div className="notice" role="status">
          {done}
        </div>
      )}
      <ErrorBox error={error} context="Make master" />
      <Dialog
        open={preview !== undefined}
        wide
        title={preview ? `Make ${preview.plan.target} master: these commands will run` : ''}
        onClose={() => setPreview(undefined)}
        actions={
          <>
            <button type="button" onClick={() => setPreview(undefined)} autoFocus>
              Cancel
            </button>
            <button type="button" className="primary" disabled={running || !preview || preview.plan.steps.length === 0} onClick={() => preview && void run(preview.plan)}>
              {running ? 'Running…' : 'Confirm and run'}
            </button>
          </>
        }
      >
        {preview && (
          <>
            <p>
              {preview.plan.summary.join('; ')}. The current master's VRRP instance goes to FAULT for a moment (its yield file), the other takes the VIP and the
              gateway at once; established connections stay (the sync daemon has given it the connection table). Nothing has run yet.
            </p>
            <PlanSteps steps={preview.plan.steps} />
          </>
        )}
      </Dialog>
    </section>
  );
}

/**
 * Director: Start / Stop / Reload / Update / Reconcile and the per-realserver edits (drain, disable, enable, set weight,
 * per service or for every service), always previewed first (the exact commands and a fingerprint), then run on Confirm
 * with that fingerprint: if the director or the profile changed since, nothing runs and the page shows what changed with
 * a fresh preview. Progress streams into a log; the live table (polled director.status plus CPS from the metrics feed)
 * with per-realserver actions; drift between the profile and this profile's services, other VIPs' listed as theirs.
 */
import { useEffect, useState } from 'react';
import type { AppErrorData } from '../../../shared/result.ts';
import { useApi } from '../../app/api-context.tsx';
import { useAppState } from '../../app/app-state.tsx';
import { Dialog } from '../../app/dialog.tsx';
import { ErrorBox } from '../../app/error-box.tsx';
import { focusWhenReady, useOpener } from '../../app/focus.ts';
import { NeedCluster } from '../../app/need-cluster.tsx';
import { useQuery } from '../../app/use-query.ts';
import { useClusterHealth } from '../../app/use-health.ts';
import { LiveTable, type RsAction } from './live-table.tsx';
import { PlanSteps, type RunResult } from './plan-view.tsx';
import { RunLog, type Progress } from './run-log.tsx';
import { PairPanel } from './pair-panel.tsx';
import { runState } from './cluster-state.ts';
import { ProfileCheckNote } from './profile-check-note.tsx';
import { DriftPanel, StatusStrip, StoppedNotice } from './status-panel.tsx';

type Verb = 'start' | 'stop' | 'reload' | 'update' | 'reconcile';
const VERBS: readonly { verb: Verb; label: string; why: string }[] = [
  { verb: 'start', label: 'Start', why: 'Bring up the VIP, enable forwarding and build the table from the profile' },
  { verb: 'stop', label: 'Stop', why: 'Clear the table and take the VIP down' },
  { verb: 'reload', label: 'Reload', why: 'Stop, then start again from the profile' },
  { verb: 'update', label: 'Update', why: 'Apply profile changes to the running table' },
  { verb: 'reconcile', label: 'Reconcile', why: 'Only the minimal changes that make the live table match the profile; realservers leaving it are drained first' },
];

/** What a preview is for: a director verb, or an edit of one realserver (in one service, or in all of its services). */
type Action =
  | { type: 'verb'; verb: Verb }
  | { type: 'edit'; rs: string; label: string; edit: RsAction; service?: string; serviceLabel?: string; scope: 'service' | 'all' };

type Phase =
  | { phase: 'idle' }
  | { phase: 'planning'; action: Action }
  | { phase: 'preview'; action: Action; plan: RunResult; stale?: string }
  | { phase: 'running'; action: Action; lines: Progress[] }
  | { phase: 'done'; action: Action; lines: Progress[]; result?: RunResult; error?: AppErrorData };

const POLL_MS = 5000;

/** "Drain rs2 in TCP 10.0.0.100:23", "Set the weight of rs3 to 3", "Start". */
function actionTitle(a: Action): string {
  if (a.type === 'verb') return VERBS.find((x) => x.verb === a.verb)!.label;
  const where = a.scope === 'service' && a.serviceLabel ? ` in ${a.serviceLabel}` : a.edit.kind === 'weight' ? '' : ' (every service)';
  if (a.edit.kind === 'weight') return `Set the weight of ${a.label} to ${a.edit.weight}`;
  return `${a.edit.kind[0]!.toUpperCase()}${a.edit.kind.slice(1)} ${a.label}${where}`;
}

/** What an edit does, said before its commands. */
const EDIT_WHY: Record<RsAction['kind'], string> = {
  drain: 'Weight 0 now: no new connections, the running ones carry on; the destination is deleted once its connections are gone. The profile is saved with it',
  disable: 'Deleted from the table now (its connections are cut) and marked disabled in the profile',
  enable: 'Back in the table and enabled in the profile',
  weight: 'The new weight in the table and in the profile',
};

/** The preview dialog's body: what changed (when a run was refused), why, the scope choice of an edit, the commands. */
function PreviewBody({ action, plan, stale, onScope }: { action: Action; plan: RunResult; stale?: string | undefined; onScope: (a: Action) => void }) {
  return (
    <>
      {stale && (
        <div className="notice notice-warn" role="alert" data-testid="plan-stale">
          <strong>Nothing ran.</strong> {stale} Below is the fresh preview: confirm it only if it is still what you want.
        </div>
      )}
      <p>{action.type === 'verb' ? VERBS.find((v) => v.verb === action.verb)!.why : EDIT_WHY[action.edit.kind]}. Nothing has run yet.</p>
      {action.type === 'edit' && action.service && action.edit.kind !== 'weight' && (
        <fieldset className="scope" data-testid="edit-scope">
          <legend>Which services</legend>
          {(['service', 'all'] as const).map((scope) => (
            <label key={scope}>
              <input type="radio" name="edit-scope" checked={action.scope === scope} onChange={() => onScope({ ...action, scope })} />{' '}
              {scope === 'service' ? `Only ${action.serviceLabel}` : `Every service of ${action.label}`}
            </label>
          ))}
        </fieldset>
      )}
      <PlanSteps steps={plan.steps} />
      {plan.changes.length > 0 && (
        <ul className="plan-notes">
          {plan.changes.map((c, i) => (
            <li key={i}>{c}</li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The Director screen. */
export function DirectorPage() {
  const { selected } = useAppState();
  if (!selected) return <NeedCluster title="Director" />;
  return <Director key={selected.id} />;
}

function Director() {
  const api = useApi();
  const { selected, reloadClusters } = useAppState();
  const cluster = selected!;
  const status = useQuery('director.status', { clusterId: cluster.id }, { pollMs: POLL_MS });
  const { health } = useClusterHealth(cluster.id);
  const [p, setP] = useState<Phase>({ phase: 'idle' });
  const [planError, setPlanError] = useState<AppErrorData>();

  useEffect(
    () =>
      api.on('director.progress', (e) => {
        if (e.clusterId !== cluster.id) return;
        setP((cur) => (cur.phase === 'running' ? { ...cur, lines: [...cur.lines, e] } : cur));
      }),
    [api, cluster.id],
  );

  /** The edit's contract input for its scope. */
  const editInput = (a: Extract<Action, { type: 'edit' }>) => ({
    clusterId: cluster.id,
    realserver: a.rs,
    ...(a.scope === 'service' && a.service && a.edit.kind !== 'weight' ? { service: a.service } : {}),
    edit: a.edit.kind === 'weight' ? { kind: 'weight' as const, weight: a.edit.weight } : { kind: a.edit.kind },
  });

  /** Where focus goes back when a preview is cancelled (the button that asked for it). */
  const opener = useOpener();
  const closePreview = () => {
    setP({ phase: 'idle' });
    opener.restore();
  };

  /** Asks for the exact commands (nothing runs) and shows them. */
  const preview = async (action: Action, fromScope = false) => {
    if (!fromScope) opener.remember();
    setPlanError(undefined);
    setP({ phase: 'planning', action });
    const r = action.type === 'verb' ? await api.call('director.plan', { clusterId: cluster.id, verb: action.verb }) : await api.call('director.planEdit', editInput(action));
    if (!r.ok) {
      setPlanError(r.error);
      setP({ phase: 'idle' });
      return opener.restore();
    }
    setP({ phase: 'preview', action, plan: r.value });
  };

  /** Runs exactly the preview shown (its fingerprint); if anything changed since, shows what and the fresh preview. */
  const run = async (action: Action, plan: RunResult) => {
    const fingerprint = plan.fingerprint ?? '';
    setP({ phase: 'running', action, lines: [] });
    const r =
      action.type === 'verb'
        ? await api.call('director.run', { clusterId: cluster.id, verb: action.verb, fingerprint })
        : await api.call('director.runEdit', { ...editInput(action), fingerprint });
    const fresh = !r.ok && r.error.code === 'PLAN_STALE' ? (r.error.detail as { preview?: RunResult } | undefined)?.preview : undefined;
    if (!r.ok && fresh) setP({ phase: 'preview', action, plan: fresh, stale: r.error.message });
    else
      setP((cur) => {
        const lines = cur.phase === 'running' ? cur.lines : [];
        return r.ok ? { phase: 'done', action, lines, result: r.value } : { phase: 'done', action, lines, error: r.error };
      });
    status.reload();
    if (action.type === 'edit') void reloadClusters();
    // The result is where the eyes go: its heading (or the fresh preview's dialog, which takes focus itself).
    focusWhenReady('#run-h');
  };

  const act = (rs: string, label: string, a: RsAction, svc?: { ref: string; label: string }) =>
    void preview({ type: 'edit', rs, label, edit: a, ...(svc ? { service: svc.ref, serviceLabel: svc.label } : {}), scope: svc && a.kind !== 'weight' ? 'service' : 'all' });

  const s = status.data;
  const busy = p.phase === 'planning' || p.phase === 'running';
  const danger = (a: Action) => (a.type === 'verb' ? a.verb === 'stop' : a.edit.kind === 'disable');
  const stopped = s ? runState(s) === 'stopped' : false;

  return (
    <section aria-labelledby="director-h">
      <div className="toolbar">
        <h1 id="director-h" tabIndex={-1}>
          Director <span className="muted">· {cluster.name}</span>
        </h1>
        <span className="spacer" />
        <div className="button-group" role="group" aria-label="Director actions (each shows its commands first)">
          {VERBS.map((v) => (
            <button
              key={v.verb}
              type="button"
              disabled={busy}
              title={v.why}
              onClick={() => void preview({ type: 'verb', verb: v.verb })}
              className={v.verb === 'stop' ? 'danger' : v.verb === 'start' && stopped ? 'primary' : undefined}
            >
              {p.phase === 'planning' && p.action.type === 'verb' && p.action.verb === v.verb ? 'Planning…' : `${v.label}…`}
            </button>
          ))}
        </div>
      </div>

      <ErrorBox error={planError} context="Preparing the preview" />

      <StatusStrip cluster={cluster} status={s} loading={status.loading} onRefresh={status.reload} />
      <ErrorBox error={status.error} context="Reading the live table" onRetry={status.reload} />
      <ProfileCheckNote cluster={cluster} active={status.error !== undefined || planError !== undefined || (p.phase === 'done' && p.error !== undefined)} />

      {s?.pair && <PairPanel clusterId={cluster.id} pair={s.pair} busy={busy} onChanged={status.reload} />}

      {s && stopped && p.phase !== 'running' && <StoppedNotice cluster={cluster} busy={busy} onStart={() => void preview({ type: 'verb', verb: 'start' })} />}
      {s && <DriftPanel status={s} busy={busy} onReconcile={() => void preview({ type: 'verb', verb: 'reconcile' })} />}

      {(p.phase === 'running' || p.phase === 'done') && (
        <section className="panel" aria-labelledby="run-h">
          <div className="toolbar">
            <h2 id="run-h" tabIndex={-1}>
              {actionTitle(p.action)}: {p.phase === 'running' ? 'running…' : p.error ? 'failed' : 'done'}
            </h2>
            <span className="spacer" />
            {p.phase === 'done' && (
              <button
                type="button"
                onClick={() => {
                  setP({ phase: 'idle' });
                  opener.restore();
                }}
              >
                Close
              </button>
            )}
          </div>
          <RunLog lines={p.lines} />
          {p.phase === 'done' && p.result && (
            <div className="notice" role="status">
              {p.result.changes.length ? (
                <ul>
                  {p.result.changes.map((c, i) => (
                    <li key={i}>{c}</li>
                  ))}
                </ul>
              ) : (
                'No changes were needed.'
              )}
            </div>
          )}
          {p.phase === 'done' && <ErrorBox error={p.error} context={actionTitle(p.action)} />}
        </section>
      )}

      {s && <LiveTable cluster={cluster} status={s} stopped={stopped} busy={busy ? '*' : undefined} onAction={act} health={health?.entries} />}

      <Dialog
        open={p.phase === 'preview'}
        wide
        tone={p.phase === 'preview' && danger(p.action) ? 'danger' : 'normal'}
        title={p.phase === 'preview' ? `${actionTitle(p.action)} · ${cluster.name}: these commands will run` : ''}
        onClose={closePreview}
        actions={
          <>
            <button type="button" onClick={closePreview} autoFocus>
              Cancel
            </button>
            <button
              type="button"
              className={p.phase === 'preview' && danger(p.action) ? 'danger' : 'primary'}
              disabled={p.phase === 'preview' && p.plan.steps.length === 0 && p.action.type === 'verb'}
              onClick={() => p.phase === 'preview' && void run(p.action, p.plan)}
            >
              {p.phase === 'preview' && p.plan.steps.length === 0 && p.action.type === 'edit' ? 'Save the profile only' : 'Confirm and run'}
            </button>
          </>
        }
      >
        {p.phase === 'preview' && <PreviewBody action={p.action} plan={p.plan} stale={p.stale} onScope={(a) => void preview(a, true)} />}
      </Dialog>
    </section>
  );
}

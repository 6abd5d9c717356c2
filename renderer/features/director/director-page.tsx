/**
 * Director: Start / Stop / Reload / Update / Reconcile, always previewed first (director.plan shows the exact commands),
 * then run on Confirm with the director.progress events streamed into a log; the live table (polled director.status plus
 * CPS from the metrics feed) with per-realserver actions; drift between the profile and the table with one-click reconcile.
 */
import { useEffect, useState } from 'react';
import type { MethodOutput } from '../../../shared/api/contract.ts';
import type { AppErrorData } from '../../../shared/result.ts';
import { useApi } from '../../app/api-context.tsx';
import { useAppState, useFeed } from '../../app/app-state.tsx';
import { Dialog } from '../../app/dialog.tsx';
import { ErrorBox } from '../../app/error-box.tsx';
import { clock } from '../../app/format.ts';
import { NeedCluster } from '../../app/need-cluster.tsx';
import { useQuery } from '../../app/use-query.ts';
import { LiveTable, type RsAction } from './live-table.tsx';
import { PlanSteps, type RunResult } from './plan-view.tsx';
import { RunLog, type Progress } from './run-log.tsx';

type Verb = 'start' | 'stop' | 'reload' | 'update' | 'reconcile';
const VERBS: readonly { verb: Verb; label: string; why: string }[] = [
  { verb: 'start', label: 'Start', why: 'Bring up the VIP, enable forwarding and build the table from the profile' },
  { verb: 'stop', label: 'Stop', why: 'Clear the table and take the VIP down' },
  { verb: 'reload', label: 'Reload', why: 'Stop, then start again from the profile' },
  { verb: 'update', label: 'Update', why: 'Apply profile changes to the running table' },
  { verb: 'reconcile', label: 'Reconcile', why: 'Only the minimal changes that make the live table match the profile; realservers leaving it are drained first' },
];

type Phase =
  | { phase: 'idle' }
  | { phase: 'planning'; verb: Verb }
  | { phase: 'preview'; verb: Verb; plan: RunResult }
  | { phase: 'running'; verb: Verb; lines: Progress[] }
  | { phase: 'done'; verb: Verb; lines: Progress[]; result?: RunResult; error?: AppErrorData };

const POLL_MS = 5000;

type Drift = MethodOutput<'director.status'>['drift'];

/** The status strip's drift pill: differences to reconcile, and realservers still draining (which need no action). */
function DriftPill({ drift }: { drift: Drift }) {
  const draining = drift.filter((d) => d.kind === 'draining').length;
  const other = drift.length - draining;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return (
    <>
      <span className={`pill ${other ? 'pill-warn' : 'pill-ok'}`}>{other ? `${plural(other, 'difference')} from the profile` : 'Matches the profile'}</span>
      {draining > 0 && <span className="pill pill-info">{plural(draining, 'destination')} draining</span>}
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
  const { selected } = useAppState();
  const cluster = selected!;
  const feed = useFeed();
  const status = useQuery('director.status', { clusterId: cluster.id }, { pollMs: POLL_MS });
  const [p, setP] = useState<Phase>({ phase: 'idle' });
  const [planError, setPlanError] = useState<AppErrorData>();
  const [busyRs, setBusyRs] = useState<string>();
  const [action, setAction] = useState<{ label: string; result?: MethodOutput<'director.drain'>; error?: AppErrorData }>();

  useEffect(
    () =>
      api.on('director.progress', (e) => {
        if (e.clusterId !== cluster.id) return;
        setP((cur) => (cur.phase === 'running' ? { ...cur, lines: [...cur.lines, e] } : cur));
      }),
    [api, cluster.id],
  );

  const preview = async (verb: Verb) => {
    setPlanError(undefined);
    setP({ phase: 'planning', verb });
    const r = await api.call('director.plan', { clusterId: cluster.id, verb });
    if (!r.ok) {
      setPlanError(r.error);
      return setP({ phase: 'idle' });
    }
    setP({ phase: 'preview', verb, plan: r.value });
  };

  const run = async (verb: Verb) => {
    setP({ phase: 'running', verb, lines: [] });
    const r = await api.call('director.run', { clusterId: cluster.id, verb });
    setP((cur) => {
      const lines = cur.phase === 'running' ? cur.lines : [];
      return r.ok ? { phase: 'done', verb, lines, result: r.value } : { phase: 'done', verb, lines, error: r.error };
    });
    status.reload();
  };

  const act = async (rs: string, label: string, a: RsAction) => {
    setBusyRs(rs);
    const input = { clusterId: cluster.id, realserver: rs };
    const r =
      a.kind === 'weight'
        ? await api.call('director.setWeight', { ...input, weight: a.weight })
        : await api.call(a.kind === 'drain' ? 'director.drain' : a.kind === 'disable' ? 'director.disable' : 'director.enable', input);
    setBusyRs(undefined);
    const what = a.kind === 'weight' ? `Set the weight of ${label} to ${a.weight}` : `${a.kind[0]!.toUpperCase()}${a.kind.slice(1)} ${label}`;
    setAction(r.ok ? { label: what, result: r.value } : { label: what, error: r.error });
    status.reload();
  };

  const s = status.data;
  const busy = p.phase === 'planning' || p.phase === 'running';
  const verbLabel = (v: Verb) => VERBS.find((x) => x.verb === v)!.label;

  return (
    <section aria-labelledby="director-h">
      <div className="toolbar">
        <h1 id="director-h" tabIndex={-1}>
          Director <span className="muted">· {cluster.name}</span>
        </h1>
        <span className="spacer" />
        <div className="button-group" role="group" aria-label="Director actions (each shows its commands first)">
          {VERBS.map((v) => (
            <button key={v.verb} type="button" disabled={busy} title={v.why} onClick={() => void preview(v.verb)} className={v.verb === 'stop' ? 'danger' : undefined}>
              {p.phase === 'planning' && p.verb === v.verb ? 'Planning…' : `${v.label}…`}
            </button>
          ))}
        </div>
      </div>

      <ErrorBox error={planError} context="Preparing the preview" />

      <div className="status-strip" data-testid="status-strip">
        {s ? (
          <>
            <span className={`pill ${s.vipUp ? 'pill-ok' : 'pill-bad'}`}>VIP {cluster.vip} {s.vipUp ? 'up' : 'down'}</span>
            <span className={`pill ${s.forwarding ? 'pill-ok' : 'pill-bad'}`}>IP forwarding {s.forwarding ? 'on' : 'off'}</span>
            <DriftPill drift={s.drift} />
            <span className="muted">observed {clock(s.observedAt)}</span>
          </>
        ) : (
          <span className="muted">{status.loading ? 'Reading the live table…' : 'No live data yet.'}</span>
        )}
        <span className="spacer" />
        <button type="button" onClick={status.reload} disabled={status.loading}>
          Refresh
        </button>
      </div>
      <ErrorBox error={status.error} context="Reading the live table" onRetry={status.reload} />

      {s && s.drift.length > 0 && (
        <section className="panel drift" aria-labelledby="drift-h">
          <div className="toolbar">
            <h2 id="drift-h">Drift</h2>
            <span className="spacer" />
            {s.drift.some((d) => d.kind !== 'draining') && (
              <button type="button" className="primary" disabled={busy} onClick={() => void preview('reconcile')}>
                Reconcile…
              </button>
            )}
          </div>
          <ul className="drift-list" data-testid="drift-list">
            {s.drift.map((d, i) => (
              <li key={i}>
                <span className={`tag tag-${d.kind}`}>{d.kind}</span> <strong>{d.what}</strong> <span className="muted">{d.detail}</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      {(p.phase === 'running' || p.phase === 'done') && (
        <section className="panel" aria-labelledby="run-h">
          <div className="toolbar">
            <h2 id="run-h">
              {verbLabel(p.verb)}: {p.phase === 'running' ? 'running…' : p.error ? 'failed' : 'done'}
            </h2>
            <span className="spacer" />
            {p.phase === 'done' && (
              <button type="button" onClick={() => setP({ phase: 'idle' })}>
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
          {p.phase === 'done' && <ErrorBox error={p.error} context={verbLabel(p.verb)} />}
        </section>
      )}

      {action && (
        <section className="panel" aria-labelledby="action-h">
          <div className="toolbar">
            <h2 id="action-h">{action.label}</h2>
            <span className="spacer" />
            <button type="button" onClick={() => setAction(undefined)}>
              Close
            </button>
          </div>
          {action.result && (
            <>
              <PlanSteps steps={action.result.steps} />
              {action.result.changes.length > 0 && <p className="notice">{action.result.changes.join(' · ')}</p>}
            </>
          )}
          <ErrorBox error={action.error} />
        </section>
      )}

      {s && <LiveTable cluster={cluster} status={s} latest={feed?.history.latest() ?? new Map()} busy={busyRs} onAction={(rs, label, a) => void act(rs, label, a)} />}

      <Dialog
        open={p.phase === 'preview'}
        wide
        tone={p.phase === 'preview' && p.verb === 'stop' ? 'danger' : 'normal'}
        title={p.phase === 'preview' ? `${verbLabel(p.verb)} ${cluster.name}: these commands will run` : ''}
        onClose={() => setP({ phase: 'idle' })}
        actions={
          <>
            <button type="button" onClick={() => setP({ phase: 'idle' })} autoFocus>
              Cancel
            </button>
            <button
              type="button"
              className={p.phase === 'preview' && p.verb === 'stop' ? 'danger' : 'primary'}
              disabled={p.phase === 'preview' && p.plan.steps.length === 0}
              onClick={() => p.phase === 'preview' && void run(p.verb)}
            >
              Confirm and run
            </button>
          </>
        }
      >
        {p.phase === 'preview' && (
          <>
            <p>{VERBS.find((v) => v.verb === p.verb)!.why}. Nothing has run yet.</p>
            <PlanSteps steps={p.plan.steps} />
          </>
        )}
      </Dialog>
    </section>
  );
}

/**
 * Realservers: the seed's per-realserver checks (realservers.check): OS, the lvs-route status with a Fix button
 * (previewed with realservers.routeFix dryRun, then applied on Confirm), display manager and telnet, load and users.
 */
import { useState } from 'react';
import type { MethodOutput } from '../../../shared/api/contract.ts';
import type { AppErrorData } from '../../../shared/result.ts';
import { useApi } from '../../app/api-context.tsx';
import { useAppState } from '../../app/app-state.tsx';
import { Dialog } from '../../app/dialog.tsx';
import { ErrorBox } from '../../app/error-box.tsx';
import { num } from '../../app/format.ts';
import { NeedCluster } from '../../app/need-cluster.tsx';
import { useQuery } from '../../app/use-query.ts';
import { PlanSteps } from '../director/plan-view.tsx';
import { useClusterHealth, type HealthEntry } from '../../app/use-health.ts';
import { HealthCell } from './health-cell.tsx';

type Check = MethodOutput<'realservers.check'>[number];
type FixResult = MethodOutput<'realservers.routeFix'>;

/** The Realservers screen. */
export function RealserversPage() {
  const { selected } = useAppState();
  if (!selected) return <NeedCluster title="Realservers" />;
  return <Realservers key={selected.id} />;
}

function Realservers() {
  const api = useApi();
  const cluster = useAppState().selected!;
  const checks = useQuery('realservers.check', { clusterId: cluster.id });
  const { health } = useClusterHealth(cluster.id);
  const [fix, setFix] = useState<{ name: string; preview?: FixResult; result?: FixResult; error?: AppErrorData; running?: boolean }>();

  const previewFix = async (name: string) => {
    setFix({ name });
    const r = await api.call('realservers.routeFix', { clusterId: cluster.id, name, dryRun: true });
    setFix(r.ok ? { name, preview: r.value } : { name, error: r.error });
  };
  const applyFix = async (name: string) => {
    setFix((f) => f && { ...f, running: true });
    const r = await api.call('realservers.routeFix', { clusterId: cluster.id, name, dryRun: false });
    setFix(r.ok ? { name, result: r.value } : { name, error: r.error });
    checks.reload();
  };

  const rows = checks.data ?? [];
  return (
    <section aria-labelledby="rs-h">
      <div className="toolbar">
        <h1 id="rs-h" tabIndex={-1}>
          Realservers <span className="muted">· {cluster.name}</span>
        </h1>
        <span className="spacer" />
        <button type="button" className="primary" onClick={checks.reload} disabled={checks.loading}>
          {checks.loading ? 'Checking…' : 'Check all again'}
        </button>
      </div>
      <p className="muted">
        Each realserver must route its replies through the director (the seed&apos;s lvs-route script: no subnet route, a host route to the
        director, default via the director), run a display manager for XDMCP and accept telnet.
      </p>
      <ErrorBox error={checks.error} context="Checking the realservers" onRetry={checks.reload} />
      {checks.loading && !checks.data && <p className="muted">Connecting to {cluster.realservers.length} realserver(s)…</p>}
      {rows.length > 0 && (
        <table className="table" data-testid="realservers-table">
          <thead>
            <tr>
              <th scope="col">Realserver</th>
              <th scope="col">OS</th>
              <th scope="col">Health</th>
              <th scope="col">Route via director</th>
              <th scope="col">Display manager</th>
              <th scope="col">Telnet</th>
              <th scope="col" className="numeric">
                Load (1 / 5 / 15 min)
              </th>
              <th scope="col" className="numeric">
                Users
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <Row key={c.name} c={c} health={health?.entries} onFix={() => void previewFix(c.name)} />
            ))}
          </tbody>
        </table>
      )}
      <Dialog
        open={fix !== undefined}
        wide
        title={fix ? `Fix the routes of ${fix.name}` : ''}
        onClose={() => setFix(undefined)}
        actions={
          fix?.preview && !fix.result ? (
            <>
              <button type="button" onClick={() => setFix(undefined)} autoFocus>
                Cancel
              </button>
              <button type="button" className="primary" disabled={fix.running || fix.preview.every((p) => p.steps.length === 0)} onClick={() => void applyFix(fix.name)}>
                {fix.running ? 'Applying…' : 'Confirm and apply'}
              </button>
            </>
          ) : (
            <button type="button" onClick={() => setFix(undefined)} autoFocus>
              Close
            </button>
          )
        }
      >
        {fix && !fix.preview && !fix.result && !fix.error && <p className="muted">Planning…</p>}
        {fix?.preview && !fix.result && (
          <>
            <p>These commands will run on the realserver. Nothing has run yet.</p>
            {fix.preview.map((p) => (
              <div key={p.name}>
                <PlanSteps steps={p.steps} />
                <ErrorBox error={p.error} />
              </div>
            ))}
          </>
        )}
        {fix?.result &&
          fix.result.map((p) => (
            <div key={p.name}>
              <p className="notice">{p.applied ? `Applied on ${p.name}. The check below was run again.` : `Nothing applied on ${p.name}.`}</p>
              <ErrorBox error={p.error} />
            </div>
          ))}
        <ErrorBox error={fix?.error} />
      </Dialog>
    </section>
  );
}

function Row({ c, health, onFix }: { c: Check; health: readonly HealthEntry[] | undefined; onFix: () => void }) {
  const head = (
    <th scope="row">
      {c.name}
      <div className="muted small">{c.host}</div>
    </th>
  );
  if (!c.reachable) {
    return (
      <tr data-rs={c.name}>
        {head}
        <td>
          <HealthCell entries={health} realserver={c.name} />
        </td>
        <td colSpan={6}>
          <ErrorBox error={c.error ?? { code: 'CONNECT_FAILED', message: `${c.host} did not answer`, host: c.host }} />
        </td>
      </tr>
    );
  }
  return (
    <tr data-rs={c.name}>
      {head}
      <td>
        <HealthCell entries={health} realserver={c.name} />
      </td>
      <td>{c.os}</td>
      <td>
        {c.route === undefined ? (
          <span className="muted">unknown</span>
        ) : c.route.ok ? (
          <span className="health health-up">ok</span>
        ) : (
          <div>
            <span className="health health-down">wrong</span>
            <ul className="problems">
              {c.route.problems.map((p, i) => (
                <li key={i}>{p}</li>
              ))}
            </ul>
            <button type="button" className="primary" onClick={onFix}>
              Fix…
            </button>
          </div>
        )}
      </td>
      <td>{c.displayManager ? <span className={`health health-${c.displayManager.running ? 'up' : 'down'}`}>{c.displayManager.name} {c.displayManager.running ? 'running' : 'stopped'}</span> : <span className="muted">none found</span>}</td>
      <td>{c.telnet === undefined ? <span className="muted">unknown</span> : <span className={`health health-${c.telnet ? 'up' : 'down'}`}>{c.telnet ? 'listening' : 'not listening'}</span>}</td>
      <td className="numeric">{c.load ? c.load.map((l) => num(l, 2)).join(' / ') : '–'}</td>
      <td className="numeric">{num(c.users)}</td>
    </tr>
  );
}

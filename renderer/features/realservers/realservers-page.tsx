/**
 * Realservers: the seed's per-realserver checks (realservers.check): OS, the lvs-route status with a Fix button
 * (previewed with realservers.routeFix dryRun, then applied on Confirm), display manager and telnet, load and users.
 * Checking all of them and fixing all their routes show each host's progress and can be cancelled between hosts.
 * Realservers whose host key is new are gathered in one dialog (opened on request, never by itself); a row updates as
 * soon as its key is trusted.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MethodOutput } from '../../../shared/api/contract.ts';
import type { AppErrorData } from '../../../shared/result.ts';
import { useApi } from '../../app/api-context.tsx';
import { useAppState } from '../../app/app-state.tsx';
import { Dialog } from '../../app/dialog.tsx';
import { ErrorBox } from '../../app/error-box.tsx';
import { focusWhenReady, useOpener } from '../../app/focus.ts';
import { num } from '../../app/format.ts';
import { hostKeyDetail } from '../../app/host-key-detail.ts';
import { HostProgressList, useHostOperation } from '../../app/host-progress.tsx';
import { NeedCluster } from '../../app/need-cluster.tsx';
import { TableScroll } from '../../app/table-scroll.tsx';
import { PlanSteps } from '../director/plan-view.tsx';
import { HostKeysDialog, type NewKey } from './host-keys-dialog.tsx';

type Check = MethodOutput<'realservers.check'>[number];
type FixResult = MethodOutput<'realservers.routeFix'>;

/** The Realservers screen. */
export function RealserversPage() {
  const { selected } = useAppState();
  if (!selected) return <NeedCluster title="Realservers" />;
  return <Realservers key={selected.id} />;
}

/** What the route-fix dialog shows: for one realserver, or all whose routes are wrong. */
type Fix = { names: string[]; title: string; preview?: FixResult; result?: FixResult; error?: AppErrorData; running?: boolean };

function Realservers() {
  const api = useApi();
  const cluster = useAppState().selected!;
  const [rows, setRows] = useState<Check[]>();
  const [error, setError] = useState<AppErrorData>();
  const check = useHostOperation();
  const fixOp = useHostOperation();
  const [fix, setFix] = useState<Fix>();
  const [reviewing, setReviewing] = useState(false);
  const opener = useOpener();
  const gone = useRef(false);
  useEffect(() => () => void (gone.current = true), []);

  /** Checks every realserver (interactive: the director's own unknown key asks, as everywhere). */
  const checkAll = useCallback(async () => {
    const opId = check.start();
    setError(undefined);
    const r = await api.call('realservers.check', { clusterId: cluster.id, opId });
    check.finish();
    if (gone.current) return;
    if (r.ok) setRows(r.value);
    else setError(r.error);
  }, [api, cluster.id, check.start, check.finish]);

  /** Checks one realserver again and replaces its row (after its key was trusted, or its routes fixed). */
  const recheck = useCallback(
    async (name: string) => {
      const r = await api.call('realservers.check', { clusterId: cluster.id, name }, { interactive: false });
      if (!r.ok || gone.current) return;
      setRows((cur) => cur?.map((row) => r.value.find((x) => x.name === row.name) ?? row));
    },
    [api, cluster.id],
  );

  useEffect(() => {
    void checkAll();
  }, [checkAll]);

  const newKeys: NewKey[] = (rows ?? []).flatMap((c) => {
    const d = c.error ? hostKeyDetail(c.error) : undefined;
    return d ? [{ name: c.name, detail: d }] : [];
  });
  const wrongRoutes = (rows ?? []).filter((c) => c.reachable && c.route && !c.route.ok).map((c) => c.name);

  const previewFix = async (names: string[], title: string) => {
    opener.remember();
    setFix({ names, title });
    const all = await Promise.all(names.map((name) => api.call('realservers.routeFix', { clusterId: cluster.id, name, dryRun: true })));
    const failed = all.find((r) => !r.ok);
    if (failed && !failed.ok) return setFix({ names, title, error: failed.error });
    setFix({ names, title, preview: all.flatMap((r) => (r.ok ? r.value : [])) });
  };
  /** One realserver after the other; Cancel stops before the next (never inside one's fix). */
  const applyFix = async (f: Fix) => {
    setFix({ ...f, running: true });
    const opId = fixOp.start();
    const r = await api.call('realservers.routeFix', f.names.length === 1 ? { clusterId: cluster.id, name: f.names[0]!, dryRun: false, opId } : { clusterId: cluster.id, dryRun: false, opId });
    fixOp.finish();
    if (gone.current) return;
    setFix(r.ok ? { ...f, running: false, result: r.value.filter((x) => f.names.includes(x.name)) } : { ...f, running: false, error: r.error });
    for (const n of f.names) void recheck(n);
    focusWhenReady('[data-testid="fix-result"]');
  };
  const closeFix = () => {
    setFix(undefined);
    opener.restore();
  };

  const checking = check.running;
  return (
    <section aria-labelledby="rs-h">
      <div className="toolbar">
        <h1 id="rs-h" tabIndex={-1}>
          Realservers <span className="muted">· {cluster.name}</span>
        </h1>
        <span className="spacer" />
        {wrongRoutes.length > 1 && (
          <button type="button" disabled={checking} onClick={() => void previewFix(wrongRoutes, `Fix the routes of ${wrongRoutes.length} realservers`)}>
            Fix all routes…
          </button>
        )}
        <button type="button" className="primary" onClick={() => void checkAll()} disabled={checking}>
          {checking ? 'Checking…' : 'Check all again'}
        </button>
      </div>
      <p className="muted">
        Each realserver must route its replies through the director (the seed&apos;s lvs-route script: no subnet route, a host route to the
        director, default via the director), run a display manager for XDMCP and accept telnet.
      </p>
      <HostProgressList op={check} what="Checking" cancelNote="Stops waiting for the realservers still being checked (checks change nothing)" />
      <ErrorBox error={error} context="Checking the realservers" onRetry={() => void checkAll()} />
      {newKeys.length > 0 && (
        <div className="notice notice-warn" role="status" data-testid="new-keys-banner">
          <strong>
            {newKeys.length} realserver{newKeys.length === 1 ? ' has a host key' : 's have host keys'} not trusted yet
          </strong>{' '}
          ({newKeys.map((k) => k.name).join(', ')}): nothing is sent to {newKeys.length === 1 ? 'it' : 'them'} until you trust {newKeys.length === 1 ? 'it' : 'them'}.{' '}
          <button
            type="button"
            className="primary"
            onClick={() => {
              opener.remember();
              setReviewing(true);
            }}
          >
            Review {newKeys.length} host key{newKeys.length === 1 ? '' : 's'}…
          </button>
        </div>
      )}
      {checking && !rows && <p className="muted">Connecting to {cluster.realservers.length} realserver(s)…</p>}
      {rows && rows.length > 0 && (
        <TableScroll label="Realservers">
          <table className="table" data-testid="realservers-table">
            <thead>
              <tr>
                <th scope="col">Realserver</th>
                <th scope="col">OS</th>
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
                <Row key={c.name} c={c} onFix={() => void previewFix([c.name], `Fix the routes of ${c.name}`)} onRetry={() => void recheck(c.name)} />
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <HostKeysDialog
        open={reviewing}
        keys={newKeys}
        onClose={() => {
          setReviewing(false);
          opener.restore();
        }}
        onTrusted={(name) => void recheck(name)}
      />
      <Dialog
        open={fix !== undefined}
        wide
        title={fix?.title ?? ''}
        onClose={fix?.running ? () => fixOp.cancel() : closeFix}
        actions={
          fix?.preview && !fix.result ? (
            <>
              {fix.running ? (
                <button type="button" onClick={fixOp.cancel} disabled={fixOp.cancelling || fix.names.length === 1} autoFocus>
                  {fixOp.cancelling ? 'Cancelling…' : 'Cancel the rest'}
                </button>
              ) : (
                <button type="button" onClick={closeFix} autoFocus>
                  Cancel
                </button>
              )}
              <button type="button" className="primary" disabled={fix.running || fix.preview.every((p) => p.steps.length === 0)} onClick={() => void applyFix(fix)}>
                {fix.running ? 'Applying…' : 'Confirm and apply'}
              </button>
            </>
          ) : (
            <button type="button" onClick={closeFix} autoFocus>
              Close
            </button>
          )
        }
      >
        {fix && !fix.preview && !fix.result && !fix.error && <p className="muted">Planning…</p>}
        {fix?.preview && !fix.result && (
          <>
            <p>
              These commands will run on {fix.names.length === 1 ? 'the realserver' : `${fix.names.length} realservers, one after the other`}. Nothing has run yet.
              {fix.names.length > 1 && ' Cancel stops before the next realserver: one already being fixed finishes its fix.'}
            </p>
            {fix.running && <HostProgressList op={fixOp} what="Fixing routes" cancelNote="Stops before the next realserver; the one being fixed finishes its fix" />}
            {fix.preview.map((p) => (
              <div key={p.name}>
                {fix.names.length > 1 && <h3 className="small-heading">{p.name}</h3>}
                <PlanSteps steps={p.steps} />
                <ErrorBox error={p.error} />
              </div>
            ))}
          </>
        )}
        {fix?.result && (
          <div data-testid="fix-result" tabIndex={-1}>
            <HostProgressList op={fixOp} what="Fixing routes" cancelNote="" />
            {fix.result.map((p) => (
              <div key={p.name}>
                <p className="notice">
                  {p.applied ? `Applied on ${p.name}. The check below was run again.` : p.error?.code === 'CANCELLED' ? `Not started on ${p.name}: cancelled. Nothing was changed there.` : `Nothing applied on ${p.name}.`}
                </p>
                {p.error?.code !== 'CANCELLED' && <ErrorBox error={p.error} />}
              </div>
            ))}
          </div>
        )}
        <ErrorBox error={fix?.error} />
      </Dialog>
    </section>
  );
}

function Row({ c, onFix, onRetry }: { c: Check; onFix: () => void; onRetry: () => void }) {
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
        <td colSpan={6}>
          <ErrorBox error={c.error ?? { code: 'CONNECT_FAILED', message: `${c.host} did not answer`, host: c.host }} onRetry={onRetry} />
        </td>
      </tr>
    );
  }
  return (
    <tr data-rs={c.name}>
      {head}
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
      <td>
        {c.displayManager ? (
          <span className={`health health-${c.displayManager.running ? 'up' : 'down'}`}>
            {c.displayManager.name} {c.displayManager.running ? 'running' : 'stopped'}
          </span>
        ) : (
          <span className="muted">none found</span>
        )}
      </td>
      <td>{c.telnet === undefined ? <span className="muted">unknown</span> : <span className={`health health-${c.telnet ? 'up' : 'down'}`}>{c.telnet ? 'listening' : 'not listening'}</span>}</td>
      <td className="numeric">{c.load ? c.load.map((l) => num(l, 2)).join(' / ') : '–'}</td>
      <td className="numeric">{num(c.users)}</td>
    </tr>
  );
}

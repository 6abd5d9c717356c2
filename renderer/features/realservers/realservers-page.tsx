/**
 * Realservers: the seed's per-realserver checks, one row per realserver, each loaded on its own (realservers.check with
 * its name) so a realserver that does not answer never blanks the others. "Fixed now" is the live lvs-route check with a
 * Fix button (realservers.routeFix: previewed, confirmed, then the result per host: what ran, over which path, how it
 * was verified); "Fixed at boot" is lvs-route installed as a boot script for the realserver's init, with Install / Remove
 * (realservers.bootRoute, previewed the same way). Then display manager, telnet, load and users.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MethodOutput } from '../../../shared/api/contract.ts';
import type { AppErrorData } from '../../../shared/result.ts';
import { useApi } from '../../app/api-context.tsx';
import { useAppState } from '../../app/app-state.tsx';
import { Dialog } from '../../app/dialog.tsx';
import { ErrorBox } from '../../app/error-box.tsx';
import { num } from '../../app/format.ts';
import { NeedCluster } from '../../app/need-cluster.tsx';
import { PlanSteps } from '../director/plan-view.tsx';

type Check = MethodOutput<'realservers.check'>[number];
type FixResult = MethodOutput<'realservers.routeFix'>[number];
type BootResult = MethodOutput<'realservers.bootRoute'>[number];

/** One change dialog: route fix or install/uninstall at boot, for one realserver or all. */
type Change = { kind: 'route'; name?: string } | { kind: 'boot'; op: 'install' | 'uninstall'; name?: string };
type Outcome = FixResult | BootResult;

/** The Realservers screen. */
export function RealserversPage() {
  const { selected } = useAppState();
  if (!selected) return <NeedCluster title="Realservers" />;
  return <Realservers key={selected.id} />;
}

/** Each realserver's check, loaded independently (a row fills in as soon as its own answer comes). */
function useRowChecks(clusterId: string, names: string[]) {
  const api = useApi();
  const [rows, setRows] = useState<Record<string, { data?: Check; error?: AppErrorData; loading: boolean }>>({});
  // The latest request per realserver: an older answer arriving late never overwrites a newer one.
  const gen = useRef(new Map<string, number>());
  const namesKey = names.join('\n');
  const load = useCallback(
    (only?: string) => {
      for (const name of only ? [only] : namesKey.split('\n').filter(Boolean)) {
        const mine = (gen.current.get(name) ?? 0) + 1;
        gen.current.set(name, mine);
        setRows((r) => ({ ...r, [name]: { ...r[name], loading: true } }));
        void api.call('realservers.check', { clusterId, name }).then((res) => {
          if (mine !== gen.current.get(name)) return;
          const data = res.ok ? res.value.find((c) => c.name === name) : undefined;
          setRows((r) => ({ ...r, [name]: res.ok ? { loading: false, ...(data ? { data } : {}) } : { loading: false, error: res.error } }));
        });
      }
    },
    [api, clusterId, namesKey],
  );
  useEffect(() => load(), [load]);
  return { rows, load, loading: Object.values(rows).some((r) => r.loading) };
}

function Realservers() {
  const api = useApi();
  const cluster = useAppState().selected!;
  const names = cluster.realservers.map((r) => r.name ?? r.host);
  const checks = useRowChecks(cluster.id, names);
  const [dlg, setDlg] = useState<{ change: Change; preview?: Outcome[]; result?: Outcome[]; error?: AppErrorData; running?: boolean }>();

  const title = (c: Change) => (c.kind === 'route' ? `Fix the routes of ${c.name ?? 'every realserver'}` : `${c.op === 'install' ? 'Install' : 'Remove'} lvs-route at boot on ${c.name ?? 'every realserver'}`);
  const call = (c: Change, dryRun: boolean, fingerprint?: string) =>
    c.kind === 'route'
      ? api.call('realservers.routeFix', { clusterId: cluster.id, ...(c.name ? { name: c.name } : {}), dryRun, ...(fingerprint ? { fingerprint } : {}) })
      : api.call('realservers.bootRoute', { clusterId: cluster.id, ...(c.name ? { name: c.name } : {}), op: c.op, dryRun, ...(fingerprint ? { fingerprint } : {}) });
  const preview = async (change: Change) => {
    setDlg({ change });
    const r = await call(change, true);
    setDlg(r.ok ? { change, preview: r.value } : { change, error: r.error });
  };
  const apply = async () => {
    if (!dlg?.preview) return;
    const { change } = dlg;
    setDlg({ ...dlg, running: true });
    // Each realserver runs exactly what its preview showed (its fingerprint); one whose plan changed is refused alone.
    const results = await Promise.all(
      dlg.preview.map(async (p): Promise<Outcome> => {
        if (p.steps.length === 0 && !p.error) return { ...p, applied: false };
        const r = await call({ ...change, name: p.name }, false, p.fingerprint);
        return r.ok ? r.value[0]! : { ...p, applied: false, steps: [], error: r.error };
      }),
    );
    setDlg({ change, result: results });
    checks.load();
  };

  return (
    <section aria-labelledby="rs-h">
      <div className="toolbar">
        <h1 id="rs-h" tabIndex={-1}>
          Realservers <span className="muted">· {cluster.name}</span>
        </h1>
        <span className="spacer" />
        <button type="button" onClick={() => void preview({ kind: 'boot', op: 'install' })}>
          Install at boot on all…
        </button>
        <button type="button" className="primary" onClick={() => checks.load()} disabled={checks.loading}>
          {checks.loading ? 'Checking…' : 'Check all again'}
        </button>
      </div>
      <p className="muted">
        Each realserver must route its replies through the director (the seed&apos;s lvs-route: no subnet route, a host route to the director,
        default via the director) — now, and again after every reboot (lvs-route installed as a boot script) — run a display manager for XDMCP
        and accept telnet.
      </p>
      <table className="table" data-testid="realservers-table">
        <thead>
          <tr>
            <th scope="col">Realserver</th>
            <th scope="col">OS</th>
            <th scope="col">Fixed now</th>
            <th scope="col">Fixed at boot</th>
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
          {cluster.realservers.map((rs) => {
            const name = rs.name ?? rs.host;
            const row = checks.rows[name];
            return (
              <Row
                key={name}
                name={name}
                host={rs.host}
                state={row}
                onRetry={() => checks.load(name)}
                onFix={() => void preview({ kind: 'route', name })}
                onBoot={(op) => void preview({ kind: 'boot', op, name })}
              />
            );
          })}
        </tbody>
      </table>
      <Dialog
        open={dlg !== undefined}
        wide
        title={dlg ? title(dlg.change) : ''}
        onClose={() => setDlg(undefined)}
        actions={
          dlg?.preview && !dlg.result ? (
            <>
              <button type="button" onClick={() => setDlg(undefined)} autoFocus>
                Cancel
              </button>
              <button type="button" className="primary" disabled={dlg.running || dlg.preview.every((p) => p.steps.length === 0)} onClick={() => void apply()}>
                {dlg.running ? 'Applying…' : 'Confirm and apply'}
              </button>
            </>
          ) : (
            <button type="button" onClick={() => setDlg(undefined)} autoFocus>
              Close
            </button>
          )
        }
      >
        {dlg && !dlg.preview && !dlg.result && !dlg.error && <p className="muted">Planning…</p>}
        {dlg?.preview && !dlg.result && (
          <>
            <p>These commands will run. Nothing has run yet.</p>
            {dlg.preview.map((p) => (
              <div key={p.name} data-preview={p.name}>
                <h3>{p.name}</h3>
                <PathNote o={p} />
                {p.steps.length === 0 && !p.error ? <p className="notice">{p.name}: nothing to do.</p> : <PlanSteps steps={p.steps} />}
                <ErrorBox error={p.error} />
              </div>
            ))}
          </>
        )}
        {dlg?.result && dlg.result.map((p) => <OutcomeView key={p.name} o={p} />)}
        <ErrorBox error={dlg?.error} />
      </Dialog>
    </section>
  );
}

/** How the console reaches the realserver (route fix only). */
function PathNote({ o }: { o: Outcome }) {
  if (!('path' in o) || !o.path) return null;
  return (
    <p className="muted small">
      Reached {o.path.via === 'via-director' ? 'through the director' : 'directly'}
      {o.path.peer ? `; its SSH session comes from ${o.path.peer}` : ''}.
    </p>
  );
}

/** What really happened on one realserver. */
function OutcomeView({ o }: { o: Outcome }) {
  const ran = o.ran ?? [];
  const verified = 'after' in o && o.after ? (o.op === 'install' ? (o.after.current ? 'installed and current (probed again)' : `not current: ${o.after.problems.join('; ')}`) : o.after.installed ? 'still installed?' : 'removed (probed again)') : undefined;
  return (
    <div data-outcome={o.name}>
      <p className="notice">
        {o.error ? (ran.length ? `Partly applied on ${o.name}: ${ran.length} command(s) ran before the error.` : `Nothing applied on ${o.name}.`) : o.applied ? `Applied on ${o.name}.` : `Nothing to do on ${o.name}.`}
        {!o.error && o.applied && (verified ? ` Verified: ${verified}.` : ' The check was run again.')}
      </p>
      {ran.length > 0 && (
        <ol className="plan">
          {ran.map((c, i) => (
            <li key={i}>
              <pre className="command">{c}</pre>
            </li>
          ))}
        </ol>
      )}
      {'notes' in o && o.notes?.map((n, i) => <p key={i} className="muted small">{n}</p>)}
      <ErrorBox error={o.error} />
    </div>
  );
}

function Row({ name, host, state, onFix, onBoot, onRetry }: { name: string; host: string; state?: { data?: Check; error?: AppErrorData; loading: boolean }; onFix: () => void; onBoot: (op: 'install' | 'uninstall') => void; onRetry: () => void }) {
  const head = (
    <th scope="row">
      {name}
      <div className="muted small">{host}</div>
    </th>
  );
  const c = state?.data;
  if (!c) {
    return (
      <tr data-rs={name}>
        {head}
        <td colSpan={7}>{state?.error ? <ErrorBox error={state.error} onRetry={onRetry} /> : <span className="muted">Checking…</span>}</td>
      </tr>
    );
  }
  if (!c.reachable) {
    return (
      <tr data-rs={name}>
        {head}
        <td colSpan={7}>
          <ErrorBox error={c.error ?? { code: 'CONNECT_FAILED', message: `${c.host} did not answer`, host: c.host }} onRetry={onRetry} />
        </td>
      </tr>
    );
  }
  return (
    <tr data-rs={name}>
      {head}
      <td>{c.os}</td>
      <td data-col="fixed-now">
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
      <td data-col="fixed-at-boot">
        {c.boot === undefined ? (
          <span className="muted" title={c.bootError}>
            unknown{c.bootError ? `: ${c.bootError}` : ''}
          </span>
        ) : c.boot.current ? (
          <div>
            <span className="health health-up">installed</span> <span className="muted small">({c.boot.kind})</span>
            <div>
              <button type="button" onClick={() => onBoot('uninstall')}>
                Remove…
              </button>
            </div>
          </div>
        ) : (
          <div>
            <span className="health health-down">{c.boot.installed ? 'stale' : 'not installed'}</span> <span className="muted small">({c.boot.kind})</span>
            {c.boot.installed && (
              <ul className="problems">
                {c.boot.problems.map((p, i) => (
                  <li key={i}>{p}</li>
                ))}
              </ul>
            )}
            <div>
              <button type="button" className="primary" onClick={() => onBoot('install')}>
                Install at boot…
              </button>
            </div>
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

/**
 * Realservers: the seed's per-realserver checks, one row per realserver. Check all (realservers.check with an opId)
 * fills each row as soon as that realserver answers (its ops.progress event carries the row), so one that does not
 * answer never blanks the others; it shows each host's progress and can stop waiting. "Fixed now" is the live lvs-route
 * check with Fix / Fix all routes; "Fixed at boot" is lvs-route installed as a boot script for the realserver's init,
 * with Install / Remove. Every change is previewed, confirmed (each realserver runs exactly its preview: per-host
 * fingerprints), run one realserver after the other (Cancel stops between hosts, never inside one), then reported per
 * host: what ran, over which path, how it was verified. Realservers whose host key is new are gathered in one dialog
 * (opened on request, never by itself); a row updates as soon as its key is trusted.
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
import { useClusterHealth, type HealthEntry } from '../../app/use-health.ts';
import { HealthCell } from './health-cell.tsx';
import { HostKeysDialog, type NewKey } from './host-keys-dialog.tsx';

type Check = MethodOutput<'realservers.check'>[number];
type FixResult = MethodOutput<'realservers.routeFix'>[number];
type BootResult = MethodOutput<'realservers.bootRoute'>[number];
type RowState = { data?: Check; error?: AppErrorData; loading: boolean };

/** One change dialog: route fix or install/uninstall at boot, for some realservers. */
type Change = { kind: 'route'; names: string[] } | { kind: 'boot'; op: 'install' | 'uninstall'; names: string[] };
type Outcome = FixResult | BootResult;
type Dlg = { change: Change; title: string; preview?: Outcome[]; result?: Outcome[]; error?: AppErrorData; running?: boolean };

/** The Realservers screen. */
export function RealserversPage() {
  const { selected } = useAppState();
  if (!selected) return <NeedCluster title="Realservers" />;
  return <Realservers key={selected.id} />;
}

function Realservers() {
  const api = useApi();
  const cluster = useAppState().selected!;
  const names = cluster.realservers.map((r) => r.name ?? r.host);
  const { health } = useClusterHealth(cluster.id);
  const [rows, setRows] = useState<Record<string, RowState>>({});
  const [error, setError] = useState<AppErrorData>();
  const check = useHostOperation();
  const changeOp = useHostOperation();
  const [dlg, setDlg] = useState<Dlg>();
  const [reviewing, setReviewing] = useState(false);
  const opener = useOpener();
  const gone = useRef(false);
  useEffect(() => () => void (gone.current = true), []);
  // The latest request per realserver: an older answer arriving late never overwrites a newer one.
  const gen = useRef(new Map<string, number>());
  const bump = (name: string) => {
    const mine = (gen.current.get(name) ?? 0) + 1;
    gen.current.set(name, mine);
    return mine;
  };

  // Check all: each row fills in from its own progress event, as soon as that realserver has answered.
  useEffect(() => {
    for (const h of check.hosts) {
      if (!h?.row) continue;
      const row = h.row;
      setRows((r) => (r[row.name]?.data === row && !r[row.name]?.loading ? r : { ...r, [row.name]: { loading: false, data: row } }));
    }
  }, [check.hosts]);

  /** Checks every realserver (interactive: the director's own unknown key asks, as everywhere). */
  const checkAll = useCallback(async () => {
    const opId = check.start();
    setError(undefined);
    for (const n of names) bump(n);
    setRows((r) => Object.fromEntries(names.map((n) => [n, { ...r[n], loading: true }])));
    const res = await api.call('realservers.check', { clusterId: cluster.id, opId });
    check.finish();
    if (gone.current) return;
    if (!res.ok) {
      setError(res.error);
      setRows((r) => Object.fromEntries(Object.entries(r).map(([n, s]) => [n, { ...s, loading: false }])));
      return;
    }
    setRows((r) => {
      const next = { ...r };
      for (const c of res.value) next[c.name] = c.error?.code === 'CANCELLED' ? { ...r[c.name], loading: false, error: c.error } : { loading: false, data: c };
      return next;
    });
  }, [api, cluster.id, check.start, check.finish, names.join('\n')]);

  /** Checks one realserver again and replaces its row (after its key was trusted, or its routes fixed). */
  const recheck = useCallback(
    async (name: string) => {
      const mine = bump(name);
      setRows((r) => ({ ...r, [name]: { ...r[name], loading: true } }));
      const res = await api.call('realservers.check', { clusterId: cluster.id, name }, { interactive: false });
      if (gone.current || mine !== gen.current.get(name)) return;
      const data = res.ok ? res.value.find((c) => c.name === name) : undefined;
      setRows((r) => ({ ...r, [name]: res.ok ? { loading: false, ...(data ? { data } : {}) } : { loading: false, error: res.error } }));
    },
    [api, cluster.id],
  );

  useEffect(() => {
    void checkAll();
  }, [checkAll]);

  const known = names.map((n) => rows[n]?.data).filter((c): c is Check => c !== undefined);
  const newKeys: NewKey[] = known.flatMap((c) => {
    const d = c.error ? hostKeyDetail(c.error) : undefined;
    return d ? [{ name: c.name, detail: d }] : [];
  });
  const wrongRoutes = known.filter((c) => c.reachable && c.route && !c.route.ok).map((c) => c.name);
  const notAtBoot = known.filter((c) => c.reachable && c.boot && !c.boot.current).map((c) => c.name);

  const titleOf = (c: Change) => {
    const who = c.names.length === 1 ? c.names[0]! : `${c.names.length} realservers`;
    return c.kind === 'route' ? `Fix the routes of ${who}` : `${c.op === 'install' ? 'Install' : 'Remove'} lvs-route at boot on ${who}`;
  };
  const call = (c: Change, dryRun: boolean, extra: { name?: string; fingerprints?: Record<string, string>; opId?: string }) =>
    c.kind === 'route'
      ? api.call('realservers.routeFix', { clusterId: cluster.id, dryRun, ...extra })
      : api.call('realservers.bootRoute', { clusterId: cluster.id, op: c.op, dryRun, ...extra });

  /** Previews the change on each named realserver (in parallel: previews only read). */
  const preview = async (change: Change) => {
    opener.remember();
    const title = titleOf(change);
    setDlg({ change, title });
    const all = await Promise.all(change.names.map((name) => call(change, true, { name })));
    if (gone.current) return;
    const failed = all.find((r) => !r.ok);
    if (failed && !failed.ok) return setDlg({ change, title, error: failed.error });
    setDlg({ change, title, preview: all.flatMap((r) => (r.ok ? (r.value as Outcome[]) : [])) });
  };
  /** Runs what was previewed: one realserver after the other, each exactly its preview; Cancel stops between hosts. */
  const apply = async (d: Dlg) => {
    if (!d.preview) return;
    const todo = d.preview.filter((p) => p.fingerprint && p.steps.length > 0 && !p.error);
    const fingerprints = Object.fromEntries(todo.map((p) => [p.name, p.fingerprint!]));
    setDlg({ ...d, running: true });
    const opId = changeOp.start();
    const res = await call(d.change, false, d.change.names.length === 1 ? { name: d.change.names[0]!, fingerprints, opId } : { fingerprints, opId });
    changeOp.finish();
    if (gone.current) return;
    const byName = new Map(res.ok ? (res.value as Outcome[]).map((o) => [o.name, o]) : []);
    const result = d.preview.map((p): Outcome => byName.get(p.name) ?? { ...p, steps: [], applied: false });
    setDlg(res.ok ? { ...d, running: false, result } : { ...d, running: false, error: res.error });
    for (const n of d.change.names) void recheck(n);
    focusWhenReady('[data-testid="fix-result"]');
  };
  const close = () => {
    setDlg(undefined);
    opener.restore();
  };

  const checking = check.running;
  const many = (dlg?.change.names.length ?? 0) > 1;
  const what = dlg?.change.kind === 'route' ? 'Fixing routes' : 'Changing lvs-route at boot';
  return (
    <section aria-labelledby="rs-h">
      <div className="toolbar">
        <h1 id="rs-h" tabIndex={-1}>
          Realservers <span className="muted">· {cluster.name}</span>
        </h1>
        <span className="spacer" />
        {wrongRoutes.length > 1 && (
          <button type="button" disabled={checking} onClick={() => void preview({ kind: 'route', names: wrongRoutes })}>
            Fix all routes…
          </button>
        )}
        {notAtBoot.length > 1 && (
          <button type="button" disabled={checking} onClick={() => void preview({ kind: 'boot', op: 'install', names: notAtBoot })}>
            Install at boot on all…
          </button>
        )}
        <button type="button" className="primary" onClick={() => void checkAll()} disabled={checking}>
          {checking ? 'Checking…' : 'Check all again'}
        </button>
      </div>
      <p className="muted">
        Each realserver must route its replies through the director (the seed&apos;s lvs-route: no subnet route, a host route to the director,
        default via the director) — now, and again after every reboot (lvs-route installed as a boot script) — run a display manager for XDMCP
        and accept telnet.
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
      {names.length > 0 && (
        <TableScroll label="Realservers">
          <table className="table" data-testid="realservers-table">
            <thead>
              <tr>
                <th scope="col">Realserver</th>
                <th scope="col">Health</th>
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
                return (
                  <Row
                    key={name}
                    name={name}
                    host={rs.host}
                    state={rows[name]}
                    health={health?.entries}
                    onRetry={() => void recheck(name)}
                    onFix={() => void preview({ kind: 'route', names: [name] })}
                    onBoot={(op) => void preview({ kind: 'boot', op, names: [name] })}
                  />
                );
              })}
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
        open={dlg !== undefined}
        wide
        title={dlg?.title ?? ''}
        onClose={dlg?.running ? () => changeOp.cancel() : close}
        actions={
          dlg?.preview && !dlg.result ? (
            <>
              {dlg.running ? (
                <button type="button" onClick={changeOp.cancel} disabled={changeOp.cancelling || !many} autoFocus>
                  {changeOp.cancelling ? 'Cancelling…' : 'Cancel the rest'}
                </button>
              ) : (
                <button type="button" onClick={close} autoFocus>
                  Cancel
                </button>
              )}
              <button type="button" className="primary" disabled={dlg.running || dlg.preview.every((p) => p.steps.length === 0)} onClick={() => void apply(dlg)}>
                {dlg.running ? 'Applying…' : 'Confirm and apply'}
              </button>
            </>
          ) : (
            <button type="button" onClick={close} autoFocus>
              Close
            </button>
          )
        }
      >
        {dlg && !dlg.preview && !dlg.result && !dlg.error && <p className="muted">Planning…</p>}
        {dlg?.preview && !dlg.result && (
          <>
            <p>
              These commands will run on {many ? `${dlg.change.names.length} realservers, one after the other` : 'the realserver'}. Nothing has run yet.
              {many && ' Cancel stops before the next realserver: one already being changed finishes its change.'}
            </p>
            {dlg.running && <HostProgressList op={changeOp} what={what} cancelNote="Stops before the next realserver; the one being changed finishes" />}
            {dlg.preview.map((p) => (
              <div key={p.name} data-preview={p.name}>
                {many && <h3 className="small-heading">{p.name}</h3>}
                <PathNote o={p} />
                {p.steps.length === 0 && !p.error ? <p className="notice">{p.name}: nothing to do.</p> : <PlanSteps steps={p.steps} />}
                <ErrorBox error={p.error} />
              </div>
            ))}
          </>
        )}
        {dlg?.result && (
          <div data-testid="fix-result" tabIndex={-1}>
            {many && <HostProgressList op={changeOp} what={what} cancelNote="" />}
            {dlg.result.map((p) => (
              <OutcomeView key={p.name} o={p} />
            ))}
          </div>
        )}
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
        {o.error?.code === 'CANCELLED'
          ? `Not started on ${o.name}: cancelled. Nothing was changed there.`
          : o.error
            ? ran.length
              ? `Partly applied on ${o.name}: ${ran.length} command(s) ran before the error.`
              : `Nothing applied on ${o.name}.`
            : o.applied
              ? `Applied on ${o.name}.`
              : `Nothing to do on ${o.name}.`}
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
      {o.error?.code !== 'CANCELLED' && <ErrorBox error={o.error} />}
    </div>
  );
}

function Row({ name, host, state, health, onFix, onBoot, onRetry }: { name: string; host: string; state?: { data?: Check; error?: AppErrorData; loading: boolean }; health: readonly HealthEntry[] | undefined; onFix: () => void; onBoot: (op: 'install' | 'uninstall') => void; onRetry: () => void }) {
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
        <td>
          <HealthCell entries={health} realserver={name} />
        </td>
        <td colSpan={7}>{state?.error ? <ErrorBox error={state.error} onRetry={onRetry} /> : <span className="muted">Checking…</span>}</td>
      </tr>
    );
  }
  if (!c.reachable) {
    return (
      <tr data-rs={name}>
        {head}
        <td>
          <HealthCell entries={health} realserver={name} />
        </td>
        <td colSpan={7}>
          <ErrorBox error={c.error ?? { code: 'CONNECT_FAILED', message: `${c.host} did not answer`, host: c.host }} onRetry={onRetry} />
        </td>
      </tr>
    );
  }
  return (
    <tr data-rs={name}>
      {head}
      <td>
        <HealthCell entries={health} realserver={name} />
      </td>
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

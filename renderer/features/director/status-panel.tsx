/**
 * The Director page's state of the cluster: the status strip (Stopped, or the VIP, forwarding and drift pills), the
 * "Stopped" notice with Start, and the drift: differences a reconcile fixes under the heading "Drift" (never together
 * with "Matches the profile"), and what only needs knowing (destinations still draining, other VIPs' services) apart.
 */
import type { MethodOutput } from '../../../shared/api/contract.ts';
import type { Cluster } from '../../../shared/model/cluster.ts';
import { clock } from '../../app/format.ts';
import { runState, splitDrift } from './cluster-state.ts';

type Status = MethodOutput<'director.status'>;

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/** The strip above the table. */
export function StatusStrip({ cluster, status, loading, onRefresh }: { cluster: Cluster; status: Status | undefined; loading: boolean; onRefresh: () => void }) {
  const s = status;
  const stopped = s ? runState(s) === 'stopped' : false;
  const { differences, notes } = s ? splitDrift(s.drift) : { differences: [], notes: [] };
  const draining = notes.filter((d) => d.kind === 'draining').length;
  const foreign = notes.length - draining;
  return (
    <div className="status-strip" data-testid="status-strip">
      {s ? (
        <>
          {stopped ? (
            <span className="pill pill-neutral" data-testid="run-state">
              Stopped
            </span>
          ) : (
            <>
              <span className={`pill ${s.vipUp ? 'pill-ok' : 'pill-bad'}`}>
                VIP {cluster.vip} {s.vipUp ? 'up' : 'down'}{s.pair && s.pair.vipOn.length === 1 ? ` on ${s.pair.vipOn[0]}` : ''}
              </span>
              <span className={`pill ${s.forwarding ? 'pill-ok' : 'pill-bad'}`}>IP forwarding {s.forwarding ? 'on' : 'off'}</span>
              <span className={`pill ${differences.length ? 'pill-warn' : 'pill-ok'}`} data-testid="drift-pill">
                {differences.length ? `Drift: ${plural(differences.length, 'difference')} from the profile` : 'Matches the profile'}
              </span>
            </>
          )}
          {draining > 0 && <span className="pill pill-info">{plural(draining, 'destination')} draining</span>}
          {foreign > 0 && <span className="pill pill-info">{plural(foreign, 'service')} of other VIPs (left alone)</span>}
          <span className="muted">observed {clock(s.observedAt)}</span>
        </>
      ) : (
        <span className="muted">{loading ? 'Reading the live table…' : 'No live data yet.'}</span>
      )}
      <span className="spacer" />
      <button type="button" onClick={onRefresh} disabled={loading}>
        Refresh
      </button>
    </div>
  );
}

/** "Stopped" with Start: a cluster never started or just stopped. */
export function StoppedNotice({ cluster, busy, onStart }: { cluster: Cluster; busy: boolean; onStart: () => void }) {
  return (
    <section className="panel stopped" aria-labelledby="stopped-h" data-testid="stopped">
      <div className="toolbar">
        <h2 id="stopped-h">Stopped</h2>
        <span className="spacer" />
        <button type="button" className="primary" disabled={busy} onClick={onStart}>
          Start…
        </button>
      </div>
      <p>
        The VIP {cluster.vip} is down and the director holds none of this cluster&apos;s services. Start brings up the VIP, turns on forwarding
        and builds the table from the profile ({plural(cluster.tcp.length + cluster.udp.length, 'service')}, {plural(cluster.realservers.filter((r) => r.enabled).length, 'enabled realserver')}); you see the commands first.
      </p>
    </section>
  );
}

/** The drift of a running cluster: differences with Reconcile, and notes. Nothing when it matches. */
export function DriftPanel({ status, busy, onReconcile }: { status: Status; busy: boolean; onReconcile: () => void }) {
  if (runState(status) === 'stopped') return null;
  const { differences, notes } = splitDrift(status.drift);
  return (
    <>
      {differences.length > 0 && (
        <section className="panel drift" aria-labelledby="drift-h">
          <div className="toolbar">
            <h2 id="drift-h">Drift — {plural(differences.length, 'difference')}</h2>
            <span className="spacer" />
            <button type="button" className="primary" disabled={busy} onClick={onReconcile}>
              Reconcile…
            </button>
          </div>
          <ul className="drift-list" data-testid="drift-list">
            {differences.map((d, i) => (
              <li key={i}>
                <span className={`tag tag-${d.kind}`}>{d.kind}</span> <strong>{d.what}</strong> <span className="muted">{d.detail}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {notes.length > 0 && (
        <section className="panel" aria-labelledby="notes-h">
          <h2 id="notes-h">Draining and other VIPs&apos; services</h2>
          <ul className="drift-list" data-testid="drift-notes">
            {notes.map((d, i) => (
              <li key={i}>
                <span className={`tag tag-${d.kind}`}>{d.kind}</span> <strong>{d.what}</strong> <span className="muted">{d.detail}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

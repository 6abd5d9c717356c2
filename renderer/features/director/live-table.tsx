/**
 * The live IPVS table: one block per virtual service, one row per realserver with weight, ActiveConn, InActConn, health
 * and CPS, and the per-realserver actions (drain, disable, enable, set weight: each previewed before it runs; from a row, a
 * drain/disable/enable is for that service unless the preview is switched to every service). A row says what the profile
 * holds when it does not want the realserver there. Other VIPs' services are shown as theirs, without actions. Profile
 * realservers missing from the table (disabled or not started) are listed with an Enable button.
 */
import { useState } from 'react';
import type { MethodOutput } from '../../../shared/api/contract.ts';
import type { Cluster } from '../../../shared/model/cluster.ts';
import { num } from '../../app/format.ts';
import { TableScroll } from '../../app/table-scroll.tsx';
import { serviceKeyOf } from './cluster-state.ts';

/** Live director status. */
export type Status = MethodOutput<'director.status'>;
/** A per-realserver action. */
export type RsAction = { kind: 'drain' | 'disable' | 'enable' } | { kind: 'weight'; weight: number };

/**
 * The realserver id the director methods take (they accept a profile name or host): the name the table row carries (the
 * main side resolves host names), else the profile entry whose host is this address, else the address itself.
 */
export function realserverRef(cluster: Cluster, address: string, tableName?: unknown): { ref: string; label: string } {
  const byName = typeof tableName === 'string' ? cluster.realservers.find((r) => (r.name ?? r.host) === tableName) : undefined;
  const rs = byName ?? cluster.realservers.find((r) => r.host === address || r.name === address);
  if (rs) return { ref: rs.name ?? rs.host, label: rs.name ?? rs.host };
  return typeof tableName === 'string' ? { ref: tableName, label: tableName } : { ref: address, label: address };
}

/** One (service, realserver) health entry. */
export type HealthEntry = NonNullable<Status['serviceHealth']>[number];

/** The health of one realserver in ONE service (the row's): the live entries when given, else the status's. */
function healthOf(status: Status, health: readonly HealthEntry[] | undefined, service: string | undefined, name: string): { state: 'up' | 'down' | 'unknown'; detail?: string } {
  const e = service ? (health ?? status.serviceHealth)?.find((x) => x.service === service && x.realserver === name) : undefined;
  if (e) return { state: e.state, detail: e.detail };
  return { state: service ? 'unknown' : (status.health[name] ?? 'unknown') };
}

function WeightEditor({ current, label, busy, onSet }: { current: number; label: string; busy: boolean; onSet: (w: number) => void }) {
  const [v, setV] = useState(String(current));
  const n = Number(v);
  const valid = /^\d+$/.test(v) && n <= 65535;
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) onSet(n);
      }}
    >
      <input aria-label={`New weight for ${label}`} className="weight-input" inputMode="numeric" value={v} onChange={(e) => setV(e.target.value)} aria-invalid={!valid || undefined} />
      <button type="submit" disabled={!valid || busy || n === current}>
        Set
      </button>
    </form>
  );
}

/** A row's service: its reference for the edit methods ("tcp/23") and its label ("TCP 10.0.0.100:23"). */
export interface RowService {
  ref: string;
  label: string;
}

/** What the profile says about a realserver in one service, when it does not want it there (disabled, or excluded from it). */
function profileSays(cluster: Cluster, ref: string, service: string): string | undefined {
  const rs = cluster.realservers.find((r) => (r.name ?? r.host) === ref || r.host === ref);
  if (!rs) return 'not in the profile';
  if (!rs.enabled) return 'disabled in the profile';
  if (rs.exclude?.includes(service)) return `drained or disabled here in the profile`;
  return undefined;
}

/**
 * The table. `busy` set: every action waits (one change at a time). `stopped`: the cluster is stopped (the page offers
 * Start), so realservers missing from the empty table are not listed one by one.
 */
export function LiveTable({
  cluster,
  status,
  stopped,
  busy,
  onAction,
  health,
}: {
  cluster: Cluster;
  status: Status;
  stopped: boolean;
  busy: string | undefined;
  /** Live health per (service, realserver) (the cluster.health event), newer than the status's. */
  health?: readonly HealthEntry[] | undefined;
  onAction: (rs: string, label: string, a: RsAction, service?: RowService) => void;
}) {
  const foreign = new Set(status.drift.filter((d) => d.kind === 'foreign').map((d) => d.what));
  const inTable = new Set(status.table.services.flatMap((s) => s.destinations.flatMap((d) => [d.address, ...(typeof d.name === 'string' ? [d.name] : [])])));
  const missing = cluster.realservers.filter((r) => !inTable.has(r.host) && !inTable.has(r.name ?? r.host));
  return (
    <div className="live-table">
      {status.table.services.length === 0 && <p className="notice">The director has no virtual services. Start the cluster to create them.</p>}
      {status.table.services.map((svc) => {
        const title = svc.protocol === 'fwmark' ? `FWM ${svc.fwmark}` : `${svc.protocol.toUpperCase()} ${svc.family === 'inet6' ? `[${svc.address}]` : svc.address}:${svc.port}`;
        const theirs = foreign.has(serviceKeyOf(svc));
        const rowService: RowService | undefined = svc.protocol === 'tcp' || svc.protocol === 'udp' ? { ref: `${svc.protocol}/${svc.port}`, label: title } : undefined;
        return (
          <TableScroll key={title} label={title} focusable={theirs}>
          <table className={`table${theirs ? ' foreign' : ''}`} data-testid="live-service" data-foreign={theirs || undefined}>
            <caption>
              <strong>{title}</strong> · {svc.scheduler}
              {svc.persistent ? ` · persistent ${svc.persistent.timeout} s` : ''}
              {theirs && <span className="muted"> · another VIP's service: not this profile's, left alone</span>}
            </caption>
            <thead>
              <tr>
                <th scope="col">Realserver</th>
                <th scope="col">Forward</th>
                <th scope="col" className="numeric">
                  Weight
                </th>
                <th scope="col" className="numeric">
                  ActiveConn
                </th>
                <th scope="col" className="numeric">
                  InActConn
                </th>
                <th scope="col">Health</th>
                <th scope="col" className="numeric">
                  CPS
                </th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {svc.destinations.length === 0 && (
                <tr>
                  <td colSpan={8} className="muted">
                    No realservers under this service.
                  </td>
                </tr>
              )}
              {svc.destinations.map((d) => {
                const { ref, label } = realserverRef(cluster, d.address, d.name);
                const h = healthOf(status, health, rowService?.ref, label);
                // The sampler's rate from the growth of this destination's connection counter (absent until two samples).
                const cps = typeof d.cps === 'number' ? d.cps : undefined;
                const isBusy = busy !== undefined;
                const says = !theirs && rowService ? profileSays(cluster, ref, rowService.ref) : undefined;
                return (
                  <tr key={`${d.address}:${d.port}`} data-rs={label} className={d.weight === 0 ? 'quiesced' : undefined}>
                    <th scope="row">
                      {label}
                      <div className="muted small">
                        {d.address}:{d.port}
                      </div>
                      {says && (
                        <div className="small" data-testid="profile-says">
                          {says}
                        </div>
                      )}
                    </th>
                    <td>{d.forward}</td>
                    <td className="numeric" data-col="weight">
                      {d.weight}
                      {d.weight === 0 && <span className="tag">draining</span>}
                    </td>
                    <td className="numeric" data-col="active">
                      {num(d.activeConns)}
                    </td>
                    <td className="numeric">{num(d.inactiveConns)}</td>
                    <td>
                      <span className={`health health-${h.state}`} data-testid="health" title={h.detail}>
                        {h.state}
                      </span>
                    </td>
                    <td className="numeric" data-col="cps">
                      {num(cps, 1)}
                    </td>
                    <td className="actions">
                      {!theirs && (
                        <>
                          <button type="button" disabled={isBusy || d.weight === 0} onClick={() => onAction(ref, label, { kind: 'drain' }, rowService)} title="Weight 0 in this service (or every service: you choose in the preview), then removed when its connections reach zero">
                            Drain…
                          </button>
                          <button type="button" disabled={isBusy} onClick={() => onAction(ref, label, { kind: 'disable' }, rowService)} title="Remove from this service (or every service) now and mark it in the profile">
                            Disable…
                          </button>
                          {says && (
                            <button type="button" disabled={isBusy} onClick={() => onAction(ref, label, { kind: 'enable' }, rowService)} title="Back in the profile for this service (or every service)">
                              Enable…
                            </button>
                          )}
                          <WeightEditor key={d.weight} current={d.weight} label={label} busy={isBusy} onSet={(w) => onAction(ref, label, { kind: 'weight', weight: w })} />
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          </TableScroll>
        );
      })}
      {missing.length > 0 && !stopped && (
        <TableScroll label="In the profile but not in the live table">
          <table className="table" data-testid="not-in-table">
            <caption>In the profile but not in the live table</caption>
            <tbody>
              {missing.map((r) => (
                <tr key={r.host} data-rs={r.name ?? r.host}>
                  <th scope="row">
                    {r.name ?? r.host}
                    <div className="muted small">{r.host}</div>
                  </th>
                  {r.enabled ? (
                    <td colSpan={2}>enabled in the profile, missing from the table: Reconcile (in Drift above) adds it</td>
                  ) : (
                    <>
                      <td>disabled in the profile</td>
                      <td className="actions">
                        <button type="button" disabled={busy !== undefined} onClick={() => onAction(r.name ?? r.host, r.name ?? r.host, { kind: 'enable' })}>
                          Enable…
                        </button>
                      </td>
                    </>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </div>
  );
}

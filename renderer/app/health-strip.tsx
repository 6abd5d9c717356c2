/**
 * The health line of every page: for the selected cluster, "rs2 out of telnet and xdmcp since 13:01:13" for each
 * realserver out of something (red), else "every realserver in every checked service" (green), updated the moment the
 * main side pushes a change. In the browser (web host) it also raises a desktop notification for each change when the
 * user allowed them (a button asks once); the desktop app notifies from its main side instead.
 */
import { useEffect, useState } from 'react';
import { clock } from './format.ts';
import { useApi } from './api-context.tsx';
import { useAppState } from './app-state.tsx';
import { useClusterHealth, type HealthChange } from './use-health.ts';

/** "rs2 out of xdmcp (udp/177): no reply within 1 s" / "rs2 back in xdmcp (udp/177)". */
export function changeText(c: HealthChange): string {
  const what = c.label === c.service ? c.service : `${c.label} (${c.service})`;
  return c.to === 'down' ? `${c.realserver} out of ${what}${c.detail ? `: ${c.detail}` : ''}` : `${c.realserver} back in ${what}`;
}

const canNotify = () => typeof Notification !== 'undefined';

/** The strip (renders nothing without a selected cluster). */
export function HealthStrip() {
  const api = useApi();
  const { selected } = useAppState();
  const { health, changes, seq } = useClusterHealth(selected?.id);
  const [permission, setPermission] = useState(() => (canNotify() ? Notification.permission : 'denied'));
  const web = api.raw.transport === 'web';

  useEffect(() => {
    if (!web || !selected || seq === 0 || changes.length === 0 || !canNotify() || Notification.permission !== 'granted') return;
    try {
      new Notification(`${selected.name}: ${changes.length === 1 ? changeText(changes[0]!) : `${changes.length} changes of health`}`, { body: changes.map(changeText).join('\n'), tag: `lvs-health-${selected.id}` });
    } catch {
      // the strip itself says it
    }
  }, [seq]);

  // a director pair's failover: the same desktop notification path (the desktop app notifies from main)
  useEffect(() => {
    if (!web || !selected) return;
    return api.on('cluster.failover', (e) => {
      if (e.clusterId !== selected.id || !canNotify() || Notification.permission !== 'granted') return;
      try {
        new Notification(`${selected.name}: failover to ${e.director}`, { body: e.pair.directors.map((d) => `${d.host}: ${d.role}${d.vip ? ' (VIP)' : ''}`).join('\n'), tag: `lvs-failover-${selected.id}` });
      } catch {
        // the Director page shows it
      }
    });
  }, [api, web, selected?.id]);

  if (!selected) return null;
  const outages = health?.outages ?? [];
  const tracked = new Set(health?.entries.map((e) => e.realserver)).size;
  const tone = health?.error ? 'warn' : outages.length ? 'bad' : health && health.at > 0 ? 'ok' : 'info';
  return (
    <div className={`health-strip health-strip-${tone}`} role="status" aria-live="polite" data-testid="health-strip">
      <span className="health-strip-title">Health</span>
      {!health || health.at === 0 ? (
        <span data-testid="health-none">{health?.error ? `cannot check: ${health.error}` : 'waiting for the first check…'}</span>
      ) : outages.length ? (
        <ul className="health-outages" data-testid="health-outages">
          {outages.map((o) => (
            <li key={o}>{o}</li>
          ))}
        </ul>
      ) : (
        <span data-testid="health-ok">
          {tracked} realserver{tracked === 1 ? '' : 's'} in every checked service
        </span>
      )}
      {health?.error && health.at > 0 && <span className="muted"> · last check failed: {health.error}</span>}
      {health?.pair && (
        <span className="muted small" data-testid="health-pair">
          {' '}
          · {health.pair.directors.map((d) => `${d.host} ${d.role}`).join(', ')}
        </span>
      )}
      {health && health.at > 0 && <span className="muted small">checked {clock(health.at)}</span>}
      <span className="spacer" />
      {web && canNotify() && permission === 'default' && (
        <button type="button" className="small" onClick={() => void Notification.requestPermission().then(setPermission)}>
          Desktop notifications…
        </button>
      )}
    </div>
  );
}

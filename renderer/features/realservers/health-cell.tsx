/**
 * A realserver's health in each service, as the console tracks it live (cluster.health): "telnet up · xdmcp down since
 * 13:01:13", with what the last check said on hover.
 */
import { clock } from '../../app/format.ts';
import type { HealthEntry } from '../../app/use-health.ts';

/** The cell for one realserver (its display name). */
export function HealthCell({ entries, realserver }: { entries: readonly HealthEntry[] | undefined; realserver: string }) {
  const mine = (entries ?? []).filter((e) => e.realserver === realserver);
  if (mine.length === 0) return <span className="muted">not checked yet</span>;
  return (
    <ul className="problems" data-testid="rs-health">
      {mine.map((e) => (
        <li key={e.service} title={e.detail}>
          <span className={`health health-${e.state}`}>
            {e.label} {e.state}
          </span>
          {e.state === 'down' && <span className="muted small"> since {clock(e.since)}</span>}
        </li>
      ))}
    </ul>
  );
}

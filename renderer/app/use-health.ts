/**
 * A cluster's health per (service, realserver), live: read once (`cluster.health`), then replaced by every
 * `cluster.health` event the main side pushes the moment a change is known (no poll). Also keeps the last changes, so a
 * component can say or notify what just happened.
 */
import { useEffect, useState } from 'react';
import type { EventPayload, MethodOutput } from '../../shared/api/contract.ts';
import { useApi } from './api-context.tsx';

/** The health state of a cluster. */
export type ClusterHealth = MethodOutput<'cluster.health'>;
/** One (service, realserver) entry. */
export type HealthEntry = ClusterHealth['entries'][number];
/** One change of health. */
export type HealthChange = EventPayload<'cluster.health'>['transitions'][number];

/** The live health of `clusterId` (undefined until known) and the changes of the last event. */
export function useClusterHealth(clusterId: string | undefined): { health: ClusterHealth | undefined; changes: HealthChange[]; seq: number } {
  const api = useApi();
  const [state, setState] = useState<{ health: ClusterHealth | undefined; changes: HealthChange[]; seq: number }>({ health: undefined, changes: [], seq: 0 });
  useEffect(() => {
    setState({ health: undefined, changes: [], seq: 0 });
    if (!clusterId) return;
    let live = true;
    let evented = false;
    const off = api.on('cluster.health', (e) => {
      if (e.clusterId !== clusterId) return;
      evented = true;
      const { transitions, ...health } = e;
      setState((s) => ({ health, changes: transitions, seq: s.seq + 1 }));
    });
    void api.call('cluster.health', { clusterId }, { interactive: false }).then((r) => {
      if (live && r.ok && !evented) setState((s) => ({ ...s, health: r.value }));
    });
    return () => {
      live = false;
      off();
    };
  }, [api, clusterId]);
  return state;
}

/** The entry of one realserver in one service ("tcp/23", display name), if the console tracks it. */
export function healthFor(entries: readonly HealthEntry[] | undefined, service: string, realserver: string): HealthEntry | undefined {
  return entries?.find((e) => e.service === service && e.realserver === realserver);
}

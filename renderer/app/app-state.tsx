/**
 * App-wide state every screen shares: settings (theme, sample interval), what the main side is (app.info: platform,
 * native dialogs), the cluster list and the selected cluster (kept in the settings, so the app reopens on the cluster
 * last used, in Electron and in the web host alike), the selected cluster's live metrics feed, and the app's own log
 * (app.log events since start, bounded).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import { settingsSchema, type EventPayload, type MethodOutput } from '../../shared/api/contract.ts';
import type { Cluster } from '../../shared/model/cluster.ts';
import type { AppErrorData } from '../../shared/result.ts';
import { MetricsFeed } from '../features/charts/metrics-feed.ts';
import { useApi } from './api-context.tsx';

/** App settings as the main side keeps them. */
export type Settings = MethodOutput<'settings.get'>;
/** One app.log event. */
export type AppLogEntry = EventPayload<'app.log'>;
/** What the main side is. */
export type AppInfo = MethodOutput<'app.info'>;

const APP_LOG_MAX = 1000;

/** The shared state. */
export interface AppState {
  settings: Settings | undefined;
  saveSettings(patch: Partial<Settings>): Promise<AppErrorData | undefined>;
  /** Undefined until the main side answered (or when it could not). */
  info: AppInfo | undefined;
  clusters: Cluster[] | undefined;
  clustersError: AppErrorData | undefined;
  reloadClusters(): Promise<void>;
  selected: Cluster | undefined;
  select(id: string): void;
  feed: MetricsFeed | undefined;
  appLog: AppLogEntry[];
}

const Ctx = createContext<AppState | null>(null);

/** The shared state (inside AppStateProvider). */
export function useAppState(): AppState {
  const s = useContext(Ctx);
  if (!s) throw new Error('useAppState outside AppStateProvider');
  return s;
}

/** Re-renders on every change of the selected cluster's metrics feed; returns the feed. */
export function useFeed(): MetricsFeed | undefined {
  const { feed } = useAppState();
  useSyncExternalStore(feed?.subscribe ?? noopSubscribe, feed?.getVersion ?? zero);
  return feed;
}
const noopSubscribe = () => () => {};
const zero = () => 0;

/** Provides AppState. */
export function AppStateProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [settings, setSettings] = useState<Settings>();
  const [clusters, setClusters] = useState<Cluster[]>();
  const [clustersError, setClustersError] = useState<AppErrorData>();
  const [selectedId, setSelectedId] = useState<string>();
  const [info, setInfo] = useState<AppInfo>();
  const [appLog, setAppLog] = useState<AppLogEntry[]>([]);
  const [feed, setFeed] = useState<MetricsFeed>();

  useEffect(() => {
    // Without stored settings the app still works on the defaults.
    void api.call('settings.get', {}, { interactive: false }).then((r) => setSettings(r.ok ? r.value : settingsSchema.parse({})));
    void api.call('app.info', {}, { interactive: false }).then((r) => r.ok && setInfo(r.value));
    return api.on('app.log', (e) => setAppLog((l) => (l.length >= APP_LOG_MAX ? [...l.slice(l.length - APP_LOG_MAX + 1), e] : [...l, e])));
  }, [api]);

  // Theme: "system" follows prefers-color-scheme (in CSS); light/dark force it.
  useEffect(() => {
    const t = settings?.theme ?? 'system';
    if (t === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = t;
  }, [settings?.theme]);

  const reloadClusters = useCallback(async () => {
    const r = await api.call('clusters.list', {}, { interactive: false });
    if (r.ok) {
      setClusters(r.value);
      setClustersError(undefined);
    } else setClustersError(r.error);
  }, [api]);
  useEffect(() => {
    void reloadClusters();
  }, [reloadClusters]);

  // The cluster picked in this window, else the one last used (settings), else the first; nothing before the settings
  // arrived, so the app never starts a feed for the wrong cluster.
  const lastUsed = settings?.lastClusterId;
  const selected = useMemo(() => {
    if (!clusters || !settings) return undefined;
    return clusters.find((c) => c.id === (selectedId ?? lastUsed)) ?? clusters[0];
  }, [clusters, settings, selectedId, lastUsed]);
  const select = useCallback(
    (id: string) => {
      setSelectedId(id);
      void api.call('settings.set', { lastClusterId: id }, { interactive: false }).then((r) => r.ok && setSettings(r.value));
    },
    [api],
  );

  const interval = settings?.sampleIntervalSec;
  const selectedKey = selected?.id;
  useEffect(() => {
    if (!selectedKey || interval === undefined) return;
    const f = new MetricsFeed(api, selectedKey, interval);
    setFeed(f);
    void f.start();
    return () => {
      f.dispose();
      setFeed(undefined);
    };
  }, [api, selectedKey, interval]);

  const saveSettings = useCallback(
    async (patch: Partial<Settings>) => {
      const r = await api.call('settings.set', patch);
      if (r.ok) setSettings(r.value);
      return r.ok ? undefined : r.error;
    },
    [api],
  );

  const value = useMemo<AppState>(
    () => ({ settings, saveSettings, info, clusters, clustersError, reloadClusters, selected, select, feed, appLog }),
    [settings, saveSettings, info, clusters, clustersError, reloadClusters, selected, select, feed, appLog],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

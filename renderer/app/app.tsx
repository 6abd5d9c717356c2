/**
 * The app shell: header (cluster picker, theme, link state), the main navigation (links with Alt+1…6 shortcuts, current
 * screen in the URL hash), a skip link, and the screen itself.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { RendererApi, ConnectionState } from '../api.ts';
import { ClustersPage } from '../features/clusters/clusters-page.tsx';
import { DirectorPage } from '../features/director/director-page.tsx';
import { RealserversPage } from '../features/realservers/realservers-page.tsx';
import { ChartsPage } from '../features/charts/charts-page.tsx';
import { ConnectPage } from '../features/connect/connect-page.tsx';
import { LogPage } from '../features/log/log-page.tsx';
import { DiagnosePage } from '../features/diagnose/diagnose-page.tsx';
import { ApiProvider } from './api-context.tsx';
import { AppStateProvider, useAppState } from './app-state.tsx';
import { HealthStrip } from './health-strip.tsx';
import { LeaveGuardProvider, useLeaveGuard } from './leave-guard.tsx';
import { SCREENS, screenForShortcut, screenFromHash, type ScreenId } from './screens.ts';

/** The whole renderer. */
export function App({ client }: { client: RendererApi }) {
  return (
    <ApiProvider client={client}>
      <LeaveGuardProvider browserPrompt={client.transport === 'web'}>
        <AppStateProvider>
          <Shell client={client} />
        </AppStateProvider>
      </LeaveGuardProvider>
    </ApiProvider>
  );
}

/**
 * The current screen (from the URL hash). Every change of screen — go(), the sidebar links, links inside pages, the
 * browser's back button — passes the leave guard: with unsaved changes the address is put back and the user is asked.
 */
function useScreen(): [ScreenId, (s: ScreenId) => void] {
  const guard = useLeaveGuard();
  const [screen, setScreen] = useState<ScreenId>(() => screenFromHash(location.hash));
  const current = useRef(screen);
  useEffect(() => {
    const onHash = () => {
      const next = screenFromHash(location.hash);
      if (next === current.current) return;
      if (guard.dirty()) {
        const target = location.hash;
        history.replaceState(null, '', `#/${current.current}`);
        guard.attempt(() => (location.hash = target));
        return;
      }
      current.current = next;
      setScreen(next);
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, [guard]);
  const go = useCallback((s: ScreenId) => guard.attempt(() => (location.hash = `#/${s}`)), [guard]);
  return [screen, go];
}

/** The link state, read through useSyncExternalStore so a change before the first subscription is not missed. */
function useConnection(client: RendererApi): ConnectionState {
  const subscribe = useCallback((onChange: () => void) => client.onConnection(onChange), [client]);
  return useSyncExternalStore(subscribe, client.connection);
}

function Shell({ client }: { client: RendererApi }) {
  const [screen, go] = useScreen();
  const link = useConnection(client);
  const { clusters, selected, select, settings, saveSettings } = useAppState();
  const main = useRef<HTMLElement>(null);
  const label = SCREENS.find((s) => s.id === screen)!.label;

  // After a navigation (not the first render), land on the new screen's heading so screen readers and Tab continue there.
  const first = useRef(true);
  const focusHeading = () => main.current?.querySelector<HTMLElement>('h1')?.focus();
  useEffect(() => {
    if (first.current) first.current = false;
    else focusHeading();
  }, [screen]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = screenForShortcut(e);
      // A modal dialog (host key, preview) must be answered first.
      if (!target || document.querySelector('dialog[open]')) return;
      e.preventDefault();
      if (target === screen) focusHeading();
      else go(target);
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [go, screen]);

  useEffect(() => {
    document.title = `${label} · LVS Console`;
  }, [label]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), main.current?.querySelector<HTMLElement>('h1')?.focus())}>
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand" aria-label="LVS Console">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          LVS Console
        </span>
        <label className="picker">
          <span>Cluster</span>
          <select value={selected?.id ?? ''} onChange={(e) => select(e.target.value)} disabled={!clusters?.length} data-testid="cluster-picker">
            {!clusters?.length && <option value="">(none yet)</option>}
            {clusters?.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} — {c.vip}
              </option>
            ))}
          </select>
        </label>
        <label className="picker">
          <span>Theme</span>
          <select value={settings?.theme ?? 'system'} onChange={(e) => void saveSettings({ theme: e.target.value as 'system' | 'light' | 'dark' })}>
            <option value="system">System</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
        <span className={`link-state link-${link}`} role="status" data-testid="link-state">
          {client.transport === 'electron' ? 'Desktop' : link === 'open' ? 'Connected' : link === 'connecting' ? 'Connecting…' : 'Not connected'}
        </span>
      </header>
      {link === 'closed' && (
        <div className="banner" role="alert">
          {client.transport === 'none'
            ? 'This page has no backend. Run `npm run web` and open the URL it prints (it carries the access token), or use the desktop app.'
            : 'Lost the connection to the LVS Console web host; retrying. If you restarted `npm run web`, open the new URL it printed (the access token changes on every start).'}
        </div>
      )}
      <HealthStrip />
      <nav className="sidenav" aria-label="Main">
        <ul>
          {SCREENS.map((s) => (
            <li key={s.id}>
              <a href={`#/${s.id}`} aria-current={s.id === screen ? 'page' : undefined} aria-keyshortcuts={`Alt+${s.key}`}>
                <span>{s.label}</span>
                <kbd aria-hidden="true">Alt+{s.key}</kbd>
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={main} className="content">
        {screen === 'clusters' && <ClustersPage />}
        {screen === 'director' && <DirectorPage />}
        {screen === 'realservers' && <RealserversPage />}
        {screen === 'charts' && <ChartsPage />}
        {screen === 'connect' && <ConnectPage />}
        {screen === 'log' && <LogPage />}
        {screen === 'diagnose' && <DiagnosePage />}
      </main>
    </div>
  );
}

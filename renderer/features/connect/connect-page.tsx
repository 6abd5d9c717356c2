/**
 * Connect me: one big button. Detects the desktop's X servers and telnet clients (connect.detect), starts the chosen one
 * against the VIP (connect.launch: XDMCP `-query VIP`, or telnet), then shows which realserver the session landed on
 * (from the launch result, else by asking connect.whereAmI a few times while the session is set up), and that the
 * session ended once the program exits (connect.alive). What to install is said for the platform the console runs on.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { MethodOutput } from '../../../shared/api/contract.ts';
import type { AppErrorData } from '../../../shared/result.ts';
import { useApi } from '../../app/api-context.tsx';
import { useAppState } from '../../app/app-state.tsx';
import { ErrorBox } from '../../app/error-box.tsx';
import { NeedCluster } from '../../app/need-cluster.tsx';
import { useQuery } from '../../app/use-query.ts';

type Kind = 'xdmcp' | 'telnet';
type Launched = MethodOutput<'connect.launch'>;
type Landed = NonNullable<Launched['landedOn']>;

const WHERE_TRIES = 15;
const WHERE_EVERY_MS = 2000;
const ALIVE_EVERY_MS = 3000;

/** What to install when nothing was found, for the platform the console runs on (app.info). */
export function nothingFound(kind: Kind, platform: string | undefined): string {
  if (platform === 'win32') {
    return kind === 'xdmcp'
      ? 'No X server found on this computer. Install VcXsrv, Xming, Cygwin/X, MobaXterm or X410, then press Detect again.'
      : 'No telnet client found. Install PuTTY, or turn on the Windows telnet client (Windows Features → Telnet Client), then press Detect again.';
  }
  if (platform === 'linux') {
    return kind === 'xdmcp'
      ? 'No X server found on this computer. Install Xephyr (apt-get install xserver-xephyr) or Xnest, then press Detect again.'
      : 'No telnet client to start: Connect me opens telnet in a terminal window, so it needs both a terminal and telnet (apt-get install xterm telnet), or PuTTY. Then press Detect again.';
  }
  return kind === 'xdmcp' ? 'No X server found on this computer. Install one that can run -query (an XDMCP client), then press Detect again.' : 'No telnet client found. Install one, then press Detect again.';
}

/** The Connect me screen. */
export function ConnectPage() {
  const { selected } = useAppState();
  if (!selected) return <NeedCluster title="Connect me" />;
  return <Connect key={selected.id} />;
}

function Connect() {
  const api = useApi();
  const { selected, settings, saveSettings, info } = useAppState();
  const cluster = selected!;
  const detect = useQuery('connect.detect', {});
  const [kind, setKind] = useState<Kind>('xdmcp');
  const [launcherId, setLauncherId] = useState<string>();
  const [state, setState] = useState<{ phase: 'idle' | 'launching' | 'locating' | 'landed' | 'unknown' | 'ended'; launched?: Launched; landed?: Landed; error?: AppErrorData }>({ phase: 'idle' });
  const cancelled = useRef(false);
  useEffect(() => () => void (cancelled.current = true), []);

  const launchers = useMemo(() => (detect.data ?? []).filter((l) => l.kind === kind), [detect.data, kind]);
  const chosen = launchers.find((l) => l.id === launcherId) ?? launchers[0];
  const override = chosen ? settings?.launcherOverrides[chosen.id] : undefined;

  const connect = async () => {
    setState({ phase: 'launching' });
    const r = await api.call('connect.launch', { clusterId: cluster.id, kind, launcherId: chosen?.id });
    if (!r.ok) return setState({ phase: 'idle', error: r.error });
    if (r.value.landedOn) return setState({ phase: 'landed', launched: r.value, landed: r.value.landedOn });
    setState({ phase: 'locating', launched: r.value });
    // The session needs a moment before the director's connection table shows it.
    for (let i = 0; i < WHERE_TRIES && !cancelled.current; i++) {
      await new Promise((res) => setTimeout(res, WHERE_EVERY_MS));
      const w = await api.call('connect.whereAmI', { clusterId: cluster.id }, { interactive: false });
      if (w.ok && w.value.landedOn) return setState({ phase: 'landed', launched: r.value, landed: w.value.landedOn });
      if (!w.ok) return setState({ phase: 'unknown', launched: r.value, error: w.error });
    }
    setState({ phase: 'unknown', launched: r.value });
  };

  // While a session runs, watch its program: when it exits, the session is over (no more "You landed on rsN").
  const pid = state.launched?.pid;
  const live = state.phase === 'landed' || state.phase === 'locating' || state.phase === 'unknown';
  useEffect(() => {
    if (pid === undefined || !live) return;
    const t = setInterval(() => {
      void api.call('connect.alive', { pid }, { interactive: false }).then((r) => {
        if (r.ok && !r.value.alive && !cancelled.current) setState((cur) => (cur.launched?.pid === pid ? { ...cur, phase: 'ended' } : cur));
      });
    }, ALIVE_EVERY_MS);
    return () => clearInterval(t);
  }, [api, pid, live]);

  const busy = state.phase === 'launching' || state.phase === 'locating';
  const what = kind === 'xdmcp' ? 'an X desktop (XDMCP)' : 'a telnet terminal';

  return (
    <section aria-labelledby="connect-h" className="connect">
      <h1 id="connect-h" tabIndex={-1}>
        Connect me <span className="muted">· {cluster.name}</span>
      </h1>
      <div className="segmented big" role="radiogroup" aria-label="Session type">
        {(
          [
            ['xdmcp', 'X desktop (XDMCP)'],
            ['telnet', 'Terminal (telnet)'],
          ] as const
        ).map(([k, label]) => (
          <label key={k} className={k === kind ? 'on' : undefined}>
            <input type="radio" name="kind" value={k} checked={k === kind} onChange={() => (setKind(k), setLauncherId(undefined))} />
            {label}
          </label>
        ))}
      </div>

      <ErrorBox error={detect.error} context="Looking for X servers and telnet clients" onRetry={detect.reload} />
      {detect.data && launchers.length === 0 && (
        <div className="notice" role="status">
          {nothingFound(kind, info?.platform)}
        </div>
      )}
      {launchers.length > 0 && (
        <label className="picker">
          <span>Program</span>
          <select value={chosen?.id} onChange={(e) => setLauncherId(e.target.value)} data-testid="launcher-picker">
            {launchers.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name} — {l.path}
              </option>
            ))}
          </select>
        </label>
      )}

      <button type="button" className="connect-button" disabled={busy || !chosen} onClick={() => void connect()} data-testid="connect-button">
        {state.phase === 'launching' ? 'Starting…' : state.phase === 'locating' ? 'Connecting…' : 'Connect me'}
        <span className="connect-sub">
          to {what} on {cluster.vip}
        </span>
      </button>
      <button type="button" className="link" onClick={detect.reload}>
        Detect again
      </button>

      <ErrorBox error={state.error} context="Connect me" />
      {state.launched && (
        <div className="panel" data-testid="connect-result">
          {state.phase === 'landed' && state.landed && (
            <p className="landed" role="status">
              You landed on <strong>{state.landed.name}</strong> <span className="muted">({state.landed.address})</span>
            </p>
          )}
          {state.phase === 'ended' && (
            <p className="ended" role="status">
              The session {state.landed ? <>on <strong>{state.landed.name}</strong> </> : ''}ended: {kind === 'xdmcp' ? 'the X server' : 'the telnet window'} closed. Press Connect me for a new one.
            </p>
          )}
          {state.phase === 'locating' && <p role="status">Started. Waiting for the director to show which realserver took the session…</p>}
          {state.phase === 'unknown' && (
            <p role="status">
              Started, but the director shows no session from this computer yet. If the window stays empty, check the Realservers screen
              (display manager running?) and that this computer can reach {cluster.vip}.
            </p>
          )}
          <p className="muted small">
            Ran <code>{state.launched.argv.join(' ')}</code>
            {state.launched.pid !== undefined ? ` (pid ${state.launched.pid})` : ''}
          </p>
        </div>
      )}

      {chosen && <OverrideEditor key={chosen.id} id={chosen.id} defaultPath={chosen.path} defaultArgs={chosen.argsTemplate} current={override} onSave={(o) => saveSettings({ launcherOverrides: { ...(settings?.launcherOverrides ?? {}), ...o } })} />}
    </section>
  );
}

function OverrideEditor({
  id,
  defaultPath,
  defaultArgs,
  current,
  onSave,
}: {
  id: string;
  defaultPath: string;
  defaultArgs: string[];
  current: { path: string; argsTemplate: string[] } | undefined;
  onSave: (o: Record<string, { path: string; argsTemplate: string[] }>) => Promise<AppErrorData | undefined>;
}) {
  const [path, setPath] = useState(current?.path ?? defaultPath);
  const [args, setArgs] = useState((current?.argsTemplate ?? defaultArgs).join('\n'));
  const [msg, setMsg] = useState<string>();
  const [error, setError] = useState<AppErrorData>();
  return (
    <details className="panel">
      <summary>Advanced: program path and arguments</summary>
      <p className="muted small">
        One argument per line, passed as is (never through a shell). Placeholders written like the detected template&apos;s (for the
        VIP) are filled in at launch.
      </p>
      <div className="field">
        <label htmlFor="ov-path">Program</label>
        <input id="ov-path" value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} />
      </div>
      <div className="field">
        <label htmlFor="ov-args">Arguments</label>
        <textarea id="ov-args" rows={4} value={args} onChange={(e) => setArgs(e.target.value)} spellCheck={false} />
      </div>
      <div className="row">
        <button
          type="button"
          onClick={() =>
            void onSave({ [id]: { path, argsTemplate: args.split('\n').map((a) => a.trim()).filter(Boolean) } }).then((e) => {
              setError(e);
              setMsg(e ? undefined : 'Saved. The next Connect me uses it.');
            })
          }
        >
          Save override
        </button>
        {msg && <span role="status">{msg}</span>}
      </div>
      <ErrorBox error={error} />
    </details>
  );
}

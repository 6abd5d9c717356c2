/**
 * The renderer's one door to the main side, and the ONLY file that touches `window.lvs` or the web host's WebSocket.
 * Both transports implement the contract's ApiClient: Electron's preload bridge, and the local web host (`npm run web`,
 * used by the browser e2e) reached over a WebSocket with the token the host put in the page URL.
 */
import type { ApiClient, EventName, EventPayload, MethodInput, MethodName, MethodOutput } from '../shared/api/contract.ts';
import { WEB_API_PATH, WEB_TOKEN_PARAM, type EventFrame, type ResponseFrame } from '../shared/api/web-wire.ts';
import type { AppErrorData, Result } from '../shared/result.ts';

/** What Electron's preload exposes as `window.lvs`. */
export interface LvsBridge {
  call(method: string, input: unknown): Promise<Result<unknown>>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    lvs?: LvsBridge;
  }
}

/** State of the link to the main side (always 'open' for the preload bridge). */
export type ConnectionState = 'connecting' | 'open' | 'closed';

/** ApiClient plus the link state, for the "not connected" banner. */
export interface RendererApi extends ApiClient {
  readonly transport: 'electron' | 'web' | 'none';
  connection(): ConnectionState;
  onConnection(listener: (s: ConnectionState) => void): () => void;
}

type CallResult<M extends MethodName> = Result<MethodOutput<M>>;
type Listener = (payload: unknown) => void;

const fail = (code: AppErrorData['code'], message: string): { ok: false; error: AppErrorData } => ({ ok: false, error: { code, message } });

/** Event fan-out shared by both transports. */
class Emitter {
  private readonly map = new Map<string, Set<Listener>>();
  on(event: string, fn: Listener): () => void {
    let s = this.map.get(event);
    if (!s) this.map.set(event, (s = new Set()));
    s.add(fn);
    return () => void s.delete(fn);
  }
  emit(event: string, payload: unknown): void {
    for (const fn of [...(this.map.get(event) ?? [])]) {
      try {
        fn(payload);
      } catch (e) {
        console.error(`listener for ${event} threw`, e);
      }
    }
  }
}

/** The client over Electron's preload bridge. */
export function createPreloadClient(bridge: LvsBridge): RendererApi {
  return {
    transport: 'electron',
    async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<CallResult<M>> {
      try {
        return (await bridge.call(method, input)) as CallResult<M>;
      } catch (e) {
        return fail('INTERNAL', `the desktop bridge failed on ${method}: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    on<E extends EventName>(event: E, listener: (p: EventPayload<E>) => void) {
      return bridge.on(event, listener as Listener);
    },
    connection: () => 'open',
    onConnection: () => () => {},
  };
}

/** The subset of the DOM WebSocket the web client uses (injectable for tests). */
export interface WebSocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

/** Options of the web host client. */
export interface WebClientOptions {
  /** ws://127.0.0.1:PORT/api?token=… */
  url: string;
  /** Defaults to the global WebSocket. */
  WebSocketImpl?: new (url: string) => WebSocketLike;
  /** Reconnect back-off bounds (ms). */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** A call not yet sent fails after this long without a connection (ms). */
  queueTimeoutMs?: number;
}

interface Pending {
  id: number;
  method: string;
  frame: string;
  sent: boolean;
  resolve: (r: Result<unknown>) => void;
  timer?: ReturnType<typeof setTimeout>;
}

/** The client over the web host's WebSocket: request ids, queued calls while (re)connecting, reconnect with back-off. */
export function createWebClient(opts: WebClientOptions): RendererApi & { close(): void } {
  const WS = opts.WebSocketImpl ?? (globalThis.WebSocket as unknown as new (url: string) => WebSocketLike);
  const minMs = opts.retryMinMs ?? 250;
  const maxMs = opts.retryMaxMs ?? 5000;
  const queueTimeoutMs = opts.queueTimeoutMs ?? 10_000;
  const events = new Emitter();
  const states = new Set<(s: ConnectionState) => void>();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let state: ConnectionState = 'connecting';
  let ws: WebSocketLike | undefined;
  let delay = minMs;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const setState = (s: ConnectionState) => {
    if (s === state) return;
    state = s;
    for (const fn of [...states]) fn(s);
  };

  const settle = (p: Pending, r: Result<unknown>) => {
    if (p.timer) clearTimeout(p.timer);
    pending.delete(p.id);
    p.resolve(r);
  };

  const flush = () => {
    for (const p of pending.values()) {
      if (p.sent || !ws || ws.readyState !== 1) continue;
      ws.send(p.frame);
      p.sent = true;
      if (p.timer) clearTimeout(p.timer);
      p.timer = undefined;
    }
  };

  const connect = () => {
    if (closed) return;
    setState('connecting');
    const sock = new WS(opts.url);
    ws = sock;
    sock.onopen = () => {
      delay = minMs;
      setState('open');
      flush();
    };
    sock.onmessage = (ev) => {
      let msg: Partial<ResponseFrame & EventFrame>;
      try {
        msg = JSON.parse(String(ev.data)) as Partial<ResponseFrame & EventFrame>;
      } catch {
        console.error('web host sent a frame that is not JSON');
        return;
      }
      if (typeof msg.id === 'number') {
        const p = pending.get(msg.id);
        if (p && msg.result) settle(p, msg.result);
      } else if (typeof msg.event === 'string') {
        events.emit(msg.event, msg.payload);
      }
    };
    sock.onerror = () => {};
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = undefined;
      // Calls already sent may or may not have run: say so rather than silently resending a remote action.
      for (const p of [...pending.values()]) {
        if (p.sent) {
          settle(p, fail('CONNECT_FAILED', `The connection to the LVS Console web host dropped while ${p.method} was running; it may or may not have completed. Check the Log screen before trying again.`));
        }
      }
      setState('closed');
      if (closed) return;
      retryTimer = setTimeout(connect, delay);
      delay = Math.min(maxMs, delay * 2);
    };
  };

  connect();

  return {
    transport: 'web',
    call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<CallResult<M>> {
      return new Promise((resolve) => {
        if (closed) return resolve(fail('CANCELLED', `${method}: the client was closed`));
        const id = nextId++;
        const p: Pending = { id, method, frame: JSON.stringify({ id, method, input: input ?? {} }), sent: false, resolve: resolve as (r: Result<unknown>) => void };
        pending.set(id, p);
        if (ws && ws.readyState === 1) flush();
        else {
          p.timer = setTimeout(
            () =>
              settle(
                p,
                fail('CONNECT_FAILED', `Not connected to the LVS Console web host, so ${method} was not sent. If you restarted \`npm run web\`, open the new URL it printed (the access token changes on every start).`),
              ),
            queueTimeoutMs,
          );
        }
      });
    },
    on<E extends EventName>(event: E, listener: (p: EventPayload<E>) => void) {
      return events.on(event, listener as Listener);
    },
    connection: () => state,
    onConnection(listener) {
      states.add(listener);
      return () => void states.delete(listener);
    },
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      for (const p of [...pending.values()]) settle(p, fail('CANCELLED', `${p.method}: the client was closed`));
      ws?.close(1000, 'client closed');
      ws = undefined;
      setState('closed');
    },
  };
}

/** A client for a page opened without a backend: every call explains how to get one. */
export function createNoBackendClient(): RendererApi {
  return {
    transport: 'none',
    call: async (method) =>
      fail('CONNECT_FAILED', `No backend for ${method}: start the desktop app, or run \`npm run web\` and open the URL it prints (it carries the access token).`),
    on: () => () => {},
    connection: () => 'closed',
    onConnection: () => () => {},
  };
}

/** Reads the access token from a page URL's fragment (#token=…) or query (?token=…). */
export function tokenFromUrl(loc: { hash: string; search: string }): string | undefined {
  const fromHash = new URLSearchParams(loc.hash.replace(/^#/, '')).get(WEB_TOKEN_PARAM);
  const fromQuery = new URLSearchParams(loc.search).get(WEB_TOKEN_PARAM);
  return fromHash || fromQuery || undefined;
}

/** The WebSocket URL of the web host that served this page. */
export function webSocketUrl(loc: { protocol: string; host: string }, token: string): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}${WEB_API_PATH}?${WEB_TOKEN_PARAM}=${encodeURIComponent(token)}`;
}

const TOKEN_KEY = 'lvs-console.web-token';

/**
 * Picks the transport for this page: the preload bridge in Electron; else the web host if the URL (or this tab's
 * session storage, after a reload) has a token, removing it from the address bar; else a client that explains what to do.
 */
export function createDefaultApi(win: Window = window): RendererApi {
  if (win.lvs) return createPreloadClient(win.lvs);
  let token = tokenFromUrl(win.location);
  if (token) {
    try {
      win.sessionStorage.setItem(TOKEN_KEY, token);
    } catch {
      /* storage disabled: the token only lives in memory */
    }
    win.history.replaceState(null, '', win.location.pathname);
  } else {
    try {
      token = win.sessionStorage.getItem(TOKEN_KEY) ?? undefined;
    } catch {
      token = undefined;
    }
  }
  if (!token) return createNoBackendClient();
  return createWebClient({ url: webSocketUrl(win.location, token) });
}

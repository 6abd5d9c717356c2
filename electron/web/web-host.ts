/**
 * The local web host: the same contract as Electron's IPC, over one WebSocket, for the browser e2e and for Linux users
 * without a desktop build. Bound to 127.0.0.1 only; the upgrade needs the random token (?token=) and the host's own
 * Origin; every input is parsed with the contract's schema; events are validated and pushed to every connected page;
 * the built renderer is served with a strict CSP.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { events as eventSchemas, type ApiHandlers, type EventName, type EventPayload } from '../../shared/api/contract.ts';
import { describeIssues } from '../../shared/result.ts';
import { WEB_API_PATH, WEB_MAX_FRAME_BYTES, WEB_TOKEN_PARAM, type EventFrame } from '../../shared/api/web-wire.ts';
import { newToken, originProblem, tokenMatches } from './access.ts';
import { dispatchFrame } from './dispatch.ts';
import { securityHeaders, serveStatic } from './static-files.ts';

/** What startWebHost needs. */
export interface WebHostOptions {
  handlers: ApiHandlers;
  /** Directory of the built renderer (out/renderer). */
  staticDir: string;
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Fixed token (tests only); a random 32-byte one otherwise. */
  token?: string;
  /** Where refusals and handler-independent problems are reported (default: console.warn). */
  log?: (line: string) => void;
}

/** A running web host. */
export interface WebHost {
  /** The page URL with the token in the fragment: http://127.0.0.1:PORT/#token=… */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  /** Validates an event payload against the contract and pushes it to every connected page. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /** Number of connected pages. */
  clients(): number;
  /** Stops accepting, closes every socket and the server. */
  close(): Promise<void>;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length + 1}\r\n\r\n${reason}\n`);
  socket.destroy();
}

/** Starts the web host on 127.0.0.1. */
export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? newToken();
  const log = opts.log ?? ((l: string) => console.warn(l));
  let ownHost = '';
  const wss = new WebSocketServer({ noServer: true, maxPayload: WEB_MAX_FRAME_BYTES });
  const sockets = new Set<WebSocket>();

  const server = createServer((req, res) => {
    const problem = originProblem({ host: req.headers.host }, ownHost, false);
    if (problem) {
      res.writeHead(421, { ...securityHeaders(ownHost), 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('misdirected request\n');
      log(`web host: refused ${req.method} ${req.url}: ${problem}`);
      return;
    }
    serveStatic(opts.staticDir, ownHost, req, res).catch((e: unknown) => {
      log(`web host: static ${req.url}: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname !== WEB_API_PATH) return refuse(socket, 404, 'Not Found');
    const problem = originProblem({ host: req.headers.host, origin: req.headers.origin }, ownHost, true);
    if (problem) {
      log(`web host: refused WebSocket: ${problem}`);
      return refuse(socket, 403, 'Forbidden');
    }
    if (!tokenMatches(token, url.searchParams.get(WEB_TOKEN_PARAM))) {
      log('web host: refused WebSocket: missing or wrong token');
      return refuse(socket, 401, 'Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => ws.terminate());
      ws.on('message', (data, isBinary) => {
        if (isBinary) return ws.close(1003, 'text frames only');
        void dispatchFrame(opts.handlers, data.toString()).then((answer) => {
          if (answer && ws.readyState === ws.OPEN) ws.send(JSON.stringify(answer));
        });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  ownHost = `127.0.0.1:${port}`;
  const origin = `http://${ownHost}`;

  return {
    url: `${origin}/#${WEB_TOKEN_PARAM}=${token}`,
    origin,
    port,
    emit(event, payload) {
      const parsed = eventSchemas[event].safeParse(payload);
      if (!parsed.success) {
        log(`web host: dropped ${event} event with a payload the contract rejects: ${describeIssues(parsed.error, '(payload)').join('; ')}`);
        return;
      }
      const frame: EventFrame = { event, payload: parsed.data };
      const text = JSON.stringify(frame);
      for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
    },
    clients: () => sockets.size,
    async close() {
      for (const ws of sockets) ws.terminate();
      sockets.clear();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

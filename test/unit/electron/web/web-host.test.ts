import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ApiHandlers } from '../../../../shared/api/contract.ts';
import { AppError } from '../../../../shared/result.ts';
import { startWebHost, type WebHost } from '../../../../electron/web/web-host.ts';

// A fake handler set: enough methods to exercise the transport (not the services).
const seen: unknown[] = [];
const handlers = {
  'audit.list': async (input: unknown) => {
    seen.push(input);
    return [{ time: 1, host: 'd1', argv: ['ipvsadm', '-S', '-n'], code: 0, durationMs: 3, outputExcerpt: '' }];
  },
  'director.status': async () => {
    throw new AppError('HOST_KEY_UNKNOWN', 'host key of 10.0.0.1 is not trusted', { host: '10.0.0.1', step: 'connect', detail: { fingerprint: 'SHA256:abc' } });
  },
} as unknown as ApiHandlers;

let root: string;
let host: WebHost;
let token: string;
const logs: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'webhost-'));
  mkdirSync(join(root, 'static', 'assets'), { recursive: true });
  writeFileSync(join(root, 'static', 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(root, 'static', 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(root, 'static', '.env'), 'SECRET=1');
  writeFileSync(join(root, 'secret.txt'), 'outside the root');
  host = await startWebHost({ handlers, staticDir: join(root, 'static'), log: (l) => logs.push(l) });
  token = new URL(host.url).hash.replace('#token=', '');
});
afterAll(async () => {
  await host.close();
  rmSync(root, { recursive: true, force: true });
});

/** Opens a socket; resolves with it when open or with the HTTP status when the upgrade is refused. */
function open(query: string, origin: string | null = host.origin): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api${query}`, origin ? { headers: { Origin: origin } } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? -1));
    ws.once('error', () => resolve(-1));
  });
}

function call(ws: WebSocket, frame: unknown): Promise<{ id: number; result: { ok: boolean; value?: unknown; error?: { code: string; message: string; host?: string; detail?: unknown } } }> {
  return new Promise((resolve) => {
    ws.on('message', function onMsg(d) {
      const m = JSON.parse(d.toString());
      if ('id' in m) {
        ws.off('message', onMsg);
        resolve(m);
      }
    });
    ws.send(JSON.stringify(frame));
  });
}

function get(path: string, hostHeader?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers: hostHeader ? { Host: hostHeader } : {} }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web host', () => {
  it('listens on 127.0.0.1 and puts a 32-byte token in the URL fragment', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
  });

  it('refuses an upgrade without a token or with a wrong one', async () => {
    expect(await open('')).toBe(401);
    expect(await open('?token=')).toBe(401);
    expect(await open(`?token=${token.slice(0, -1)}x`)).toBe(401);
    expect(await open(`?token=${token}extra`)).toBe(401);
  });

  it('refuses an upgrade from another Origin, or with none', async () => {
    expect(await open(`?token=${token}`, 'http://evil.example')).toBe(403);
    expect(await open(`?token=${token}`, `http://localhost:${host.port}`)).toBe(403);
    expect(await open(`?token=${token}`, null)).toBe(403);
    expect(logs.some((l) => l.includes('Origin'))).toBe(true);
  });

  it('answers a good call with {ok, value}, with the contract defaults applied to the input', async () => {
    const ws = await open(`?token=${token}`);
    expect(ws).toBeInstanceOf(WebSocket);
    const r = await call(ws as WebSocket, { id: 7, method: 'audit.list', input: {} });
    expect(r.id).toBe(7);
    expect(r.result.ok).toBe(true);
    expect((r.result.value as unknown[])[0]).toMatchObject({ host: 'd1', argv: ['ipvsadm', '-S', '-n'] });
    expect(seen.at(-1)).toEqual({ limit: 500 });
    (ws as WebSocket).close();
  });

  it('rejects bad input with INVALID_INPUT naming the field, and unknown methods', async () => {
    const ws = (await open(`?token=${token}`)) as WebSocket;
    const bad = await call(ws, { id: 1, method: 'audit.list', input: { limit: 0 } });
    expect(bad.result.ok).toBe(false);
    expect(bad.result.error?.code).toBe('INVALID_INPUT');
    expect(bad.result.error?.message).toMatch(/^audit\.list: limit: /);
    const badId = await call(ws, { id: 2, method: 'director.status', input: { clusterId: 'Bad Id;rm' } });
    expect(badId.result.error?.code).toBe('INVALID_INPUT');
    const unknown = await call(ws, { id: 3, method: 'constructor', input: {} });
    expect(unknown.result.error).toMatchObject({ code: 'INVALID_INPUT', message: 'unknown method "constructor"' });
    const malformed = await call(ws, { id: 4, method: 'audit.list', input: {}, extra: 1 });
    expect(malformed.result.error?.code).toBe('INVALID_INPUT');
    ws.close();
  });

  it('returns a thrown AppError as data with its code, host and detail', async () => {
    const ws = (await open(`?token=${token}`)) as WebSocket;
    const r = await call(ws, { id: 9, method: 'director.status', input: { clusterId: 'lab' } });
    expect(r.result).toEqual({
      ok: false,
      error: { code: 'HOST_KEY_UNKNOWN', message: 'host key of 10.0.0.1 is not trusted', host: '10.0.0.1', step: 'connect', detail: { fingerprint: 'SHA256:abc' } },
    });
    ws.close();
  });

  it('pushes valid events to every connected page and drops payloads the contract rejects', async () => {
    const a = (await open(`?token=${token}`)) as WebSocket;
    const b = (await open(`?token=${token}`)) as WebSocket;
    const got = (ws: WebSocket) => new Promise<unknown>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
    const pa = got(a);
    const pb = got(b);
    host.emit('app.log', { time: 5, level: 'warn', message: 'not valid', extra: 1 } as never);
    host.emit('app.log', { time: 1, level: 'nonsense', message: 'x' } as never);
    host.emit('app.log', { time: 2, level: 'info', message: 'hello' });
    expect(await pa).toEqual({ event: 'app.log', payload: { time: 5, level: 'warn', message: 'not valid' } });
    expect(await pb).toEqual({ event: 'app.log', payload: { time: 5, level: 'warn', message: 'not valid' } });
    expect(logs.some((l) => l.includes('dropped app.log'))).toBe(true);
    const next = got(a);
    host.emit('app.log', { time: 3, level: 'info', message: 'again' });
    expect(await next).toEqual({ event: 'app.log', payload: { time: 3, level: 'info', message: 'again' } });
    a.close();
    b.close();
  });

  it('serves the renderer with a strict CSP and the right MIME types', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${host.port}`);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    const js = await get('/assets/app.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log(1)');
    expect((await get('/missing.js')).status).toBe(404);
  });

  it('refuses directory traversal, dot-files and encoded tricks', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt', '/.env', '/%00index.html', '/..\\secret.txt', '/%E0%A4%A']) {
      const r = await get(p);
      expect(r.status, p).toBe(400);
      expect(r.body).not.toContain('outside the root');
    }
  });

  it('refuses requests whose Host header is not its own (DNS rebinding)', async () => {
    expect((await get('/', 'evil.example')).status).toBe(421);
    expect((await get('/', `localhost:${host.port}`)).status).toBe(421);
  });
});

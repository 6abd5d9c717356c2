import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import type { ApiHandlers } from '../../../shared/api/contract.ts';
import { createPreloadClient, createWebClient, tokenFromUrl, webSocketUrl, type WebSocketLike } from '../../../renderer/api.ts';
import { startWebHost } from '../../../electron/web/web-host.ts';

/** A scripted stand-in for the browser WebSocket. */
class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(d: string) {
    this.sent.push(d);
  }
  close() {
    this.drop();
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
  reply(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

afterEach(() => {
  FakeSocket.all = [];
  vi.useRealTimers();
});

describe('createWebClient', () => {
  it('queues calls until open, matches answers by id, and fans out events', async () => {
    const c = createWebClient({ url: 'ws://h/api?token=t', WebSocketImpl: FakeSocket });
    expect(c.connection()).toBe('connecting');
    const p = c.call('clusters.list', {});
    const s = FakeSocket.all[0]!;
    expect(s.sent).toEqual([]);
    s.open();
    expect(c.connection()).toBe('open');
    expect(JSON.parse(s.sent[0]!)).toEqual({ id: 1, method: 'clusters.list', input: {} });
    const got: unknown[] = [];
    const off = c.on('app.log', (e) => got.push(e.message));
    s.reply({ event: 'app.log', payload: { time: 1, level: 'info', message: 'one' } });
    s.reply({ id: 1, result: { ok: true, value: [] } });
    expect(await p).toEqual({ ok: true, value: [] });
    off();
    s.reply({ event: 'app.log', payload: { time: 2, level: 'info', message: 'two' } });
    expect(got).toEqual(['one']);
    c.close();
  });

  it('fails calls in flight when the link drops (never resends a remote action) and reconnects with back-off', async () => {
    vi.useFakeTimers();
    const states: string[] = [];
    const c = createWebClient({ url: 'ws://h/api?token=t', WebSocketImpl: FakeSocket, retryMinMs: 100, retryMaxMs: 400 });
    c.onConnection((st) => states.push(st));
    FakeSocket.all[0]!.open();
    const inflight = c.call('director.run', { clusterId: 'lab', verb: 'start', fingerprint: 'f'.repeat(64) });
    FakeSocket.all[0]!.drop();
    const r = await inflight;
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('CONNECT_FAILED');
      expect(r.error.message).toContain('director.run');
    }
    expect(FakeSocket.all).toHaveLength(1);
    const later = c.call('clusters.list', {});
    vi.advanceTimersByTime(100);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.open();
    expect(FakeSocket.all[1]!.sent).toHaveLength(1);
    expect(FakeSocket.all[0]!.sent).toHaveLength(1);
    FakeSocket.all[1]!.reply({ id: 2, result: { ok: true, value: [] } });
    expect((await later).ok).toBe(true);
    expect(states).toEqual(['open', 'closed', 'connecting', 'open']);
    c.close();
  });

  it('fails a queued call with a next step when no connection comes', async () => {
    vi.useFakeTimers();
    const c = createWebClient({ url: 'ws://h/api?token=t', WebSocketImpl: FakeSocket, queueTimeoutMs: 1000 });
    const p = c.call('clusters.list', {});
    vi.advanceTimersByTime(1000);
    const r = await p;
    expect(r).toMatchObject({ ok: false, error: { code: 'CONNECT_FAILED' } });
    if (!r.ok) expect(r.error.message).toMatch(/open the new URL/);
    c.close();
  });

  it('talks to a real web host end to end', async () => {
    const handlers = { 'settings.get': async () => ({ theme: 'dark', sampleIntervalSec: 5, launcherOverrides: {}, windowsAgent: 'openssh' }) } as unknown as ApiHandlers;
    const host = await startWebHost({ handlers, staticDir: '/nonexistent', log: () => {} });
    const token = tokenFromUrl({ hash: new URL(host.url).hash, search: '' })!;
    // Node's ws sends no Origin by default; a browser sends the page's.
    class WithOrigin extends NodeWebSocket {
      constructor(url: string) {
        super(url, { headers: { Origin: host.origin } });
      }
    }
    const c = createWebClient({ url: webSocketUrl({ protocol: 'http:', host: `127.0.0.1:${host.port}` }, token), WebSocketImpl: WithOrigin as never });
    const events: unknown[] = [];
    c.on('cluster.sample', (s) => events.push(s.time));
    expect(await c.call('settings.get', {})).toMatchObject({ ok: true, value: { theme: 'dark' } });
    host.emit('cluster.sample', { clusterId: 'lab', time: 42, realservers: [] });
    await vi.waitFor(() => expect(events).toEqual([42]));
    const bad = await c.call('audit.list', { limit: -1 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    c.close();
    await host.close();
  });
});

describe('createPreloadClient', () => {
  it('passes calls and subscriptions to window.lvs and turns a thrown bridge error into data', async () => {
    const calls: unknown[] = [];
    const client = createPreloadClient({
      call: async (m, i) => {
        calls.push([m, i]);
        if (m === 'audit.list') throw new Error('boom');
        return { ok: true, value: [] };
      },
      on: (_e, fn) => {
        fn({ time: 1 });
        return () => {};
      },
    });
    expect(await client.call('clusters.list', {})).toEqual({ ok: true, value: [] });
    expect(await client.call('audit.list', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringContaining('boom') } });
    const seen: number[] = [];
    client.on('app.log', (e) => seen.push(e.time));
    expect(seen).toEqual([1]);
    expect(calls).toEqual([['clusters.list', {}], ['audit.list', {}]]);
  });
});

describe('URL helpers', () => {
  it('reads the token from the fragment or the query and builds the socket URL', () => {
    expect(tokenFromUrl({ hash: '#token=abc', search: '' })).toBe('abc');
    expect(tokenFromUrl({ hash: '', search: '?token=q1' })).toBe('q1');
    expect(tokenFromUrl({ hash: '#other=1', search: '' })).toBeUndefined();
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:8080' }, 'a+b')).toBe('ws://127.0.0.1:8080/api?token=a%2Bb');
  });
});

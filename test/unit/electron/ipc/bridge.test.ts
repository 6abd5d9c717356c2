import { describe, expect, it, vi } from 'vitest';
import { createBridge } from '../../../../electron/ipc/bridge.ts';
import { eventChannel, INVOKE_CHANNEL } from '../../../../electron/ipc/channels.ts';
import { FakeIpcRenderer } from './fake-ipc.ts';

describe('createBridge (window.lvs)', () => {
  it('forwards a contract method over the one invoke channel and returns main\'s Result', async () => {
    const ipc = new FakeIpcRenderer();
    ipc.reply = { ok: true, value: [{ id: 'lab' }] };
    const api = createBridge(ipc);
    const r = await api.call('clusters.list', {});
    expect(ipc.invoked).toEqual([[INVOKE_CHANNEL, 'clusters.list', {}]]);
    expect(r).toEqual({ ok: true, value: [{ id: 'lab' }] });
  });

  it('refuses names outside the contract without touching IPC', async () => {
    const ipc = new FakeIpcRenderer();
    const api = createBridge(ipc);
    const r = await api.call('shell.exec' as never, {} as never);
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(ipc.invoked).toEqual([]);
    expect(() => api.on('ipc:anything' as never, () => {})).toThrow(/unknown event/);
    expect(ipc.listeners.size).toBe(0);
  });

  it('delivers only the payload (never Electron\'s event object) and unsubscribes exactly once', () => {
    const ipc = new FakeIpcRenderer();
    const api = createBridge(ipc);
    const got = vi.fn();
    const off = api.on('app.log', got);
    const payload = { time: 1, level: 'info', message: 'hello' };
    ipc.emit(eventChannel('app.log'), payload);
    expect(got).toHaveBeenCalledTimes(1);
    expect(got.mock.calls[0]).toEqual([payload]);
    off();
    off();
    ipc.emit(eventChannel('app.log'), payload);
    expect(got).toHaveBeenCalledTimes(1);
    expect(ipc.listeners.get(eventChannel('app.log'))!.size).toBe(0);
  });

  it('keeps two subscriptions to one event independent', () => {
    const ipc = new FakeIpcRenderer();
    const api = createBridge(ipc);
    const a = vi.fn();
    const b = vi.fn();
    const offA = api.on('cluster.sample', a);
    api.on('cluster.sample', b);
    offA();
    ipc.emit(eventChannel('cluster.sample'), { clusterId: 'lab', time: 1, realservers: [] });
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(1);
  });
});

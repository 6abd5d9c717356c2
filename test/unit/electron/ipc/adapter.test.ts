import { describe, expect, it, vi } from 'vitest';
import { registerIpc } from '../../../../electron/ipc/adapter.ts';
import { dispatch } from '../../../../electron/ipc/dispatch.ts';
import { INVOKE_CHANNEL } from '../../../../electron/ipc/channels.ts';
import { isTrustedUrl } from '../../../../electron/security/trusted-origins.ts';
import { AppError } from '../../../../shared/result.ts';
import { FakeIpcMain } from './fake-ipc.ts';
import { fakeHandlers } from './fake-handlers.ts';

const APP = 'app://lvs-console/index.html';
const origins = { appOrigin: 'app://lvs-console', devServerUrl: 'http://localhost:5173' };
const trusted = (frame: { url: string }) => isTrustedUrl(frame.url, origins);

const cluster = {
  id: 'lab',
  name: 'Lab',
  director: { host: '10.77.0.2', port: 22, user: 'root', auth: { method: 'agent' }, legacyAlgorithms: false, viaDirector: false },
  vip: '10.77.0.100',
  vipPrefix: 24,
  vipIf: 'eth0:110',
  lvsIf: 'eth0',
  scheduler: 'wlc',
  forwarding: 'masq',
  tcp: [],
  udp: [],
  realservers: [],
};

function setup(overrides: Parameters<typeof fakeHandlers>[0] = {}) {
  const ipc = new FakeIpcMain();
  const log = vi.fn();
  registerIpc(ipc, fakeHandlers(overrides), { isTrustedSender: trusted, log });
  return { ipc, log };
}

describe('registerIpc', () => {
  it('runs the handler for a trusted app:// frame and returns {ok: true, value}', async () => {
    const { ipc } = setup({ 'clusters.get': async ({ clusterId }) => ({ ...cluster, id: clusterId }) as never });
    const r = await ipc.invoke(INVOKE_CHANNEL, APP, 'clusters.get', { clusterId: 'lab' });
    expect(r).toMatchObject({ ok: true, value: { id: 'lab', vip: '10.77.0.100' } });
  });

  it('accepts the dev server origin', async () => {
    const { ipc } = setup({ 'settings.get': async () => ({ theme: 'dark', sampleIntervalSec: 5, launcherOverrides: {}, windowsAgent: 'openssh' }) });
    const r = await ipc.invoke(INVOKE_CHANNEL, 'http://localhost:5173/', 'settings.get', {});
    expect(r).toMatchObject({ ok: true, value: { theme: 'dark' } });
  });

  it.each([
    ['a remote page', 'https://evil.example/'],
    ['another local port', 'http://localhost:5174/'],
    ['a file:// page (no fileRoot configured)', 'file:///tmp/x.html'],
    ['another app:// host', 'app://other/index.html'],
    ['a frame that is gone', null],
  ])('refuses %s without calling the handler', async (_what, url) => {
    const handler = vi.fn(async () => []);
    const { ipc, log } = setup({ 'clusters.list': handler });
    const r = await ipc.invoke(INVOKE_CHANNEL, url, 'clusters.list', {});
    expect(r).toEqual({ ok: false, error: { code: 'UNSUPPORTED', message: 'refused: the calling page is not part of the app' } });
    expect(handler).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('refused'));
  });

  it('refuses a trusted URL loaded in a subframe', async () => {
    const handler = vi.fn(async () => []);
    const ipc = new FakeIpcMain();
    registerIpc(ipc, fakeHandlers({ 'clusters.list': handler }), { isTrustedSender: trusted });
    const h = ipc.handlers.get(INVOKE_CHANNEL)!;
    const r = await h({ senderFrame: { url: APP, parent: { url: APP, parent: null } } }, 'clusters.list', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
    expect(handler).not.toHaveBeenCalled();
  });

  it('rejects bad input as INVALID_INPUT naming the field, without calling the handler', async () => {
    const handler = vi.fn();
    const { ipc } = setup({ 'director.planEdit': handler });
    const r = (await ipc.invoke(INVOKE_CHANNEL, APP, 'director.planEdit', { clusterId: 'lab', realserver: 'rs1', edit: { kind: 'weight', weight: 70000 } })) as {
      ok: false;
      error: { code: string; message: string };
    };
    expect(r.ok).toBe(false);
    expect(r.error.code).toBe('INVALID_INPUT');
    expect(r.error.message).toMatch(/^director\.planEdit: edit\.weight: /);
    expect(handler).not.toHaveBeenCalled();
  });

  it('rejects extra keys on strict inputs and names the bad cluster id', async () => {
    const { ipc } = setup();
    const r1 = (await ipc.invoke(INVOKE_CHANNEL, APP, 'settings.get', { sneaky: 1 })) as { error: { code: string; message: string } };
    expect(r1.error.code).toBe('INVALID_INPUT');
    const r2 = (await ipc.invoke(INVOKE_CHANNEL, APP, 'clusters.get', { clusterId: '../etc/passwd' })) as { error: { message: string } };
    expect(r2.error.message).toContain('clusterId');
  });

  it('applies schema defaults before calling the handler', async () => {
    const handler = vi.fn(async () => []);
    const { ipc } = setup({ 'audit.list': handler });
    await ipc.invoke(INVOKE_CHANNEL, APP, 'audit.list', {});
    expect(handler).toHaveBeenCalledWith({ limit: 500 });
  });

  it('returns an AppError thrown by the handler as data (code, host, step), with no stack', async () => {
    const { ipc } = setup({
      'director.status': async () => {
        throw new AppError('CONNECT_FAILED', 'director 10.77.0.2: connection refused', { host: '10.77.0.2', step: 'connect' });
      },
    });
    const r = await ipc.invoke(INVOKE_CHANNEL, APP, 'director.status', { clusterId: 'lab' });
    expect(r).toEqual({ ok: false, error: { code: 'CONNECT_FAILED', message: 'director 10.77.0.2: connection refused', host: '10.77.0.2', step: 'connect' } });
    expect(JSON.stringify(r)).not.toContain('at ');
  });

  it('turns a plain Error into INTERNAL with its message only', async () => {
    const { ipc } = setup({ 'clusters.list': async () => { throw new TypeError('x is undefined'); } });
    const r = await ipc.invoke(INVOKE_CHANNEL, APP, 'clusters.list', {});
    expect(r).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'x is undefined' } });
  });

  it('drops a detail that cannot cross IPC but keeps the error', async () => {
    const { ipc } = setup({ 'clusters.list': async () => { throw new AppError('NOT_FOUND', 'gone', { detail: { fn: () => 1, big: 10n } }); } });
    const r = await ipc.invoke(INVOKE_CHANNEL, APP, 'clusters.list', {});
    expect(r).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'gone' } });
  });

  it('answers an unknown method as INVALID_INPUT and logs it', async () => {
    const { ipc, log } = setup();
    const r = await ipc.invoke(INVOKE_CHANNEL, APP, 'fs.readFile', { path: '/etc/shadow' });
    expect(r).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: 'unknown method "fs.readFile"' } });
    expect(log).toHaveBeenCalledWith('unknown method "fs.readFile"');
    const r2 = await ipc.invoke(INVOKE_CHANNEL, APP, 'constructor', {});
    expect(r2).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const r3 = await ipc.invoke(INVOKE_CHANNEL, APP, { toString: () => 'clusters.list' }, {});
    expect(r3).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('parses handler output: a value that breaks the contract becomes INTERNAL, unknown keys are stripped', async () => {
    const { ipc } = setup({
      'secrets.has': async () => ({ present: 'yes' }) as never,
      'connect.whereAmI': async () => ({ landedOn: { address: '10.77.0.11', name: 'rs1', password: 'hunter2' } }) as never,
    });
    const bad = (await ipc.invoke(INVOKE_CHANNEL, APP, 'secrets.has', { ref: 'x' })) as { ok: boolean; error: { code: string; message: string } };
    expect(bad.ok).toBe(false);
    expect(bad.error.code).toBe('INTERNAL');
    expect(bad.error.message).toContain('output.present');
    const good = await ipc.invoke(INVOKE_CHANNEL, APP, 'connect.whereAmI', { clusterId: 'lab' });
    expect(good).toEqual({ ok: true, value: { landedOn: { address: '10.77.0.11', name: 'rs1' } } });
  });

  it('throws at startup when a handler is missing, and unregisters cleanly', () => {
    const ipc = new FakeIpcMain();
    const partial = fakeHandlers();
    delete (partial as Partial<typeof partial>)['metrics.watch'];
    expect(() => registerIpc(ipc, partial, { isTrustedSender: trusted })).toThrow(/metrics\.watch/);
    const off = registerIpc(ipc, fakeHandlers(), { isTrustedSender: trusted });
    expect(ipc.handlers.has(INVOKE_CHANNEL)).toBe(true);
    off();
    expect(ipc.handlers.has(INVOKE_CHANNEL)).toBe(false);
  });
});

describe('dispatch', () => {
  it('treats a missing input as {} (methods with an empty input)', async () => {
    const r = await dispatch(fakeHandlers({ 'connect.detect': async () => [] }), 'connect.detect', undefined);
    expect(r).toEqual({ ok: true, value: [] });
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAppHandlers, createNodeDeps } from '../../../../electron/app/handlers.ts';
import { dispatch } from '../../../../electron/ipc/dispatch.ts';

// Through THE dispatch (the contract parses the input, as both transports do), on real Node stores in a temp dir.
const make = (opts: Parameters<typeof createAppHandlers>[1] = {}) => createAppHandlers(createNodeDeps({ emit: () => {}, dataDir: mkdtempSync(join(tmpdir(), 'handlers-settings-')) }), opts).handlers;

describe('settings and app info', () => {
  it('settings.set changes only the keys given (saving the last cluster keeps the theme and the overrides)', async () => {
    const h = make();
    await dispatch(h, 'settings.set', { theme: 'dark', launcherOverrides: { xvfb: { path: '/usr/bin/Xvfb', argsTemplate: [':{display}'] } } });
    const r = await dispatch(h, 'settings.set', { lastClusterId: 'lab' });
    expect(r).toMatchObject({ ok: true, value: { theme: 'dark', lastClusterId: 'lab', launcherOverrides: { xvfb: { path: '/usr/bin/Xvfb' } } } });
    expect(await dispatch(h, 'settings.get', {})).toMatchObject({ ok: true, value: { theme: 'dark', lastClusterId: 'lab' } });
    expect(await dispatch(h, 'settings.set', { colour: 'red' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('app.info says the platform and whether a native dialog exists; files.pickKeyFile is UNSUPPORTED without one', async () => {
    const web = make({ platform: 'linux' });
    expect(await dispatch(web, 'app.info', {})).toMatchObject({ ok: true, value: { platform: 'linux', nativeDialogs: false } });
    expect(await dispatch(web, 'files.pickKeyFile', {})).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
    const asked: (string | undefined)[] = [];
    const desktop = make({ platform: 'win32', pickKeyFile: async (current) => (asked.push(current), current ? undefined : 'C:\\Users\\me\\.ssh\\id_ed25519') });
    expect(await dispatch(desktop, 'app.info', {})).toMatchObject({ ok: true, value: { platform: 'win32', nativeDialogs: true } });
    expect(await dispatch(desktop, 'files.pickKeyFile', {})).toEqual({ ok: true, value: { path: 'C:\\Users\\me\\.ssh\\id_ed25519' } });
    // Cancelled: no path.
    expect(await dispatch(desktop, 'files.pickKeyFile', { current: 'C:\\old' })).toEqual({ ok: true, value: {} });
    expect(asked).toEqual([undefined, 'C:\\old']);
  });

  it('connect.alive answers only for programs Connect me started', async () => {
    const h = make();
    expect(await dispatch(h, 'connect.alive', { pid: process.pid })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

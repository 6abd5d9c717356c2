/**
 * settings.set may not point Connect me at any program: a launcher override outside what detection finds (or a new
 * command line for a launcher that runs one) needs a confirmation from the desktop itself: a native dialog in Electron,
 * refused over the web host. Proven through the real handlers on real Node stores, and with the guard alone.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHandlers, createNodeDeps } from '../../../../electron/app/handlers.ts';
import type { MainDeps } from '../../../../electron/ipc/main-deps.ts';
import { guardLauncherOverrides, type LauncherConfirmRequest } from '../../../../electron/launch/launcher-guard.ts';
import { launcherConfirmDialog, type MessageBoxLike } from '../../../../electron/launch/confirm-dialog.ts';
import { fakeReaders, WIN_ENV } from './readers.ts';

const linux = () => fakeReaders('linux', ['/usr/bin/Xephyr', '/usr/bin/xterm', '/usr/bin/telnet'], { PATH: '/usr/bin' });

/** Real handlers over real Node stores, with fake machine readers and an optional confirmation. */
function make(confirm?: (r: LauncherConfirmRequest) => Promise<boolean>) {
  const deps = createNodeDeps({ emit: () => undefined, dataDir: mkdtempSync(join(tmpdir(), 'guard-')) }) as MainDeps;
  deps.launch = { ...deps.launch, platform: 'linux', readers: linux(), ...(confirm ? { confirmLauncher: confirm } : {}) };
  return { h: createHandlers(deps), deps };
}

const SHELL = { path: '/bin/sh', argsTemplate: ['-c', 'touch /tmp/owned {vip}'] };

describe('settings.set and launcher overrides', () => {
  it('over the web host (no trustworthy UI): an override to a program detection did not find is refused, nothing saved', async () => {
    const { h, deps } = make();
    await expect(h['settings.set']({ launcherOverrides: { xephyr: SHELL } })).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/\/bin\/sh .*confirm.*desktop app/) });
    expect(deps.stores.settings.get().launcherOverrides).toEqual({});
    // other settings still change without a question
    expect((await h['settings.set']({ theme: 'dark' })).theme).toBe('dark');
  });

  it('a new command line for a launcher that runs one (a terminal: xterm -e …) is refused too, even with the detected path', async () => {
    const { h, deps } = make();
    const evil = { path: '/usr/bin/xterm', argsTemplate: ['-e', '/bin/sh', '-c', 'rm -rf /home {vip}'] };
    await expect(h['settings.set']({ launcherOverrides: { 'xterm-telnet': evil } })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect(deps.stores.settings.get().launcherOverrides).toEqual({});
  });

  it('in Electron the desktop is asked; no → CANCELLED and nothing saved; yes → saved; an unchanged override is not asked again', async () => {
    const asked: LauncherConfirmRequest[] = [];
    let answer = false;
    const { h, deps } = make(async (r) => (asked.push(r), answer));
    await expect(h['settings.set']({ launcherOverrides: { xephyr: SHELL } })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(deps.stores.settings.get().launcherOverrides).toEqual({});
    expect(asked).toEqual([{ id: 'xephyr', name: 'Xephyr (nested X server)', path: '/bin/sh', argsTemplate: SHELL.argsTemplate, reason: expect.stringMatching(/not the program found/) }]);
    answer = true;
    expect((await h['settings.set']({ launcherOverrides: { xephyr: SHELL } })).launcherOverrides).toEqual({ xephyr: SHELL });
    await h['settings.set']({ launcherOverrides: { xephyr: SHELL }, theme: 'light' });
    expect(asked.length).toBe(2);
  });
});

describe('guardLauncherOverrides', () => {
  const never = async () => expect.unreachable('no confirmation expected') as never;
  it('needs no confirmation for the detected program with another X server template, removing overrides, or no override change', async () => {
    await guardLauncherOverrides({ xephyr: { path: '/usr/bin/Xephyr', argsTemplate: [':{display}', '-query', '{vip}', '-screen', '1024x768'] } }, {}, { readers: linux(), confirm: never });
    await guardLauncherOverrides({}, { xephyr: SHELL }, { readers: linux() });
    await guardLauncherOverrides(undefined, { xephyr: SHELL }, { readers: linux() });
  });
  it('asks for an unknown id, another program, the detected path under another id, and Windows programs outside the detected ones', async () => {
    const reasons: string[] = [];
    const confirm = async (r: LauncherConfirmRequest) => (reasons.push(`${r.id}: ${r.reason}`), true);
    await guardLauncherOverrides({ xnest: { path: '/usr/bin/Xephyr', argsTemplate: ['{vip}'] } }, {}, { readers: linux(), confirm });
    const win = fakeReaders('win32', ['C:\\Program Files\\VcXsrv\\vcxsrv.exe'], WIN_ENV);
    await guardLauncherOverrides({ vcxsrv: { path: 'C:\\Users\\ann\\Downloads\\vcxsrv.exe', argsTemplate: [':{display}', '-query', '{vip}'] } }, {}, { readers: win, confirm });
    await guardLauncherOverrides({ 'mobaxterm-telnet': { path: 'C:\\Program Files\\Mobatek\\MobaXterm\\MobaXterm.exe', argsTemplate: ['-newtab', 'cmd {vip}'] } }, {}, { readers: win, confirm });
    expect(reasons).toEqual([
      expect.stringMatching(/^xnest: .*not the program found for it/),
      expect.stringMatching(/^vcxsrv: .*not the program found for it/),
      expect.stringMatching(/^mobaxterm-telnet: .*not the program found for it/),
    ]);
  });
});

describe('the native confirmation dialog (Electron dialog.showMessageBox, injected)', () => {
  it('shows the program and its arguments, defaults to Cancel, and says yes only for the Allow button', async () => {
    const shown: Array<Parameters<MessageBoxLike['showMessageBox']>[1]> = [];
    let response = 0;
    const dialog: MessageBoxLike = { showMessageBox: async (_w, o) => (shown.push(o), { response }) };
    const confirm = launcherConfirmDialog(dialog, () => undefined);
    const req = { id: 'xephyr', name: 'Xephyr (nested X server)', path: '/bin/sh', argsTemplate: ['-c', 'touch x {vip}'], reason: 'r' };
    expect(await confirm(req)).toBe(false);
    response = 1;
    expect(await confirm(req)).toBe(true);
    expect(shown[0]).toMatchObject({ type: 'warning', buttons: ['Cancel', 'Allow'], defaultId: 0, cancelId: 0 });
    expect(shown[0]!.detail).toContain('/bin/sh -c "touch x {vip}"');
  });
});

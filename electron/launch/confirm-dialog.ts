/**
 * The confirmation a launcher override needs (launcher-guard.ts), as a native message box from Electron's main process:
 * the page cannot draw, click or answer it. Electron's `dialog` is injected (only main.ts imports electron), so this is
 * testable without it.
 */
import type { LauncherConfirm } from './launcher-guard.ts';

/** The part of Electron's `dialog` used here. */
export interface MessageBoxLike {
  showMessageBox(
    window: unknown,
    options: { type: 'warning'; buttons: string[]; defaultId: number; cancelId: number; noLink: boolean; title: string; message: string; detail: string },
  ): Promise<{ response: number }>;
}

/** An argument as it would be typed: quoted when it holds a space or is empty. */
const shown = (a: string) => (a === '' || /\s/.test(a) ? `"${a}"` : a);

/** A LauncherConfirm over `dialog.showMessageBox` (Cancel is the default; only "Allow" says yes). */
export function launcherConfirmDialog(dialog: MessageBoxLike, window: () => unknown): LauncherConfirm {
  return async (req) => {
    const { response } = await dialog.showMessageBox(window(), {
      type: 'warning',
      buttons: ['Cancel', 'Allow'],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
      title: 'LVS Console: allow this program?',
      message: `Let Connect me start ${req.path} for ${req.name}?`,
      detail: `${req.reason}.\n\nCommand line: ${[req.path, ...req.argsTemplate].map(shown).join(' ')}\n\nAllow it only if you set this yourself, just now.`,
    });
    return response === 1;
  };
}

/**
 * files.pickKeyFile in Electron: a native "open file" dialog for an SSH private key. The dialog is handed in (main.ts
 * passes Electron's dialog.showOpenDialog and the window), so this is tested without Electron.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The options this passes (a subset of Electron's OpenDialogOptions). */
export interface KeyDialogOptions {
  title: string;
  defaultPath: string;
  buttonLabel: string;
  properties: ('openFile' | 'showHiddenFiles' | 'dontAddToRecent')[];
  filters: { name: string; extensions: string[] }[];
}

/** Electron's dialog.showOpenDialog, bound to the window (structurally). */
export type ShowOpenDialog = (options: KeyDialogOptions) => Promise<{ canceled: boolean; filePaths: string[] }>;

/**
 * Opens the dialog in the folder of the current key (else ~/.ssh when it exists, else home); resolves the chosen path,
 * or undefined when the user cancelled.
 */
export async function pickKeyFile(show: ShowOpenDialog, current: string | undefined, home: string = os.homedir(), exists: (p: string) => boolean = existsSync): Promise<string | undefined> {
  const ssh = path.join(home, '.ssh');
  const defaultPath = current ? path.dirname(current) : exists(ssh) ? ssh : home;
  const r = await show({
    title: 'Choose the SSH private key',
    defaultPath,
    buttonLabel: 'Use this key',
    properties: ['openFile', 'showHiddenFiles', 'dontAddToRecent'],
    filters: [
      { name: 'All files', extensions: ['*'] },
      { name: 'PuTTY keys', extensions: ['ppk'] },
      { name: 'PEM keys', extensions: ['pem', 'key'] },
    ],
  });
  return r.canceled ? undefined : r.filePaths[0];
}

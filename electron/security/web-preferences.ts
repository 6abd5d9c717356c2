/**
 * The BrowserWindow webPreferences every window of the app gets: Electron's security checklist as one tested object.
 * Pure (no electron import at run time), so a unit test asserts each flag.
 */
import type { WebPreferences } from 'electron';

/** Hardened webPreferences for the app window: isolated, sandboxed, no Node in the page, web security on. */
export function secureWebPreferences(preloadPath: string, opts: { devTools?: boolean } = {}): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: opts.devTools ?? false,
  };
}

import { describe, expect, it } from 'vitest';
import { secureWebPreferences } from '../../../../electron/security/web-preferences.ts';

describe('secureWebPreferences', () => {
  it('sets every hardening flag of the Electron security checklist', () => {
    const p = secureWebPreferences('/app/out/preload/preload.cjs');
    expect(p).toMatchObject({
      preload: '/app/out/preload/preload.cjs',
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
      devTools: false,
    });
  });

  it('only ever turns DevTools on when asked; the security flags do not move', () => {
    const dev = secureWebPreferences('/p.cjs', { devTools: true });
    expect(dev.devTools).toBe(true);
    expect([dev.sandbox, dev.contextIsolation, dev.nodeIntegration, dev.webSecurity]).toEqual([true, true, false, true]);
  });
});

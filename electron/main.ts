/**
 * Electron main: app lifecycle and wiring only. The hardening lives in security/ (tested there), the IPC rules in
 * ipc/adapter.ts + ipc/dispatch.ts, the data in store/, the audit log in audit/, Connect me in launch/, and the services
 * behind every contract method in app/handlers.ts (`createHandlers(deps)`, the same ones the web host serves).
 */
import { app, BrowserWindow, dialog, ipcMain, Notification, protocol, safeStorage, screen, session, shell, type WebContents } from 'electron';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAppHandlers, type AppHandlers } from './app/handlers.ts';
import { pickKeyFile } from './app/key-file-dialog.ts';
import { createAuditLog } from './audit/audit-log.ts';
import { registerIpc } from './ipc/adapter.ts';
import { createEventEmitter } from './ipc/event-emitter.ts';
import { nodeLaunchDeps, type LogLevel, type MainDeps } from './ipc/main-deps.ts';
import { launcherConfirmDialog } from './launch/confirm-dialog.ts';
import { APP_INDEX_URL, APP_ORIGIN, APP_SCHEME, contentTypeFor, resolveAppFile } from './security/app-protocol.ts';
import { contentSecurityPolicy } from './security/csp.ts';
import { guardWebContents, hardenSession } from './security/harden-window.ts';
import { isTrustedUrl, type TrustedOrigins } from './security/trusted-origins.ts';
import { secureWebPreferences } from './security/web-preferences.ts';
import { openElectronStores } from './store/electron-stores.ts';
import type { AppStores } from './store/types.ts';
import { fitToDisplays, MIN_WINDOW } from './store/window-state-store.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const PRELOAD = path.join(here, '../preload/preload.cjs');
const RENDERER_DIR = path.join(here, '../renderer');
/** electron-vite sets this for `electron-vite dev`; a packaged app never trusts it (it would load a page from anywhere). */
const DEV_SERVER_URL = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined;
const ORIGINS: TrustedOrigins = { appOrigin: APP_ORIGIN, devServerUrl: DEV_SERVER_URL };
const CSP = contentSecurityPolicy({ devServerOrigin: DEV_SERVER_URL ? new URL(DEV_SERVER_URL).origin : undefined });

let mainWindow: BrowserWindow | undefined;
const windows = () => (mainWindow && !mainWindow.isDestroyed() ? [mainWindow.webContents] : []);
const emit = createEventEmitter(windows);

function log(level: LogLevel, message: string): void {
  process.stderr.write(`[${level}] ${message}\n`);
  try {
    emit('app.log', { time: Date.now(), level, message });
  } catch {
    // logging never breaks the caller
  }
}

/** Serves out/renderer on app://lvs-console/ with the CSP header (no file:// pages, see security/app-protocol.ts). */
function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(RENDERER_DIR, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: { 'Content-Type': contentTypeFor(file), 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

function createWindow(stores: AppStores): BrowserWindow {
  const primary = screen.getPrimaryDisplay();
  const areas = [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea);
  const state = fitToDisplays(stores.windowState.get(), areas);
  const win = new BrowserWindow({
    ...state.bounds,
    minWidth: MIN_WINDOW.width,
    minHeight: MIN_WINDOW.height,
    show: false,
    title: 'LVS Console',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(PRELOAD, { devTools: !app.isPackaged }),
  });
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', () => {
    try {
      stores.windowState.set({ bounds: win.getNormalBounds(), maximized: win.isMaximized() });
    } catch (e) {
      log('warn', `window position not saved: ${(e as Error).message}`);
    }
  });
  void win.loadURL(DEV_SERVER_URL ?? APP_INDEX_URL);
  return win;
}

/** The handlers and their close() (sessions and sampling end when the app quits). */
let app_: AppHandlers | undefined;

async function start(): Promise<void> {
  hardenSession(session.defaultSession, { origins: ORIGINS, csp: CSP, log: (m) => log('warn', m) });
  serveRenderer();
  const userData = app.getPath('userData');
  const stores = openElectronStores({ userDataDir: userData, safeStorage, onProblem: (m) => log('warn', m) });
  const audit = createAuditLog({
    dir: path.join(userData, 'audit'),
    secrets: stores.secrets,
    onAppend: (e) => emit('audit.entry', e),
    onProblem: (m) => log('warn', m),
  });
  // A launcher override that runs another program is confirmed in a native dialog the page cannot answer.
  const confirmLauncher = launcherConfirmDialog(dialog, () => mainWindow);
  // A change of health (a realserver out of a service, or back) as a desktop notification while the app runs.
  const notify = (title: string, body: string) => {
    try {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    } catch (e) {
      log('warn', `notification not shown: ${(e as Error).message}`);
    }
  };
  const deps: MainDeps = { stores, audit, emit, launch: { ...nodeLaunchDeps(), confirmLauncher }, log, notify };
  // files.pickKeyFile: the native dialog, modal to the window.
  const show = (o: Electron.OpenDialogOptions) => (mainWindow && !mainWindow.isDestroyed() ? dialog.showOpenDialog(mainWindow, o) : dialog.showOpenDialog(o));
  app_ = createAppHandlers(deps, { pickKeyFile: (current) => pickKeyFile(show, current) });
  const handlers = app_.handlers;
  registerIpc(ipcMain, handlers, { isTrustedSender: (frame) => isTrustedUrl(frame.url, ORIGINS), log: (m) => log('warn', m) });
  mainWindow = createWindow(stores);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow(stores);
  });
}

// Everything below runs before 'ready', in this order.
app.enableSandbox();
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.setAppUserModelId('org.lvsconsole.app');

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents: WebContents) => {
    const type = contents.getType();
    if (type === 'window' || type === 'webview') guardWebContents(contents, { origins: ORIGINS, openExternal: (url) => shell.openExternal(url), log: (m) => log('warn', m) });
  });
  app.on('window-all-closed', () => app.quit());
  // Close the SSH sessions before quitting (once: the second before-quit is the one this triggers).
  let closing = false;
  app.on('before-quit', (e) => {
    if (closing || !app_) return;
    closing = true;
    e.preventDefault();
    void Promise.race([app_.close(), new Promise((r) => setTimeout(r, 5000))]).finally(() => app.quit());
  });
  app
    .whenReady()
    .then(start)
    .catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      dialog.showErrorBox('LVS Console cannot start', message);
      app.exit(1);
    });
}

/**
 * What the main side hands to the services (`createHandlers(deps)` in electron/app/handlers.ts): the stores, the audit
 * log, the typed event push, Connect me's readers and spawner, and a log. Electron's main.ts builds it with the
 * electron-store backend; nodeMainDeps() builds it for plain Node (the web host, the tests).
 */
import path from 'node:path';
import type { EventName, EventPayload } from '../../shared/api/contract.ts';
import { createAuditLog, type AuditLog } from '../audit/audit-log.ts';
import { currentLaunchPlatform, nodeDetectReaders, nodeDisplayTaken } from '../launch/node-readers.ts';
import { spawnDetached } from '../launch/spawn-detached.ts';
import type { LauncherConfirm } from '../launch/launcher-guard.ts';
import type { DetectReaders, LaunchPlatform } from '../launch/types.ts';
import { defaultConfigDir } from '../store/config-dir.ts';
import { openNodeStores } from '../store/node-stores.ts';
import type { AppStores } from '../store/types.ts';

/** Log levels of the app's own events (the contract's app.log). */
export type LogLevel = 'info' | 'warn' | 'error';

/** Connect me's machine access. */
export interface LaunchDeps {
  platform: LaunchPlatform;
  readers: DetectReaders;
  /** True when X display :n is in use on this desktop. */
  displayTaken(n: number): Promise<boolean>;
  spawn: typeof spawnDetached;
  /** Asks the person at the desktop before a launcher override runs another program (Electron: a native dialog; absent in the web host, which then refuses). */
  confirmLauncher?: LauncherConfirm;
}

/** Everything createHandlers gets. */
export interface MainDeps {
  stores: AppStores;
  audit: AuditLog;
  /** Pushes a contract event to every connected page (Electron windows or web host clients). */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  launch: LaunchDeps;
  /** The app's own log (goes to the 'app.log' event and stderr). Never pass secrets. */
  log(level: LogLevel, message: string): void;
  /** A desktop notification from the main side (Electron's Notification); absent in the web host, whose page shows its own. */
  notify?(title: string, body: string): void;
}

/** Real Connect me dependencies for this machine. */
export function nodeLaunchDeps(): LaunchDeps {
  return { platform: currentLaunchPlatform(), readers: nodeDetectReaders(), displayTaken: nodeDisplayTaken(), spawn: spawnDetached };
}

/**
 * MainDeps for plain Node (the web host, the tests): JSON-file stores in `dir` (default: defaultConfigDir()), the audit log in
 * `<dir>/audit`, secrets in memory. `emit` is the transport's push (the web host's broadcast).
 */
export function nodeMainDeps(opts: { dir?: string; emit: MainDeps['emit']; log?: MainDeps['log']; auditMaxEntries?: number }): MainDeps {
  const dir = path.resolve(opts.dir ?? defaultConfigDir());
  const log: MainDeps['log'] =
    opts.log ??
    ((level, message) => {
      process.stderr.write(`[${level}] ${message}\n`);
      try {
        opts.emit('app.log', { time: Date.now(), level, message });
      } catch {
        // a log line must never break the caller
      }
    });
  const stores = openNodeStores({ dir, onProblem: (m) => log('warn', m) });
  const audit = createAuditLog({ dir: path.join(dir, 'audit'), secrets: stores.secrets, ...(opts.auditMaxEntries ? { maxEntries: opts.auditMaxEntries } : {}), onAppend: (e) => opts.emit('audit.entry', e), onProblem: (m) => log('warn', m) });
  return { stores, audit, emit: opts.emit, launch: nodeLaunchDeps(), log };
}

/** Where the Node backend keeps its files when no folder is given. */
import os from 'node:os';
import path from 'node:path';

/** THE environment variable naming the data folder (profiles, settings, trusted host keys, the audit log). */
export const DATA_DIR_ENV = 'LVS_CONSOLE_HOME';
/** The name early web-host builds read; still honoured when LVS_CONSOLE_HOME is unset, with a deprecation note. */
export const DEPRECATED_DATA_DIR_ENV = 'LVS_CONSOLE_DATA';

/**
 * $LVS_CONSOLE_HOME, else (deprecated) $LVS_CONSOLE_DATA, else %APPDATA%\lvs-console on Windows, else
 * $XDG_CONFIG_HOME/lvs-console (~/.config/lvs-console).
 */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  if (env[DATA_DIR_ENV]) return path.resolve(env[DATA_DIR_ENV]);
  if (env[DEPRECATED_DATA_DIR_ENV]) return path.resolve(env[DEPRECATED_DATA_DIR_ENV]);
  if (platform === 'win32') return path.win32.join(env['APPDATA'] || path.win32.join(home, 'AppData', 'Roaming'), 'lvs-console');
  const xdg = env['XDG_CONFIG_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config'), 'lvs-console');
}

/** What to tell the user about the data folder's environment variables (a deprecated name in use, or both set). */
export function configDirNotes(env: NodeJS.ProcessEnv = process.env): string[] {
  const old = env[DEPRECATED_DATA_DIR_ENV];
  if (!old) return [];
  if (env[DATA_DIR_ENV]) return [`${DEPRECATED_DATA_DIR_ENV} is ignored: ${DATA_DIR_ENV} is set (${env[DATA_DIR_ENV]}). ${DEPRECATED_DATA_DIR_ENV} is deprecated; unset it.`];
  return [`${DEPRECATED_DATA_DIR_ENV} is deprecated: rename it to ${DATA_DIR_ENV} (the data folder is ${path.resolve(old)} either way).`];
}

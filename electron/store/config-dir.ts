/** Where the Node backend keeps its files when no folder is given. */
import os from 'node:os';
import path from 'node:path';

/** $LVS_CONSOLE_HOME, else %APPDATA%\lvs-console on Windows, else $XDG_CONFIG_HOME/lvs-console (~/.config/lvs-console). */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  if (env['LVS_CONSOLE_HOME']) return path.resolve(env['LVS_CONSOLE_HOME']);
  if (platform === 'win32') return path.win32.join(env['APPDATA'] || path.win32.join(home, 'AppData', 'Roaming'), 'lvs-console');
  const xdg = env['XDG_CONFIG_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config'), 'lvs-console');
}

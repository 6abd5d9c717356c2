/**
 * `npm run web`: serves the built renderer and the real services (app/handlers.ts, the same ones Electron's main uses)
 * on 127.0.0.1 and prints the URL (with its one-time token) to open in a browser. Data (profiles, settings, trusted host
 * keys: the same document lvsctl uses) lives in defaultConfigDir(): $LVS_CONSOLE_HOME, %APPDATA%\lvs-console or
 * $XDG_CONFIG_HOME/lvs-console; secrets in memory only.
 *
 * Ctrl+C or SIGTERM stops it: the pages are disconnected, sampling stops, every held SSH session is closed, and the
 * process exits (a second signal exits at once). Options: --port N (default: a free port; or LVS_WEB_PORT).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventName, EventPayload } from '../../shared/api/contract.ts';
import { createAppHandlers, createNodeDeps } from '../app/handlers.ts';
import { parseArgs } from '../cli/args.ts';
import { configDirNotes, defaultConfigDir } from '../store/config-dir.ts';
import { startWebHost, type WebHost } from './web-host.ts';

const here = dirname(fileURLToPath(import.meta.url));
const staticDir = resolve(here, '../../out/renderer');
/** How long closing the SSH sessions may take before the process exits anyway. */
const CLOSE_BOUND_MS = 10_000;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), { values: ['port'] });
  if ('error' in args) {
    console.error(`lvs-console web: ${args.error} (usage: npm run web -- [--port N])`);
    return 2;
  }
  const portText = String(args.flags.get('port') ?? process.env.LVS_WEB_PORT ?? '0');
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`lvs-console web: --port ${portText} is not a port number 0–65535`);
    return 2;
  }
  if (!existsSync(join(staticDir, 'index.html'))) {
    console.error(`lvs-console web: ${staticDir}/index.html is missing. Build the renderer first: npm run build:renderer`);
    return 2;
  }
  for (const note of configDirNotes()) console.warn(`lvs-console web: ${note}`);
  const dataDir = defaultConfigDir();
  // Events may fire while the host is starting: they go nowhere until it exists.
  const ref: { host?: WebHost } = {};
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>) => ref.host?.emit(event, payload);
  const app = createAppHandlers(createNodeDeps({ emit, dataDir }));
  const host = (ref.host = await startWebHost({ handlers: app.handlers, staticDir, port }));
  console.log(`LVS Console web host on ${host.origin} (127.0.0.1 only), data in ${dataDir}. Open this URL; it carries this run's access token:\n\n  ${host.url}\n`);
  console.log('Press Ctrl+C to stop.');
  const signal = await new Promise<NodeJS.Signals>((res) => {
    process.once('SIGINT', () => res('SIGINT'));
    process.once('SIGTERM', () => res('SIGTERM'));
  });
  // A second Ctrl+C while closing: exit now.
  const again = () => {
    console.log('lvs-console web: stopping now.');
    process.exit(130);
  };
  process.once('SIGINT', again);
  process.once('SIGTERM', again);
  console.log(`lvs-console web: ${signal}: closing the pages and the SSH sessions…`);
  await host.close();
  const closed = await Promise.race([app.close().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), CLOSE_BOUND_MS).unref())]);
  console.log(closed ? 'lvs-console web: SSH sessions closed; stopped.' : `lvs-console web: SSH sessions still closing after ${CLOSE_BOUND_MS / 1000} s; stopped anyway.`);
  return 0;
}

// Exit explicitly: a timer or socket nobody owns must never keep a stopped web host alive.
process.exit(await main());

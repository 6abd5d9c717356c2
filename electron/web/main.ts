/**
 * `npm run web`: serves the built renderer and the real services (app/handlers.ts, the same ones Electron's main uses)
 * on 127.0.0.1 and prints the URL (with its one-time token) to open in a browser. Data (profiles, settings, trusted host
 * keys: the same document lvsctl uses) lives in defaultConfigDir(): $LVS_CONSOLE_HOME, %APPDATA%\lvs-console or
 * $XDG_CONFIG_HOME/lvs-console; secrets in memory only.
 *
 * Options: --port N (default: a free port; or LVS_WEB_PORT).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventName, EventPayload } from '../../shared/api/contract.ts';
import { createHandlers, createNodeDeps } from '../app/handlers.ts';
import { parseArgs } from '../cli/args.ts';
import { defaultConfigDir } from '../store/config-dir.ts';
import { startWebHost, type WebHost } from './web-host.ts';

const here = dirname(fileURLToPath(import.meta.url));
const staticDir = resolve(here, '../../out/renderer');

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
  // Events may fire while the host is starting: they go nowhere until it exists.
  const ref: { host?: WebHost } = {};
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>) => ref.host?.emit(event, payload);
  const handlers = createHandlers(createNodeDeps({ emit, dataDir: defaultConfigDir() }));
  const host = (ref.host = await startWebHost({ handlers, staticDir, port }));
  console.log(`LVS Console web host on ${host.origin} (127.0.0.1 only). Open this URL; it carries this run's access token:\n\n  ${host.url}\n`);
  console.log('Press Ctrl+C to stop.');
  await new Promise<void>((res) => {
    process.once('SIGINT', res);
    process.once('SIGTERM', res);
  });
  await host.close();
  return 0;
}

process.exitCode = await main();

/**
 * `npm run web`: serves the built renderer and the real services on 127.0.0.1 and prints the URL (with its one-time
 * token) to open in a browser. The services come from electron/app/handlers.ts (`createHandlers(deps)`), loaded
 * dynamically so this file builds before that module exists; if it exports `createNodeDeps({emit, dataDir})`, that
 * builds the deps (Node stores), else `{emit, dataDir}` is passed as is.
 *
 * Options: --port N (default: a free port), LVS_CONSOLE_DATA=DIR (default ~/.config/lvs-console-web).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ApiHandlers, EventName, EventPayload } from '../../shared/api/contract.ts';
import { parseArgs } from '../cli/args.ts';
import { startWebHost, type WebHost } from './web-host.ts';

const here = dirname(fileURLToPath(import.meta.url));
const staticDir = resolve(here, '../../out/renderer');
const handlersPath = resolve(here, '../app/handlers.ts');

/** What electron/app/handlers.ts is expected to export. */
interface HandlersModule {
  createHandlers(deps: unknown): ApiHandlers | Promise<ApiHandlers>;
  createNodeDeps?(opts: { emit: Emit; dataDir: string }): unknown;
}
/** Pushes one event to every connected page. */
type Emit = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

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
  if (!existsSync(handlersPath)) {
    console.error(
      `lvs-console web: ${handlersPath} does not exist yet, so there are no services to serve.\n` +
        'It must export createHandlers(deps): ApiHandlers (see shared/api/contract.ts). Nothing was started.',
    );
    return 2;
  }
  const mod = (await import(pathToFileURL(handlersPath).href)) as Partial<HandlersModule>;
  if (typeof mod.createHandlers !== 'function') {
    console.error(`lvs-console web: ${handlersPath} does not export createHandlers(deps). Nothing was started.`);
    return 2;
  }
  const dataDir = process.env.LVS_CONSOLE_DATA ?? join(homedir(), '.config', 'lvs-console-web');
  // Events may fire while the host is starting: they go nowhere until it exists.
  const ref: { host?: WebHost } = {};
  const emit: Emit = (event, payload) => ref.host?.emit(event, payload);
  const deps = mod.createNodeDeps ? await mod.createNodeDeps({ emit, dataDir }) : { emit, dataDir };
  const handlers = await mod.createHandlers(deps);
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

/**
 * The soak's main process: the app's handlers (electron/app/handlers.ts createHandlers over plain-Node stores, as the web
 * host builds them) and nothing else, driven through THE dispatch (electron/ipc/dispatch.ts) like a page would: the
 * profile saved, the sample interval set, Start previewed and run with its fingerprint, `metrics.watch` on. Spawned by
 * soak.ts with an IPC channel (run it with `node --expose-gc --import tsx`); every SOAK_MEM_EVERY_S seconds it reports its
 * memory after a full GC (heap used, RSS) with the samples and warnings since the last report; on {type:'status'} it
 * answers with `director.status`; on {type:'stop'} it stops watching and exits.
 * Environment: SOAK_PROFILE (a cluster profile file), SOAK_DATA (the store folder), SOAK_INTERVAL_S (default 1),
 * SOAK_MEM_EVERY_S (default 60).
 */
import { readFileSync } from 'node:fs';
import { createHandlers, createNodeDeps } from '../../../../electron/app/handlers.ts';
import { dispatch } from '../../../../electron/ipc/dispatch.ts';

/** What the child reports. */
export type SoakAppMessage =
  | { type: 'ready'; start: unknown }
  | { type: 'failed'; error: string }
  | { type: 'mem'; t: number; heapUsed: number; rss: number; heapTotal: number; external: number; samples: number; sampleBytes: number; audits: number; warnings: string[] }
  | { type: 'status'; status: unknown };

const send = (m: SoakAppMessage) => process.send?.(m);
const gc = (globalThis as { gc?: () => void }).gc;

let samples = 0;
let sampleBytes = 0;
let audits = 0;
let warnings: string[] = [];
const deps = createNodeDeps({
  dataDir: process.env.SOAK_DATA!,
  // The audit log's memory bound (10,000 entries in the app) fills in ~35 min at the soak's ~290 commands a minute, so a
  // 30-minute soak would measure it filling; SOAK_AUDIT_MAX (the soak sets it) makes it fill within the warm-up.
  ...(process.env.SOAK_AUDIT_MAX ? { auditMaxEntries: Number(process.env.SOAK_AUDIT_MAX) } : {}),
  emit: (event, payload) => {
    // What a transport does with an event: serialize it for the page (then let it go).
    const text = JSON.stringify({ event, payload });
    if (event === 'cluster.sample') {
      samples++;
      sampleBytes += text.length;
    }
    if (event === 'audit.entry') audits++;
  },
});
const log = deps.log;
deps.log = (level, message) => {
  if (level !== 'info' && warnings.length < 20) warnings.push(message.slice(0, 300));
  log(level, message);
};
const handlers = createHandlers(deps);

async function call(method: string, input: unknown): Promise<unknown> {
  const r = await dispatch(handlers, method, input);
  if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

function memory(): SoakAppMessage {
  gc?.();
  const m = process.memoryUsage();
  const out: SoakAppMessage = { type: 'mem', t: Date.now(), heapUsed: m.heapUsed, rss: m.rss, heapTotal: m.heapTotal, external: m.external, samples, sampleBytes, audits, warnings };
  samples = 0;
  sampleBytes = 0;
  audits = 0;
  warnings = [];
  return out;
}

async function main(): Promise<void> {
  const cluster = JSON.parse(readFileSync(process.env.SOAK_PROFILE!, 'utf8')) as { id: string };
  const clusterId = cluster.id;
  await call('clusters.save', { cluster });
  await call('settings.set', { sampleIntervalSec: Number(process.env.SOAK_INTERVAL_S ?? 1) });
  const plan = (await call('director.plan', { clusterId, verb: 'start' })) as { fingerprint: string };
  const start = await call('director.run', { clusterId, verb: 'start', fingerprint: plan.fingerprint });
  await call('metrics.watch', { clusterId, on: true });
  const every = Number(process.env.SOAK_MEM_EVERY_S ?? 60) * 1000;
  const timer = setInterval(() => send(memory()), every);
  process.on('message', (m: { type: string }) => {
    if (m.type === 'status') {
      void call('director.status', { clusterId }).then(
        (status) => send({ type: 'status', status }),
        (e: unknown) => send({ type: 'status', status: { error: String(e) } }),
      );
    }
    if (m.type === 'stop') {
      clearInterval(timer);
      void call('metrics.watch', { clusterId, on: false }).finally(() => {
        send(memory());
        setTimeout(() => process.exit(0), 200);
      });
    }
  });
  send({ type: 'ready', start });
  send(memory());
}

main().catch((e: unknown) => {
  send({ type: 'failed', error: e instanceof Error ? e.message : String(e) });
  setTimeout(() => process.exit(1), 200);
});

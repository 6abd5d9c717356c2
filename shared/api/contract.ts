/**
 * The ONE IPC contract: every method (input/output zod schemas) and every event (payload schema) that crosses between the
 * renderer and the main side. Electron's preload + ipcMain adapter and the local web host are both typed from this list,
 * and both parse every input with these schemas. Add a method here first; the types follow everywhere.
 */
import { z } from 'zod';
import { clusterSchema } from '../model/cluster.ts';
import { appErrorSchema } from '../result.ts';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);
const clusterRef = z.object({ clusterId: id });
const clusterRefShape = clusterRef;
const empty = z.object({}).strict();

/** A virtual-service table as the renderer sees it (plain data, counters optional). */
export const tableSchema = z.object({
  services: z.array(
    z.object({
      protocol: z.enum(['tcp', 'udp', 'sctp', 'fwmark']),
      address: z.string(),
      port: z.number(),
      fwmark: z.number().optional(),
      family: z.enum(['inet', 'inet6']),
      scheduler: z.string(),
      persistent: z.object({ timeout: z.number(), netmask: z.string().optional() }).optional(),
      flags: z.array(z.string()).optional(),
      destinations: z.array(
        z.object({
          address: z.string(),
          port: z.number(),
          forward: z.enum(['masq', 'route', 'tunnel', 'local']),
          weight: z.number(),
          upperThreshold: z.number().optional(),
          lowerThreshold: z.number().optional(),
          tunType: z.string().optional(),
          activeConns: z.number().optional(),
          inactiveConns: z.number().optional(),
          persistConns: z.number().optional(),
        }).passthrough(),
      ),
    }).passthrough(),
  ),
});

/** One planned command, already shell-quoted for display. */
export const planStepSchema = z.object({
  host: z.string(),
  command: z.string(),
  stdin: z.string().optional(),
  why: z.string(),
});
/** The director verbs (the seed's script) plus reconcile (minimal diff against the live table). */
export const directorVerbSchema = z.enum(['start', 'stop', 'reload', 'update', 'reconcile']);

/** A preview's fingerprint (sha256 hex): what run must be given to run exactly what was shown. */
export const fingerprintSchema = z.string().regex(/^[0-9a-f]{64}$/, 'fingerprint must be the 64 hex digits a preview returned');

/**
 * A per-realserver edit: weight (per realserver), drain (weight 0 now, deleted once its connections are gone), disable
 * (deleted now), enable. `service` ("tcp/23") limits a drain, disable or enable to that one service.
 */
export const editInputSchema = clusterRefShape.extend({
  realserver: z.string().min(1).max(255),
  service: z.string().regex(/^(tcp|udp)\/[1-9]\d{0,4}$/, 'service must be written PROTOCOL/PORT, e.g. tcp/23').optional(),
  edit: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('weight'), weight: z.number().int().min(0).max(65535) }),
    z.object({ kind: z.enum(['drain', 'disable', 'enable']) }),
  ]),
});

/** What a run did. */
export const runResultSchema = z.object({
  runId: z.string(),
  verb: z.string(),
  dryRun: z.boolean(),
  steps: z.array(planStepSchema),
  applied: z.boolean(),
  changes: z.array(z.string()),
  table: tableSchema.optional(),
  /** The fingerprint of the plan and of what it was planned from: run it with exactly this (refused when stale). */
  fingerprint: z.string().optional(),
  /** An edit: whether the profile was saved with it (the page re-reads the profile). */
  profileSaved: z.boolean().optional(),
});

/**
 * A difference between the profile and the live table. 'draining': a realserver the profile no longer wants, at weight
 * 0 with connections left; the console deletes it once they are gone (not something to reconcile now). 'foreign': a
 * service on another VIP (another profile's, or set by hand): someone else's, never reconciled or deleted. 'config': the
 * director's runtime config (/etc/lvs.conf or keepalived.conf) disagrees with the profile or the kernel; the detail
 * says all three (reconcile writes the config with the table).
 */
export const driftItemSchema = z.object({ kind: z.enum(['missing', 'extra', 'changed', 'draining', 'foreign', 'config']), what: z.string(), detail: z.string() });

/**
 * The health of one realserver in one service (the console's own probe from the director with the profile's
 * hysteresis, or keepalived's checker on that runtime): `since` is when it entered this state (ms since the epoch).
 */
export const healthEntrySchema = z.object({
  /** "udp/177" */
  service: z.string(),
  /** "xdmcp": the service's conventional name, or its id */
  label: z.string(),
  /** The realserver's display name. */
  realserver: z.string(),
  state: z.enum(['up', 'down', 'unknown']),
  since: z.number(),
  /** What the last check said ("Willing (rs2): …", "connect refused or no answer within 1 s", "routes: …"). */
  detail: z.string(),
});

/** One director of a pair as status shows it (electron/keepalived/pair-plan.ts PairDirectorStatus). */
export const pairDirectorSchema = z.object({
  which: z.enum(['primary', 'secondary']),
  host: z.string(),
  role: z.enum(['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP', 'DELETED', 'STOPPED', 'UNREACHABLE', 'UNKNOWN']),
  /** The VIP / the floating gateway is on this director now. */
  vip: z.boolean(),
  gateway: z.boolean(),
  keepalived: z.boolean(),
  since: z.number().optional(),
  note: z.string().optional(),
});

/** A director pair: both directors' roles, where the VIP is, the last failovers (newest first), problems in words. */
export const pairStatusSchema = z.object({
  directors: z.array(pairDirectorSchema),
  vipOn: z.array(z.string()),
  failovers: z.array(z.object({ director: z.string(), at: z.number() })),
  problems: z.array(z.string()),
});

/** "make this director master", previewed: the roles now, the steps on the current master, one fingerprint. */
export const makeMasterSchema = z.object({
  /** The director that becomes master (its host). */
  target: z.string(),
  /** The host the steps run on (the current master); absent when the target already is master. */
  on: z.string().optional(),
  steps: z.array(planStepSchema),
  summary: z.array(z.string()),
  pair: pairStatusSchema,
  fingerprint: z.string(),
  /** After a run: the roles read back, and how long the VIP took to move. */
  after: pairStatusSchema.optional(),
  tookMs: z.number().optional(),
});

/** A cluster's health as the console knows it now (every page's status strip, notifications). */
export const clusterHealthSchema = z.object({
  clusterId: z.string(),
  /** When the last result came in (0: none yet). */
  at: z.number(),
  /** Where the health comes from and how it is judged, in words. */
  source: z.string(),
  entries: z.array(healthEntrySchema),
  /** One sentence per realserver that is out of something: "rs2 out of telnet and xdmcp since 13:01:13". */
  outages: z.array(z.string()),
  /** Why the last check could not run (the previous states stand). */
  error: z.string().optional(),
  /** A director pair: the roles as of the last round. */
  pair: pairStatusSchema.optional(),
});

/** A change of health (out of a service, or back in). */
export const healthTransitionSchema = z.object({
  service: z.string(),
  label: z.string(),
  realserver: z.string(),
  from: z.enum(['up', 'down', 'unknown']),
  to: z.enum(['up', 'down']),
  at: z.number(),
  detail: z.string(),
});

/** Live director status. */
export const statusSchema = z.object({
  table: tableSchema,
  vipUp: z.boolean(),
  forwarding: z.boolean(),
  drift: z.array(driftItemSchema),
  /** Per realserver: down when it is out of any service, up when in every checked one, else unknown. */
  health: z.record(z.string(), z.enum(['up', 'down', 'unknown'])),
  /** Per (service, realserver). */
  serviceHealth: z.array(healthEntrySchema).optional(),
  /** What runs the cluster on the director: the seed's script + cron, or keepalived. */
  runtime: z.enum(['script', 'keepalived']).optional(),
  /** A director pair: each director's role, where the VIP is, the last failovers (the table is the VIP holder's). */
  pair: pairStatusSchema.optional(),
  observedAt: z.number(),
});

/** A realserver check (the seed's lvs-route check plus load and services). */
export const realserverCheckSchema = z.object({
  name: z.string(),
  host: z.string(),
  os: z.string(),
  reachable: z.boolean(),
  error: appErrorSchema.optional(),
  load: z.tuple([z.number(), z.number(), z.number()]).optional(),
  users: z.number().optional(),
  displayManager: z.object({ name: z.string(), running: z.boolean() }).optional(),
  telnet: z.boolean().optional(),
  route: z.object({ ok: z.boolean(), problems: z.array(z.string()) }).optional(),
});

/** An X server or telnet client found on this desktop. */
export const launcherSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['xdmcp', 'telnet']),
  path: z.string(),
  argsTemplate: z.array(z.string()),
});

/** One audited remote command. */
export const auditEntrySchema = z.object({
  time: z.number(),
  host: z.string(),
  argv: z.array(z.string()),
  code: z.number().nullable(),
  durationMs: z.number(),
  outputExcerpt: z.string(),
});

/** One metrics sample for a cluster (all realservers at one instant). */
export const sampleSchema = z.object({
  clusterId: z.string(),
  time: z.number(),
  realservers: z.array(
    z.object({
      address: z.string(),
      name: z.string(),
      activeConns: z.number(),
      inactiveConns: z.number(),
      cps: z.number(),
      load1: z.number().optional(),
    }),
  ),
});

/** App settings kept in electron-store (or the web host's settings file). */
export const settingsSchema = z.object({
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  sampleIntervalSec: z.number().int().min(1).max(300).default(5),
  launcherOverrides: z.record(z.string(), z.object({ path: z.string(), argsTemplate: z.array(z.string()) })).default({}),
  windowsAgent: z.enum(['pageant', 'openssh']).default('openssh'),
});

/** Every method: name → {input, output}. */
export const methods = {
  'clusters.list': { input: empty, output: z.array(clusterSchema) },
  'clusters.get': { input: clusterRef, output: clusterSchema },
  'clusters.save': { input: z.object({ cluster: z.unknown() }), output: clusterSchema },
  'clusters.delete': { input: clusterRef, output: empty },
  'clusters.importConf': {
    input: z.union([
      z.object({ source: z.literal('text'), text: z.string().max(1_000_000), file: z.string().max(260), base: z.unknown() }),
      z.object({ source: z.literal('director'), clusterId: id }),
    ]),
    output: z.object({ cluster: z.unknown(), warnings: z.array(z.string()) }),
  },
  'clusters.exportConf': { input: clusterRef, output: z.object({ text: z.string() }) },
  'secrets.set': { input: z.object({ ref: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/), value: z.string().min(1).max(4096) }), output: empty },
  'secrets.has': { input: z.object({ ref: z.string() }), output: z.object({ present: z.boolean() }) },
  'hostKeys.trust': {
    input: z.object({ host: z.string(), port: z.number(), keyType: z.string(), key: z.string(), fingerprint: z.string() }),
    output: empty,
  },
  // Every change is previewed first (plan → the exact commands and a fingerprint), then run with that fingerprint: the
  // run re-observes and refuses with PLAN_STALE (error.detail = { changes, preview: a fresh preview }) if anything differs.
  'director.plan': { input: clusterRef.extend({ verb: directorVerbSchema }), output: runResultSchema },
  'director.run': { input: clusterRef.extend({ verb: directorVerbSchema, fingerprint: fingerprintSchema }), output: runResultSchema },
  'director.status': { input: clusterRef, output: statusSchema },
  'director.planMakeMaster': { input: clusterRef.extend({ director: z.string().min(1).max(255) }), output: makeMasterSchema },
  'director.runMakeMaster': { input: clusterRef.extend({ director: z.string().min(1).max(255), fingerprint: fingerprintSchema }), output: makeMasterSchema },
  'director.planEdit': { input: editInputSchema, output: runResultSchema },
  'director.runEdit': { input: editInputSchema.extend({ fingerprint: fingerprintSchema }), output: runResultSchema },
  'realservers.check': { input: clusterRef.extend({ name: z.string().optional() }), output: z.array(realserverCheckSchema) },
  'realservers.routeFix': {
    input: clusterRef.extend({ name: z.string().optional(), dryRun: z.boolean().default(false) }),
    output: z.array(z.object({ name: z.string(), steps: z.array(planStepSchema), applied: z.boolean(), error: appErrorSchema.optional() })),
  },
  'connect.detect': { input: empty, output: z.array(launcherSchema) },
  'connect.launch': {
    input: clusterRef.extend({ kind: z.enum(['xdmcp', 'telnet']), launcherId: z.string().optional() }),
    output: z.object({ pid: z.number().optional(), argv: z.array(z.string()), landedOn: z.object({ address: z.string(), name: z.string() }).optional() }),
  },
  'connect.whereAmI': { input: clusterRef, output: z.object({ landedOn: z.object({ address: z.string(), name: z.string() }).optional() }) },
  'audit.list': { input: z.object({ limit: z.number().int().min(1).max(10000).default(500) }), output: z.array(auditEntrySchema) },
  'audit.export': { input: z.object({ format: z.enum(['csv', 'json']) }), output: z.object({ text: z.string() }) },
  'metrics.history': {
    input: clusterRef.extend({ window: z.enum(['5m', '1h', '24h']) }),
    output: z.array(sampleSchema),
  },
  'metrics.watch': { input: clusterRef.extend({ on: z.boolean() }), output: empty },
  'cluster.health': { input: clusterRef, output: clusterHealthSchema },
  'settings.get': { input: empty, output: settingsSchema },
  'settings.set': { input: settingsSchema.partial(), output: settingsSchema },
} as const;

/** Every event the main side pushes: name → payload schema. */
export const events = {
  'director.progress': z.object({
    clusterId: z.string(),
    runId: z.string(),
    index: z.number(),
    total: z.number(),
    host: z.string(),
    command: z.string(),
    status: z.enum(['running', 'ok', 'failed', 'rolled-back']),
    output: z.string().optional(),
  }),
  'cluster.sample': sampleSchema,
  /** Pushed as soon as a health change is known (and after the first result): the whole state plus what changed. */
  'cluster.health': clusterHealthSchema.extend({ transitions: z.array(healthTransitionSchema) }),
  'audit.entry': auditEntrySchema,
  /** A director pair's failover seen (a director became master): the desktop notification, the Director page. */
  'cluster.failover': z.object({ clusterId: z.string(), director: z.string(), at: z.number(), pair: pairStatusSchema }),
  'app.log': z.object({ time: z.number(), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
} as const;

/** A method name. */
export type MethodName = keyof typeof methods;
/** An event name. */
export type EventName = keyof typeof events;
/** What a caller passes to a method (defaults optional). */
export type MethodInput<M extends MethodName> = z.input<(typeof methods)[M]['input']>;
/** What a handler receives (defaults applied, validated). */
export type MethodParsedInput<M extends MethodName> = z.output<(typeof methods)[M]['input']>;
/** What a method returns. */
export type MethodOutput<M extends MethodName> = z.output<(typeof methods)[M]['output']>;
/** An event's payload. */
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

/** The main side implements this; both transports (ipcMain and the web host) dispatch to it. */
export type ApiHandlers = { [M in MethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>> };

/** The renderer's view: plain async functions returning Result-shaped data, and event subscriptions. */
export interface ApiClient {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<{ ok: true; value: MethodOutput<M> } | { ok: false; error: z.output<typeof appErrorSchema> }>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** The list of method names, for preload/adapters that must expose exactly these. */
export const METHOD_NAMES = Object.keys(methods) as MethodName[];
/** The list of event names. */
export const EVENT_NAMES = Object.keys(events) as EventName[];

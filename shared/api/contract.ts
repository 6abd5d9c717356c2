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
  /** "Fixed now": the live routes (the seed's lvs-route check). */
  route: z.object({ ok: z.boolean(), problems: z.array(z.string()) }).optional(),
  /** "Fixed at boot": lvs-route installed as a boot script for the realserver's init, and current. */
  boot: z.object({ kind: z.string(), installed: z.boolean(), current: z.boolean(), problems: z.array(z.string()) }).optional(),
  /** Why "fixed at boot" could not be told (unknown init, no address on the interface…). */
  bootError: z.string().optional(),
});

/** One realserver's route fix: the commands (the director's first, when the fix needs it to keep this console's path), what ran, how it was verified. */
export const routeFixResultSchema = z.object({
  name: z.string(),
  steps: z.array(planStepSchema),
  applied: z.boolean(),
  /** Run with it to run exactly these steps (refused when they changed). */
  fingerprint: z.string().optional(),
  /** How the console reaches the realserver, and the address its session comes from. */
  path: z.object({ via: z.enum(['direct', 'via-director']), peer: z.string().optional() }).optional(),
  ran: z.array(z.string()).optional(),
  notes: z.array(z.string()).optional(),
  error: appErrorSchema.optional(),
});

/** One realserver's install-route / uninstall-route. */
export const bootRouteResultSchema = z.object({
  name: z.string(),
  op: z.enum(['install', 'uninstall']),
  kind: z.string().optional(),
  gateway: z.string().optional(),
  steps: z.array(planStepSchema),
  fingerprint: z.string().optional(),
  applied: z.boolean(),
  ran: z.array(z.string()).optional(),
  /** Installed / current before, and (after a run) as probed again. */
  before: z.object({ installed: z.boolean(), current: z.boolean(), problems: z.array(z.string()) }).optional(),
  after: z.object({ installed: z.boolean(), current: z.boolean(), problems: z.array(z.string()) }).optional(),
  error: appErrorSchema.optional(),
});

/** One doctor finding, as the Diagnose screen shows it. */
export const findingSchema = z.object({
  id: z.string(),
  key: z.string(),
  severity: z.enum(['error', 'warning']),
  subject: z.object({ kind: z.enum(['desktop', 'director', 'realserver', 'cluster']), name: z.string() }),
  what: z.string(),
  why: z.string(),
  explains: z.array(z.string()).optional(),
  /** Whether the console offers a fix, and what kind: commands (previewed by doctor.previewFix) or a whole verb. */
  fix: z.object({ kind: z.enum(['steps', 'action']), summary: z.string() }).optional(),
});

/** A doctor run. */
export const doctorReportSchema = z.object({
  findings: z.array(findingSchema),
  checked: z.object({
    directors: z.array(z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() })),
    realservers: z.array(z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() })),
    desktop: z.boolean(),
  }),
  notes: z.array(z.string()),
  durationMs: z.number(),
  observedAt: z.number(),
});

/** A finding's fix as previewed. */
export const fixPreviewSchema = z.object({ key: z.string(), via: z.enum(['route-fix', 'install-route', 'install-director', 'steps']), commands: z.array(z.string()), fingerprint: z.string() });

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
  /**
   * 'change': run as part of an operation that changes a host (a director verb, an edit, reconcile, a route fix, the
   * drain follow-up…, named in `operation`); 'read': everything else (status polls, checks, previews). Entries written
   * before this field existed read as 'read'.
   */
  kind: z.enum(['read', 'change']).optional(),
  /** The change this command was part of ("start", "drain rs2 (tcp/23)", "route fix rs1"). */
  operation: z.string().max(200).optional(),
  /** Who ran it: the desktop's user name (the person at the console). */
  by: z.string().max(200).optional(),
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
      /**
       * New connections per second since the previous sample, from the growth of the kernel's cumulative connection
       * counters (`ipvsadm -L -n --stats --exact`), not its rounded rate estimate; absent on the first sample and after a
       * counter went back (the destination was deleted and added again).
       */
      cps: z.number().optional(),
      load1: z.number().optional(),
    }),
  ),
});

const themeSchema = z.enum(['system', 'light', 'dark']);
const sampleIntervalSchema = z.number().int().min(1).max(300);
const launcherOverridesSchema = z.record(z.string(), z.object({ path: z.string(), argsTemplate: z.array(z.string()) }));
const windowsAgentSchema = z.enum(['pageant', 'openssh']);

/** App settings kept in electron-store (or the web host's settings file). */
export const settingsSchema = z.object({
  theme: themeSchema.default('system'),
  sampleIntervalSec: sampleIntervalSchema.default(5),
  launcherOverrides: launcherOverridesSchema.default({}),
  windowsAgent: windowsAgentSchema.default('openssh'),
  /** The cluster the app showed last: it reopens on it. */
  lastClusterId: id.optional(),
});

/**
 * A change to some settings: only the keys given change. (Not settingsSchema.partial(): zod 4 still fills the defaults
 * in there, so saving the theme would reset every other setting.)
 */
export const settingsPatchSchema = z
  .object({
    theme: themeSchema.optional(),
    sampleIntervalSec: sampleIntervalSchema.optional(),
    launcherOverrides: launcherOverridesSchema.optional(),
    windowsAgent: windowsAgentSchema.optional(),
    lastClusterId: id.optional(),
  })
  .strict();

/** A problem found by clusters.check: which field (a profile path), which check, and what is wrong. */
export const profileProblemSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  check: z.enum(['resolve', 'key-file', 'vip-subnet']),
  message: z.string(),
});

/** The progress of one host in a long operation over several hosts (realserver checks, route fixes). */
export const hostProgressSchema = z.object({
  opId: z.string(),
  index: z.number().int(),
  total: z.number().int(),
  host: z.string(),
  status: z.enum(['waiting', 'running', 'ok', 'failed', 'cancelled']),
  message: z.string().optional(),
  /** realservers.check: the host's row as soon as it is known (the table fills in host by host). */
  row: realserverCheckSchema.optional(),
});
/** A caller's id for a long operation (events carry it; ops.cancel names it). */
const opId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/);
/**
 * Several realservers' previews confirmed at once: realserver name → its preview's fingerprint. Only the realservers
 * named here run, each exactly what its own preview showed (one whose plan changed is refused alone).
 */
const perHostFingerprints = z.record(z.string().max(200), fingerprintSchema).optional();

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
    // fields: the profile fields the file set (an import into a half-filled form changes only those).
    output: z.object({ cluster: z.unknown(), warnings: z.array(z.string()), fields: z.array(z.string()).optional() }),
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
  // With an opId, a check or fix of several realservers reports each host (ops.progress) and can be cancelled (ops.cancel).
  'realservers.check': { input: clusterRef.extend({ name: z.string().optional(), opId: opId.optional() }), output: z.array(realserverCheckSchema) },
  'realservers.routeFix': {
    input: clusterRef.extend({ name: z.string().optional(), dryRun: z.boolean().default(false), fingerprint: fingerprintSchema.optional(), fingerprints: perHostFingerprints, opId: opId.optional() }),
    output: z.array(routeFixResultSchema),
  },
  // install-route / uninstall-route: previewed (dryRun) then run with the preview's fingerprint; verified after.
  'realservers.bootRoute': {
    input: clusterRef.extend({ name: z.string().optional(), op: z.enum(['install', 'uninstall']), dryRun: z.boolean().default(false), fingerprint: fingerprintSchema.optional(), fingerprints: perHostFingerprints, opId: opId.optional() }),
    output: z.array(bootRouteResultSchema),
  },
  'doctor.run': { input: clusterRef, output: doctorReportSchema },
  'doctor.previewFix': { input: clusterRef.extend({ key: z.string().min(1).max(500) }), output: fixPreviewSchema },
  'doctor.runFix': {
    input: clusterRef.extend({ key: z.string().min(1).max(500), fingerprint: fingerprintSchema }),
    output: fixPreviewSchema.extend({ ran: z.array(z.string()), gone: z.boolean(), after: doctorReportSchema }),
  },
  'connect.detect': { input: empty, output: z.array(launcherSchema) },
  'connect.launch': {
    input: clusterRef.extend({ kind: z.enum(['xdmcp', 'telnet']), launcherId: z.string().optional() }),
    output: z.object({ pid: z.number().optional(), argv: z.array(z.string()), landedOn: z.object({ address: z.string(), name: z.string() }).optional() }),
  },
  'connect.whereAmI': { input: clusterRef, output: z.object({ landedOn: z.object({ address: z.string(), name: z.string() }).optional() }) },
  /** Whether a program Connect me started (its pid) still runs; pids it did not start are refused. */
  'connect.alive': { input: z.object({ pid: z.number().int().positive() }), output: z.object({ alive: z.boolean() }) },
  /** Stops a long operation between two hosts (never inside one host's step); unknown or finished ids are ignored. */
  'ops.cancel': { input: z.object({ opId }), output: empty },
  /**
   * The checks of a profile that need this machine: host names that do not resolve here, a key file that does not exist
   * or cannot be read, the VIP outside the director's subnet once both are resolved. Nothing is saved or connected.
   */
  'clusters.check': { input: z.object({ cluster: z.unknown() }), output: z.object({ problems: z.array(profileProblemSchema) }) },
  /** What the page adapts to: the platform of the machine that runs the console's services, native dialogs, the data folder. */
  'app.info': { input: empty, output: z.object({ platform: z.enum(['win32', 'linux', 'darwin', 'other']), nativeDialogs: z.boolean(), dataDir: z.string() }) },
  /** A native "open file" dialog for an SSH private key (Electron); UNSUPPORTED in the web host. No path: cancelled. */
  'files.pickKeyFile': { input: z.object({ current: z.string().max(4096).optional() }), output: z.object({ path: z.string().optional() }) },
  'audit.list': { input: z.object({ limit: z.number().int().min(1).max(10000).default(500) }), output: z.array(auditEntrySchema) },
  'audit.export': { input: z.object({ format: z.enum(['csv', 'json']) }), output: z.object({ text: z.string() }) },
  'metrics.history': {
    input: clusterRef.extend({ window: z.enum(['5m', '1h', '24h']) }),
    output: z.array(sampleSchema),
  },
  'metrics.watch': { input: clusterRef.extend({ on: z.boolean() }), output: empty },
  'cluster.health': { input: clusterRef, output: clusterHealthSchema },
  'settings.get': { input: empty, output: settingsSchema },
  'settings.set': { input: settingsPatchSchema, output: settingsSchema },
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
  'ops.progress': hostProgressSchema,
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

import { z } from 'zod';
import { portNumber } from './well-known-ports.ts';
import { aliasIfSchema, hostSchema, ifNameSchema, isIPv4, noControlChars, plainText, portNumberSchema, SHELL_META } from './validators.ts';

/** Every scheduler ipvsadm(8) knows (v1.31). */
export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'] as const;
/** An IPVS scheduler name. */
export const schedulerSchema = z.enum(SCHEDULERS, { error: `scheduler must be one of ${SCHEDULERS.join(', ')}` });
export type Scheduler = z.infer<typeof schedulerSchema>;

/** How the director forwards to realservers: masq is the seed's NAT (-m); route is direct routing (-g); tunnel is IPIP (-i). */
export const forwardingSchema = z.enum(['masq', 'route', 'tunnel']);
export type Forwarding = z.infer<typeof forwardingSchema>;

const safeText = (what: string) =>
  z
    .string()
    .superRefine(noControlChars(what))
    .refine((s) => !SHELL_META.test(s), `${what} contains a shell metacharacter or space`);

/** A port as written in TPORTS/UPORTS: a number 1–65535 or a known /etc/services name. */
export const portRefSchema = z.union([
  portNumberSchema,
  z
    .string()
    .min(1, 'port is empty')
    .refine((s) => !SHELL_META.test(s), 'port contains a shell metacharacter or space')
    .refine((s) => portNumber(s, 'tcp') !== undefined || portNumber(s, 'udp') !== undefined, 'not a port number 1–65535 or a known service name'),
]);
export type PortRef = z.infer<typeof portRefSchema>;

/** Persistence (ipvsadm -p [timeout] -M netmask): keeps a client on one realserver; needed for XDMCP's Query/Request/Manage. */
export const persistenceSchema = z.object({
  timeout: z.number().int().min(1, 'persistence timeout must be ≥ 1 s').max(2678400, 'persistence timeout too long'),
  netmask: z
    .string()
    .refine(
      (s) => (/^(\d{1,3}\.){3}\d{1,3}$/.test(s) && s.split('.').every((o) => Number(o) <= 255)) || (/^\d{1,3}$/.test(s) && Number(s) <= 128),
      'netmask must be dotted (255.255.255.0, each part 0–255) or an IPv6 prefix length (0–128)',
    )
    .optional(),
});
export type Persistence = z.infer<typeof persistenceSchema>;

const hexBytes = (what: string) =>
  z
    .string()
    .transform((s) => s.replace(/[\s:]/g, '').toLowerCase())
    .pipe(z.string().regex(/^([0-9a-f]{2}){1,512}$/, `${what} must be hex bytes (e.g. "00 01 00 02"), 1–512 bytes`));

/**
 * How the health of one service on one realserver is judged (checked from the director, per service and realserver):
 *   connect  TCP connect to the realserver's port (the default for TCP services);
 *   xdmcp    an XDMCP Query sent to UDP port, healthy only on a Willing reply (the default for UDP 177);
 *   udp      `payload` sent to the UDP port, healthy when the reply starts with `reply` (other UDP services);
 *   none     not checked: the realserver stays in this service whatever happens to it (say so explicitly).
 */
export const checkSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('connect') }),
  z.object({ kind: z.literal('xdmcp') }),
  z.object({ kind: z.literal('udp'), payload: hexBytes('payload'), reply: hexBytes('reply') }),
  z.object({ kind: z.literal('none') }),
]);
export type Check = z.infer<typeof checkSchema>;

/** One virtual service on the VIP. */
export const serviceSchema = z.object({
  port: portRefSchema,
  /** Overrides the cluster scheduler for this service. */
  scheduler: schedulerSchema.optional(),
  /** null = explicitly not persistent; undefined = the default (persistent 360 s for UDP xdmcp/177 only). */
  persistence: persistenceSchema.nullable().optional(),
  /** How realservers are checked for this service; undefined = the default (see effectiveCheck). */
  check: checkSchema.optional(),
});
export type Service = z.infer<typeof serviceSchema>;

/** Where a secret lives in the app's secret store; never the secret itself. */
export const secretRefSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'secret reference must be a short id');

/** How to authenticate over SSH. Secrets are referenced, never stored in a profile. */
export const authSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('agent') }),
  z.object({ method: z.literal('key'), keyPath: plainText('key path').pipe(z.string().min(1)), passphraseRef: secretRefSchema.optional() }),
  z.object({ method: z.literal('password'), secretRef: secretRefSchema }),
  z.object({ method: z.literal('keyboard-interactive'), secretRef: secretRefSchema }),
]);
export type Auth = z.infer<typeof authSchema>;

/** SSH access to one host. */
export const sshTargetSchema = z.object({
  host: hostSchema,
  port: portNumberSchema.default(22),
  user: safeText('user').pipe(z.string().min(1, 'user is empty').max(32, 'user name longer than 32 characters')),
  auth: authSchema.default({ method: 'agent' }),
  /** Run privileged commands through sudo (password from secretRef, fed on stdin). */
  sudo: z.object({ secretRef: secretRefSchema.optional() }).optional(),
  /** Enable old algorithms (group14-sha1, ssh-rsa, ssh-dss, aes-cbc, 3des-cbc, hmac-sha1/md5) for old HP-UX sshd. */
  legacyAlgorithms: z.boolean().default(false),
  /** Reach this host through the director (realservers on a private subnet). */
  viaDirector: z.boolean().default(false),
});
export type SshTarget = z.infer<typeof sshTargetSchema>;

/**
 * A realserver's SSH settings: every field optional and WITHOUT defaults, so a missing field really inherits the
 * director's (sshTargetSchema.partial() would fill in port 22, agent auth… and hide that).
 */
export const sshOverrideSchema = z.object({
  host: hostSchema.optional(),
  port: portNumberSchema.optional(),
  user: sshTargetSchema.shape.user.optional(),
  auth: authSchema.optional(),
  sudo: sshTargetSchema.shape.sudo,
  legacyAlgorithms: z.boolean().optional(),
  viaDirector: z.boolean().optional(),
});
export type SshOverride = z.infer<typeof sshOverrideSchema>;

/** A virtual service of the profile by protocol and port number: "tcp/23", "udp/177". */
export const serviceRefSchema = z.string().regex(/^(tcp|udp)\/[1-9]\d{0,4}$/, 'service must be written PROTOCOL/PORT, e.g. tcp/23');
/** A service reference ("tcp/23"). */
export type ServiceRef = z.infer<typeof serviceRefSchema>;

/** One realserver (RIPS entry) with its place in the table and how to reach it. */
export const realserverSchema = z.object({
  host: hostSchema,
  /** Display name (defaults to host). */
  name: safeText('realserver name').pipe(z.string().max(64)).optional(),
  weight: z.number().int().min(0, 'weight must be 0–65535').max(65535, 'weight must be 0–65535').default(1),
  enabled: z.boolean().default(true),
  os: z.enum(['linux', 'hpux']).default('linux'),
  /** LVS interface on the realserver (the seed's NET_INTERFACE: eth0 / lan0). */
  netIf: ifNameSchema.default('eth0'),
  /** SSH access; missing fields come from the director's. */
  ssh: sshOverrideSchema.optional(),
  /**
   * The services this realserver is kept out of ("tcp/23", "udp/177"): a per-service drain or disable. The realserver
   * stays in the profile's other services. Absent or empty = in every service (when enabled).
   */
  exclude: z.array(serviceRefSchema).optional(),
});
export type Realserver = z.infer<typeof realserverSchema>;

/** What runs the cluster on the director when no console is open: the seed's lvs-director script + cron, or keepalived. */
export const runtimeSchema = z.enum(['script', 'keepalived']);
export type Runtime = z.infer<typeof runtimeSchema>;

/**
 * Health-check timing and hysteresis, the same for every service: a check every `intervalSec`, a check that gets no
 * answer within `timeoutSec` fails, a realserver leaves a service after `fall` failures in a row and comes back after
 * `rise` passes in a row. The defaults take a dead service out within 3 s (keepalived: delay_loop 1, connect_timeout 1,
 * retry 1) and keep one lost packet from cutting anybody (fall 2).
 */
export const healthSchema = z.object({
  intervalSec: z.number().int().min(1, 'check interval must be ≥ 1 s').max(3600).default(1),
  timeoutSec: z.number().int().min(1, 'check timeout must be ≥ 1 s').max(60).default(1),
  fall: z.number().int().min(1).max(10).default(2),
  rise: z.number().int().min(1).max(10).default(2),
});
export type Health = z.infer<typeof healthSchema>;

/**
 * The second director of a pair (keepalived with VRRP): `director` (the profile's) is the preferred master, this one the
 * backup. VRRP moves the VIP and `gateway` (the floating address the realservers' default route points at, so replies
 * follow the active director in the one-interface NAT topology); both IPVS sync daemons on both directors carry
 * connections across (keepalived/pair-handover.ts).
 */
export const pairSchema = z.object({
  /** How to reach the second director (its own address and SSH settings). */
  director: sshTargetSchema,
  /** The floating gateway address (IPv4, on the LVS subnet): realservers route via it. */
  gateway: z.string().refine((s) => isIPv4(s), 'gateway must be an IPv4 address'),
  /** VRRP virtual router id (1–255), unique on the LAN. */
  vrid: z.number().int().min(1).max(255).default(51),
  /**
   * VRRP advertisement interval in ms (VRRPv3 allows sub-second); failover takes about 3 × this plus skew. A multiple of
   * 10 ms: VRRPv3 carries the interval in centiseconds (RFC 5798 Max Adver Int), so 155 ms could not be sent as such.
   */
  advertMs: z
    .number()
    .int()
    .min(100, 'advert interval must be ≥ 100 ms')
    .max(10_000, 'advert interval must be ≤ 10000 ms')
    .refine((n) => n % 10 === 0, 'advert interval must be a multiple of 10 ms (VRRPv3 counts centiseconds)')
    .default(500),
});
export type Pair = z.infer<typeof pairSchema>;

/** A cluster profile: everything /etc/lvs.conf says plus how to reach the hosts. Used by lvsctl, the app and files. */
export const clusterSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'id must be lowercase letters, digits and "-"'),
    name: plainText('cluster name').pipe(z.string().min(1).max(100)),
    director: sshTargetSchema,
    vip: hostSchema,
    /** Prefix length the VIP gets on VIP_IF (the seed's one-interface subnet). */
    vipPrefix: z.number().int().min(1).max(128).default(24),
    vipIf: aliasIfSchema.default('eth0:110'),
    lvsIf: ifNameSchema.default('eth0'),
    scheduler: schedulerSchema.default('wlc'),
    forwarding: forwardingSchema.default('masq'),
    tcp: z.array(serviceSchema).default([]),
    udp: z.array(serviceSchema).default([]),
    realservers: z.array(realserverSchema).default([]),
    /** Pre-trusted host keys in OpenSSH known_hosts line format (e.g. the lab's), honoured like ~/.ssh/known_hosts. */
    knownHosts: z.array(plainText('known_hosts line').pipe(z.string().max(16384))).optional(),
    /** What runs the cluster on the director(s). A pair needs keepalived. */
    runtime: runtimeSchema.default('script'),
    /** Health-check timing and hysteresis (every service). */
    health: healthSchema.default({ intervalSec: 1, timeoutSec: 1, fall: 2, rise: 2 }),
    /** A second director (keepalived VRRP pair); absent = one director. */
    pair: pairSchema.optional(),
    /**
     * This profile is the only cluster on its director: start, stop and reload clear the WHOLE IPVS table
     * (`ipvsadm -C`, the seed's lvs-director), services of other VIPs included. Off (the default), a profile touches
     * only the virtual services on its own VIP, and `ipvsadm -C` runs only when the director holds nothing else.
     */
    exclusiveDirector: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    // A duplicate names the other entry in params.also (describeIssues words it: "(also realservers.0)").
    const seen = new Map<string, number>();
    const named = new Map<string, number>();
    c.realservers.forEach((r, i) => {
      const k = r.host.toLowerCase();
      const hostSeen = seen.get(k);
      if (hostSeen !== undefined) ctx.addIssue({ code: 'custom', path: ['realservers', i, 'host'], message: `duplicate realserver ${r.host}`, params: { also: ['realservers', hostSeen] } });
      else seen.set(k, i);
      // Edits, checks and the log name a realserver by its name (its host when it has none): two must not share one.
      const n = (r.name ?? r.host).toLowerCase();
      const nameSeen = named.get(n);
      if (nameSeen === undefined) named.set(n, i);
      else if (hostSeen === undefined) ctx.addIssue({ code: 'custom', path: ['realservers', i, r.name ? 'name' : 'host'], message: `two realservers named ${r.name ?? r.host}`, params: { also: ['realservers', nameSeen] } });
    });
    for (const proto of ['tcp', 'udp'] as const) {
      const ports = new Map<number, number>();
      c[proto].forEach((s, i) => {
        const n = portNumber(s.port, proto);
        if (n === undefined) {
          ctx.addIssue({ code: 'custom', path: [proto, i, 'port'], message: `${String(s.port)} is not a ${proto.toUpperCase()} service` });
          return;
        }
        if (ports.has(n)) ctx.addIssue({ code: 'custom', path: [proto, i, 'port'], message: `duplicate ${proto.toUpperCase()} port ${n}`, params: { also: [proto, ports.get(n)] } });
        else ports.set(n, i);
      });
    }
    // A check must fit its protocol: there is no TCP connect on UDP, and no datagram exchange on a TCP service.
    for (const proto of ['tcp', 'udp'] as const) {
      const fits: readonly Check['kind'][] = proto === 'tcp' ? ['connect', 'none'] : ['xdmcp', 'udp', 'none'];
      c[proto].forEach((s, i) => {
        if (s.check && !fits.includes(s.check.kind)) {
          ctx.addIssue({
            code: 'custom',
            path: [proto, i, 'check', 'kind'],
            message: `a ${s.check.kind} check does not fit a ${proto.toUpperCase()} service (${proto.toUpperCase()}: ${fits.join(', ')})`,
          });
        }
      });
    }
    c.realservers.forEach((r, i) => {
      (r.exclude ?? []).forEach((ref, j) => {
        const [proto, port] = ref.split('/') as ['tcp' | 'udp', string];
        if (!c[proto].some((s) => portNumber(s.port, proto) === Number(port))) {
          ctx.addIssue({ code: 'custom', path: ['realservers', i, 'exclude', j], message: `${ref} is not one of this profile's services` });
        }
      });
    });
    c.udp.forEach((s, i) => {
      const n = portNumber(s.port, 'udp');
      if (n !== undefined && n !== 177 && s.check === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['udp', i, 'check'],
          message: `UDP ${String(s.port)}: say how to check it (a payload and the reply to expect) or that it is not checked`,
        });
      }
    });
    if (c.pair) {
      if (c.runtime !== 'keepalived') ctx.addIssue({ code: 'custom', path: ['runtime'], message: 'a director pair runs on keepalived: set the runtime to keepalived' });
      if (c.pair.director.host.toLowerCase() === c.director.host.toLowerCase()) {
        ctx.addIssue({ code: 'custom', path: ['pair', 'director', 'host'], message: 'the second director must be another host than the first' });
      }
      if (c.pair.gateway === c.vip) ctx.addIssue({ code: 'custom', path: ['pair', 'gateway'], message: 'the gateway address must differ from the VIP' });
    }
  });
/** A cluster profile as parsed (defaults applied). */
export type Cluster = z.infer<typeof clusterSchema>;
/** A cluster profile as written by a user (defaults optional). */
export type ClusterInput = z.input<typeof clusterSchema>;

/** Default persistence: XDMCP over UDP 177 must keep Query/Request/Manage on one realserver. */
export const XDMCP_DEFAULT_PERSISTENCE: Persistence = { timeout: 360 };

/** The persistence a service really gets: explicit value, or the xdmcp default for UDP 177. */
export function effectivePersistence(protocol: 'tcp' | 'udp', s: Service): Persistence | undefined {
  if (s.persistence === null) return undefined;
  if (s.persistence) return s.persistence;
  return protocol === 'udp' && portNumber(s.port, 'udp') === 177 ? XDMCP_DEFAULT_PERSISTENCE : undefined;
}

/**
 * The check a service really gets: its explicit `check`, else TCP connect for TCP services, XDMCP Query → Willing for UDP
 * 177, and `none` for any other UDP service (the schema refuses such a profile unless it says so explicitly).
 */
export function effectiveCheck(protocol: 'tcp' | 'udp', s: Service): Check {
  if (s.check) return s.check;
  if (protocol === 'tcp') return { kind: 'connect' };
  return portNumber(s.port, 'udp') === 177 ? { kind: 'xdmcp' } : { kind: 'none' };
}

/** The one zod-issue formatter (shared/result.ts), re-exported where profiles are validated. */
export { describeIssues } from '../result.ts';

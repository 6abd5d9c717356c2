import { z } from 'zod';
import { portNumber } from './well-known-ports.ts';
import { aliasIfSchema, hostSchema, ifNameSchema, portNumberSchema, SHELL_META } from './validators.ts';

/** Every scheduler ipvsadm(8) knows (v1.31). */
export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'] as const;
/** An IPVS scheduler name. */
export const schedulerSchema = z.enum(SCHEDULERS, { error: `scheduler must be one of ${SCHEDULERS.join(', ')}` });
export type Scheduler = z.infer<typeof schedulerSchema>;

/** How the director forwards to realservers: masq is the seed's NAT (-m); route is direct routing (-g); tunnel is IPIP (-i). */
export const forwardingSchema = z.enum(['masq', 'route', 'tunnel']);
export type Forwarding = z.infer<typeof forwardingSchema>;

const safeText = (what: string) =>
  z.string().refine((s) => !SHELL_META.test(s), `${what} contains a shell metacharacter or space`);

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
    .refine((s) => /^(\d{1,3}\.){3}\d{1,3}$/.test(s) || /^\d{1,3}$/.test(s), 'netmask must be dotted (255.255.255.0) or an IPv6 prefix length')
    .optional(),
});
export type Persistence = z.infer<typeof persistenceSchema>;

/** One virtual service on the VIP. */
export const serviceSchema = z.object({
  port: portRefSchema,
  /** Overrides the cluster scheduler for this service. */
  scheduler: schedulerSchema.optional(),
  /** null = explicitly not persistent; undefined = the default (persistent 360 s for UDP xdmcp/177 only). */
  persistence: persistenceSchema.nullable().optional(),
});
export type Service = z.infer<typeof serviceSchema>;

/** Where a secret lives in the app's secret store; never the secret itself. */
export const secretRefSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'secret reference must be a short id');

/** How to authenticate over SSH. Secrets are referenced, never stored in a profile. */
export const authSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('agent') }),
  z.object({ method: z.literal('key'), keyPath: z.string().min(1), passphraseRef: secretRefSchema.optional() }),
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

/** One realserver (RIPS entry) with its place in the table and how to reach it. */
export const realserverSchema = z.object({
  host: hostSchema,
  /** Display name (defaults to host). */
  name: safeText('name').pipe(z.string().max(64)).optional(),
  weight: z.number().int().min(0, 'weight must be 0–65535').max(65535, 'weight must be 0–65535').default(1),
  enabled: z.boolean().default(true),
  os: z.enum(['linux', 'hpux']).default('linux'),
  /** LVS interface on the realserver (the seed's NET_INTERFACE: eth0 / lan0). */
  netIf: ifNameSchema.default('eth0'),
  /** SSH access; missing fields come from the director's. */
  ssh: sshOverrideSchema.optional(),
});
export type Realserver = z.infer<typeof realserverSchema>;

/** A cluster profile: everything /etc/lvs.conf says plus how to reach the hosts. Used by lvsctl, the app and files. */
export const clusterSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'id must be lowercase letters, digits and "-"'),
    name: z.string().min(1).max(100),
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
    knownHosts: z.array(z.string().max(16384)).optional(),
  })
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.realservers.forEach((r, i) => {
      const k = r.host.toLowerCase();
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: ['realservers', i, 'host'], message: `duplicate realserver ${r.host} (also realservers[${seen.get(k)}])` });
      else seen.set(k, i);
    });
    for (const proto of ['tcp', 'udp'] as const) {
      const ports = new Map<number, number>();
      c[proto].forEach((s, i) => {
        const n = portNumber(s.port, proto);
        if (n === undefined) {
          ctx.addIssue({ code: 'custom', path: [proto, i, 'port'], message: `${String(s.port)} is not a ${proto.toUpperCase()} service` });
          return;
        }
        if (ports.has(n)) ctx.addIssue({ code: 'custom', path: [proto, i, 'port'], message: `duplicate ${proto.toUpperCase()} port ${n} (also ${proto}[${ports.get(n)}])` });
        else ports.set(n, i);
      });
    }
    if (c.vipIf.split(':')[0] !== c.lvsIf && c.forwarding === 'masq') {
      // One-interface NAT: the VIP alias lives on the LVS interface. Not an error for two-interface setups, so only a hint.
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

/** Formats zod issues as "field.path: message" lines, so every rejection says which field and why. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(profile)'}: ${i.message}`);
}

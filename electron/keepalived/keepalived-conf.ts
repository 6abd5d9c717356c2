/**
 * Profile → keepalived.conf (keepalived 2.2.7, Debian 12; syntax from its keepalived.conf(5)). Pure: addresses come
 * from the same injected resolver as the ipvsadm table (desired-table.ts), and the IPVS part IS that table (services,
 * schedulers, persistence, forwarding, enabled realservers with their weights), so both runtimes build one table.
 *
 * What it writes, and why:
 *   - global_defs: router_id; `vrrp_version 3` when the advert interval is not whole seconds (VRRPv2 only carries
 *     seconds); `script_user root` + `enable_script_security` (keepalived -t exits non-zero when scripts are configured
 *     without it). No `lvs_sync_daemon` for a pair: keepalived would stop the master's sync daemon the moment it leaves
 *     MASTER, and the kernel would drop the connections it had not sent yet; /etc/init.d/lvs-pair runs both sync
 *     daemons on both directors instead (pair-handover.ts), so established connections survive a failover.
 *   - vrrp_instance VI_1 on the LVS interface: the VIP with its alias label (`VIP/P dev eth0 label eth0:110`) and, for a
 *     pair, the floating gateway address the realservers route through (same prefix; so replies follow the active
 *     director in the one-interface NAT topology). See VRRP ROLES below for state, priority and nopreempt.
 *   - one `virtual_server VIP PORT` per service: protocol, lvs_sched, lvs_method NAT|DR|TUN, persistence_timeout and
 *     persistence_granularity, delay_loop = health.intervalSec, and `inhibit_on_failure`: a failing check sets the
 *     realserver's weight to 0 instead of deleting it, so the sessions already on it are not cut by a transient failure;
 *   - one `real_server` per ENABLED realserver with its weight (drained = 0; a disabled one is absent), and its check:
 *     TCP_CHECK for `connect`, UDP_CHECK for `xdmcp` and `udp`, nothing for `none` (keepalived then keeps it up).
 *
 * CHECK TIMING (health: intervalSec I, timeoutSec T, fall F, rise R; defaults 1, 1, 2, 2):
 *   delay_loop I, connect_timeout T, retry F − 1, delay_before_retry I. keepalived's checker (check_tcp.c/check_udp.c
 *   epilog) takes a realserver down after 1 + retry = F failed attempts in a row, the retries spaced by
 *   delay_before_retry; the first attempt after a death starts at most delay_loop after the last good one. So:
 *     service stopped, host up (TCP RST / ICMP port unreachable, an attempt fails at once): out within I + (F−1)·I
 *       = 1 + 1 = 2 s with the defaults (≤ 3 s);
 *     host silent (link down: every attempt waits T): out within I + F·T + (F−1)·I = 1 + 2 + 1 = 4 s.
 *   `rise` cannot be expressed: keepalived 2.2.7 puts a checker back up on its first success (the console's own
 *   hysteresis applies R to what it shows). A realserver is back in at most I + T after it recovers.
 *
 * UDP_CHECK matching (check_udp.c check_udp_reply): require_reply compares only min(received length, length of the
 * require_reply bytes), so a SHORTER reply that matches its first bytes would pass; min_reply_length closes that:
 *   xdmcp: payload 00 01 00 02 00 01 00 (Query, no authentication names), require_reply 00 01 00 05 (version 1,
 *          Willing), min_reply_length 12 (header + three empty ARRAY8: the shortest Willing), max_reply_length 8192
 *          (XDM_MAX_MSGLEN; keepalived's default 255 could refuse a Willing with a long status);
 *   udp:   payload = the profile's payload, require_reply = its reply, min_reply_length = the reply's length,
 *          max_reply_length 65535.
 * keepalived 2.2.7's read_hex_str (parser.c) ends on a byte value 0xff as its error marker, so a payload or reply whose
 * LAST byte is ff is refused by -t ("Invalid hex string", found by the differential test): a reply gets one wildcard
 * byte more (XX, allowed in require_reply) with min_reply_length keeping the real length; a payload cannot be sent and
 * is refused here naming the field. Lines stay under MAX_LINE (keepalived splits longer ones).
 *
 * VRRP ROLES (a pair; issue 11: "the old master back: no second outage, roles as configured"): both directors start as
 *   BACKUP with `nopreempt`, the profile's director at priority 254 (it wins an election where both time out together),
 *   the second at 253. When the old master comes back it stays BACKUP (nopreempt): preempting would move the VIP a second
 *   time, and connections opened while it was away are only in its kernel if the sync daemon has carried them (an idle
 *   session carries nothing), so a preempt could cut them. The roles stay as the last failover left them until the
 *   admin moves them with "make this director master" (previewed), which writes 1 to the yield file on the current
 *   master: the track_file below (weight 0) then puts its instance in FAULT, it sends a priority-0 advert, the other
 *   takes over after its skew time (below: ≤ 6 ms); writing 0 brings it back as BACKUP. One director alone (no pair)
 *   runs the same instance as MASTER at priority 255, the address owner (RFC 5798): keepalived brings the VIP up at
 *   boot, status reads its role the same way, and when it starts it takes the VIP at once. At a lower priority it would
 *   first remove the VIP and wait 3 adverts as BACKUP (≈ 4 s without the VIP, seen on the lab), so moving a running
 *   cluster from the script to keepalived would cut it.
 *
 * FAILOVER TIME (issue 11: ≤ 2 s; masterDownMs below). The backup takes over when it has heard no advert for the
 *   Master_Down_Interval = 3 × advert_int + Skew_Time, Skew_Time = (256 − priority) × advert_int / 256 (RFC 5798 §6.1;
 *   keepalived 2.2.7 VRRP_TIMER_SKEW, VRRPv3). The master's last advert left 0…advert_int before it died, so the
 *   takeover comes 2…3 adverts + skew after the death. The skew only orders several backups (the highest priority
 *   first); a pair has one, so its priorities sit at the top: at the default 500 ms adverts the skew is 6 ms at 253
 *   (it was 305 ms at priority 100: 1.81 s instead of 1.51 s), the takeover 1.0–1.5 s after the death. Then keepalived
 *   (vrrp_state_become_master) adds the VIP and the gateway and at once sends vrrp_garp_master_repeat (5) gratuitous
 *   ARPs for each, back to back (vrrp_garp_interval 0), before the notify script: the
 *   client's entry for the VIP and the realservers' entry for the gateway move to the new master's MAC (Linux takes a
 *   gratuitous ARP over an existing entry whatever its locktime), and the bridge already knows that MAC (its checkers
 *   talk every second). The GARP defaults stay (the second set after vrrp_garp_master_delay 5 s only repairs a lost
 *   first set). Not used: `down_timer_adverts` (2.2.7 has it; fewer than the RFC's 3 adverts would make a 1 s stall of
 *   the emulated lab director a failover), preempt_delay (nopreempt: it never applies), use_vmac (a virtual MAC that moves
 *   with the VIP: not needed, the gratuitous ARPs move the entries at the transition).
 *
 * DRAINING: a realserver drained from the console (weight 0 now, deleted once its connections are gone) is not in the
 * profile any more but must stay in the table until then; `draining` lists such destinations, written as real_servers
 * of weight 0 with their service's checker (a keepalived reload would otherwise delete them and cut their sessions).
 *
 * ROLE READING: the instance's `notify` script (notifyScriptText) appends every transition with its time to the event
 * log and writes the current state to the state file; keepalived's own JSON dump (SIGJSON, /tmp/keepalived.json; this
 * build has JSON) is the authoritative current state (state-parse.ts reads both).
 *
 * Any value that is not a plain token (letters, digits, . _ : / -) is refused with the field's name: keepalived's
 * reader treats space as a separator, `{ }` as blocks, `"` as quotes, `#` and `!` as comments, `$` as parameter
 * substitution and a leading `@` as a conditional.
 */
import { effectiveCheck, type Check, type Cluster, type Forwarding } from '../../shared/model/cluster.ts';
import { isIPv4 } from '../../shared/model/validators.ts';
import { portNumber } from '../../shared/model/well-known-ports.ts';
import { AppError } from '../../shared/result.ts';
import { encodeQuery, hexToBytes, XDMCP_MAX_MSGLEN } from '../health/xdmcp.ts';
import type { IpvsDestination, IpvsTable } from '../../shared/model/ipvs.ts';
import { desiredTable, type Resolve } from '../lvs/plan/desired-table.ts';

/** The files on a director the generated config refers to. */
export interface KeepalivedPaths {
  /** The notify script keepalived runs on every VRRP transition (notifyScriptText). */
  notifyScript: string;
  /** "make this director master": 1 in this file on the master puts its VRRP instance in FAULT (track_file weight 0). */
  yieldFile: string;
}

/** Where the generated config expects its files on a director. */
export const DEFAULT_KEEPALIVED_PATHS: KeepalivedPaths = {
  notifyScript: '/etc/keepalived/lvs-console-notify.sh',
  yieldFile: '/var/lib/lvs-console/vrrp-yield',
};

/** The one VRRP instance's name. */
export const VRRP_INSTANCE = 'VI_1';
/** Priorities of the preferred (profile's) director and of the second one. */
export const PRIORITY = { primary: 254, secondary: 253, single: 255 } as const;

/**
 * RFC 5798 §6.1 Master_Down_Interval in ms for a backup at `priority` (VRRPv3, as keepalived 2.2.7 computes it):
 * 3 × advert + (256 − priority) × advert / 256. The backup takes over this long after the master's LAST advert, so
 * 2 adverts + skew … this after the master's death (see FAILOVER TIME).
 */
export function masterDownMs(advertMs: number, priority: number): number {
  return 3 * advertMs + Math.floor(((256 - priority) * advertMs) / 256);
}

/** What compileKeepalived needs. */
export interface KeepalivedInput {
  cluster: Cluster;
  /** Maps the VIP, the gateway and the realserver hosts to addresses (as for desiredTable). */
  resolve: Resolve;
  /** Which director the file is for: the profile's `director` (primary) or `pair.director` (secondary). Default primary. */
  director?: 'primary' | 'secondary';
  paths?: Partial<KeepalivedPaths>;
  /**
   * Destinations still draining (see DRAINING in the module comment): kept at weight 0 in their service. Ignored when
   * the profile wants them anyway, or when their service is not in the profile.
   */
  draining?: readonly { protocol: 'tcp' | 'udp'; port: number; address: string }[];
}

/** A compiled config, with what it leaves out and what keepalived -t will say about it that is not an error. */
export interface KeepalivedConfig {
  text: string;
  /**
   * Services with no enabled realserver: keepalived ignores a virtual_server without real servers ("has no real
   * servers - ignoring", and -t fails), so they are left out of the file (the kernel table will not have them).
   */
  omitted: { protocol: 'tcp' | 'udp'; port: number; why: string }[];
  /**
   * Lines keepalived -t prints for this file that are warnings, not errors: for a service whose realservers all
   * have weight 0 (all drained), keepalived lowers the quorum from 1 to 0 and says so (check_data.c), and -t then
   * exits non-zero. The installer accepts exactly these lines (isExpectedConfigTest in config-test-parse.ts).
   */
  expectedWarnings: string[];
  /** The IPVS table this file makes while every check passes (a failing check shows as that destination's weight 0). */
  table: IpvsTable;
}

const TOKEN = /^[A-Za-z0-9._:/-]+$/;

/** A value as one keepalived token; anything else is refused naming `field`. */
function token(value: string, field: string): string {
  if (!TOKEN.test(value)) {
    throw new AppError('INVALID_INPUT', `keepalived.conf: ${field} '${value.length > 40 ? `${value.slice(0, 40)}…` : value}' is not a plain token (letters, digits, . _ : / -)`);
  }
  return value;
}
/** A path as a keepalived quoted string (absolute, plain characters only). */
function quotedPath(value: string, field: string): string {
  if (!value.startsWith('/') || !TOKEN.test(value)) throw new AppError('INVALID_INPUT', `keepalived.conf: ${field} '${value}' must be an absolute path of plain characters`);
  return `"${value}"`;
}

const METHOD: Record<Forwarding, string> = { masq: 'NAT', route: 'DR', tunnel: 'TUN' };
const FORWARD_OF: Record<Forwarding, IpvsDestination['forward']> = { masq: 'masq', route: 'route', tunnel: 'tunnel' };

/** Hex as keepalived reads it: pairs separated by spaces ("00 01 00 02"). */
const hexPairs = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

/**
 * keepalived 2.2.7 reads a config line into a 1024-byte buffer and takes what does not fit for a NEW line (seen: a
 * 1025-byte payload line ends in "Unknown keyword '0'"). No line we write may come near that.
 */
export const MAX_LINE = 1000;

/** Hex for a checker line: spaced pairs when the line fits, else unspaced (read_hex_str takes both); else refused. */
function hexText(bytes: Uint8Array, pad: string, keyword: string, field: string): string {
  const room = MAX_LINE - `${pad}  ${keyword}`.length - 3;
  const spaced = hexPairs(bytes);
  if (spaced.length <= room) return spaced;
  const compact = spaced.replace(/ /g, '');
  if (compact.length <= room) return compact;
  throw new AppError('INVALID_INPUT', `keepalived.conf: ${field} is ${bytes.length} bytes: keepalived 2.2.7 reads at most about ${Math.floor(room / 2)} on one line`);
}

/** The UDP_CHECK lines for an XDMCP Query → Willing exchange. */
export const XDMCP_UDP_CHECK = {
  payload: hexPairs(encodeQuery()),
  requireReply: '00 01 00 05',
  minReplyLength: 12,
  maxReplyLength: XDMCP_MAX_MSGLEN,
} as const;

/** Seconds as keepalived prints a timer: integer, or a decimal without trailing zeros (0.5). */
function secs(ms: number): string {
  return ms % 1000 === 0 ? String(ms / 1000) : String(Math.round(ms) / 1000);
}

/** The checker block for one realserver of one service, indented by `pad`; undefined for `none`. */
function checker(check: Check, protocol: 'tcp' | 'udp', port: number, h: Cluster['health'], pad: string): string[] | undefined {
  if (check.kind === 'none') return undefined;
  const timing = [`connect_port ${port}`, `connect_timeout ${h.timeoutSec}`, `retry ${h.fall - 1}`, `delay_before_retry ${h.intervalSec}`];
  let type: string;
  let extra: string[] = [];
  if (check.kind === 'connect' && protocol === 'tcp') type = 'TCP_CHECK';
  else if (check.kind === 'xdmcp' && protocol === 'udp') {
    type = 'UDP_CHECK';
    const x = XDMCP_UDP_CHECK;
    extra = [`payload ${x.payload}`, `require_reply ${x.requireReply}`, `min_reply_length ${x.minReplyLength}`, `max_reply_length ${x.maxReplyLength}`];
  } else if (check.kind === 'udp' && protocol === 'udp') {
    type = 'UDP_CHECK';
    const field = `udp ${port} check`;
    const payload = hexToBytes(check.payload);
    const reply = hexToBytes(check.reply);
    if (payload[payload.length - 1] === 0xff) {
      throw new AppError('INVALID_INPUT', `keepalived.conf: ${field}.payload ends with the byte ff, which keepalived 2.2.7 cannot send (its hex reader takes a last ff for an error); the script runtime can`);
    }
    // A reply ending in ff: one more byte that matches anything (XX), and min_reply_length keeps the full length.
    const replyHex = reply[reply.length - 1] === 0xff ? `${hexText(reply, pad, 'require_reply ', `${field}.reply`)} XX` : hexText(reply, pad, 'require_reply ', `${field}.reply`);
    extra = [`payload ${hexText(payload, pad, 'payload ', `${field}.payload`)}`, `require_reply ${replyHex}`, `min_reply_length ${reply.length}`, 'max_reply_length 65535'];
  } else throw new AppError('INVALID_INPUT', `keepalived.conf: ${protocol} ${port}: a ${check.kind} check does not fit a ${protocol.toUpperCase()} service`);
  return [`${pad}${type} {`, ...[...timing, ...extra].map((l) => `${pad}  ${l}`), `${pad}}`];
}

/**
 * The IPVS table keepalived builds from the compiled file while every check passes: the profile's table (desiredTable)
 * less the services with no enabled realserver (keepalived ignores an empty virtual_server). A failing check shows in
 * the kernel as that destination's weight 0 (inhibit_on_failure), not as a missing destination.
 */
export function keepalivedTable(cluster: Cluster, resolve: Resolve, draining: KeepalivedInput['draining'] = []): IpvsTable {
  const t = withDraining(desiredTable(cluster, resolve), draining, FORWARD_OF[cluster.forwarding]);
  return { ...t, services: t.services.filter((s) => s.destinations.length > 0) };
}

/** The profile's table with the draining destinations added at weight 0 (those it does not already have). */
function withDraining(t: IpvsTable, draining: KeepalivedInput['draining'] = [], forward: IpvsDestination['forward'] = 'masq'): IpvsTable {
  if (draining.length === 0) return t;
  return {
    ...t,
    services: t.services.map((svc) => {
      const extra = draining.filter(
        (d) => d.protocol === svc.protocol && d.port === svc.port && !svc.destinations.some((x) => x.address.toLowerCase() === d.address.toLowerCase()),
      );
      if (extra.length === 0) return svc;
      const dests = [...svc.destinations, ...extra.map((d) => ({ address: d.address, port: d.port, forward, weight: 0 }))];
      return { ...svc, destinations: dests };
    }),
  };
}

/** Compiles the profile into keepalived.conf for one director (see the module comment for every choice). */
export function compileKeepalived(input: KeepalivedInput): KeepalivedConfig {
  const { cluster: c, resolve } = input;
  const which = input.director ?? 'primary';
  const paths = { ...DEFAULT_KEEPALIVED_PATHS, ...input.paths };
  if (which === 'secondary' && !c.pair) throw new AppError('INVALID_INPUT', 'keepalived.conf: the profile has no second director (pair)');
  const table = withDraining(desiredTable(c, resolve), input.draining, FORWARD_OF[c.forwarding]);
  const vip = token(resolve(c.vip), 'vip');
  const lvsIf = token(c.lvsIf, 'lvsIf');
  const vipIf = token(c.vipIf, 'vipIf');
  const vipDev = vipIf.split(':')[0]!;
  const lines: string[] = [
    `# keepalived.conf for cluster ${token(c.id, 'id')} (${which} director), generated by LVS Console from its profile.`,
    '# Edits here are overwritten: change the profile instead.',
    'global_defs {',
    `  router_id ${token(`lvs-console-${c.id}-${which}`, 'id')}`,
  ];
  const advertMs = c.pair?.advertMs ?? 1000;
  if (advertMs % 1000 !== 0) lines.push('  vrrp_version 3');
  lines.push('  script_user root', '  enable_script_security');
  lines.push('}', '');

  // ---- VRRP: the VIP (and a pair's floating gateway) follow the master
  const vrid = c.pair?.vrid ?? 51;
  const addrs = [`${vip}/${c.vipPrefix} dev ${vipDev} label ${vipIf}`];
  if (c.pair) {
    if (!isIPv4(vip)) throw new AppError('INVALID_INPUT', `keepalived.conf: vip ${c.vip}: a director pair needs an IPv4 VIP (the gateway is IPv4, and one VRRP instance carries one address family)`);
    const gw = token(resolve(c.pair.gateway), 'pair.gateway');
    addrs.push(`${gw}/${c.vipPrefix} dev ${lvsIf}`);
  }
  lines.push(
    'track_file lvs_console_yield {',
    `  file ${quotedPath(paths.yieldFile, 'yield file')}`,
    '  weight 0',
    '  init_file 0',
    '}',
    '',
    `vrrp_instance ${VRRP_INSTANCE} {`,
    `  state ${c.pair ? 'BACKUP' : 'MASTER'}`,
    `  interface ${lvsIf}`,
    `  virtual_router_id ${vrid}`,
    `  priority ${c.pair ? PRIORITY[which] : PRIORITY.single}`,
    `  advert_int ${secs(advertMs)}`,
    ...(c.pair ? ['  nopreempt'] : []),
    '  virtual_ipaddress {',
    ...addrs.map((a) => `    ${a}`),
    '  }',
    '  track_file {',
    '    lvs_console_yield',
    '  }',
    `  notify ${quotedPath(paths.notifyScript, 'notify script')}`,
    '}',
  );

  // ---- IPVS: the ipvsadm table of the profile, with a checker per (service, realserver)
  const omitted: KeepalivedConfig['omitted'] = [];
  const expectedWarnings: string[] = [];
  const services = [...c.tcp.map((s) => ['tcp', s] as const), ...c.udp.map((s) => ['udp', s] as const)];
  const names = new Map<string, string>();
  for (const r of c.realservers) {
    try {
      const a = resolve(r.host).toLowerCase();
      if (!names.has(a) || r.enabled) names.set(a, r.name ?? r.host);
    } catch {
      // a disabled realserver that does not resolve has no destination to name
    }
  }
  table.services.forEach((svc, i) => {
    const [protocol, s] = services[i]!;
    if (portNumber(s.port, protocol) !== svc.port || protocol !== svc.protocol) throw new AppError('INTERNAL', 'keepalived.conf: services out of step with the table');
    if (svc.destinations.length === 0) {
      omitted.push({ protocol, port: svc.port, why: 'no enabled realserver (keepalived ignores a virtual_server without real servers)' });
      return;
    }
    const check = effectiveCheck(protocol, s);
    lines.push(
      '',
      `virtual_server ${vip} ${svc.port} {`,
      `  protocol ${protocol.toUpperCase()}`,
      `  lvs_sched ${token(svc.scheduler, `${protocol}.${svc.port}.scheduler`)}`,
      `  lvs_method ${METHOD[c.forwarding]}`,
    );
    if (svc.persistent) {
      lines.push(`  persistence_timeout ${svc.persistent.timeout}`);
      if (svc.persistent.netmask !== undefined) lines.push(`  persistence_granularity ${token(svc.persistent.netmask, `${protocol}.${svc.port}.persistence.netmask`)}`);
    }
    lines.push(`  delay_loop ${c.health.intervalSec}`, '  inhibit_on_failure');
    for (const d of svc.destinations) {
      const name = names.get(d.address.toLowerCase());
      const comment = name !== undefined && name !== d.address && TOKEN.test(name) ? `  # ${name}` : '';
      lines.push(`  real_server ${token(d.address, `realserver ${d.address}`)} ${d.port} {${comment}`, `    weight ${d.weight}`);
      const block = checker(check, protocol, d.port, c.health, '    ');
      if (block) lines.push(...block);
      lines.push('  }');
    }
    lines.push('}');
    if (svc.destinations.every((d) => d.weight === 0)) {
      const fmt = `[${vip}]:${protocol}:${svc.port}`;
      expectedWarnings.push(
        `Warning - quorum 1 for ${fmt} exceeds total weight of real servers 0, reducing quorum to 0`,
        `Virtual server ${fmt}: hysteresis 0 >= quorum 0; setting hysteresis to 4294967295`,
      );
    }
  });
  const long = lines.findIndex((l) => l.length > MAX_LINE);
  if (long >= 0) throw new AppError('INTERNAL', `keepalived.conf: line ${long + 1} is longer than ${MAX_LINE} characters`);
  return { text: `${lines.join('\n')}\n`, omitted, expectedWarnings, table: { ...table, services: table.services.filter((x) => x.destinations.length > 0) } };
}

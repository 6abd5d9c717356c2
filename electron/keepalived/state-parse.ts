/**
 * Parsers of keepalived 2.2.7's VRRP state, for status and the doctor. Three sources, all captured from a real
 * keepalived 2.2.7 (Debian 12) running the compiled lab pair (test/fixtures/keepalived/vrrp/, capture-vrrp.sh):
 *
 * 1. The JSON dump: `kill -s $(keepalived --signum=JSON) $(cat /run/keepalived.pid)` makes the VRRP process write
 *    /tmp/keepalived.json (this build has JSON: `keepalived -v` lists it). An array with one object per vrrp_instance:
 *    `data` (vrrp_json.c: iname, state, wantstate, base_priority, effective_priority, vrid, version, adver_int in s,
 *    nopreempt, last_transition in s since the epoch with µs, vips as "ADDR/P dev IF scope … [label L] set") and
 *    `stats` (advert_rcvd, advert_sent, become_master, release_master, pri_zero_sent/rcvd …). `state` is vrrp.h's
 *    VRRP_STATE_*: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT (97 DELETED, 98 STOP internal). The authority on the current
 *    role: it is what the VRRP process holds at the moment of the signal. The file is written after the signal is
 *    handled (the capture waits 0.5 s), so a reader deletes it first and waits for it.
 * 2. The data dump: SIGUSR1 (`--signum=DATA`) → /tmp/keepalived.data, text (the man page warns its format may change
 *    between versions). Its "VRRP Topology" section states what keepalived parsed from the config (Virtual Router ID,
 *    Priority, Advert interval, Preempt, Virtual IP list, tracked files, the notify script): the config-dump check.
 *    On a director with IPVS the checker process adds its virtual/real servers (not capturable here: no IPVS).
 * 3. The notify script's files (notify-script.ts): the event log `EPOCH TYPE NAME STATE PRIORITY` per transition
 *    (the console's "last failovers") and the state file `EPOCH NAME STATE PRIORITY` (the last transition).
 */
import { AppError } from '../../shared/result.ts';

/** A VRRP instance's role as keepalived names it. */
export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP' | 'DELETED';

const STATE_CODES: Record<number, VrrpState> = { 0: 'INIT', 1: 'BACKUP', 2: 'MASTER', 3: 'FAULT', 97: 'DELETED', 98: 'STOP' };

/** One vrrp_instance from the JSON dump. */
export interface VrrpInstanceStatus {
  name: string;
  state: VrrpState;
  /** The state keepalived is moving to (= state when settled). */
  wantState: VrrpState;
  vrid: number;
  version: number;
  basePriority: number;
  effectivePriority: number;
  advertMs: number;
  nopreempt: boolean;
  /** When the instance last changed state, ms since the epoch. */
  lastTransition: number;
  /** The addresses it carries, "10.77.0.100/24" (from "10.77.0.100/24 dev eth0 scope global label eth0:110 set"). */
  vips: string[];
  /** Whether keepalived reports the addresses as set on the interface (only a MASTER sets them). */
  vipsSet: boolean;
  becameMaster: number;
  releasedMaster: number;
  advertsReceived: number;
  advertsSent: number;
}

const num = (v: unknown, what: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new AppError('PARSE_ERROR', `keepalived.json: ${what} is not a number`);
  return v;
};

/** Parses /tmp/keepalived.json (the SIGJSON dump of the VRRP process). PARSE_ERROR naming what is missing. */
export function parseVrrpJson(text: string): VrrpInstanceStatus[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new AppError('PARSE_ERROR', `keepalived.json: not JSON (${e instanceof Error ? e.message : String(e)}): is the dump complete?`);
  }
  if (!Array.isArray(doc)) throw new AppError('PARSE_ERROR', 'keepalived.json: expected an array of vrrp instances');
  return doc.map((entry, i) => {
    const d = (entry as { data?: Record<string, unknown> }).data;
    const s = (entry as { stats?: Record<string, unknown> }).stats;
    if (!d || !s || typeof d.iname !== 'string') throw new AppError('PARSE_ERROR', `keepalived.json: instance ${i + 1} has no data/stats/iname`);
    const where = `instance ${d.iname}`;
    const state = STATE_CODES[num(d.state, `${where} state`)];
    const want = STATE_CODES[num(d.wantstate, `${where} wantstate`)];
    if (!state || !want) throw new AppError('PARSE_ERROR', `keepalived.json: ${where}: unknown state ${String(d.state)}/${String(d.wantstate)}`);
    const vips = Array.isArray(d.vips) ? d.vips.map(String) : [];
    return {
      name: d.iname,
      state,
      wantState: want,
      vrid: num(d.vrid, `${where} vrid`),
      version: num(d.version, `${where} version`),
      basePriority: num(d.base_priority, `${where} base_priority`),
      effectivePriority: num(d.effective_priority, `${where} effective_priority`),
      advertMs: Math.round(num(d.adver_int, `${where} adver_int`) * 1000),
      nopreempt: d.nopreempt === true,
      lastTransition: Math.round(num(d.last_transition, `${where} last_transition`) * 1000),
      vips: vips.map((v) => v.split(' ')[0]!),
      vipsSet: d.vipset === true,
      becameMaster: num(s.become_master, `${where} become_master`),
      releasedMaster: num(s.release_master, `${where} release_master`),
      advertsReceived: num(s.advert_rcvd, `${where} advert_rcvd`),
      advertsSent: num(s.advert_sent, `${where} advert_sent`),
    };
  });
}

/** What the data dump's "VRRP Topology" says keepalived parsed for one instance. */
export interface VrrpInstanceDump {
  name: string;
  version: number;
  state: string;
  vrid: number;
  priority: number;
  effectivePriority: number;
  advertMs: number;
  preempt: boolean;
  interface: string;
  /** "10.77.0.100/24 dev eth0 scope global label eth0:110" (the dump's trailing " set" removed: see vipsSet) */
  virtualIps: string[];
  /** Whether the dump marks the addresses " set" (on the interface: a MASTER). */
  vipsSet: boolean;
  trackedFiles: string[];
  notifyScript?: string;
}

/** The data dump (SIGUSR1, /tmp/keepalived.data): router id and the VRRP instances as keepalived parsed them. */
export interface KeepalivedDataDump {
  routerId?: string;
  vrrpVersion?: number;
  instances: VrrpInstanceDump[];
}

/**
 * Parses the parts of /tmp/keepalived.data the console checks: " Router ID = X" and " VRRP default protocol version
 * = N" under "------< Global definitions >------", and each " VRRP Instance = NAME" block under
 * "------< VRRP Topology >------" ("   Key = value" lines; "   Virtual IP (N):" followed by N deeper-indented lines;
 * "   Tracked files :" followed by "     NAME, weight W"). Other sections are skipped.
 */
export function parseKeepalivedData(text: string): KeepalivedDataDump {
  const out: KeepalivedDataDump = { instances: [] };
  let section = '';
  let cur: Partial<VrrpInstanceDump> & { virtualIps: string[]; trackedFiles: string[] } = { virtualIps: [], trackedFiles: [] };
  let list: 'vip' | 'track' | undefined;
  const finish = () => {
    if (cur.name === undefined) return;
    cur.vipsSet = cur.vipsSet ?? false;
    for (const k of ['version', 'vrid', 'priority', 'effectivePriority', 'advertMs', 'preempt', 'interface', 'state'] as const) {
      if (cur[k] === undefined) throw new AppError('PARSE_ERROR', `keepalived.data: VRRP instance ${cur.name}: no ${k}`);
    }
    out.instances.push(cur as VrrpInstanceDump);
  };
  for (const line of text.split('\n')) {
    const sec = /^-+< (.+) >-+$/.exec(line);
    if (sec) {
      if (section === 'VRRP Topology') finish();
      section = sec[1]!;
      cur = { virtualIps: [], trackedFiles: [] };
      list = undefined;
      continue;
    }
    if (section === 'Global definitions') {
      const g = /^ (Router ID|VRRP default protocol version) = (.*)$/.exec(line);
      if (g?.[1] === 'Router ID') out.routerId = g[2]!;
      else if (g) out.vrrpVersion = Number(g[2]);
      continue;
    }
    if (section !== 'VRRP Topology') continue;
    const inst = /^ VRRP Instance = (\S+)$/.exec(line);
    if (inst) {
      finish();
      cur = { name: inst[1]!, virtualIps: [], trackedFiles: [] };
      list = undefined;
      continue;
    }
    if (list && /^ {5}\S/.test(line)) {
      if (list === 'vip') {
        const v = line.trim();
        cur.vipsSet = v.endsWith(' set') && (cur.vipsSet ?? true);
        cur.virtualIps.push(v.replace(/ set$/, ''));
      }
      else cur.trackedFiles.push(line.trim().split(',')[0]!);
      continue;
    }
    list = undefined;
    const kv = /^ {3}([^=]+?) = (.*)$/.exec(line);
    if (/^ {3}Virtual IP \(\d+\):$/.test(line)) {
      list = 'vip';
      cur.vipsSet = undefined;
    }
    else if (/^ {3}Tracked files :$/.test(line)) list = 'track';
    else if (kv) {
      const [, k, v] = kv as unknown as [string, string, string];
      if (k === 'VRRP Version') cur.version = Number(v);
      else if (k === 'State') cur.state = v;
      else if (k === 'Virtual Router ID') cur.vrid = Number(v);
      else if (k === 'Priority') cur.priority = Number(v);
      else if (k === 'Effective priority') cur.effectivePriority = Number(v);
      else if (k === 'Advert interval') cur.advertMs = /^(\d+) milli-sec$/.test(v) ? Number(v.split(' ')[0]) : /^(\d+) sec$/.test(v) ? Number(v.split(' ')[0]) * 1000 : NaN;
      else if (k === 'Preempt') cur.preempt = v === 'enabled';
      else if (k === 'Interface') cur.interface = v;
      else if (k === 'Generic state transition script') cur.notifyScript = /^'([^']*)'/.exec(v)?.[1];
    }
  }
  if (section === 'VRRP Topology') finish();
  return out;
}

/** One line of the notify script's event log. */
export interface VrrpEvent {
  /** ms since the epoch (the script's `date +%s`, so whole seconds). */
  at: number;
  type: 'INSTANCE' | 'GROUP';
  name: string;
  state: VrrpState;
  priority: number;
}

/** Parses the event log (`EPOCH TYPE NAME STATE PRIORITY` per line); PARSE_ERROR naming the line. */
export function parseVrrpEvents(text: string): VrrpEvent[] {
  const out: VrrpEvent[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    // EPOCH INSTANCE|GROUP NAME MASTER|BACKUP|FAULT|STOP|DELETED PRIORITY
    const m = /^(\d+) (INSTANCE|GROUP) (\S+) (MASTER|BACKUP|FAULT|STOP|DELETED) (\d+)$/.exec(line);
    if (!m) throw new AppError('PARSE_ERROR', `vrrp-events: line ${i + 1}: unexpected "${line}"`);
    out.push({ at: Number(m[1]) * 1000, type: m[2] as VrrpEvent['type'], name: m[3]!, state: m[4] as VrrpState, priority: Number(m[5]) });
  });
  return out;
}

/** Parses the state file (`EPOCH NAME STATE PRIORITY`); undefined when empty (no transition yet). */
export function parseVrrpStateFile(text: string): { at: number; name: string; state: VrrpState; priority: number } | undefined {
  const line = text.trim();
  if (!line) return undefined;
  const m = /^(\d+) (\S+) (MASTER|BACKUP|FAULT|STOP|DELETED) (\d+)$/.exec(line);
  if (!m) throw new AppError('PARSE_ERROR', `vrrp-state: unexpected "${line}"`);
  return { at: Number(m[1]) * 1000, name: m[2]!, state: m[3] as VrrpState, priority: Number(m[4]) };
}

/** A director becoming master, for "last failovers": when, and which director (the log's owner) took the VIP. */
export interface Failover {
  director: string;
  at: number;
}

/**
 * The failovers seen in the directors' event logs (director name → events), newest first: every INSTANCE → MASTER
 * event, except a director's first one when no other director was master before it (the initial election).
 */
export function failovers(logs: Readonly<Record<string, readonly VrrpEvent[]>>, instance = 'VI_1'): Failover[] {
  const masters = Object.entries(logs)
    .flatMap(([director, ev]) => ev.filter((e) => e.type === 'INSTANCE' && e.name === instance && e.state === 'MASTER').map((e) => ({ director, at: e.at })))
    .sort((a, b) => a.at - b.at || a.director.localeCompare(b.director));
  return masters.slice(1).reverse();
}

// ---------------------------------------------------------------- the checker process's data dump

/** One real server of one virtual server as keepalived's checker process holds it. */
export interface CheckerDestination {
  protocol: 'tcp' | 'udp';
  /** The virtual server's address and port. */
  vip: string;
  vport: number;
  address: string;
  port: number;
  /** The weight in the config, and the one keepalived set (0 while a check fails: inhibit_on_failure). */
  weight: number;
  effectiveWeight: number;
  /** keepalived's verdict: false while any of its checkers fails. */
  alive: boolean;
  failedCheckers: number;
  /** The checkers on it ("TCP_CHECK", "UDP_CHECK"), each with keepalived's Up; none = not checked (always alive). */
  checkers: { method: string; up: boolean }[];
}

/**
 * Parses the checker process's SIGUSR1 dump, /tmp/keepalived_check.data (keepalived 2.2.7; captured on the lab
 * director: test/fixtures/keepalived/checker/). Under "------< LVS Topology >------": " VS VIP = ADDR, VPORT = PORT"
 * opens a virtual server ("   protocol = TCP|UDP" inside), "   RIP = ADDR, RPORT = PORT, WEIGHT = W EFF WEIGHT = E" a
 * real server, whose "   alive = 0|1" and "   num failed checkers = N" follow. Under "------< Health checkers >------":
 * " [VIP]:proto:VPORT -> [RIP]:proto:RPORT" opens a checker, with "   Up = yes|no" and "   Keepalive method = X".
 * PARSE_ERROR naming the line for a real server outside a virtual server, a checker for an unknown real server, or a
 * number that is not one. Other sections and lines are skipped (the format may grow between versions).
 */
export function parseCheckerData(text: string): CheckerDestination[] {
  const out: CheckerDestination[] = [];
  const key = (protocol: string, vip: string, vport: number, address: string, port: number) => `${protocol} ${vip}:${vport} ${address}:${port}`;
  const index = new Map<string, CheckerDestination>();
  let section = '';
  let vs: { vip: string; vport: number; protocol?: 'tcp' | 'udp'; dests: CheckerDestination[] } | undefined;
  let rs: CheckerDestination | undefined;
  let checker: { method: string; up: boolean } | undefined;
  const bad = (i: number, why: string): never => {
    throw new AppError('PARSE_ERROR', `keepalived_check.data: line ${i + 1}: ${why}`);
  };
  const closeVs = () => {
    if (vs) for (const d of vs.dests) index.set(key(d.protocol, d.vip, d.vport, d.address, d.port), d);
  };
  text.split('\n').forEach((line, i) => {
    const sec = /^-+< (.+) >-+$/.exec(line);
    if (sec) {
      closeVs();
      vs = undefined;
      rs = undefined;
      section = sec[1]!;
      return;
    }
    if (section === 'LVS Topology') {
      // " VS VIP = 10.77.0.100, VPORT = 23"
      const v = /^ VS VIP = (\S+), VPORT = (\d+)$/.exec(line);
      if (v) {
        closeVs();
        vs = { vip: v[1]!.replace(/^\[|\]$/g, ''), vport: Number(v[2]), dests: [] };
        rs = undefined;
        return;
      }
      // "   protocol = TCP"
      const p = /^ {3}protocol = (TCP|UDP)$/.exec(line);
      if (p && vs && !rs) {
        vs.protocol = p[1] === 'TCP' ? 'tcp' : 'udp';
        for (const d of vs.dests) d.protocol = vs.protocol;
        return;
      }
      // "   RIP = 10.77.0.11, RPORT = 23, WEIGHT = 1 EFF WEIGHT = 1"
      const r = /^ {3}RIP = (\S+), RPORT = (\d+), WEIGHT = (-?\d+) EFF WEIGHT = (-?\d+)$/.exec(line);
      if (r) {
        if (!vs) bad(i, 'a real server outside a virtual server');
        rs = { protocol: vs!.protocol ?? 'tcp', vip: vs!.vip, vport: vs!.vport, address: r[1]!.replace(/^\[|\]$/g, ''), port: Number(r[2]), weight: Number(r[3]), effectiveWeight: Number(r[4]), alive: true, failedCheckers: 0, checkers: [] };
        vs!.dests.push(rs);
        out.push(rs);
        return;
      }
      // "   alive = 1" / "   num failed checkers = 0" (inside a real server)
      const a = /^ {3}(alive|num failed checkers) = (\S+)$/.exec(line);
      if (a && rs) {
        if (!/^\d+$/.test(a[2]!)) bad(i, `${a[1]} is not a number: "${a[2]}"`);
        if (a[1] === 'alive') rs.alive = a[2] !== '0';
        else rs.failedCheckers = Number(a[2]);
      }
      return;
    }
    if (section === 'Health checkers') {
      // " [10.77.0.100]:tcp:23 -> [10.77.0.11]:tcp:23"
      const c = /^ \[([^\]]+)\]:(tcp|udp):(\d+) -> \[([^\]]+)\]:(tcp|udp):(\d+)$/.exec(line);
      if (c) {
        const d = index.get(key(c[2]!, c[1]!, Number(c[3]), c[4]!, Number(c[6])));
        if (!d) bad(i, `a checker for ${c[4]}:${c[6]} which is not a real server of ${c[2]} ${c[1]}:${c[3]}`);
        checker = { method: '?', up: true };
        d!.checkers.push(checker);
        return;
      }
      const u = /^ {3}(Up|Keepalive method) = (.+)$/.exec(line);
      if (u && checker) {
        if (u[1] === 'Up') checker.up = u[2] === 'yes';
        else checker.method = u[2]!.trim();
      }
    }
  });
  closeVs();
  return out;
}

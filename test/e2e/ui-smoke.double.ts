/**
 * TEST DOUBLE — NOT THE REAL SERVICES. A small in-memory ApiHandlers used only by the UI smoke e2e (ui-smoke.e2e.ts) to
 * prove the renderer renders, navigates and drives every flow over the real web host in a real Chromium. Nothing here
 * talks to a director or realserver; the data is invented. The real e2e against the lab is lab-flow.e2e.ts.
 */
import type { ApiHandlers, EventName, EventPayload, MethodOutput } from '../../shared/api/contract.ts';
import { clusterSchema, type Cluster } from '../../shared/model/cluster.ts';
import { AppError, describeIssues } from '../../shared/result.ts';
import { clusterBaseSchema } from '../../renderer/features/clusters/form-model.ts';
import { checkProfile } from '../../electron/app/profile-check.ts';

/** Pushes an event to the pages. */
export type Emit = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** Knobs the smoke test flips. */
export interface DoubleControls {
  handlers: ApiHandlers;
  /** Stops the sample timer. */
  stop(): void;
  /** Emits a 1 Hz-like sample now. */
  sampleNow(): void;
  /** Calls seen, for assertions. */
  calls: { method: string; input: unknown }[];
  /** The platform app.info reports (Connect me's texts follow it). */
  setPlatform(p: 'linux' | 'win32'): void;
  /** The X server Connect me "started" exits (connect.alive answers false from now on). */
  endSession(): void;
  /** How long each host of a route fix "takes" (ms), so a cancel can land between hosts. */
  setFixDelay(ms: number): void;
  /** connect.detect finds nothing (true) or its two launchers (false). */
  setNoLaunchers(none: boolean): void;
}

const LAB_KEY = { host: '10.77.0.1', port: 22, keyType: 'ssh-ed25519', key: 'AAAAC3NzaC1lZDI1NTE5AAAAIDoubleDoubleDoubleDoubleDoubleDouble0', fingerprint: 'SHA256:dOuBlEtEsTkEy0nLyN0tReAl4uK7e1b2Qm9xYzAbCdE' };

/** Builds the double; `emit` is the web host's event push. */
export function createUiSmokeDouble(emit: Emit, opts: { historyHours?: number; intervalSec?: number; liveSamples?: boolean } = {}): DoubleControls {
  const calls: { method: string; input: unknown }[] = [];
  const intervalSec = opts.intervalSec ?? 5;
  const clusters = new Map<string, Cluster>();
  const add = (c: unknown) => {
    const p = clusterSchema.parse(c);
    clusters.set(p.id, p);
  };
  add({
    id: 'lab',
    name: 'Lab cluster',
    director: { host: '10.77.0.1', user: 'root' },
    vip: '10.77.0.50',
    tcp: [{ port: 'telnet' }],
    udp: [{ port: 'xdmcp' }],
    realservers: [
      { host: '10.77.0.11', name: 'rs1' },
      { host: '10.77.0.12', name: 'rs2' },
      { host: '10.77.0.13', name: 'rs3', enabled: false },
    ],
  });
  // a director pair on keepalived (issue 11): the preferred director was killed, the second one took over
  add({
    id: 'pair',
    name: 'Director pair',
    director: { host: '10.77.0.1', user: 'root' },
    vip: '10.77.0.50',
    runtime: 'keepalived',
    pair: { director: { host: '10.77.0.2', user: 'root' }, gateway: '10.77.0.254' },
    tcp: [{ port: 'telnet' }],
    udp: [{ port: 'xdmcp' }],
    realservers: [
      { host: '10.77.0.11', name: 'rs1' },
      { host: '10.77.0.12', name: 'rs2' },
    ],
  });
  let pairMaster: 'primary' | 'secondary' = 'secondary';
  const failedOverAt = Date.now() - 95_000;
  const pairStatus = (): NonNullable<MethodOutput<'director.status'>['pair']> => {
    const d = (which: 'primary' | 'secondary', host: string) => ({
      which,
      host,
      role: pairMaster === which ? ('MASTER' as const) : ('BACKUP' as const),
      vip: pairMaster === which,
      gateway: pairMaster === which,
      keepalived: true,
      since: pairMaster === which ? failedOverAt : failedOverAt + 40_000,
    });
    const failovers = [{ director: '10.77.0.2', at: failedOverAt }];
    if (pairMaster === 'primary') failovers.unshift({ director: '10.77.0.1', at: Date.now() - 1000 });
    return { directors: [d('primary', '10.77.0.1'), d('secondary', '10.77.0.2')], vipOn: [pairMaster === 'primary' ? '10.77.0.1' : '10.77.0.2'], failovers, problems: [] };
  };
  add({ id: 'moved', name: 'Reinstalled director', director: { host: '10.99.0.1', user: 'root' }, vip: '10.99.0.50', realservers: [{ host: '10.99.0.11' }] });
  // Its key file is not there: connecting fails the way the SSH layer says it (NOT_FOUND at step "load key").
  add({ id: 'nokey', name: 'Typo in the key path', director: { host: '10.77.0.1', user: 'root', auth: { method: 'key', keyPath: '/home/admin/.ssh/missing_id' } }, vip: '10.77.0.70', realservers: [{ host: '10.77.0.11' }] });
  // Never started: its director holds nothing yet (the Director page says "Stopped").
  add({ id: 'fresh', name: 'Fresh cluster', director: { host: '10.77.0.1', user: 'root' }, vip: '10.77.0.60', tcp: [{ port: 'telnet' }], udp: [{ port: 'xdmcp' }], realservers: [{ host: '10.77.0.11', name: 'rs1' }, { host: '10.77.0.12', name: 'rs2' }] });
  let platform: 'linux' | 'win32' = 'linux';
  let sessionAlive = true;
  let fixDelayMs = 0;
  let noLaunchers = false;
  const cancelled = new Set<string>();
  const trusted = new Set<string>();
  const weights = new Map([
    ['10.77.0.11', 1],
    ['10.77.0.12', 1],
  ]);
  let settings: MethodOutput<'settings.get'> = { theme: 'light', sampleIntervalSec: intervalSec, launcherOverrides: {}, windowsAgent: 'openssh' };
  // rs1 and rs2 start with the subnet route (the seed's lvs-route problem); rs3 is unreachable.
  const wrongRoutes = new Set(['rs1', 'rs2']);
  let whereCalls = 0;
  let started = true;
  const audit: MethodOutput<'audit.list'> = [
    { time: Date.now() - 60_000, host: '10.77.0.1', argv: ['ipvsadm', '-S', '-n'], code: 0, durationMs: 41, outputExcerpt: '-A -t 10.77.0.50:23 -s wlc' },
    { time: Date.now() - 30_000, host: '10.77.0.12', argv: ['ip', 'route', 'show'], code: 0, durationMs: 18, outputExcerpt: 'default via 10.77.0.254 dev eth0' },
    { time: Date.now() - 10_000, host: '10.77.0.13', argv: ['uptime'], code: 255, durationMs: 3002, outputExcerpt: 'ssh: connect to host 10.77.0.13 port 22: No route to host' },
  ];
  // TEST DOUBLE: a morning of polling around one change, as the audit log records them (kind, operation, by).
  const morning = Date.now() - 3 * 3600_000;
  for (let i = 0; i < 40; i++) audit.push({ time: morning + i * 5000, host: 'director 10.77.0.1', argv: ['sh', '-c', 'observe', 'status'], code: 0, durationMs: 30 + (i % 7), outputExcerpt: 'IP Virtual Server version 1.2.1 (size=4096)', kind: 'read', by: 'alice' });
  audit.push({ time: morning + 41 * 5000, host: 'director 10.77.0.1', argv: ['sh', '-c', 'lvs-console transaction'], code: 0, durationMs: 412, outputExcerpt: 'applied 1 change(s)\nverified', kind: 'change', operation: 'drain rs2 (tcp/23) (Lab cluster)', by: 'alice' });
  for (let i = 42; i < 60; i++) audit.push({ time: morning + i * 5000, host: 'director 10.77.0.1', argv: ['sh', '-c', 'observe', 'status'], code: 0, durationMs: 28, outputExcerpt: 'IP Virtual Server version 1.2.1 (size=4096)', kind: 'read', by: 'alice' });
  audit.push({ time: morning + 61 * 5000, host: 'rs2 10.77.0.12', argv: ['sudo', 'ip', 'route', 'del', '10.77.0.0/24', 'dev', 'eth0'], code: 0, durationMs: 22, outputExcerpt: '', kind: 'change', operation: 'route fix rs2 (Lab cluster)', by: 'bob' });
  audit.sort((a, b) => a.time - b.time);

  const connect = (c: Cluster) => {
    if (c.director.auth.method === 'key' && c.director.auth.keyPath.includes('missing')) throw new AppError('NOT_FOUND', `${c.director.auth.keyPath}: key file not found`, { step: 'load key' });
    if (c.id === 'moved') throw new AppError('HOST_KEY_CHANGED', `host key for ${c.director.host}:22 does not match the trusted one`, { host: c.director.host, step: 'connect', detail: { fingerprint: 'SHA256:ChAnGeDkEyXyZ0123456789abcdefGHIJKLMNOPqrstu' } });
    if (!trusted.has(LAB_KEY.fingerprint)) throw new AppError('HOST_KEY_UNKNOWN', `host key of ${LAB_KEY.host}:22 is not trusted yet`, { host: LAB_KEY.host, step: 'connect', detail: LAB_KEY });
  };
  const get = (id: string) => {
    const c = clusters.get(id);
    if (!c) throw new AppError('NOT_FOUND', `no cluster profile "${id}"`);
    return c;
  };
  const conns = (addr: string) => (weights.get(addr) ? 3 + (Math.floor(Date.now() / 1000) % 4) + (addr.endsWith('12') ? 4 : 0) : 0);

  const table = (): MethodOutput<'director.status'>['table'] => ({
    services: started
      ? [
          {
            protocol: 'tcp',
            address: '10.77.0.50',
            port: 23,
            family: 'inet',
            scheduler: 'wlc',
            destinations: [...weights].map(([address, weight]) => ({ address, port: 23, forward: 'masq' as const, weight, activeConns: conns(address), inactiveConns: 1 })),
          },
          {
            protocol: 'udp',
            address: '10.77.0.50',
            port: 177,
            family: 'inet',
            scheduler: 'wlc',
            persistent: { timeout: 360 },
            destinations: [...weights].map(([address, weight]) => ({ address, port: 177, forward: 'masq' as const, weight, activeConns: 0, inactiveConns: address.endsWith('12') ? 1 : 0 })),
          },
        ]
      : [],
  });

  const plan = (verb: string) => {
    const h = '10.77.0.1';
    const steps =
      verb === 'stop'
        ? [
            { host: h, command: 'ipvsadm -C', why: 'Clear the virtual service table' },
            { host: h, command: "ip addr del 10.77.0.50/24 dev eth0 label 'eth0:110'", why: 'Take the VIP down' },
          ]
        : [
            { host: h, command: "ip addr add 10.77.0.50/24 dev eth0 label 'eth0:110'", why: 'Bring up the VIP as an alias' },
            { host: h, command: 'sysctl -w net.ipv4.ip_forward=1', why: 'Forward packets (LVS-NAT)' },
            { host: h, command: 'ipvsadm -R', stdin: '-A -t 10.77.0.50:23 -s wlc\n-a -t 10.77.0.50:23 -r 10.77.0.11:23 -m -w 1\n-a -t 10.77.0.50:23 -r 10.77.0.12:23 -m -w 1\n', why: 'Load the table from the profile in one batch' },
          ];
    return { runId: `run-${Date.now()}`, verb, dryRun: true, steps, applied: false, changes: [], fingerprint: 'a'.repeat(64) };
  };

  /** An edit's commands, as the real planner words them (TEST DOUBLE: only the TCP service of the smoke profile). */
  const editPlan = (realserver: string, service: string | undefined, edit: { kind: string; weight?: number }) => {
    const addr = realserver === 'rs1' ? '10.77.0.11' : realserver === 'rs3' ? '10.77.0.13' : '10.77.0.12';
    const w = edit.kind === 'weight' ? edit.weight : edit.kind === 'drain' ? 0 : 1;
    const command = edit.kind === 'disable' ? `ipvsadm -d -t 10.77.0.50:23 -r ${addr}:23` : `ipvsadm -e -t 10.77.0.50:23 -r ${addr}:23 -m -w ${w}`;
    const why = `${realserver} in tcp 10.77.0.50:23${service ? '' : ' (every service)'}: ${edit.kind === 'disable' ? 'delete it now' : `weight → ${w}`}`;
    return { runId: `edit-${Date.now()}`, verb: edit.kind, steps: [{ host: '10.77.0.1', command, why }], changes: [] };
  };

  const sample = (time: number, i: number): EventPayload<'cluster.sample'> => ({
    clusterId: 'lab',
    time,
    realservers: [
      { address: '10.77.0.11', name: 'rs1', activeConns: 3 + Math.round(3 * Math.sin(i / 40)) + (i % 7 === 0 ? 2 : 0), inactiveConns: 1, cps: 0.4 + (i % 5) / 10, load1: 0.3 + 0.2 * Math.sin(i / 90) },
      { address: '10.77.0.12', name: 'rs2', activeConns: 6 + Math.round(4 * Math.cos(i / 55)), inactiveConns: 2, cps: 0.9 + (i % 3) / 10, load1: 0.6 + 0.3 * Math.cos(i / 70) },
      { address: '10.77.0.13', name: 'rs3', activeConns: i % 500 === 0 ? 9 : 0, inactiveConns: 0, cps: 0, load1: 0.05 },
    ],
  });
  let tick = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const sampleNow = () => emit('cluster.sample', sample(Date.now(), 100_000 + tick++));

  const handlers: ApiHandlers = {
    'clusters.list': async () => [...clusters.values()],
    'clusters.get': async ({ clusterId }) => get(clusterId),
    'clusters.save': async ({ cluster }) => {
      const c = clusterSchema.parse(cluster);
      clusters.set(c.id, c);
      return c;
    },
    'clusters.delete': async ({ clusterId }) => (clusters.delete(clusterId), {}),
    'clusters.importConf': async (input) => {
      if (input.source === 'director') {
        const c = get(input.clusterId);
        connect(c);
        return { cluster: c, warnings: [] };
      }
      // Like the real handler: the base must say how to reach the director (the file does not).
      const base = clusterBaseSchema.safeParse(input.base);
      if (!base.success) throw new AppError('INVALID_INPUT', `base: ${describeIssues(base.error).join('; ')}`);
      // The double only reads VIP= and RIPS= to prove the round trip; the real parser is electron/lvs/.
      const vip = /^VIP="?([0-9.]+)"?/m.exec(input.text)?.[1] ?? '';
      const rips = (/^RIPS="([^"]*)"/m.exec(input.text)?.[1] ?? '').split(/\s+/).filter(Boolean);
      const fields = [...(vip ? ['vip'] : []), ...(rips.length ? ['realservers'] : [])];
      return { cluster: { ...base.data, vip, realservers: rips.map((host) => ({ host })) }, warnings: ['TEST DOUBLE: only VIP and RIPS were read'], fields };
    },
    'clusters.exportConf': async ({ clusterId }) => ({ text: `VIP="${get(clusterId).vip}"\n` }),
    'secrets.set': async () => ({}),
    'secrets.has': async () => ({ present: false }),
    'hostKeys.trust': async (k) => {
      trusted.add(k.fingerprint);
      return {};
    },
    'director.plan': async ({ clusterId, verb }) => {
      connect(get(clusterId));
      return plan(verb);
    },
    'director.run': async ({ clusterId, verb }) => {
      connect(get(clusterId));
      const p = plan(verb);
      for (const [index, s] of p.steps.entries()) {
        emit('director.progress', { clusterId, runId: p.runId, index, total: p.steps.length, host: s.host, command: s.command, status: 'running' });
        await new Promise((r) => setTimeout(r, 120));
        emit('director.progress', { clusterId, runId: p.runId, index, total: p.steps.length, host: s.host, command: s.command, status: 'ok', output: index === 1 ? 'net.ipv4.ip_forward = 1' : undefined });
      }
      started = verb !== 'stop';
      return { ...p, dryRun: false, applied: true, changes: verb === 'stop' ? ['table cleared', 'VIP down'] : ['VIP 10.77.0.50 up', '2 services, 4 destinations added'] };
    },
    'director.status': async ({ clusterId }): Promise<MethodOutput<'director.status'>> => {
      connect(get(clusterId));
      if (clusterId === 'fresh') {
        // Never started: no VIP, no table; the drift would be every service and realserver "missing".
        const missing = ['-A -t 10.77.0.60:23', '-a -t 10.77.0.60:23 -r 10.77.0.11:23', '-a -t 10.77.0.60:23 -r 10.77.0.12:23', '-A -u 10.77.0.60:177', '-a -u 10.77.0.60:177 -r 10.77.0.11:177', '-a -u 10.77.0.60:177 -r 10.77.0.12:177'];
        return { table: { services: [] }, vipUp: false, forwarding: false, drift: missing.map((what) => ({ kind: 'missing' as const, what, detail: 'add it' })), health: {}, observedAt: Date.now() };
      }
      return {
        table: table(),
        vipUp: started,
        forwarding: started,
        drift: !wrongRoutes.has('rs2') ? [] : [{ kind: 'missing', what: 'tcp 10.77.0.50:23 → 10.77.0.13:23', detail: 'rs3 is disabled in the profile but expected by the last saved table' }],
        health: { '10.77.0.11': 'up', '10.77.0.12': 'up' },
        ...(clusterId === 'pair' ? { runtime: 'keepalived' as const, pair: pairStatus() } : {}),
        observedAt: Date.now(),
      };
    },
    // TEST DOUBLE of make-master: the steps as the real planner words them (pair-plan.ts yieldStep), roles swapped on run
    'director.planMakeMaster': async ({ clusterId, director }) => {
      connect(get(clusterId));
      const target = director === '10.77.0.1' || director === 'primary' ? '10.77.0.1' : '10.77.0.2';
      const on = target === '10.77.0.1' ? '10.77.0.2' : '10.77.0.1';
      const cmd = (v: number) => `sh -c 'printf "%s\\n" "$1" > "$2.tmp" && mv -f "$2.tmp" "$2"' lvs-console-yield ${v} /var/lib/lvs-console/vrrp-yield`;
      return {
        target,
        on,
        steps: [
          { host: `director ${on}`, command: cmd(1), why: `${on} yields: its VRRP instance goes to FAULT and sends priority 0, ${target} takes the VIP and the gateway at once (connections synced by lvs_sync_daemon stay)` },
          { host: `director ${on}`, command: cmd(0), why: `once ${target} holds the VIP: ${on} comes back as BACKUP (nopreempt: it does not take the VIP back)` },
        ],
        summary: [`${target} becomes master; ${on} becomes backup`],
        pair: pairStatus(),
        fingerprint: 'b'.repeat(64),
      };
    },
    'director.runMakeMaster': async ({ clusterId, director }) => {
      connect(get(clusterId));
      pairMaster = director === '10.77.0.1' ? 'primary' : 'secondary';
      const after = pairStatus();
      emit('cluster.failover', { clusterId, director, at: Date.now(), pair: after });
      return { target: director, steps: [], summary: [`${director} becomes master`], pair: after, after, fingerprint: 'b'.repeat(64), tookMs: 640 };
    },
    'director.planEdit': async ({ realserver, service, edit }) => ({ ...editPlan(realserver, service, edit), dryRun: true, applied: false, fingerprint: 'e'.repeat(64) }),
    'director.runEdit': async ({ realserver, service, edit }) => {
      const p = editPlan(realserver, service, edit);
      const addr = realserver === 'rs1' ? '10.77.0.11' : realserver === 'rs3' ? '10.77.0.13' : '10.77.0.12';
      if (edit.kind === 'weight') weights.set(addr, edit.weight);
      if (edit.kind === 'drain') weights.set(addr, 0);
      return { ...p, dryRun: false, applied: true, profileSaved: true };
    },
    'realservers.check': async ({ clusterId, name, opId }) => {
      connect(get(clusterId));
      // TEST DOUBLE: each host reports its progress (parallel reads, answered in turn).
      const names = ['rs1', 'rs2', 'rs3'];
      const rows: MethodOutput<'realservers.check'> = [
        {
          name: 'rs1',
          host: '10.77.0.11',
          os: 'Linux 6.1.0-28-amd64 (Debian 12)',
          reachable: true,
          load: [0.12, 0.2, 0.18],
          users: 2,
          displayManager: { name: 'xdm', running: true },
          telnet: true,
          route: wrongRoutes.has('rs1') ? { ok: false, problems: ['subnet route 10.77.0.0/24 dev eth0 still present'] } : { ok: true, problems: [] },
        },
        {
          name: 'rs2',
          host: '10.77.0.12',
          os: 'Linux 6.1.0-28-amd64 (Debian 12)',
          reachable: true,
          load: [0.71, 0.55, 0.4],
          users: 5,
          displayManager: { name: 'xdm', running: true },
          telnet: true,
          route: !wrongRoutes.has('rs2') ? { ok: true, problems: [] } : { ok: false, problems: ['subnet route 10.77.0.0/24 dev eth0 still present', 'default route via 10.77.0.254, not the director 10.77.0.1'] },
        },
        { name: 'rs3', host: '10.77.0.13', os: 'unknown', reachable: false, error: { code: 'CONNECT_FAILED', message: 'connect 10.77.0.13:22: No route to host', host: '10.77.0.13', step: 'connect' } },
      ];
      if (opId) {
        // TEST DOUBLE: each host reports its progress and its row as it answers (parallel reads, answered in turn).
        names.forEach((host, index) => emit('ops.progress', { opId, index, total: 3, host, status: 'running' }));
        for (const [index, host] of names.entries()) {
          await new Promise((r) => setTimeout(r, 80));
          const row = rows[index]!;
          emit('ops.progress', { opId, index, total: 3, host, status: host === 'rs3' ? 'failed' : 'ok', ...(host === 'rs3' ? { message: 'connect 10.77.0.13:22: No route to host' } : {}), row });
        }
      }
      return name ? rows.filter((r) => r.name === name) : rows;
    },
    'realservers.routeFix': async ({ name, dryRun, opId, fingerprints }) => {
      const steps = (addr: string) => [
        { host: addr, command: 'ip route del 10.77.0.0/24 dev eth0', why: 'Delete the subnet route (replies must go through the director)' },
        { host: addr, command: 'ip route add 10.77.0.1/32 dev eth0', why: 'Host route to the director' },
        { host: addr, command: 'ip route replace default via 10.77.0.1', why: 'Default route via the director' },
      ];
      if (!name) {
        // TEST DOUBLE of a fix over every realserver: one host after the other, a cancel lands between two hosts.
        // Only the realservers confirmed with their preview's fingerprint run (as the real handler does).
        const hosts = (
          [
            ['rs1', '10.77.0.11'],
            ['rs2', '10.77.0.12'],
            ['rs3', '10.77.0.13'],
          ] as const
        ).filter(([host]) => !fingerprints || host in fingerprints);
        const total = hosts.length;
        const out: MethodOutput<'realservers.routeFix'> = [];
        hosts.forEach(([host], index) => opId && emit('ops.progress', { opId, index, total, host, status: 'waiting' }));
        for (const [index, [host, addr]] of hosts.entries()) {
          if (opId && cancelled.has(opId)) {
            emit('ops.progress', { opId, index, total, host, status: 'cancelled', message: 'not started: cancelled' });
            out.push({ name: host, steps: [], applied: false, error: { code: 'CANCELLED', message: `${host}: cancelled before it started; nothing was run on it`, host, step: 'cancelled' } });
            continue;
          }
          if (opId) emit('ops.progress', { opId, index, total, host, status: 'running' });
          await new Promise((r) => setTimeout(r, dryRun ? 0 : fixDelayMs));
          if (host === 'rs3') {
            const error = { code: 'CONNECT_FAILED' as const, message: 'connect 10.77.0.13:22: No route to host', host: '10.77.0.13', step: 'connect' };
            if (opId) emit('ops.progress', { opId, index, total, host, status: 'failed', message: error.message });
            out.push({ name: host, steps: [], applied: false, error });
            continue;
          }
          if (opId) emit('ops.progress', { opId, index, total, host, status: 'ok' });
          const wrong = wrongRoutes.has(host);
          if (!dryRun) wrongRoutes.delete(host);
          out.push({ name: host, steps: wrong ? steps(addr) : [], applied: !dryRun && wrong });
        }
        return out;
      }
      const wrong = wrongRoutes.has(name);
      if (!dryRun) wrongRoutes.delete(name);
      return [
        {
          name: name ?? 'rs2',
          applied: !dryRun && wrong,
          fingerprint: 'f'.repeat(64),
          steps: [
            { host: '10.77.0.12', command: 'ip route del 10.77.0.0/24 dev eth0', why: 'Delete the subnet route (replies must go through the director)' },
            { host: '10.77.0.12', command: 'ip route add 10.77.0.1/32 dev eth0', why: 'Host route to the director' },
            { host: '10.77.0.12', command: 'ip route replace default via 10.77.0.1', why: 'Default route via the director' },
          ],
        },
      ];
    },
    'realservers.bootRoute': async ({ name, op, dryRun }) => [
      { name: name ?? 'rs1', op, applied: !dryRun, steps: dryRun ? [{ host: name ?? 'rs1', command: 'write /etc/init.d/lvs-route (mode 755, atomically, checked with sh -n)', why: 'the seed\'s lvs-route, run at boot' }] : [] },
    ],
    'doctor.run': async () => ({ findings: [], checked: { directors: [{ name: 'director', ok: true }], realservers: [], desktop: true }, notes: [], durationMs: 1, observedAt: Date.now() }),
    'doctor.previewFix': async ({ key }) => {
      throw new AppError('NOT_FOUND', `doctor: no finding ${key} now (fixed already?)`);
    },
    'doctor.runFix': async ({ key }) => {
      throw new AppError('NOT_FOUND', `doctor: no finding ${key} now (fixed already?)`);
    },
    'connect.detect': async () => noLaunchers ? [] : [
      { id: 'xephyr', name: 'Xephyr', kind: 'xdmcp', path: '/usr/bin/Xephyr', argsTemplate: [':9', '-query', '{vip}'] },
      { id: 'telnet', name: 'telnet', kind: 'telnet', path: '/usr/bin/telnet', argsTemplate: ['{vip}'] },
    ],
    'connect.launch': async ({ kind }) => ({ pid: 4242, argv: kind === 'xdmcp' ? ['/usr/bin/Xephyr', ':9', '-query', '10.77.0.50'] : ['/usr/bin/telnet', '10.77.0.50'] }),
    'connect.whereAmI': async () => (++whereCalls >= 2 ? { landedOn: { address: '10.77.0.12', name: 'rs2' } } : {}),
    'connect.alive': async () => ({ alive: sessionAlive }),
    'ops.cancel': async ({ opId }) => (cancelled.add(opId), {}),
    // TEST DOUBLE of the machine: the REAL profile checks with an invented resolver and file system (names ending in
    // .invalid do not resolve, paths containing "missing" do not exist).
    'clusters.check': async ({ cluster }) => {
      const c = clusterSchema.parse(cluster);
      const problems = await checkProfile(c, {
        lookup: async (n) => {
          if (n.endsWith('.invalid')) throw Object.assign(new Error(n), { code: 'ENOTFOUND' });
          return n === 'director.lab' ? '10.77.0.1' : '10.77.0.200';
        },
        readable: async (f) => {
          if (f.includes('missing')) throw Object.assign(new Error(f), { code: 'ENOENT' });
        },
      });
      return { problems };
    },
    // TEST DOUBLE: answers as Electron's main does (a native dialog), so the form's Browse… button shows here.
    'app.info': async () => ({ platform, nativeDialogs: true, dataDir: '/test-double' }),
    'files.pickKeyFile': async () => ({ path: platform === 'win32' ? 'C:\\Users\\admin\\.ssh\\id_ed25519' : '/home/admin/.ssh/id_ed25519' }),
    'audit.list': async ({ limit }) => audit.slice(-limit),
    'audit.export': async ({ format }) => ({ text: format === 'json' ? JSON.stringify(audit) : 'time,host,argv\n' }),
    'metrics.history': async ({ clusterId }) => {
      if (clusterId !== 'lab') return [];
      const now = Date.now();
      const n = Math.floor(((opts.historyHours ?? 24) * 3600) / intervalSec);
      return Array.from({ length: n }, (_, i) => sample(now - (n - i) * intervalSec * 1000, i));
    },
    'metrics.watch': async ({ on }) => {
      if (timer) clearInterval(timer);
      timer = on && opts.liveSamples !== false ? setInterval(sampleNow, 1000) : undefined;
      return {};
    },
    'cluster.health': async ({ clusterId }) => ({
      clusterId,
      at: Date.now(),
      source: 'the test double (no director)',
      entries: ['rs1', 'rs2'].flatMap((realserver) => [
        { service: 'tcp/23', label: 'telnet', realserver, state: 'up' as const, since: Date.now() - 60_000, detail: 'connect accepted' },
        { service: 'udp/177', label: 'xdmcp', realserver, state: 'up' as const, since: Date.now() - 60_000, detail: 'Willing' },
      ]),
      outages: [],
    }),
    'settings.get': async () => settings,
    'settings.set': async (patch) => (settings = { ...settings, ...patch }),
  };

  // Record every call (wrapping keeps each handler's own type).
  for (const m of Object.keys(handlers) as (keyof ApiHandlers)[]) {
    const h = handlers[m] as (i: unknown) => Promise<unknown>;
    (handlers as unknown as Record<string, (i: unknown) => Promise<unknown>>)[m] = (input) => {
      calls.push({ method: m, input });
      return h(input);
    };
  }
  return {
    handlers,
    calls,
    sampleNow,
    stop: () => timer && clearInterval(timer),
    setPlatform: (p) => void (platform = p),
    endSession: () => void (sessionAlive = false),
    setFixDelay: (ms) => void (fixDelayMs = ms),
    setNoLaunchers: (none) => void (noLaunchers = none),
  };
}

/**
 * The compiler held against the real reader: Debian's keepalived 2.2.7 (`keepalived -t -f FILE`, its config test) on
 * thousands of generated profiles, every compiled file must pass (exit 0 and nothing said, or exactly the warnings the
 * compiler announced); and deliberately broken files must be refused, naming a line (so this test can fail).
 * keepalived comes from test/lab/install-deps.sh (apt); the suite needs root (a network namespace) and is skipped,
 * visibly, where either is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSchema, SCHEDULERS, type ClusterInput } from '../../../../shared/model/cluster.ts';
import { judgeConfigTest, parseConfigTestOutput } from '../../../../electron/keepalived/config-test-parse.ts';
import { compileKeepalived, type KeepalivedConfig } from '../../../../electron/keepalived/keepalived-conf.ts';
import { notifyScriptText } from '../../../../electron/keepalived/notify-script.ts';
import { profileResolver } from '../../../../electron/lvs/plan/desired-table.ts';
import { labCluster } from '../../../fixtures/lab-cluster.ts';

const KEEPALIVED = '/usr/sbin/keepalived';
const dir = mkdtempSync(join(tmpdir(), 'keepalived-t-'));
const paths = { notifyScript: join(dir, 'notify.sh'), yieldFile: join(dir, 'yield') };
writeFileSync(paths.notifyScript, notifyScriptText(join(dir, 'state')), { mode: 0o755 });

/**
 * keepalived -t checks that the interfaces a vrrp_instance names exist, so it runs in a private network namespace
 * (held by a sleeping process, entered with nsenter) that has the interfaces the generated profiles use (veth pairs: this kernel has no dummy driver).
 */
const INTERFACES = ['eth0', 'ens3', 'enp0s3', 'bond0'];
let holder: ReturnType<typeof spawn> | undefined;
const canRun = existsSync(KEEPALIVED) && process.getuid?.() === 0;

/** keepalived -t on `text` inside the namespace: its exit code and stderr. */
function configTest(text: string, name = 'keepalived.conf'): { code: number; stderr: string } {
  const f = join(dir, name);
  writeFileSync(f, text);
  const r = spawnSync('nsenter', ['-t', String(holder!.pid), '-n', KEEPALIVED, '-t', '-f', f], { encoding: 'utf8', timeout: 10_000 });
  return { code: r.status ?? -1, stderr: r.stderr };
}

const octet = fc.integer({ min: 1, max: 254 });
const ipv4 = fc.tuple(octet, octet, octet).map(([a, b, c]) => `10.${a}.${b}.${c}`);
const hex = fc.uint8Array({ minLength: 1, maxLength: 48 }).map((b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' '));
const persistence = fc.option(
  fc.oneof(
    fc.constant(null),
    fc.record({ timeout: fc.integer({ min: 1, max: 2678400 }) }),
    fc.record({ timeout: fc.integer({ min: 1, max: 2678400 }), netmask: fc.constantFrom('255.255.255.0', '255.255.0.0', '255.255.255.255', '0.0.0.0') }),
  ),
  { nil: undefined },
);
const scheduler = fc.option(fc.constantFrom(...SCHEDULERS), { nil: undefined });
const tcpService = fc.record({ port: fc.integer({ min: 1, max: 65535 }), scheduler, persistence, check: fc.option(fc.constantFrom({ kind: 'connect' as const }, { kind: 'none' as const }), { nil: undefined }) });
// keepalived 2.2.7 cannot send a payload whose last byte is ff (the compiler refuses it; tested below): not generated
const payloadHex = fc.uint8Array({ minLength: 1, maxLength: 48 }).map((b) => Array.from(b, (x, i) => (i === b.length - 1 && x === 0xff ? 'fe' : x.toString(16).padStart(2, '0'))).join(' '));
const udpCheck = fc.oneof(fc.constant({ kind: 'xdmcp' as const }), fc.constant({ kind: 'none' as const }), fc.record({ kind: fc.constant('udp' as const), payload: payloadHex, reply: hex }));
const udpService = fc.record({ port: fc.integer({ min: 1, max: 65535 }), scheduler, persistence, check: udpCheck });
const realserver = fc.record({ host: ipv4, weight: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 65535 })), enabled: fc.boolean(), name: fc.option(fc.constantFrom('rs1', 'web-2', 'x_3'), { nil: undefined }) });

/** A valid profile (the model's own schema decides): services, schedulers, persistence, weights, checks, pair on/off. */
const profile: fc.Arbitrary<ClusterInput> = fc
  .record({
    vip: ipv4,
    vipPrefix: fc.integer({ min: 8, max: 30 }),
    alias: fc.integer({ min: 0, max: 9999 }),
    lvsIf: fc.constantFrom(...INTERFACES),
    scheduler: fc.constantFrom(...SCHEDULERS),
    forwarding: fc.constantFrom('masq' as const, 'route' as const, 'tunnel' as const),
    tcp: fc.uniqueArray(tcpService, { maxLength: 4, selector: (s) => s.port }),
    udp: fc.uniqueArray(udpService, { maxLength: 3, selector: (s) => s.port }),
    realservers: fc.uniqueArray(realserver, { maxLength: 5, selector: (r) => r.host }),
    health: fc.record({ intervalSec: fc.integer({ min: 1, max: 3600 }), timeoutSec: fc.integer({ min: 1, max: 60 }), fall: fc.integer({ min: 1, max: 10 }), rise: fc.integer({ min: 1, max: 10 }) }),
    pair: fc.option(fc.record({ gateway: ipv4, vrid: fc.integer({ min: 1, max: 255 }), advertMs: fc.integer({ min: 10, max: 1000 }).map((n) => n * 10) }), { nil: undefined }),
  })
  .filter((p) => p.pair === undefined || (p.pair.gateway !== p.vip && !p.realservers.some((r) => r.host === p.vip || r.host === p.pair!.gateway)))
  .filter((p) => !p.realservers.some((r) => r.host === p.vip))
  .map((p) => ({
    id: 'gen',
    name: 'generated',
    director: { host: '10.0.0.1', user: 'root' },
    vip: p.vip,
    vipPrefix: p.vipPrefix,
    vipIf: `${p.lvsIf}:${p.alias}`,
    lvsIf: p.lvsIf,
    scheduler: p.scheduler,
    forwarding: p.forwarding,
    tcp: p.tcp,
    udp: p.udp,
    realservers: p.realservers.map((r, i) => ({ ...r, name: r.name ? `${r.name}-${i}` : undefined })),
    health: p.health,
    runtime: 'keepalived' as const,
    ...(p.pair ? { pair: { director: { host: '10.0.0.2', user: 'root' }, ...p.pair } } : {}),
  }));

/** keepalived -t on `text` inside the namespace, without blocking (for a pool of workers). */
function configTestAsync(text: string, name: string): Promise<{ code: number; stderr: string }> {
  const f = join(dir, name);
  writeFileSync(f, text);
  return new Promise((resolve, reject) => {
    const c = spawn('nsenter', ['-t', String(holder!.pid), '-n', KEEPALIVED, '-t', '-f', f], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    c.on('error', reject);
    c.on('close', (code) => {
      rmSync(f, { force: true });
      resolve({ code: code ?? -1, stderr: err });
    });
  });
}

/** The config test's verdict on a compiled file, held to what the compiler announced. */
function expectAccepted(compiled: KeepalivedConfig, name: string): void {
  const { code, stderr } = configTest(compiled.text, name);
  const verdict = judgeConfigTest(code, stderr, compiled.expectedWarnings);
  if (!verdict.ok) throw new Error(`keepalived -t refused ${name} (exit ${code}):\n${stderr}\n--- file ---\n${compiled.text}`);
  // what keepalived said is exactly what the compiler said it would (as a set: it repeats some lines)
  expect(new Set(parseConfigTestOutput(stderr).map((m) => m.message))).toEqual(new Set(compiled.expectedWarnings));
}

describe.runIf(canRun)('keepalived -t (Debian keepalived 2.2.7) reads every compiled keepalived.conf', () => {
  beforeAll(() => {
    holder = spawn('unshare', ['-n', 'sleep', '900'], { stdio: 'ignore' });
    for (let i = 0; i < 50 && spawnSync('nsenter', ['-t', String(holder.pid), '-n', 'true']).status !== 0; i++) spawnSync('sleep', ['0.1']);
    for (const i of INTERFACES) {
      const r = spawnSync('nsenter', ['-t', String(holder.pid), '-n', 'ip', 'link', 'add', i, 'type', 'veth', 'peer', 'name', `${i}-peer`], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ip link add ${i}: ${r.stderr}`);
    }
  });
  afterAll(() => {
    holder?.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  // 1,000 profiles (≈ 1,300 files, ≈ 40 s of both cores: each keepalived -t loads ~45 libraries); more with
  // KEEPALIVED_T_PROFILES=N.
  const N = Number(process.env.KEEPALIVED_T_PROFILES ?? 1000);
  it(`accepts the file compiled for each director of ${N} generated profiles`, async () => {
    // Profiles drawn by fast-check (seed printed on failure), compiled, then checked 4 at a time by the real reader.
    const seed = Date.now() ^ (Math.random() * 0x7fffffff);
    const jobs: { name: string; compiled: KeepalivedConfig; profile: ClusterInput }[] = [];
    let pairs = 0;
    fc.sample(profile, { numRuns: N, seed }).forEach((input, i) => {
      const cluster = clusterSchema.parse(input);
      const resolve = profileResolver(cluster);
      if (cluster.pair) pairs++;
      for (const director of cluster.pair ? (['primary', 'secondary'] as const) : (['primary'] as const)) {
        jobs.push({ name: `gen-${i}-${director}.conf`, compiled: compileKeepalived({ cluster, resolve, director, paths }), profile: input });
      }
    });
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        const { code, stderr } = await configTestAsync(job.compiled.text, job.name);
        const verdict = judgeConfigTest(code, stderr, job.compiled.expectedWarnings);
        const said = new Set(parseConfigTestOutput(stderr).map((m) => m.message));
        const announced = new Set(job.compiled.expectedWarnings);
        if (!verdict.ok || said.size !== announced.size || [...said].some((m) => !announced.has(m))) {
          failures.push(`${job.name} (exit ${code}): ${stderr}\nprofile: ${JSON.stringify(job.profile)}\n${job.compiled.text}`);
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(failures.slice(0, 2), `fast-check seed ${seed}: ${failures.length} of ${jobs.length} files refused`).toEqual([]);
    // the generator really covered pairs and all-drained services
    expect(pairs).toBeGreaterThan(N / 5);
    expect(jobs.filter((j) => j.compiled.expectedWarnings.length > 0).length).toBeGreaterThan(N / 30);
    expect(jobs.length).toBeGreaterThan(N * 1.2);
  }, 600_000);

  it('accepts the lab profile, on one director and as a pair', () => {
    const one = labCluster();
    expectAccepted(compileKeepalived({ cluster: one, resolve: profileResolver(one), paths }), 'lab.conf');
    const two = clusterSchema.parse({ ...one, runtime: 'keepalived', pair: { director: { host: '10.77.0.2', user: 'root' }, gateway: '10.77.0.254' } });
    expectAccepted(compileKeepalived({ cluster: two, resolve: profileResolver(two), director: 'secondary', paths }), 'lab-pair.conf');
  });

  it('a reply ending in ff (keepalived 2.2.7 misreads a last ff): compiled with a wildcard byte more, accepted', () => {
    const c = clusterSchema.parse({ ...labCluster(), udp: [{ port: 5000, check: { kind: 'udp', payload: '01', reply: '00 ff' } }] });
    const compiled = compileKeepalived({ cluster: c, resolve: profileResolver(c), paths });
    expect(compiled.text).toContain('      require_reply 00 ff XX\n      min_reply_length 2\n');
    expectAccepted(compiled, 'reply-ff.conf');
    // and without the wildcard keepalived refuses it: the reason for it
    const raw = configTest(compiled.text.replace('00 ff XX', '00 ff'), 'reply-ff-raw.conf');
    expect(judgeConfigTest(raw.code, raw.stderr).problems[0]!.message).toBe('Invalid hex string for UDP_CHECK reply');
  });
  it('a payload ending in ff is refused by the compiler, naming the field; long payloads are written unspaced up to the line limit', () => {
    const c = (payload: string) => clusterSchema.parse({ ...labCluster(), udp: [{ port: 5000, check: { kind: 'udp', payload, reply: '00' } }] });
    expect(() => compileKeepalived({ cluster: c('00 ff'), resolve: profileResolver(c('00 ff')), paths })).toThrow(/udp 5000 check.payload ends with the byte ff/);
    const long = c('ab'.repeat(480));
    const compiled = compileKeepalived({ cluster: long, resolve: profileResolver(long), paths });
    expect(compiled.text).toContain(`      payload ${'ab'.repeat(480)}\n`);
    expectAccepted(compiled, 'long.conf');
    const tooLong = c('ab'.repeat(512));
    expect(() => compileKeepalived({ cluster: tooLong, resolve: profileResolver(tooLong), paths })).toThrow(/udp 5000 check.payload is 512 bytes: keepalived 2.2.7 reads at most about 49\d on one line/);
  });

  describe('refuses deliberately broken files, naming the line (the test can fail)', () => {
    const lab = labCluster();
    const good = compileKeepalived({ cluster: lab, resolve: profileResolver(lab), paths }).text;
    const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    const cases: [string, (t: string) => string, string][] = [
      ['an unknown keyword', (t) => t.replace('lvs_sched wlc', 'lvs_schedd wlc'), 'lvs_schedd wlc'],
      ['a persistence timeout out of range', (t) => t.replace('persistence_timeout 360', 'persistence_timeout 0'), 'persistence_timeout 0'],
      ['a weight that is not a number', (t) => t.replace('weight 1', 'weight one'), 'weight one'],
      ['a reply that is not hex', (t) => t.replace('require_reply 00 01 00 05', 'require_reply zz'), 'require_reply zz'],
      ['a VRID out of range', (t) => t.replace('virtual_router_id 51', 'virtual_router_id 256'), 'virtual_router_id 256'],
    ];
    for (const [what, breakIt, needle] of cases) {
      it(what, () => {
        const bad = breakIt(good);
        expect(bad).not.toBe(good);
        const { code, stderr } = configTest(bad, 'broken.conf');
        const v = judgeConfigTest(code, stderr);
        expect(v.ok).toBe(false);
        expect(v.problems.map((p) => p.line)).toContain(lineOf(bad, needle));
      });
    }
    it('a missing closing brace', () => {
      const { code, stderr } = configTest(good.replace(/\}\n$/, '\n'), 'broken.conf');
      const v = judgeConfigTest(code, stderr);
      expect(v.ok).toBe(false);
      expect(v.problems.map((p) => p.message)).toContain("There are 1 missing '}'s or extra '{'s");
    });
    it('an unannounced warning (a drained service the caller did not expect)', () => {
      const drained = labCluster({ 0: { weight: 0 }, 1: { weight: 0 }, 2: { weight: 0 } });
      const c = compileKeepalived({ cluster: drained, resolve: profileResolver(drained), paths });
      const { code, stderr } = configTest(c.text, 'drained.conf');
      expect(code).not.toBe(0);
      expect(judgeConfigTest(code, stderr).ok).toBe(false);
      expect(judgeConfigTest(code, stderr, c.expectedWarnings)).toEqual({ ok: true, problems: [], warnings: c.expectedWarnings });
    });
  });
});

describe('config test output parser (lines captured from keepalived 2.2.7 -t)', () => {
  const captured = [
    "(g.conf: Line 1) Unknown keyword 'garbage_keyword'",
    "(Line 1) Unknown keyword 'garbage_keyword'",
    "(g.conf: Line 1) Unknown keyword 'garbage_keyword'",
    "There are 1 missing '}'s or extra '{'s",
    'Warning - quorum 1 for [10.77.0.100]:udp:177 exceeds total weight of real servers 0, reducing quorum to 0',
    '',
  ].join('\n');
  it('reads file, line and message, each line once', () => {
    expect(parseConfigTestOutput(captured)).toEqual([
      { file: 'g.conf', line: 1, message: "Unknown keyword 'garbage_keyword'" },
      { line: 1, message: "Unknown keyword 'garbage_keyword'" },
      { message: "There are 1 missing '}'s or extra '{'s" },
      { message: 'Warning - quorum 1 for [10.77.0.100]:udp:177 exceeds total weight of real servers 0, reducing quorum to 0' },
    ]);
  });
  it('is ok only on exit 0 with nothing said, or only announced warnings; a silent non-zero exit is a problem', () => {
    expect(judgeConfigTest(0, '')).toEqual({ ok: true, problems: [], warnings: [] });
    expect(judgeConfigTest(5, '').problems).toEqual([{ message: 'keepalived -t exited 5 without saying why' }]);
    expect(judgeConfigTest(5, captured).ok).toBe(false);
  });
});

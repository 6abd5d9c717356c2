/**
 * The director's own script (LVS_DIRECTOR_SCRIPT) run for real by dash and busybox sh: its cron `update` checks every
 * service of every realserver with the console's probe (a TCP connect, an XDMCP Query answered with the Willing or the
 * Unwilling Debian's xdm sent, test/fixtures/xdmcp) and takes a realserver out of exactly the services whose check
 * fails; EXCLUDE keeps a realserver out of one service; reload and stop touch only this VIP's services. The realservers
 * are loopback addresses with real listeners; ipvsadm is a stand-in that keeps its table in a file and logs its calls
 * (the kernel's IPVS is proven in test/lab).
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createSocket, type Socket } from 'node:dgram';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clusterSchema, type ClusterInput } from '../../../../../shared/model/cluster.ts';
import { writeLvsConf } from '../../../../../electron/lvs/conf/conf-write.ts';
import { directorConf } from '../../../../../electron/lvs/conf/director-conf.ts';
import { LVS_DIRECTOR_SCRIPT } from '../../../../../electron/lvs/conf/director-init-script.ts';
import { LOCK_NAME } from '../../../../../electron/shell/director-lock.ts';
import { privateTestBase } from '../../services/local-director.ts';
import { deadToken, holdLock, type Holder } from '../../services/lock-holder.ts';

// ipvsadm stand-in: the table as `-S -n` lines in $FAKE/table; -a appends, -d / -D delete, -R appends -A/-a lines,
// -C empties; every call is logged to $FAKE/log.
const FAKE_IPVSADM = `#!/bin/sh
t="$FAKE/table"; [ -f "$t" ] || : > "$t"
echo "$*" >> "$FAKE/log"
case $1 in
  -S) cat "$t" ;;
  -L) cat "$t" ;;
  -C) : > "$t" ;;
  -R) while IFS= read -r l; do case $l in -A*|-a*) printf '%s\\n' "$l" >> "$t" ;; esac; done ;;
  -a) shift; printf '%s\\n' "-a $*" >> "$t" ;;
  -d) grep -v -- "^-a $2 $3 -r $5 " "$t" > "$t.n"; mv "$t.n" "$t" ;;
  -D) grep -v -- "^-[aA] $2 $3 " "$t" > "$t.n"; mv "$t.n" "$t" ;;
  *) echo "fake ipvsadm: unsupported $*" >&2; exit 2 ;;
esac
`;

const hex = (f: string) => Buffer.from(readFileSync(join(import.meta.dirname, '../../../../fixtures/xdmcp', f), 'utf8').replace(/\s/g, ''), 'hex');
const WILLING = hex('willing.xdm-1.1.11.hex');
const UNWILLING = hex('unwilling.xdm-1.1.11.hex');
const RS_A = '127.0.0.2';
const RS_B = '127.0.0.3';
const VIP = '10.0.0.100';
const OTHER = '-A -t 10.0.0.200:80 -s rr\n-a -t 10.0.0.200:80 -r 10.0.0.9:80 -m -w 1\n';

const canRun = process.platform === 'linux' && typeof process.getuid === 'function' && process.getuid() === 0;

describe.runIf(canRun)("the director's own update, per service, for real (dash and busybox sh)", () => {
  let dir: string;
  let tcpPort: number;
  let udpPort: number;
  let tcp: Server;
  const udps: Socket[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lvsupd-'));
    writeFileSync(join(dir, 'ipvsadm'), FAKE_IPVSADM);
    writeFileSync(join(dir, 'logger'), '#!/bin/sh\nexit 0\n');
    // bash and perl, found first on PATH: log that they ran (the lean probe, the perl probe), then are the real ones
    writeFileSync(join(dir, 'bash'), '#!/bin/sh\necho "$3" >> "$FAKE/bash-log"\nexec /usr/bin/bash "$@"\n', { mode: 0o755 });
    writeFileSync(join(dir, 'perl'), '#!/bin/sh\necho perl >> "$FAKE/perl-log"\nexec /usr/bin/perl "$@"\n', { mode: 0o755 });
    chmodSync(join(dir, 'ipvsadm'), 0o755);
    chmodSync(join(dir, 'logger'), 0o755);
    writeFileSync(join(dir, 'lvs-director'), LVS_DIRECTOR_SCRIPT, { mode: 0o755 });
    // rs A listens on the TCP port and answers XDMCP with a Willing; rs B has the TCP port closed and answers Unwilling.
    tcp = createServer((s) => s.on('error', () => {})).listen(0, RS_A);
    await new Promise((r) => tcp.once('listening', r));
    tcpPort = (tcp.address() as { port: number }).port;
    const a = createSocket('udp4');
    await new Promise<void>((r) => a.bind(0, RS_A, () => r()));
    udpPort = a.address().port;
    const b = createSocket('udp4');
    await new Promise<void>((r) => b.bind(udpPort, RS_B, () => r()));
    a.on('message', (_m, r) => a.send(WILLING, r.port, r.address));
    b.on('message', (_m, r) => b.send(UNWILLING, r.port, r.address));
    udps.push(a, b);
  });
  afterAll(() => {
    tcp?.close();
    for (const s of udps) s.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const profile = (extra: Partial<ClusterInput> = {}): ClusterInput => ({
    id: 'upd',
    name: 'upd',
    director: { host: '10.0.0.1', user: 'root' },
    vip: VIP,
    tcp: [{ port: tcpPort }],
    udp: [{ port: udpPort, check: { kind: 'xdmcp' } }],
    realservers: [{ host: RS_A }, { host: RS_B }],
    ...extra,
  });
  const full = () =>
    [
      `-A -t ${VIP}:${tcpPort} -s wlc`,
      `-a -t ${VIP}:${tcpPort} -r ${RS_A}:${tcpPort} -m -w 1`,
      `-a -t ${VIP}:${tcpPort} -r ${RS_B}:${tcpPort} -m -w 1`,
      `-A -u ${VIP}:${udpPort} -s wlc`,
      `-a -u ${VIP}:${udpPort} -r ${RS_A}:${udpPort} -m -w 1`,
      `-a -u ${VIP}:${udpPort} -r ${RS_B}:${udpPort} -m -w 1`,
    ].join('\n') + '\n';

  let fake: string;
  // the director's lock lives in a private directory of this test (never this machine's /var/lib/lvs-console)
  let lockDir: string;
  beforeEach(() => {
    fake = mkdtempSync(join(dir, 'fake-'));
    lockDir = mkdtempSync(join(privateTestBase(), 'lock-'));
  });
  afterEach(() => rmSync(lockDir, { recursive: true, force: true }));
  // Asynchronous: the UDP "realservers" live in this process and must answer while the script runs. `during` runs
  // while the script runs (after it started), e.g. to release a lock or rewrite the configuration.
  // hide: tools the director does not have, in a mount namespace (/dev/null over the real one and its logging shim):
  // without perl update runs the lean probe under bash, without perl and bash the health probe under sh
  const run = async (shell: string, verb: string, p: ClusterInput, table: string, during?: (conf: string) => Promise<void>, hide: readonly ('perl' | 'bash')[] = []) => {
    writeFileSync(join(fake, 'table'), table);
    writeFileSync(join(fake, 'log'), '');
    const conf = join(fake, 'lvs.conf');
    writeFileSync(conf, writeLvsConf(directorConf(clusterSchema.parse(p))));
    const shArgv = [...(shell === 'busybox' ? ['/bin/busybox', 'sh'] : ['/bin/dash']), join(dir, 'lvs-director'), verb];
    const mounts = hide.map((t) => `mount --bind /dev/null /usr/bin/${t} && mount --bind /dev/null ${join(dir, t)}`).join(' && ');
    const argv = hide.length ? ['unshare', '-m', '--', '/bin/sh', '-c', `${mounts} && exec "$@"`, 'hide', ...shArgv] : shArgv;
    const running = promisify(execFile)(argv[0]!, argv.slice(1), {
      env: { PATH: `${dir}:/usr/sbin:/usr/bin:/sbin:/bin`, LVS_CONF: conf, FAKE: fake, LVS_LOCK_DIR: lockDir },
      encoding: 'utf8',
      timeout: 20_000,
    });
    if (during) await during(conf);
    const { stdout } = await running;
    const ran = (log: string) => (existsSync(join(fake, log)) ? readFileSync(join(fake, log), 'utf8').split('\n').filter(Boolean) : []);
    return {
      stdout,
      bashRan: ran('bash-log'),
      perlRan: ran('perl-log'),
      table: readFileSync(join(fake, 'table'), 'utf8').split('\n').filter(Boolean).sort(),
      calls: readFileSync(join(fake, 'log'), 'utf8').split('\n').filter((l) => l && l !== '-S -n'),
    };
  };
  const sorted = (t: string) => t.split('\n').filter(Boolean).sort();

  for (const shell of ['dash', 'busybox']) {
    it(`${shell}: B leaves the TCP service (connect refused) and the XDMCP one (Unwilling); A stays in both`, async () => {
      const r = await run(shell, 'update', profile(), full());
      expect(r.calls.sort()).toEqual([`-d -t ${VIP}:${tcpPort} -r ${RS_B}:${tcpPort}`, `-d -u ${VIP}:${udpPort} -r ${RS_B}:${udpPort}`].sort());
      expect(r.table).toEqual(sorted(full()).filter((l) => !l.includes(`-r ${RS_B}:`)));
      // with perl there, the probe was the perl one (one process for every check)
      expect([r.perlRan, r.bashRan]).toEqual([['perl'], []]);
    }, 30_000);

    it(`${shell}, no perl on the director: the lean probe under bash gives the same verdicts`, async () => {
      const r = await run(shell, 'update', profile(), full(), undefined, ['perl']);
      expect(r.calls.sort()).toEqual([`-d -t ${VIP}:${tcpPort} -r ${RS_B}:${tcpPort}`, `-d -u ${VIP}:${udpPort} -r ${RS_B}:${udpPort}`].sort());
      expect(r.table).toEqual(sorted(full()).filter((l) => !l.includes(`-r ${RS_B}:`)));
      expect([r.perlRan, r.bashRan]).toEqual([[], ['lvs-console-probe']]);
    }, 30_000);

    it(`${shell}, no perl nor bash on the director: the health probe under sh gives the same verdicts, and with no TCP tool leaves the TCP services as they are`, async () => {
      // busybox sh runs its own nc; dash needs one on PATH (this machine and CI have none: the TCP checks say notool)
      const nc = shell === 'busybox' || spawnSync('/bin/dash', ['-c', 'command -v nc && command -v timeout'], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } }).status === 0;
      const r = await run(shell, 'update', profile(), full(), undefined, ['perl', 'bash']);
      expect([r.perlRan, r.bashRan]).toEqual([[], []]);
      if (nc) {
        expect(r.calls.sort()).toEqual([`-d -t ${VIP}:${tcpPort} -r ${RS_B}:${tcpPort}`, `-d -u ${VIP}:${udpPort} -r ${RS_B}:${udpPort}`].sort());
        expect(r.table).toEqual(sorted(full()).filter((l) => !l.includes(`-r ${RS_B}:`)));
      } else {
        // before: every TCP check said down, and update took A (listening) out of the TCP service with B
        expect(r.calls).toEqual([`-d -u ${VIP}:${udpPort} -r ${RS_B}:${udpPort}`]);
        expect(r.table).toEqual(sorted(full()).filter((l) => !l.startsWith(`-a -u ${VIP}:${udpPort} -r ${RS_B}:`)));
      }
    }, 30_000);

    it(`${shell}: a check that is not run (none) keeps B in; a missing A is added back only where its check passes`, async () => {
      const p = profile({ tcp: [{ port: tcpPort, check: { kind: 'none' } }] });
      const withoutA = sorted(full()).filter((l) => !l.includes(`-r ${RS_A}:`)).join('\n') + '\n';
      const r = await run(shell, 'update', p, withoutA);
      expect(r.calls.sort()).toEqual([`-a -t ${VIP}:${tcpPort} -r ${RS_A}:${tcpPort} -m -w 1`, `-a -u ${VIP}:${udpPort} -r ${RS_A}:${udpPort} -m -w 1`, `-d -u ${VIP}:${udpPort} -r ${RS_B}:${udpPort}`].sort());
    }, 30_000);

    it(`${shell}: EXCLUDE keeps A out of the XDMCP service (a per-service drain): update does not add it back there`, async () => {
      const p = profile({ realservers: [{ host: RS_A, exclude: [`udp/${udpPort}`] }, { host: RS_B }] });
      const noA = sorted(full()).filter((l) => l !== `-a -u ${VIP}:${udpPort} -r ${RS_A}:${udpPort} -m -w 1`).join('\n') + '\n';
      const r = await run(shell, 'update', p, noA);
      expect(r.calls).not.toContain(`-a -u ${VIP}:${udpPort} -r ${RS_A}:${udpPort} -m -w 1`);
      expect(r.table).not.toContain(`-a -u ${VIP}:${udpPort} -r ${RS_A}:${udpPort} -m -w 1`);
    }, 30_000);

    it(`${shell}: reload rebuilds only this VIP's services (another VIP's stay; no ipvsadm -C); EXCLUSIVE=yes clears all`, async () => {
      const r = await run(shell, 'reload', profile(), OTHER + full());
      expect(r.calls).not.toContain('-C');
      expect(r.calls).toContain(`-D -t ${VIP}:${tcpPort}`);
      expect(r.table).toEqual(sorted(OTHER + full()));
      const alone = await run(shell, 'reload', profile(), full());
      expect(alone.calls).toContain('-C');
      const excl = await run(shell, 'reload', profile({ exclusiveDirector: true }), OTHER + full());
      expect(excl.calls).toContain('-C');
      expect(excl.table).toEqual(sorted(full()));
    }, 30_000);

    // The director's lock (electron/shell/director-lock.ts), shared with the console's apply transaction.
    const lockPath = () => join(lockDir, LOCK_NAME);
    const lockLeft = () => existsSync(lockPath()) || readdirSync(lockDir).includes(LOCK_NAME);
    const holders: Holder[] = [];
    afterEach(async () => {
      while (holders.length) await holders.pop()!.kill();
    });

    it(`${shell}: update waits while a console transaction holds the lock, then reads the configuration as the transaction left it`, async () => {
      const h = await holdLock(lockDir, 'lvs-console.0123456789abcdef');
      holders.push(h);
      // the transaction installs an lvs.conf that keeps B out of the TCP service, then releases the lock
      const r = await run(shell, 'update', profile(), full(), async (conf) => {
        await new Promise((res) => setTimeout(res, 1000));
        expect(readFileSync(join(fake, 'log'), 'utf8')).toBe(''); // nothing read or changed while it waits
        writeFileSync(conf, writeLvsConf(directorConf(clusterSchema.parse(profile({ realservers: [{ host: RS_A }, { host: RS_B, exclude: [`tcp/${tcpPort}`] }] })))));
        h.release();
      });
      // with the old configuration it would have deleted B from the TCP service too
      expect(r.calls).toEqual([`-d -u ${VIP}:${udpPort} -r ${RS_B}:${udpPort}`]);
      expect(lockLeft()).toBe(false);
    }, 30_000);

    it(`${shell}: update skips this minute when the lock stays held (it waits 10 s), touching nothing, and says who holds it`, async () => {
      const h = await holdLock(lockDir, 'lvs-console.0123456789abcdef');
      holders.push(h);
      const r = await run(shell, 'update', profile(), full());
      expect(r.stdout).toContain(`lvs-director: update skipped this minute: lvs-console.0123456789abcdef (pid ${h.pid}) holds ${lockPath()} (waited 10 s); cron runs it again`);
      expect(readFileSync(join(fake, 'log'), 'utf8')).toBe('');
      expect(r.table).toEqual(sorted(full()));
      expect(readlinkSync(lockPath())).toBe(h.token);
    }, 30_000);

    it(`${shell}: a lock left by a killed holder is removed; reload holds the lock while it runs and releases it, also when it fails`, async () => {
      const dead = await deadToken('lvs-director-update');
      symlinkSync(dead, lockPath());
      let seen = '';
      const r = await run(shell, 'reload', profile(), full(), async () => {
        // the dead holder's token, then reload's own while it runs
        for (let i = 0; i < 200 && !seen.endsWith(':lvs-director-reload'); i++) {
          try {
            seen = readlinkSync(lockPath());
          } catch {
            /* between the two */
          }
          await new Promise((res) => setTimeout(res, 5));
        }
      });
      expect(r.stdout).toContain(`lvs-lock: removed the stale lock ${lockPath()} (${dead}: that process no longer runs)`);
      expect(seen).toMatch(/^\d+:\d+:[0-9a-f-]+:\d+:lvs-director-reload$/);
      expect(r.calls).toEqual(['-C', '-R']);
      expect(lockLeft()).toBe(false);
      // a configuration the script rejects after taking the lock (exit 6): the EXIT trap releases it
      const bad = join(fake, 'bad.conf');
      writeFileSync(bad, 'VIP=10.0.0.1\nVIP_IF=eth0:110\nFORWARD=bogus\n');
      const sh = shell === 'busybox' ? ['/bin/busybox', 'sh'] : ['/bin/dash'];
      const err = await promisify(execFile)(sh[0]!, [...sh.slice(1), join(dir, 'lvs-director'), 'reload'], {
        env: { PATH: `${dir}:/usr/sbin:/usr/bin:/sbin:/bin`, LVS_CONF: bad, FAKE: fake, LVS_LOCK_DIR: lockDir },
      }).catch((e: unknown) => e as { code: number; stderr: string });
      expect(err).toMatchObject({ code: 6 });
      expect(lockLeft()).toBe(false);
    }, 30_000);

    it(`${shell}: a lock directory that is not private is refused before anything runs`, async () => {
      chmodSync(lockDir, 0o755);
      const r = await run(shell, 'update', profile(), full()).catch((e: unknown) => e as { code: number; stdout: string });
      expect(r).toMatchObject({ code: 1 });
      expect((r as { stdout: string }).stdout).toContain(`lvs-director: update refused: ${lockDir} has mode drwxr-xr-x, not drwx------`);
      expect(readFileSync(join(fake, 'log'), 'utf8')).toBe('');
    }, 30_000);
  }
});

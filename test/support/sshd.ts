/**
 * Starts a REAL OpenSSH sshd for tests: `/usr/sbin/sshd -D -e -f CONFIG` on 127.0.0.1 with a free port, its own host keys,
 * AuthorizedKeysFile and PidFile in a temp dir. It never touches /etc/ssh or /root/.ssh. Needs root (CI is root); callers
 * skip with `sshdUnavailable()`'s reason otherwise.
 *
 * System changes it may make (all idempotent, documented here so nobody is surprised):
 * - creates /run/sshd (sshd's privilege-separation directory, which sshd refuses to start without) if missing;
 * - `ensureTestUser()` creates the local user `lvs-ssh-test` (`useradd -M -d / -s /bin/sh`; home `/` so sshd's "could not
 *   chdir to home" never pollutes stderr), adds it to group `sudo` (for the sudo tests) and sets a fresh random password
 *   per run with chpasswd.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realProofSkip } from './require-real.ts';

/** The sshd binary the helper runs. */
export const SSHD = '/usr/sbin/sshd';
/** The dedicated local user for password / keyboard-interactive / sudo tests. */
export const TEST_USER = 'lvs-ssh-test';

/** Why real-sshd tests cannot run here, or undefined when they can; with LVS_REQUIRE_REAL=1 a reason throws (require-real.ts). */
export function sshdUnavailable(): string | undefined {
  return realProofSkip(sshdMissing(), 'the real-sshd tests');
}

function sshdMissing(): string | undefined {
  if (process.platform !== 'linux') return 'real-sshd tests need Linux';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'real-sshd tests need root (CI runs as root)';
  if (!existsSync(SSHD)) return `${SSHD} missing: apt-get install openssh-server`;
  for (const tool of ['/usr/bin/ssh-keygen', '/usr/bin/ssh-agent', '/usr/bin/ssh-add']) if (!existsSync(tool)) return `${tool} missing: apt-get install openssh-client`;
  return undefined;
}

/** True when `puttygen` (apt-get install putty-tools) is available for .ppk fixtures. */
export function hasPuttygen(): boolean {
  return ['/usr/bin/puttygen', '/usr/local/bin/puttygen'].some((p) => existsSync(p));
}

/** True when sudo is installed (apt-get install sudo). */
export function hasSudo(): boolean {
  return existsSync('/usr/bin/sudo');
}

/** A free TCP port on 127.0.0.1 (bind to 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** A generated key pair in a temp dir. */
export interface KeyPair {
  privatePath: string;
  publicLine: string;
  /** Key type as in the public line (ssh-ed25519, ssh-rsa, …). */
  type: string;
  /** Base64 blob of the public key. */
  base64: string;
}

/** Generates a key with ssh-keygen (`-m PEM` for the classic PEM format). */
export function generateKey(dir: string, name: string, opts: { type: 'ed25519' | 'rsa' | 'ecdsa'; pem?: boolean; passphrase?: string }): KeyPair {
  const path = join(dir, name);
  const args = ['-q', '-t', opts.type, '-N', opts.passphrase ?? '', '-C', `lvs-test-${name}`, '-f', path];
  if (opts.type === 'rsa') args.push('-b', '2048');
  if (opts.pem) args.push('-m', 'PEM');
  execFileSync('/usr/bin/ssh-keygen', args, { stdio: 'ignore' });
  const publicLine = readFileSync(`${path}.pub`, 'utf8').trim();
  const [type, base64] = publicLine.split(/\s+/);
  return { privatePath: path, publicLine, type: type!, base64: base64! };
}

/** Options for startSshd. */
export interface SshdOptions {
  /** Host key types to generate (default ed25519 only). */
  hostKeyTypes?: Array<'ed25519' | 'rsa' | 'ecdsa'>;
  /** sshd LogLevel (default VERBOSE: logs each accepted connection and auth result). */
  logLevel?: 'INFO' | 'VERBOSE' | 'DEBUG1';
  /** Extra sshd_config lines. */
  extraConfig?: string[];
}

/** A running test sshd. */
export interface TestSshd {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly dir: string;
  /** Public host keys (type + base64) the server presents. */
  readonly hostKeys: Array<{ type: string; base64: string }>;
  /** known_hosts lines for this server (`[127.0.0.1]:PORT type base64`). */
  knownHostsLines(): string[];
  /** Adds an authorized public key line for a user. */
  authorize(user: string, publicLine: string): void;
  /** Everything sshd logged so far (-e: stderr). */
  log(): string;
  /** How many TCP connections sshd accepted so far ("Connection from … port …" lines). */
  connectionCount(): number;
  /** PIDs of the per-connection sshd children (killing one drops that connection). */
  connectionPids(): number[];
  /** Regenerates the host keys and restarts sshd on the same port (a "reinstalled" server). */
  regenerateHostKeys(): Promise<void>;
  /** Stops sshd and removes the temp dir. */
  stop(): Promise<void>;
}

/** Starts sshd (see file comment). Resolves once sshd prints "Server listening". */
export async function startSshd(opts: SshdOptions = {}): Promise<TestSshd> {
  const reason = sshdUnavailable();
  if (reason) throw new Error(reason);
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755, recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'lvs-sshd-'));
  const authDir = join(dir, 'authorized_keys');
  mkdirSync(authDir);
  const types = opts.hostKeyTypes ?? ['ed25519'];
  let hostKeys: Array<{ type: string; base64: string }> = [];
  const makeHostKeys = () => {
    hostKeys = types.map((t) => {
      rmSync(join(dir, `ssh_host_${t}_key`), { force: true });
      rmSync(join(dir, `ssh_host_${t}_key.pub`), { force: true });
      const k = generateKey(dir, `ssh_host_${t}_key`, { type: t });
      return { type: k.type, base64: k.base64 };
    });
  };
  makeHostKeys();
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      ...types.map((t) => `HostKey ${join(dir, `ssh_host_${t}_key`)}`),
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authDir}/%u`,
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication yes',
      'UsePAM yes',
      'PubkeyAuthentication yes',
      'UseDNS no',
      'PrintMotd no',
      'PrintLastLog no',
      'AllowTcpForwarding yes',
      'MaxStartups 100',
      'MaxAuthTries 20',
      // MaxSessions stays at OpenSSH's default (10), as on real servers: the session pool must cope with it.
      `LogLevel ${opts.logLevel ?? 'VERBOSE'}`,
      ...(opts.extraConfig ?? []),
      '',
    ].join('\n'),
  );

  let logText = '';
  let child: ChildProcess | undefined;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const p = spawnSshd(config, dir);
      child = p;
      let settled = false;
      p.stderr!.setEncoding('utf8');
      p.stderr!.on('data', (d: string) => {
        logText += d;
        if (!settled && /Server listening on 127\.0\.0\.1 port \d+/.test(logText)) {
          settled = true;
          resolve();
        }
      });
      p.once('exit', (code) => {
        if (!settled) {
          settled = true;
          reject(new Error(`sshd exited with ${code} before listening:\n${logText}`));
        }
      });
    });
  const stopChild = () =>
    new Promise<void>((resolve) => {
      const p = child;
      if (!p || p.exitCode !== null || p.signalCode !== null) return resolve();
      // Children serving connections get SIGTERM too, by their own pids (never by name).
      for (const pid of childPids(p.pid!)) safeKill(pid);
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  await start();

  return {
    host: '127.0.0.1',
    port,
    dir,
    get hostKeys() {
      return hostKeys;
    },
    knownHostsLines: () => hostKeys.map((k) => `[127.0.0.1]:${port} ${k.type} ${k.base64}`),
    authorize(user, publicLine) {
      appendFileSync(join(authDir, user), `${publicLine}\n`, { mode: 0o644 });
    },
    log: () => logText,
    connectionCount: () => (logText.match(/^Connection from \S+ port \d+ on /gm) ?? []).length,
    connectionPids: () => (child?.pid ? childPids(child.pid) : []),
    async regenerateHostKeys() {
      await stopChild();
      makeHostKeys();
      await start();
    },
    async stop() {
      await stopChild();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * sshd -D -e -f CONFIG. As root (and with unshare), in its own mount namespace with a private root home (DIR/home):
 * the machine's /root is a developer's or CI's home, whose ~/.bashrc bash runs for every command sshd starts (pyenv
 * init here: about 100 processes per command). unshare execs sshd, so the child's pid is sshd's.
 */
function spawnSshd(config: string, dir: string): ChildProcess {
  const stdio: ['ignore', 'ignore', 'pipe'] = ['ignore', 'ignore', 'pipe'];
  const privateHome = process.getuid?.() === 0 && existsSync('/usr/bin/unshare') && !`${process.cwd()}/`.startsWith('/root/');
  if (!privateHome) return spawn(SSHD, ['-D', '-e', '-f', config], { stdio });
  const home = join(dir, 'home');
  mkdirSync(home, { mode: 0o700, recursive: true });
  return spawn('/usr/bin/unshare', ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', 'mount --bind "$1" /root && exec "$2" -D -e -f "$3"', 'sh', home, SSHD, config], { stdio });
}

/** Direct children of a pid (from /proc; no `ps`, no names). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(e));
    } catch {
      // process ended while we looked
    }
  }
  return out;
}

function safeKill(pid: number, sig: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Kills one process by pid (used to drop an sshd connection). */
export function killPid(pid: number): void {
  safeKill(pid, 'SIGKILL');
}

/**
 * Ensures the local test user `lvs-ssh-test` exists (useradd -M -d / -s /bin/sh), is in group sudo, and has a random
 * password for this test run (chpasswd). Returns the password. Root only.
 *
 * Test files run in parallel worker processes of one vitest run: the first worker to get the lock file sets the password
 * and publishes it (mode 0600, in the temp dir, keyed by the run's parent pid); the others wait for it and read it.
 */
export function ensureTestUser(): string {
  const base = join(tmpdir(), `lvs-ssh-test-password-${process.ppid}`);
  const lock = `${base}.lock`;
  let mine = false;
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
    mine = true;
  } catch {
    // another worker of this run sets it
  }
  if (!mine) {
    const end = Date.now() + 30_000;
    while (!existsSync(base)) {
      if (Date.now() > end) throw new Error(`waited 30 s for another test worker to set ${TEST_USER}'s password (${base})`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
    return readFileSync(base, 'utf8');
  }
  for (const f of readdirSync(tmpdir())) {
    // Leftovers of earlier runs whose vitest process is gone.
    const m = /^lvs-ssh-test-password-(\d+)(\.lock)?$/.exec(f);
    if (m && Number(m[1]) !== process.ppid && !pidAlive(Number(m[1]))) rmSync(join(tmpdir(), f), { force: true });
  }
  try {
    execFileSync('/usr/bin/id', [TEST_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('/usr/sbin/useradd', ['-M', '-d', '/', '-s', '/bin/sh', TEST_USER], { stdio: 'ignore' });
  }
  if (hasSudo()) execFileSync('/usr/sbin/usermod', ['-a', '-G', 'sudo', TEST_USER], { stdio: 'ignore' });
  const password = `T${randomBytes(12).toString('base64url')}9`;
  execFileSync('/usr/sbin/chpasswd', { input: `${TEST_USER}:${password}\n`, stdio: ['pipe', 'ignore', 'ignore'] });
  writeFileSync(`${base}.tmp`, password, { mode: 0o600 });
  renameSync(`${base}.tmp`, base);
  return password;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A running ssh-agent on its own socket. */
export interface TestAgent {
  readonly socket: string;
  /** Adds a private key file (ssh-add). */
  add(privatePath: string): void;
  /** Kills the agent by its pid and removes its dir. */
  stop(): void;
}

/** Starts a real ssh-agent (`ssh-agent -a SOCK`) in a temp dir. */
export function startAgent(): TestAgent {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-agent-'));
  const socket = join(dir, 'agent.sock');
  const out = execFileSync('/usr/bin/ssh-agent', ['-s', '-a', socket], { encoding: 'utf8' });
  // ssh-agent -s prints: SSH_AGENT_PID=1234; export SSH_AGENT_PID;
  const m = /SSH_AGENT_PID=(\d+);/.exec(out);
  if (!m) throw new Error(`ssh-agent printed no pid: ${out}`);
  const pid = Number(m[1]);
  return {
    socket,
    add(privatePath) {
      execFileSync('/usr/bin/ssh-add', ['-q', privatePath], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
    },
    stop() {
      safeKill(pid);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One persistent SSH connection to one host, reused by every command: connects lazily on the first exec, notices a
 * drop, and reconnects (with backoff) on the next exec. Implements Executor. A session reached through a jump host gets
 * its transport from the jump session's forwardOut. Every command is reported to the audit sink (argv, exit code,
 * duration, an output excerpt; never stdin or a password). A command asked to run `shared` goes to the connection's held
 * shell (held-shell.ts) when it can, instead of a channel of its own.
 */
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { AppError } from '../../shared/result.ts';
import { connectClient, type ConnectParams } from './connect.ts';
import { execOnClient, isChannelNotOpened, isChannelRefused, type SudoMode } from './exec.ts';
import { HeldShell } from './held-shell.ts';
import { sudoArgv, sudoFailure } from './sudo.ts';
import type { AuditSink, ExecOptions, ExecResult, Executor, SecretSource } from './types.ts';

/** How a session is built (ConnectParams minus the per-attempt parts). */
export interface SessionOptions {
  /** Pool key: user@host:port (+ " via …"). */
  key: string;
  connect: Omit<ConnectParams, 'sock' | 'signal'>;
  /** The jump host session; the connection then runs over its forwardOut to connect.host:connect.port. */
  via?: SshSession;
  /** The target's sudo setting (undefined: `sudo -n` when a caller asks for sudo as a non-root user). */
  sudo?: { secretRef?: string };
  secrets: SecretSource;
  audit?: AuditSink;
  /** Waits between reconnect attempts after a drop (default 250, 1000, 3000 ms: four attempts). */
  backoffMs?: readonly number[];
  /** Most commands running at once on this connection (default 8: sshd's MaxSessions defaults to 10). */
  maxChannels?: number;
  /** false: never a held shell (ExecOptions.shared is ignored; every command gets a channel of its own). Default true. */
  heldShells?: boolean;
}

const DEFAULT_BACKOFF = [250, 1000, 3000] as const;
// Connect failures worth retrying after a drop: the host or network may be back in a moment. Host key, auth and
// cancellation failures are final.
const RETRYABLE = new Set(['CONNECT_FAILED', 'TIMEOUT']);
/** How long a connection whose server refused the held shell's channel runs shared commands on channels of their own. */
const SHELL_REFUSED_RETRY_MS = 60_000;
/** Waits before asking again for a channel the server refused (about 1.5 s in all; then the refusal is the error). */
const REFUSED_WAITS_MS = [20, 50, 100, 200, 400, 800] as const;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AppError('CANCELLED', 'cancelled'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new AppError('CANCELLED', 'cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Tears a client down for sure. ssh2's own destroy() only destroys a socket that is still writable, and end() has just
 * made it not writable: a connection whose peer no longer answers (its replies routed away, e.g. a realserver whose
 * subnet route was just removed while the director does not forward yet) then stays half-closed, retransmitting its FIN,
 * until the kernel gives up (~15 min: tcp_retries2), and keeps the process alive that long. So the socket under the
 * client (ssh2 1.x keeps it as `_sock`: a TCP socket, or a jump host's forwarded channel) is destroyed directly too.
 */
export function destroyClient(c: Client): void {
  c.destroy();
  const sock = (c as unknown as { _sock?: { destroyed?: boolean; destroy?: () => void } })._sock;
  if (sock && !sock.destroyed) sock.destroy?.();
}

/** How long a polite close (SSH disconnect, then TCP FIN) may take before the connection is torn down. */
export const CLOSE_GRACE_MS = 3000;

/** A pooled, self-reconnecting SSH session (see file comment). */
export class SshSession implements Executor {
  readonly label: string;
  readonly key: string;
  /** Successful connections made so far (1 while the first connection holds). */
  connectCount = 0;
  private client?: Client;
  private connecting?: Promise<Client>;
  private everConnected = false;
  private closed = false;
  private active = 0;
  /** Channels at once on this connection: maxChannels, or fewer after the server refused one (until idle or reconnected). */
  private limit: number;
  /** The configured number of channels at once (maxChannels, default 8: sshd's MaxSessions defaults to 10). */
  private readonly maxChannels: number;
  private readonly waiting: Array<() => void> = [];
  /** The held shell of the current connection (or until when there is none: its channel was refused). */
  private shell?: { client: Client; held?: HeldShell; opening?: Promise<HeldShell | undefined>; refusedUntil?: number };
  /** Commands run in the held shell so far (for tests and benchmarks). */
  sharedRuns = 0;

  constructor(private readonly opts: SessionOptions) {
    this.label = opts.connect.label;
    this.key = opts.key;
    this.maxChannels = opts.maxChannels ?? 8;
    this.limit = this.maxChannels;
  }

  /** True while a connection is up. */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /**
   * Runs argv (see Executor / execOnClient). Connects first if needed (bounded by readyTimeoutMs; opts.timeoutMs covers the
   * command). Only when the channel never opened (the command cannot have run) does it try again: on the same connection
   * after a short wait when the server refused the channel, or once after reconnecting when the connection was gone.
   */
  async exec(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const time = new Date().toISOString();
    const sudo = opts.sudo ? await this.sudoMode() : ({ kind: 'none' } as const);
    let result: ExecResult | undefined;
    let error: unknown;
    await this.acquire();
    try {
      let client = await this.ensureClient(opts.signal);
      if (opts.shared && this.opts.heldShells !== false && opts.stdin === undefined && !opts.onStdout && !opts.onStderr && sudo.kind !== 'password') {
        const held = await this.heldShell(client, opts, argv[0] ?? 'exec');
        if (held?.free) {
          const shellArgv = opts.sudo && sudo.kind === 'nopasswd' ? sudoArgv(argv, undefined) : argv;
          const r = await held.run(this.label, shellArgv, opts);
          this.sharedRuns += 1;
          if (opts.sudo && sudo.kind !== 'none') {
            const sf = sudoFailure(this.label, r.code, r.stderr, 0);
            if (sf) throw sf;
          }
          result = r;
          return r;
        }
      }
      let reconnected = false;
      for (let refusals = 0; ; ) {
        try {
          result = await execOnClient(client, this.label, argv, opts, sudo);
          return result;
        } catch (e) {
          if (!isChannelNotOpened(e)) throw e;
          if (isChannelRefused(e)) {
            // An idle held shell takes one of the server's sessions (MaxSessions): a server that allows few gets it back
            // at once, and no held shell on this connection for a while.
            const idle = this.shell?.client === client ? this.shell.held : undefined;
            if (idle?.free) {
              idle.close();
              this.shell!.refusedUntil = Date.now() + SHELL_REFUSED_RETRY_MS;
              continue;
            }
            // The server said no to this channel but the connection is alive, maybe with other commands running on
            // it: dropping it would cut them. With others running, it allows no more than they are: keep to that
            // (until the session is idle or reconnects) and queue for the next free slot. With none running, wait a
            // moment and ask again; a refusal that lasts is the error.
            const others = this.active - 1;
            if (others > 0) {
              this.limit = Math.min(this.limit, others);
              this.release();
              await this.acquire();
              continue;
            }
            if (refusals >= REFUSED_WAITS_MS.length) throw e;
            await sleep(REFUSED_WAITS_MS[refusals++]!, opts.signal);
            continue;
          }
          if (reconnected) throw e;
          this.drop(client);
          client = await this.ensureClient(opts.signal);
          reconnected = true;
        }
      }
    } catch (e) {
      error = e;
      throw e;
    } finally {
      this.release();
      if (this.opts.audit) {
        const shown = opts.sudo && sudo.kind !== 'none' ? ['sudo', ...argv] : argv;
        const excerpt = result ? `${result.stdout}${result.stderr}` : error instanceof Error ? error.message : String(error);
        this.opts.audit({
          time,
          host: this.label,
          argv: shown,
          code: result ? result.code : null,
          durationMs: result ? result.durationMs : 0,
          outputExcerpt: excerpt.length > 300 ? `${excerpt.slice(0, 300)}…` : excerpt,
        });
      }
    }
  }

  /**
   * Opens a TCP stream from this host to host:port (a jump for another session). Bounded: the jump host's own TCP connect
   * to a host that just died can take minutes (SYN retries), so the wait ends after `timeoutMs` (TIMEOUT) or when
   * `signal` aborts (CANCELLED); a stream that arrives after that is closed.
   */
  async forwardOut(host: string, port: number, signal?: AbortSignal, timeoutMs = 20_000): Promise<Duplex> {
    const client = await this.ensureClient(signal);
    const fail = (err: Error) => new AppError('CONNECT_FAILED', `${this.label}: cannot reach ${host}:${port} through this host (${err.message})`, { host: this.label, step: 'jump', cause: err });
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (f: () => void) => {
        if (done) return false;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        f();
        return true;
      };
      const timer = setTimeout(
        () => finish(() => reject(new AppError('TIMEOUT', `${this.label}: cannot reach ${host}:${port} through this host: no answer within ${timeoutMs} ms`, { host: this.label, step: 'jump' }))),
        timeoutMs,
      );
      const onAbort = () => finish(() => reject(new AppError('CANCELLED', `${this.label}: connect to ${host}:${port} through this host: cancelled`, { host: this.label, step: 'jump' })));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
          if (err) finish(() => reject(fail(err)));
          else if (!finish(() => resolve(stream))) stream.destroy(); // too late: nobody waits for it any more
        });
      } catch (e) {
        // "Not connected": the jump host's connection dropped just now; the next attempt reconnects it.
        this.drop(client);
        finish(() => reject(fail(e as Error)));
      }
    });
  }

  /**
   * The held shell on `client`: opened on first use; undefined while another caller is opening it, or for a minute after
   * the server refused its channel (the caller then opens a channel of its own). Opening is bounded by the command's
   * timeout and signal (a connection that died silently must not hold the caller until the keepalive notices): TIMEOUT
   * or CANCELLED as the command's own channel would give.
   */
  private async heldShell(client: Client, opts: ExecOptions, cmd: string): Promise<HeldShell | undefined> {
    if (this.shell?.client !== client) this.shell = { client };
    else if (this.shell.held?.ended) this.shell.held = undefined;
    const sh = this.shell;
    if ((sh.refusedUntil !== undefined && Date.now() < sh.refusedUntil) || sh.opening) return undefined;
    if (sh.held) return sh.held;
    sh.opening = HeldShell.open(client).then(
      (h) => h,
      () => {
        sh.refusedUntil = Date.now() + SHELL_REFUSED_RETRY_MS;
        return undefined;
      },
    );
    const step = opts.step ?? cmd;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const bounded = new Promise<never>((_, reject) => {
      if (opts.timeoutMs !== undefined) timer = setTimeout(() => reject(new AppError('TIMEOUT', `${this.label}: ${step}: no result within ${opts.timeoutMs} ms`, { host: this.label, step })), opts.timeoutMs);
      onAbort = () => reject(new AppError('CANCELLED', `${this.label}: ${step}: cancelled`, { host: this.label, step }));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
    let h: HeldShell | undefined;
    try {
      h = await Promise.race([sh.opening, bounded]);
    } finally {
      if (timer) clearTimeout(timer);
      if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
      // a shell that opens after all is kept for the next caller (or closed below when its connection is gone)
      void sh.opening?.then((late) => {
        sh.opening = undefined;
        if (!late) return;
        if (this.client !== client || this.shell !== sh || sh.held) late.close();
        else sh.held = late;
      });
    }
    return h;
  }

  /** Closes the connection; a later exec reconnects. */
  async close(): Promise<void> {
    this.closed = true;
    this.shell?.held?.close();
    this.shell = undefined;
    const c = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    if (c) {
      await new Promise<void>((resolve) => {
        // A connection that does not close politely within CLOSE_GRACE_MS is torn down (destroyClient: for sure).
        const t = setTimeout(() => {
          destroyClient(c);
          resolve();
        }, CLOSE_GRACE_MS);
        c.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        c.end();
      });
    }
    this.closed = false;
  }

  /** Waits for a free channel slot (sshd refuses channels beyond its MaxSessions). */
  private async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    // Over a limit lowered since (a refusal): the slot goes away instead of to the next in line.
    const next = this.active > this.limit ? undefined : this.waiting.shift();
    if (next) next();
    else this.active -= 1;
    // Idle again: a lowered limit was learnt in a burst (or from a refusal that was only a moment's); the next burst
    // starts from the configured number again, so a held session does not creep down to one channel over the hours.
    if (this.active === 0) this.limit = this.maxChannels;
  }

  private async sudoMode(): Promise<SudoMode> {
    if (this.opts.connect.user === 'root') return { kind: 'none' };
    const ref = this.opts.sudo?.secretRef;
    if (!ref) return { kind: 'nopasswd' };
    const password = await this.opts.secrets.get(ref);
    if (!password) throw new AppError('AUTH_FAILED', `${this.label}: sudo: no password stored (secret "${ref}")`, { host: this.label, step: 'sudo' });
    return { kind: 'password', password };
  }

  private drop(client: Client): void {
    if (this.client === client) this.client = undefined;
    client.end();
    // end() alone may leave a dead peer's socket half-closed for minutes (see destroyClient).
    setTimeout(() => destroyClient(client), CLOSE_GRACE_MS).unref();
  }

  private ensureClient(signal?: AbortSignal): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    if (!this.connecting) {
      this.connecting = this.connectWithBackoff(signal).finally(() => {
        this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  private async connectWithBackoff(signal?: AbortSignal): Promise<Client> {
    // A first connection gets one attempt (a wrong address should fail fast); after a drop, retry with backoff.
    const waits = this.everConnected ? [0, ...(this.opts.backoffMs ?? DEFAULT_BACKOFF)] : [0];
    let last: unknown;
    for (let attempt = 0; attempt < waits.length; attempt++) {
      if (waits[attempt]! > 0) await sleep(waits[attempt]!, signal);
      try {
        return await this.connectOnce(attempt + 1, signal);
      } catch (e) {
        last = e;
        if (!(e instanceof AppError) || !RETRYABLE.has(e.code)) throw e;
      }
    }
    throw last;
  }

  private async connectOnce(attempt: number, signal?: AbortSignal): Promise<Client> {
    const c = this.opts.connect;
    c.onEvent?.({ type: 'connecting', label: this.label, host: c.host, port: c.port, attempt, ...(this.opts.via ? { via: this.opts.via.label } : {}) });
    const sock = this.opts.via ? await this.opts.via.forwardOut(c.host, c.port, signal, c.readyTimeoutMs ?? 20_000) : undefined;
    const client = await connectClient({ ...c, ...(sock ? { sock } : {}), ...(signal ? { signal } : {}) });
    this.client = client;
    // A new connection may take as many channels as configured again: wake whoever waits for the slots that frees.
    this.limit = this.maxChannels;
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active += 1;
      this.waiting.shift()!();
    }
    this.everConnected = true;
    this.connectCount += 1;
    // After ready, an error means the connection is gone (ssh2's keepalive timeout, a socket error): tear it down so
    // 'close' follows and the next exec reconnects instead of waiting on a dead connection until its own timeout.
    client.on('error', (err: Error & { level?: string }) => {
      if (err.level === 'agent') return;
      if (this.client === client) this.client = undefined;
      destroyClient(client);
    });
    client.on('close', () => {
      if (this.client === client) this.client = undefined;
      c.onEvent?.({ type: 'closed', label: this.label, unexpected: !this.closed });
    });
    return client;
  }
}

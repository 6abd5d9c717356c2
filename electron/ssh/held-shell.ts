/**
 * One long-lived `/bin/sh` per connection, for commands that run often on many hosts (the doctor's collect, the
 * realserver check, the sampler's reads): each new exec channel costs the host a new sshd session process, the login
 * shell and its start-up (measured in the lab: 46 ms of CPU per `true` over a held connection, 7 ms in a held shell).
 *
 * The shell is opened as an exec channel running `exec /bin/sh` (through the user's login shell, as any exec is) and
 * reads commands on its stdin. Each command is the very line execOnClient would send, `sh -c 'echo "[lvs-pid:$$]" >&2;
 * …' ARGV…` (shellQuote: the one quoting function), with stdin from /dev/null (it never reads the shell's own input),
 * followed by two trailers carrying a random nonce: `echo "NONCE:$?"` on stdout and `echo NONCE` on stderr. The
 * command's output is what comes before them; its exit status is the number after the colon.
 *
 * One command at a time (busy → the caller opens its own channel instead). Whatever goes wrong (timeout, cancel, output
 * over the cap, output that does not end in the trailers, the channel closing) ends the shell for good: the command is
 * killed by its pid as execOnClient does, the channel is closed, and the next shared exec opens a new shell. A command
 * killed by a signal reads as the shell reports it (code 128 + N, signal null): `$?` cannot tell it from an exit.
 */
import { randomBytes } from 'node:crypto';
import type { Client, ClientChannel } from 'ssh2';
import { AppError } from '../../shared/result.ts';
import { shellQuote } from '../shell/shell-quote.ts';
import { killRemoteCommand, MAX_STDERR_BYTES, outputLimitError, PID_LINE, withPidPrologue } from './exec.ts';
import { DEFAULT_MAX_OUTPUT_BYTES, type ExecOptions, type ExecResult } from './types.ts';

/** The command the shell's channel runs. */
export const HELD_SHELL_COMMAND = 'exec /bin/sh';

/** How long a failed command's pid line is waited for (to kill it) before the shell's channel is closed anyway. */
const PID_WAIT_MS = 5000;

/** The line sent to the shell for one command (pure; exported for its test). */
export function heldShellLine(argv: readonly string[], nonce: string): string {
  if (!/^[0-9a-f]{16,64}$/.test(nonce)) throw new Error('held shell: bad nonce');
  return `${shellQuote(withPidPrologue(argv))} </dev/null; echo "${nonce}:$?"; echo ${nonce} >&2\n`;
}

/** Finds `needle` in a stream of chunks without joining them all (keeps a tail of needle.length - 1 bytes). */
export class StreamSearch {
  private tail = Buffer.alloc(0);
  private seen = 0;
  /** Absolute offset of the needle's first byte once found. */
  at: number | undefined;
  constructor(private readonly needle: Buffer) {}

  push(d: Buffer): void {
    if (this.at !== undefined) return;
    const win = Buffer.concat([this.tail, d]);
    const i = win.indexOf(this.needle);
    const winStart = this.seen - this.tail.length;
    if (i >= 0) this.at = winStart + i;
    this.seen += d.length;
    this.tail = win.subarray(Math.max(0, win.length - (this.needle.length - 1)));
  }
}

/** A long-lived shell on one connection (see file comment). */
export class HeldShell {
  private busy = false;
  private dead = false;
  private onData?: (d: Buffer) => void;
  private onErr?: (d: Buffer) => void;
  private onGone?: () => void;

  private constructor(
    private readonly client: Client,
    private readonly channel: ClientChannel,
  ) {
    channel.on('data', (d: Buffer) => this.onData?.(d));
    channel.stderr.on('data', (d: Buffer) => this.onErr?.(d));
    channel.on('close', () => {
      this.dead = true;
      this.onGone?.();
    });
  }

  /** Opens the shell's channel on `client`. Rejects as the channel open failed (the caller then runs its own exec). */
  static open(client: Client): Promise<HeldShell> {
    return new Promise((resolve, reject) => {
      try {
        client.exec(HELD_SHELL_COMMAND, (e, ch) => (e ? reject(e) : resolve(new HeldShell(client, ch))));
      } catch (e) {
        reject(e);
      }
    });
  }

  /** True when a command can be sent now. */
  get free(): boolean {
    return !this.busy && !this.dead;
  }

  /** True once the shell cannot be used again. */
  get ended(): boolean {
    return this.dead;
  }

  /** Ends the shell (closes its channel). */
  close(): void {
    this.dead = true;
    try {
      this.channel.end();
      this.channel.close();
    } catch {
      // already gone
    }
  }

  /**
   * Runs argv in the shell (only when `free`); resolves and rejects as execOnClient does for the same command (stdin,
   * streaming and sudo passwords are not supported here: the caller sends those through their own channel).
   */
  run(label: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const step = opts.step ?? argv[0] ?? 'exec';
    if (!this.free) return Promise.reject(new Error('held shell: not free'));
    if (opts.signal?.aborted) return Promise.reject(new AppError('CANCELLED', `${label}: ${step}: cancelled`, { host: label, step }));
    this.busy = true;
    const nonce = randomBytes(16).toString('hex');
    const started = performance.now();
    const maxOut = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const maxErr = Math.min(maxOut, MAX_STDERR_BYTES);
    const outTrailer = Buffer.from(`${nonce}:`);
    const errTrailer = Buffer.from(`${nonce}\n`);

    return new Promise<ExecResult>((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      const outFind = new StreamSearch(outTrailer);
      const errFind = new StreamSearch(errTrailer);
      let code: number | null | undefined;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let remotePid: number | undefined;

      const done = () => {
        this.onData = this.onErr = this.onGone = undefined;
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (why: AppError) => {
        if (settled) return;
        settled = true;
        done();
        reject(why);
        if (remotePid !== undefined) {
          killRemoteCommand(this.client, remotePid);
          this.close();
          return;
        }
        // The pid line may still be on its way (the command has just started): kill it when it comes, then close.
        this.dead = true;
        let seen = Buffer.concat(err);
        const give = setTimeout(() => this.close(), PID_WAIT_MS);
        this.onErr = (d) => {
          seen = Buffer.concat([seen, d]).subarray(0, 64);
          const m = PID_LINE.exec(seen.toString('latin1'));
          if (!m) return;
          clearTimeout(give);
          this.onErr = undefined;
          killRemoteCommand(this.client, Number(m[1]));
          this.close();
        };
      };
      const onAbort = () => fail(new AppError('CANCELLED', `${label}: ${step}: cancelled`, { host: label, step }));
      const tooMuch = (stream: 'stdout' | 'stderr', limit: number) => fail(outputLimitError(label, step, stream, limit));
      const finish = () => {
        if (settled || code === undefined || errFind.at === undefined) return;
        settled = true;
        done();
        this.busy = false;
        const stdout = Buffer.concat(out).subarray(0, outFind.at!).toString('utf8');
        let stderr = Buffer.concat(err).subarray(0, errFind.at).toString('utf8');
        const m = PID_LINE.exec(stderr);
        if (m) stderr = stderr.slice(m[0].length);
        resolve({ code, signal: null, stdout, stderr, durationMs: performance.now() - started });
      };

      this.onData = (d) => {
        if (settled) return;
        out.push(d);
        outBytes += d.length;
        outFind.push(d);
        if (outFind.at === undefined) {
          if (outBytes > maxOut + outTrailer.length) tooMuch('stdout', maxOut);
          return;
        }
        if (outFind.at > maxOut) return tooMuch('stdout', maxOut);
        // the status after the colon, up to the newline (it may come in a later chunk)
        const rest = Buffer.concat(out).subarray(outFind.at + outTrailer.length).toString('latin1');
        const nl = rest.indexOf('\n');
        if (nl < 0) {
          if (rest.length > 8) fail(new AppError('COMMAND_FAILED', `${label}: ${step}: the held shell's reply is garbled`, { host: label, step }));
          return;
        }
        const status = rest.slice(0, nl);
        if (!/^\d{1,3}$/.test(status) || nl + 1 !== rest.length) {
          return fail(new AppError('COMMAND_FAILED', `${label}: ${step}: the held shell's reply is garbled`, { host: label, step }));
        }
        code = Number(status);
        finish();
      };
      this.onErr = (d) => {
        if (settled) return;
        err.push(d);
        errBytes += d.length;
        if (remotePid === undefined) {
          const m = PID_LINE.exec(Buffer.concat(err).subarray(0, 64).toString('latin1'));
          if (m) remotePid = Number(m[1]);
        }
        errFind.push(d);
        if (errFind.at === undefined) {
          if (errBytes > maxErr + errTrailer.length + 32) tooMuch('stderr', maxErr);
          return;
        }
        finish();
      };
      this.onGone = () => {
        if (settled) return;
        settled = true;
        done();
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8').replace(PID_LINE, '');
        reject(new AppError('CONNECT_FAILED', `${label}: ${step}: connection lost while the command ran (its outcome is unknown)`, { host: label, step, detail: { connectionLost: true, stdout, stderr } }));
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.timeoutMs !== undefined) {
        timer = setTimeout(() => fail(new AppError('TIMEOUT', `${label}: ${step}: no result within ${opts.timeoutMs} ms`, { host: label, step })), opts.timeoutMs);
      }
      try {
        this.channel.write(heldShellLine(argv, nonce));
      } catch {
        // the channel is gone: as if it closed while the command ran
        this.dead = true;
        this.onGone?.();
      }
    });
  }
}

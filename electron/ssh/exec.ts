/**
 * Runs one argv on an open ssh2 Client: quotes it with shellQuote (the one quoting function), opens an exec channel,
 * feeds stdin (after the sudo password when sudo asks for it), streams output, and resolves {code, signal, stdout,
 * stderr, durationMs}. A non-zero exit resolves; only timeout (TIMEOUT), cancel (CANCELLED), a refused sudo (AUTH_FAILED)
 * a channel that could not be opened (CONNECT_FAILED, detail.channelNotOpened = true) or a connection lost while the
 * command ran (CONNECT_FAILED, detail.connectionLost = true: its outcome is unknown) reject.
 *
 * Timeout and cancel reject at once, close the channel and kill the remote command. Closing a channel does not stop a
 * command that has no terminal, and sshd refuses SSH "signal" requests for root sessions ("session signalling requires
 * privilege separation"), so every command runs as `sh -c 'echo "[lvs-pid:$$]" >&2; exec "$@"' sh ARGV…`: the first
 * stderr line (removed from the output) names the command's pid, and a kill sends `kill -TERM PID` on a second channel.
 *
 * Output is capped (opts.maxOutputBytes, default DEFAULT_MAX_OUTPUT_BYTES of stdout; stderr the smaller of that and
 * 1 MiB): a host that prints more (a runaway command, a huge file) is stopped the same way, and exec rejects with
 * COMMAND_FAILED "HOST: STEP: output exceeded N bytes; the command was stopped" instead of filling this process's memory.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Client, ClientChannel } from 'ssh2';
import { AppError } from '../../shared/result.ts';
import { shellQuote } from '../shell/shell-quote.ts';
import { newSudoMarker, sudoArgv, sudoFailure, SudoPromptFilter } from './sudo.ts';
import { DEFAULT_MAX_OUTPUT_BYTES, type ExecOptions, type ExecResult } from './types.ts';

/** The most stderr any command may print (its messages; the data goes to stdout). */
export const MAX_STDERR_BYTES = 1024 * 1024;

/** How to run through sudo: not at all, `sudo -n` (no password), or with a password fed on the prompt. */
export type SudoMode = { kind: 'none' } | { kind: 'nopasswd' } | { kind: 'password'; password: string };

// The pid prologue: prints the shell's pid, then becomes the command (exec keeps the pid).
const PID_PROLOGUE = 'echo "[lvs-pid:$$]" >&2; exec "$@"';
/** Its output line on stderr: [lvs-pid:12345] (the held shell reads the same line). */
export const PID_LINE = /^\[lvs-pid:(\d+)\]\r?\n/;

/**
 * argv wrapped in the pid prologue (see file comment). A script already run as `sh -c SCRIPT NAME ARGS…` gets the echo
 * as its first line instead: the same pid line from the same shell, one process fewer (each costs milliseconds on a
 * small or emulated director).
 */
export function withPidPrologue(argv: readonly string[]): string[] {
  if (argv.length >= 3 && argv[0] === 'sh' && argv[1] === '-c') return ['sh', '-c', `echo "[lvs-pid:$$]" >&2\n${argv[2]}`, ...argv.slice(3)];
  return ['sh', '-c', PID_PROLOGUE, 'sh', ...argv];
}

/** True for the error exec rejects with when the channel never opened (the command did not run: safe to retry). */
export function isChannelNotOpened(e: unknown): boolean {
  return e instanceof AppError && (e.detail as { channelNotOpened?: boolean } | undefined)?.channelNotOpened === true;
}

/**
 * True when the server itself refused the channel (an SSH_MSG_CHANNEL_OPEN_FAILURE with a reason code): the connection
 * is alive, the command did not run. OpenSSH answers so ("open failed") beyond its MaxSessions, which also counts, for a
 * moment, sessions whose close it has read but not yet cleaned up.
 */
export function isChannelRefused(e: unknown): boolean {
  return e instanceof AppError && (e.detail as { channelRefused?: boolean } | undefined)?.channelRefused === true;
}

/** Sends `kill -TERM PID` on a channel of its own (see file comment); nothing when the client is gone. */
export function killRemoteCommand(client: Client, pid: number): void {
  try {
    client.exec(shellQuote(['kill', '-TERM', String(pid)]), (e, ch) => {
      if (e) return;
      ch.on('close', () => undefined);
      ch.resume();
      ch.stderr.resume();
      ch.end();
    });
  } catch {
    // not connected any more: the command's session is gone with it
  }
}

/** The error for a command stopped for printing more than `limit` bytes on `stream`. */
export function outputLimitError(label: string, step: string, stream: 'stdout' | 'stderr', limit: number): AppError {
  return new AppError('COMMAND_FAILED', `${label}: ${step}: output exceeded ${limit} bytes${stream === 'stderr' ? ' on stderr' : ''}; the command was stopped`, {
    host: label,
    step,
    detail: { outputLimit: limit, stream },
  });
}

/** Runs argv on the client. `label` names the host in errors. */
export function execOnClient(client: Client, label: string, argv: readonly string[], opts: ExecOptions = {}, sudo: SudoMode = { kind: 'none' }): Promise<ExecResult> {
  const step = opts.step ?? argv[0] ?? 'exec';
  if (opts.signal?.aborted) return Promise.reject(new AppError('CANCELLED', `${label}: ${step}: cancelled`, { host: label, step }));
  const marker = sudo.kind === 'password' ? newSudoMarker() : undefined;
  const fullArgv = opts.sudo && sudo.kind !== 'none' ? sudoArgv(argv, marker ? { marker } : undefined) : [...argv];
  const useMarker = opts.sudo === true && marker !== undefined;
  const command = shellQuote(withPidPrologue(fullArgv));
  const started = performance.now();
  const maxOut = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const maxErr = Math.min(maxOut, MAX_STDERR_BYTES);

  return new Promise<ExecResult>((resolve, reject) => {
    let channel: ClientChannel | undefined;
    let failure: AppError | undefined;
    let timer: NodeJS.Timeout | undefined;
    let code: number | null = null;
    let signal: string | null = null;
    const out: Buffer[] = [];
    const err: string[] = [];
    let outBytes = 0;
    let errBytes = 0;
    const outDec = new StringDecoder('utf8');
    const errDec = new StringDecoder('utf8');
    const filter = useMarker ? new SudoPromptFilter(marker!) : undefined;
    let stdinSent = false;
    let remotePid: number | undefined;
    let pidLine: string | undefined = '';
    let settled = false;
    let connectionLost = false;
    // ssh2 emits the client's 'close' before it closes the channels it had open.
    const onClientGone = () => {
      connectionLost = true;
    };
    client.once('close', onClientGone);

    const cleanup = () => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      client.removeListener('close', onClientGone);
    };
    const killRemote = () => {
      if (remotePid !== undefined) killRemoteCommand(client, remotePid);
    };
    const kill = (why: AppError) => {
      if (failure || settled) return;
      failure = why;
      settled = true;
      cleanup();
      killRemote();
      channel?.close();
      reject(why);
    };
    const onAbort = () => kill(new AppError('CANCELLED', `${label}: ${step}: cancelled`, { host: label, step }));
    const tooMuch = (stream: 'stdout' | 'stderr', limit: number) => kill(outputLimitError(label, step, stream, limit));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.timeoutMs !== undefined) {
      timer = setTimeout(() => kill(new AppError('TIMEOUT', `${label}: ${step}: no result within ${opts.timeoutMs} ms`, { host: label, step })), opts.timeoutMs);
    }
    const sendStdin = () => {
      if (stdinSent || !channel) return;
      stdinSent = true;
      if (opts.stdin !== undefined && opts.stdin !== '') channel.write(opts.stdin);
      channel.end();
    };
    const onStderrText = (text: string) => {
      if (text === '' || settled) return;
      err.push(text);
      opts.onStderr?.(text);
    };

    const onChannel = (e: Error | undefined, ch: ClientChannel) => {
      if (e) {
        if (settled) return;
        settled = true;
        cleanup();
        const refused = typeof (e as Error & { reason?: unknown }).reason === 'number';
        return reject(new AppError('CONNECT_FAILED', `${label}: ${step}: cannot open a channel (${e.message})`, { host: label, step, detail: { channelNotOpened: true, ...(refused ? { channelRefused: true } : {}) }, cause: e }));
      }
      channel = ch;
      if (failure) {
        // Cancelled or timed out while the channel was opening: the command has started; kill it once its pid is known.
        ch.close();
      }
      ch.on('exit', (c: number | null, sig?: string) => {
        code = typeof c === 'number' ? c : null;
        signal = sig ? sig.replace(/^SIG/, '') : null;
      });
      ch.on('data', (d: Buffer) => {
        if (settled) return;
        outBytes += d.length;
        if (outBytes > maxOut) return tooMuch('stdout', maxOut);
        out.push(d);
        if (opts.onStdout) {
          const t = outDec.write(d);
          if (t) opts.onStdout(t);
        }
      });
      ch.stderr.on('data', (d: Buffer) => {
        // Even after a cancel or timeout: the pid line may still be on its way (then the kill is sent).
        errBytes += d.length;
        if (errBytes > maxErr && !settled) return tooMuch('stderr', maxErr);
        let text = errDec.write(d);
        if (pidLine !== undefined) {
          // Until the pid line is complete, hold stderr back; then strip it.
          pidLine += text;
          const m = PID_LINE.exec(pidLine);
          if (m) {
            remotePid = Number(m[1]);
            text = pidLine.slice(m[0].length);
            pidLine = undefined;
            if (failure) killRemote();
          } else if (pidLine.includes('\n') || pidLine.length > 64) {
            text = pidLine;
            pidLine = undefined;
          } else return;
        }
        if (!filter) return onStderrText(text);
        const r = filter.push(text);
        onStderrText(r.text);
        if (r.newPrompts > 0 && sudo.kind === 'password') {
          if (filter.prompts === 1) {
            // sudo asked: the password goes first, then the caller's stdin.
            ch.write(`${sudo.password}\n`);
            sendStdin();
          } else if (!stdinSent) sendStdin();
          else ch.end();
        }
      });
      ch.on('close', () => {
        if (settled) return;
        settled = true;
        cleanup();
        const tail = (pidLine ?? '') + errDec.end();
        if (filter) onStderrText(filter.push(tail).text + filter.flush());
        else onStderrText(tail);
        if (opts.onStdout) {
          const t = outDec.end();
          if (t) opts.onStdout(t);
        }
        const stderr = err.join('');
        if (code === null && signal === null && connectionLost) {
          return reject(new AppError('CONNECT_FAILED', `${label}: ${step}: connection lost while the command ran (its outcome is unknown)`, { host: label, step, detail: { connectionLost: true, stdout: Buffer.concat(out).toString('utf8'), stderr } }));
        }
        if (opts.sudo && sudo.kind !== 'none') {
          const sf = sudoFailure(label, code, stderr, filter?.prompts ?? 0);
          if (sf) return reject(sf);
        }
        resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr, durationMs: performance.now() - started });
      });
      // Without a sudo prompt to wait for, stdin goes right away (and is closed so readers see EOF).
      if (!useMarker) sendStdin();
    };

    try {
      client.exec(command, onChannel);
    } catch (e) {
      settled = true;
      cleanup();
      reject(new AppError('CONNECT_FAILED', `${label}: ${step}: not connected (${(e as Error).message})`, { host: label, step, detail: { channelNotOpened: true }, cause: e }));
    }
  });
}

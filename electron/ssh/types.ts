/**
 * The SSH layer's public types. No ssh2 import here: services outside electron/ssh/ import only this file (and
 * exec-checked.ts, which builds on it), so they can be tested with a fake Executor.
 */

/** What one remote command did. A non-zero exit is a result, not an error. */
export interface ExecResult {
  /** Exit status, or null when the command was killed by a signal / the server sent none. */
  code: number | null;
  /** Signal name without "SIG" (e.g. "TERM") when the command was killed by one. */
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** How much stdout one command may print unless the call says otherwise (ExecOptions.maxOutputBytes): 16 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** The cap for `ipvsadm -L -n -c` (one line per connection: ~100 bytes each, so about 2.5 million entries): 256 MiB. */
export const CONNECTIONS_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/** Per-call options for Executor.exec. */
export interface ExecOptions {
  /** Kill the command (TERM, then close the channel) and reject with TIMEOUT after this long. */
  timeoutMs?: number;
  /** Aborting kills the command the same way and rejects with CANCELLED. */
  signal?: AbortSignal;
  /** Written to the command's stdin, then stdin is closed. Never logged (may be a file's content). */
  stdin?: string;
  /** Run through sudo (only matters for non-root users with SshTarget.sudo set). */
  sudo?: boolean;
  /** Exit codes the caller accepts (only used by execChecked; exec itself never rejects on an exit code). */
  okCodes?: number[];
  /** Streamed output, decoded as UTF-8, as it arrives. */
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Short name of the step for errors and the audit log (e.g. "ipvsadm -S"). Defaults to argv[0]. */
  step?: string;
  /**
   * The most stdout the command may print (default DEFAULT_MAX_OUTPUT_BYTES; stderr: the smaller of this and 1 MiB).
   * More rejects with COMMAND_FAILED "… output exceeded N bytes; the command was stopped" and kills the command.
   */
  maxOutputBytes?: number;
  /**
   * Run in the connection's held shell (one long-lived `/bin/sh` per connection) when it is free, instead of a new
   * session channel: far less work for the host per command. Only for commands that start nothing that outlives them
   * (a daemon left holding the output would write into the next command's). Ignored with stdin, streaming or a sudo
   * password; a command killed by a signal then reads as code 128 + N.
   */
  shared?: boolean;
}

/** Runs argv on one host. `label` names the host in every error ("director 10.0.0.1", "rs2"). */
export interface Executor {
  exec(argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  readonly label: string;
}

/** The trust store's answer for a presented host key. */
export type HostKeyVerdict = 'trusted' | 'unknown' | 'changed';

/**
 * Where trusted host keys come from. keyType is the key blob's own type (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256…),
 * keyBase64 the blob as in a known_hosts line. `changed` means a different key of the same type is trusted for host:port
 * (or the key is revoked): a hard stop.
 */
export interface HostKeyTrust {
  check(host: string, port: number, keyType: string, keyBase64: string): HostKeyVerdict | Promise<HostKeyVerdict>;
  /** Records a key as trusted (only called for an `unknown` key the user explicitly accepted). */
  trust(host: string, port: number, keyType: string, keyBase64: string): void | Promise<void>;
  /** Key types already trusted for host:port, so the handshake can prefer them (as OpenSSH does). */
  knownKeyTypes?(host: string, port: number): string[] | Promise<string[]>;
}

/** Resolves a secret reference (SshTarget auth.secretRef, passphraseRef, sudo.secretRef) to the secret. */
export interface SecretSource {
  get(ref: string): Promise<string | undefined>;
}

/** One audit log line: what ran where. argv and outputExcerpt never contain secrets (sudo passwords go to stdin). */
export interface AuditEntry {
  /** ISO 8601 time the command started. */
  time: string;
  host: string;
  argv: string[];
  code: number | null;
  durationMs: number;
  outputExcerpt: string;
}

/** Receives an AuditEntry for every command run. */
export type AuditSink = (entry: AuditEntry) => void;

/** Which agent to use on Windows: PuTTY's Pageant or the Windows OpenSSH agent's pipe \\.\pipe\openssh-ssh-agent. */
export type WindowsAgent = 'pageant' | 'openssh';

/** What happened while connecting, for the app's log panel and tests. Never carries a secret. */
export type SessionEvent =
  | { type: 'connecting'; label: string; host: string; port: number; attempt: number; via?: string }
  | { type: 'host-key'; label: string; keyType: string; fingerprint: string; verdict: HostKeyVerdict | 'trusted-new' }
  | { type: 'auth'; label: string; method: string }
  | { type: 'ready'; label: string }
  | { type: 'closed'; label: string; unexpected: boolean };

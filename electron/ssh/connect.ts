/**
 * Opens one authenticated ssh2 Client: host key checked by the verifier during key exchange (before any auth request),
 * then the prepared authHandler, keepalives on, optional legacy algorithms, optionally over a stream forwarded by a jump
 * host. Resolves when the session is ready; rejects with an AppError naming the host and the step.
 */
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { Client, ConnectConfig } from 'ssh2';
import type { Auth } from '../../shared/model/cluster.ts';
import { AppError } from '../../shared/result.ts';
import { algorithmsFor } from './algorithms.ts';
import { prepareAuth } from './auth.ts';
import { mapConnectError } from './connect-error.ts';
import { createHostVerifier } from './host-verifier.ts';
import type { HostKeyTrust, SecretSource, SessionEvent } from './types.ts';

/** Everything one connection needs. */
export interface ConnectParams {
  /** Names the host in errors ("director 10.0.0.1"). */
  label: string;
  /** Address connected to (and looked up in the trust store). */
  host: string;
  port: number;
  user: string;
  auth: Auth;
  legacyAlgorithms: boolean;
  trust: HostKeyTrust;
  /** Trust an unknown host key on first sight (explicit user choice). */
  trustNew: boolean;
  secrets: SecretSource;
  /** ssh2 agent string (see resolveAgent). */
  agent?: string;
  /** Extra identity files (from ~/.ssh/config) for the agent method. */
  identityFiles?: readonly string[];
  /** SSH-level keepalive (ServerAliveInterval); default 15 s, 0 disables. */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the connection is declared dead; default 3. */
  keepaliveCountMax?: number;
  /** Handshake + auth deadline; default 20 s. */
  readyTimeoutMs?: number;
  /** A stream to talk SSH over instead of TCP (a jump host's forwardOut channel). */
  sock?: Duplex;
  signal?: AbortSignal;
  onEvent?: (e: SessionEvent) => void;
}

/** Connects and authenticates. The caller owns the returned Client (end() it). */
export async function connectClient(p: ConnectParams): Promise<Client> {
  if (p.signal?.aborted) throw new AppError('CANCELLED', `${p.label}: connect cancelled`, { host: p.label, step: 'connect' });
  const auth = await prepareAuth({ label: p.label, user: p.user, auth: p.auth, secrets: p.secrets, agent: p.agent, identityFiles: p.identityFiles, onEvent: p.onEvent });
  const knownTypes = p.trust.knownKeyTypes ? await p.trust.knownKeyTypes(p.host, p.port) : [];
  const verifier = createHostVerifier({ label: p.label, host: p.host, port: p.port, trust: p.trust, trustNew: p.trustNew, onEvent: p.onEvent });
  const readyTimeoutMs = p.readyTimeoutMs ?? 20_000;
  const agentNotes: string[] = [...auth.notes];
  const client = new ssh2.Client();
  // Each running exec listens for the connection closing (up to maxChannels plus kills).
  client.setMaxListeners(64);

  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      p.signal?.removeEventListener('abort', onAbort);
      client.removeAllListeners('ready');
      client.end();
      reject(
        mapConnectError(err, {
          label: p.label,
          host: p.host,
          port: p.port,
          hostKeyError: verifier.result.error,
          triedMethods: auth.tried,
          serverMethods: auth.serverMethods(),
          authNotes: agentNotes,
          legacyAlgorithms: p.legacyAlgorithms,
          readyTimeoutMs,
        }),
      );
    };
    const onAbort = () => fail(new AppError('CANCELLED', `${p.label}: connect cancelled`, { host: p.label, step: 'connect' }));
    p.signal?.addEventListener('abort', onAbort, { once: true });
    client.on('error', (err: Error & { level?: string }) => {
      // An unusable agent is not fatal: ssh2 goes on with the next method. Keep the reason for the final message.
      if (err.level === 'agent' && !settled) {
        agentNotes.push(`agent: ${err.message}`);
        return;
      }
      fail(err);
    });
    client.once('close', () => fail(new Error(verifier.result.error ? 'host key refused' : 'connection closed during handshake')));
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      p.signal?.removeEventListener('abort', onAbort);
      // Commands are small request/reply exchanges: without TCP_NODELAY each one waits on Nagle + delayed ACKs.
      client.setNoDelay(true);
      p.onEvent?.({ type: 'ready', label: p.label });
      resolve(client);
    });
    const cfg: ConnectConfig = {
      host: p.host,
      port: p.port,
      username: p.user,
      authHandler: auth.handler,
      hostVerifier: verifier.verify,
      keepaliveInterval: p.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: p.keepaliveCountMax ?? 3,
      readyTimeout: readyTimeoutMs,
      ...(p.sock ? { sock: p.sock } : {}),
    };
    const algorithms = algorithmsFor({ legacy: p.legacyAlgorithms, knownKeyTypes: knownTypes });
    // ssh2's typings list only string names for append/prepend; it accepts RegExps too (see algorithms.ts).
    if (algorithms) cfg.algorithms = algorithms as unknown as ConnectConfig['algorithms'];
    try {
      client.connect(cfg);
    } catch (e) {
      fail(e);
    }
  });
}

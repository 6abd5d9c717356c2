/**
 * Turns what ssh2 reports while connecting into an AppError naming the host and the step: host key refusals keep the
 * verifier's own error, authentication failures list the methods tried (never a secret), and handshake mismatches hint
 * at the legacy algorithms switch.
 */
import { AppError } from '../../shared/result.ts';

/** What we know about a failed connection attempt. */
export interface ConnectFailure {
  label: string;
  host: string;
  port: number;
  /** The error the host key verifier recorded, if it refused the key. */
  hostKeyError?: AppError;
  triedMethods: readonly string[];
  serverMethods?: readonly string[];
  /** Notes from auth preparation / agent errors (no secrets). */
  authNotes?: readonly string[];
  legacyAlgorithms: boolean;
  readyTimeoutMs: number;
}

/** Maps an ssh2 connect error (err.level: client-authentication, client-timeout, client-socket, client-dns, handshake…). */
export function mapConnectError(err: unknown, f: ConnectFailure): AppError {
  if (f.hostKeyError) return f.hostKeyError;
  if (err instanceof AppError) return err;
  const e = err as Error & { level?: string; code?: string };
  const where = `${f.host}:${f.port}`;
  const opts = { host: f.label, cause: err };
  switch (e.level) {
    case 'client-authentication': {
      const tried = f.triedMethods.length ? f.triedMethods.join(', ') : 'none';
      const accepts = f.serverMethods?.length ? `; server accepts: ${f.serverMethods.join(', ')}` : '';
      const notes = f.authNotes?.length ? `; ${f.authNotes.join('; ')}` : '';
      return new AppError('AUTH_FAILED', `${f.label}: authentication failed (methods tried: ${tried}${accepts})${notes}`, { ...opts, step: 'auth' });
    }
    case 'client-timeout':
      return new AppError('TIMEOUT', `${f.label}: ${/keepalive/i.test(e.message) ? 'connection lost (keepalive timeout)' : `no SSH handshake from ${where} within ${Math.round(f.readyTimeoutMs / 1000)} s`}`, { ...opts, step: 'connect' });
    case 'client-dns':
      return new AppError('CONNECT_FAILED', `${f.label}: cannot resolve ${f.host} (${e.code ?? e.message})`, { ...opts, step: 'connect' });
    case 'client-socket':
      return new AppError('CONNECT_FAILED', `${f.label}: cannot connect to ${where} (${e.code ?? e.message})`, { ...opts, step: 'connect' });
  }
  if (/Unknown DH group/i.test(e.message)) {
    return new AppError('UNSUPPORTED', `${f.label}: ${where} negotiated diffie-hellman-group1-sha1, which this runtime's crypto library cannot do; enable a newer key exchange on the server`, { ...opts, step: 'handshake' });
  }
  if (/^Handshake failed: no matching/.test(e.message)) {
    const hint = f.legacyAlgorithms ? ' (even with legacy algorithms on)' : '; an old sshd may need the "legacy algorithms" switch for this host';
    return new AppError('CONNECT_FAILED', `${f.label}: ${where}: ${e.message.replace(/^Handshake failed: /, 'handshake failed: ')}${hint}`, { ...opts, step: 'handshake' });
  }
  return new AppError('CONNECT_FAILED', `${f.label}: ${where}: ${e.message}`, { ...opts, step: 'connect' });
}

/**
 * The session pool: one persistent SshSession per host (key user@host:port, plus " via JUMP" when jumped), shared by every
 * verb. Applies ~/.ssh/config (HostName, Port, User for jump hops, IdentityFile, ProxyJump) and the agent choice, and
 * builds jump sessions (a realserver with viaDirector goes through the director's session). closeAll() ends everything.
 */
import { homedir, userInfo } from 'node:os';
import type { SshTarget } from '../../shared/model/cluster.ts';
import { AppError } from '../../shared/result.ts';
import { resolveAgent, type AgentChoice } from './agent.ts';
import type { ResolvedTarget } from './resolve-target.ts';
import { resolveSshConfig, type SshConfig, type SshConfigHost } from './ssh-config.ts';
import { SshSession } from './ssh-session.ts';
import type { AuditSink, HostKeyTrust, SecretSource, SessionEvent } from './types.ts';

/** Pool-wide settings. */
export interface SessionPoolOptions {
  trust: HostKeyTrust;
  secrets: SecretSource;
  audit?: AuditSink;
  /** Trust unknown host keys on first sight (the CLI's --trust-new-host-key). Never overrides a changed key. */
  trustNew?: boolean;
  /** Agent choice (Windows: pageant / openssh pipe; elsewhere SSH_AUTH_SOCK, or an explicit override). */
  agent?: AgentChoice;
  /** A parsed ~/.ssh/config (loadSshConfig()); omitted = none applied. */
  sshConfig?: SshConfig;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  readyTimeoutMs?: number;
  /** Waits between reconnect attempts after a drop. */
  backoffMs?: readonly number[];
  onEvent?: (e: SessionEvent) => void;
  /** false: no held shells (see SessionOptions.heldShells). */
  heldShells?: boolean;
}

/** Holds one session per host. */
export class SessionPool {
  private readonly sessions = new Map<string, SshSession>();
  constructor(private readonly opts: SessionPoolOptions) {}

  /** Number of sessions held. */
  get size(): number {
    return this.sessions.size;
  }

  /** The pooled session (an Executor) for a resolved target; created on first use, connected on its first exec. */
  session(resolved: ResolvedTarget): SshSession {
    return this.sessionFor(resolved, false);
  }

  private sessionFor(resolved: ResolvedTarget, isConfigJump: boolean): SshSession {
    const t = resolved.target;
    const cfg = this.configFor(t.host);
    const host = cfg?.hostName ?? t.host;
    const port = t.port === 22 && cfg?.port !== undefined ? cfg.port : t.port;
    let via: SshSession | undefined = resolved.via ? this.session(resolved.via) : undefined;
    // A jump host taken from ProxyJump does not follow its own ProxyJump (one hop only, and no loops).
    if (!via && !isConfigJump && cfg && cfg.proxyJump.length > 0) via = this.jumpFromConfig(cfg, t, resolved.label);
    const key = `${t.user}@${host}:${port}${via ? ` via ${via.key}` : ''}`;
    const existing = this.sessions.get(key);
    if (existing) return existing;
    const s = new SshSession({
      key,
      connect: {
        label: resolved.label,
        host,
        port,
        user: t.user,
        auth: t.auth,
        legacyAlgorithms: t.legacyAlgorithms,
        trust: this.opts.trust,
        trustNew: this.opts.trustNew ?? false,
        secrets: this.opts.secrets,
        agent: resolveAgent(this.opts.agent),
        identityFiles: cfg?.identityFiles ?? [],
        ...(this.opts.keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs: this.opts.keepaliveIntervalMs } : {}),
        ...(this.opts.keepaliveCountMax !== undefined ? { keepaliveCountMax: this.opts.keepaliveCountMax } : {}),
        ...(this.opts.readyTimeoutMs !== undefined ? { readyTimeoutMs: this.opts.readyTimeoutMs } : {}),
        ...(this.opts.onEvent ? { onEvent: this.opts.onEvent } : {}),
      },
      ...(via ? { via } : {}),
      ...(t.sudo ? { sudo: t.sudo } : {}),
      secrets: this.opts.secrets,
      ...(this.opts.audit ? { audit: this.opts.audit } : {}),
      ...(this.opts.backoffMs ? { backoffMs: this.opts.backoffMs } : {}),
      ...(this.opts.heldShells === false ? { heldShells: false } : {}),
    });
    this.sessions.set(key, s);
    return s;
  }

  /** Closes every session (jumped ones first, then their jump hosts) and forgets them. */
  async closeAll(): Promise<void> {
    const all = [...this.sessions.values()].sort((a, b) => Number(b.key.includes(' via ')) - Number(a.key.includes(' via ')));
    this.sessions.clear();
    for (const s of all) await s.close();
  }

  private configFor(alias: string): SshConfigHost | undefined {
    if (!this.opts.sshConfig) return undefined;
    let localUser = 'user';
    try {
      localUser = userInfo().username;
    } catch {
      // no passwd entry: keep the placeholder
    }
    return resolveSshConfig(this.opts.sshConfig, alias, { home: homedir(), localUser });
  }

  /** A ProxyJump hop from ~/.ssh/config: the jump host's own config applies; it authenticates like the target. */
  private jumpFromConfig(cfg: SshConfigHost, t: SshTarget, label: string): SshSession {
    if (cfg.proxyJump.length > 1) throw new AppError('UNSUPPORTED', `${label}: ProxyJump with ${cfg.proxyJump.length} hops; only one jump host is supported`, { host: label, step: 'ssh config' });
    const hop = cfg.proxyJump[0]!;
    const hopCfg = this.configFor(hop.host);
    const jump: SshTarget = {
      host: hop.host,
      port: hop.port ?? hopCfg?.port ?? 22,
      user: hop.user ?? hopCfg?.user ?? t.user,
      auth: t.auth,
      legacyAlgorithms: t.legacyAlgorithms,
      viaDirector: false,
    };
    return this.sessionFor({ target: jump, label: `jump ${hop.host}` }, true);
  }
}

/**
 * Pure parser and resolver for OpenSSH client config (~/.ssh/config, ssh_config(5)): Host blocks with wildcard / negated
 * patterns, `Keyword value` and `Keyword=value`, double-quoted arguments, Include (through an injected reader, so the
 * parser stays pure). The resolver gives the options this app uses: HostName, User, Port, IdentityFile, IdentitiesOnly,
 * ProxyJump. `Match` blocks are parsed but only `Match all` is applied (other criteria need runtime facts this resolver
 * does not have); every other keyword is parsed and ignored.
 */
import { AppError } from '../../shared/result.ts';
import { wildcardMatch } from './known-hosts.ts';

/** One `Keyword args…` line. key is lowercase. */
export interface SshConfigOption {
  key: string;
  args: string[];
  source: string;
  line: number;
}

/** A block: the options before the first Host (global), a Host block or a Match block. */
export interface SshConfigBlock {
  kind: 'global' | 'host' | 'match';
  /** Host patterns (kind 'host'). */
  patterns: Array<{ negated: boolean; pattern: string }>;
  /** Match criteria as written (kind 'match'). */
  criteria: string[];
  source: string;
  line: number;
  options: SshConfigOption[];
}

/** A parsed config: its blocks in file order (Include'd blocks spliced in place). */
export interface SshConfig {
  blocks: SshConfigBlock[];
}

/** Reads the files an Include pattern names (relative patterns are relative to ~/.ssh). */
export type IncludeReader = (pattern: string) => Array<{ source: string; text: string }>;

// A config line: Keyword, then whitespace and/or "=", then the arguments.   e.g. "HostName 10.0.0.1", "Port=2222"
// (a lone Keyword matches too, so the error can say it needs a value)
const LINE = /^([A-Za-z][A-Za-z0-9]*)(?:(?:[ \t]*=[ \t]*|[ \t]+)(.*))?$/;

/** Splits arguments on whitespace, honouring "double quoted" arguments. Throws on an unterminated quote. */
function splitArgs(s: string, where: string): string[] {
  const out: string[] = [];
  // An argument: "…" (no embedded quotes) or a run of non-space characters.
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    if (m[2] !== undefined && m[2].includes('"')) throw new AppError('PARSE_ERROR', `${where}: unterminated or misplaced quote`, { step: 'ssh config' });
    out.push(m[1] ?? m[2]!);
  }
  return out;
}

/** Parses ssh_config text. Throws PARSE_ERROR naming `source:line` for a line that is not `Keyword args`. */
export function parseSshConfig(text: string, source: string, include?: IncludeReader): SshConfig {
  const blocks: SshConfigBlock[] = [{ kind: 'global', patterns: [], criteria: [], source, line: 0, options: [] }];
  const walk = (txt: string, src: string, depth: number) => {
    if (depth > 16) throw new AppError('PARSE_ERROR', `${src}: Include nested more than 16 deep`, { step: 'ssh config' });
    txt.split(/\r?\n/).forEach((raw, i) => {
      const line = i + 1;
      const where = `${src}:${line}`;
      const s = raw.trim();
      if (s === '' || s.startsWith('#')) return;
      const m = LINE.exec(s);
      if (!m) throw new AppError('PARSE_ERROR', `${where}: expected "Keyword value"`, { step: 'ssh config' });
      const key = m[1]!.toLowerCase();
      const args = splitArgs((m[2] ?? '').replace(/[ \t]+#.*$/, ''), where);
      if (args.length === 0) throw new AppError('PARSE_ERROR', `${where}: ${m[1]} needs a value`, { step: 'ssh config' });
      if (key === 'host') {
        blocks.push({ kind: 'host', patterns: args.map((a) => (a.startsWith('!') ? { negated: true, pattern: a.slice(1) } : { negated: false, pattern: a })), criteria: [], source: src, line, options: [] });
      } else if (key === 'match') {
        blocks.push({ kind: 'match', patterns: [], criteria: args, source: src, line, options: [] });
      } else if (key === 'include') {
        if (!include) throw new AppError('PARSE_ERROR', `${where}: Include is not supported here (no file reader)`, { step: 'ssh config' });
        for (const pattern of args) for (const f of include(pattern)) walk(f.text, f.source, depth + 1);
      } else {
        blocks[blocks.length - 1]!.options.push({ key, args, source: src, line });
      }
    });
  };
  walk(text, source, 0);
  return { blocks };
}

/** `[user@]host[:port]`, one ProxyJump hop. */
export interface JumpHop {
  user?: string;
  host: string;
  port?: number;
}

/** The options resolved for one host alias. */
export interface SshConfigHost {
  /** The real address to connect to (HostName, with %h expanded), or the alias itself. */
  hostName: string;
  user?: string;
  port?: number;
  /** IdentityFile paths with ~ and %d/%u/%h/%r/%p/%% expanded, in order. */
  identityFiles: string[];
  identitiesOnly?: boolean;
  /** ProxyJump hops (empty for none / `ProxyJump none`). */
  proxyJump: JumpHop[];
}

// One ProxyJump hop: [user@]host[:port] or [user@][ipv6]:port.   e.g. "admin@10.0.0.1:2222", "director"
const HOP = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d{1,5}))?$/;

/** Parses a ProxyJump value (comma-separated hops, or "none"). Throws PARSE_ERROR naming `where`. */
export function parseProxyJump(value: string, where: string): JumpHop[] {
  if (value.toLowerCase() === 'none') return [];
  return value.split(',').map((hop) => {
    const m = HOP.exec(hop.replace(/^ssh:\/\//, ''));
    if (!m) throw new AppError('PARSE_ERROR', `${where}: ProxyJump hop "${hop}" is not [user@]host[:port]`, { step: 'ssh config' });
    const port = m[3] !== undefined ? Number(m[3]) : undefined;
    if (port !== undefined && (port < 1 || port > 65535)) throw new AppError('PARSE_ERROR', `${where}: ProxyJump port ${port} out of range`, { step: 'ssh config' });
    return { ...(m[1] ? { user: m[1] } : {}), host: m[2]!.replace(/^\[|\]$/g, ''), ...(port !== undefined ? { port } : {}) };
  });
}

function blockApplies(b: SshConfigBlock, host: string): boolean {
  if (b.kind === 'global') return true;
  if (b.kind === 'match') return b.criteria.length === 1 && b.criteria[0]!.toLowerCase() === 'all';
  let matched = false;
  for (const p of b.patterns) {
    if (wildcardMatch(p.pattern, host)) {
      if (p.negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** Context for %-token and ~ expansion. */
export interface ExpandContext {
  home: string;
  localUser: string;
}

/**
 * Resolves the options for a host alias with OpenSSH's rule: the first value found for a keyword wins (IdentityFile
 * accumulates), scanning applicable blocks in file order.
 */
export function resolveSshConfig(config: SshConfig, alias: string, ctx: ExpandContext): SshConfigHost {
  const first = new Map<string, SshConfigOption>();
  const identity: SshConfigOption[] = [];
  for (const b of config.blocks) {
    if (!blockApplies(b, alias)) continue;
    for (const o of b.options) {
      if (o.key === 'identityfile') identity.push(o);
      else if (!first.has(o.key)) first.set(o.key, o);
    }
  }
  const where = (o: SshConfigOption) => `${o.source}:${o.line}`;
  const hostNameOpt = first.get('hostname');
  const hostName = hostNameOpt ? hostNameOpt.args[0]!.replace(/%(%|h)/g, (_, t: string) => (t === '%' ? '%' : alias)) : alias;
  const userOpt = first.get('user');
  const portOpt = first.get('port');
  let port: number | undefined;
  if (portOpt) {
    port = Number(portOpt.args[0]);
    if (!/^\d{1,5}$/.test(portOpt.args[0]!) || port < 1 || port > 65535) throw new AppError('PARSE_ERROR', `${where(portOpt)}: Port "${portOpt.args[0]}" is not 1–65535`, { step: 'ssh config' });
  }
  const user = userOpt?.args[0];
  const expand = (p: string) =>
    p
      .replace(/^~(?=\/|$)/, ctx.home)
      .replace(/%([%dhupr])/g, (_, t: string) => ({ '%': '%', d: ctx.home, u: ctx.localUser, h: hostName, r: user ?? ctx.localUser, p: String(port ?? 22) })[t]!);
  const idOnly = first.get('identitiesonly');
  const jump = first.get('proxyjump');
  return {
    hostName,
    ...(user !== undefined ? { user } : {}),
    ...(port !== undefined ? { port } : {}),
    identityFiles: identity.filter((o) => o.args[0]!.toLowerCase() !== 'none').map((o) => expand(o.args[0]!)),
    ...(idOnly ? { identitiesOnly: idOnly.args[0]!.toLowerCase() === 'yes' } : {}),
    proxyJump: jump ? parseProxyJump(jump.args[0]!, where(jump)) : [],
  };
}

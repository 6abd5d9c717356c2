import { describe, expect, it } from 'vitest';
import { parseProxyJump, parseSshConfig, resolveSshConfig } from '../../../../electron/ssh/ssh-config.ts';
import { fixture } from './fixtures.ts';

const FILE = 'ssh_config-example.txt';
const ctx = { home: '/home/admin', localUser: 'admin' };
const cfg = parseSshConfig(fixture(FILE), FILE);

describe('parseSshConfig', () => {
  it('splits the file into global, Host and Match blocks with their options and line numbers', () => {
    expect(cfg.blocks.map((b) => [b.kind, b.line])).toEqual([
      ['global', 0],
      ['host', 2],
      ['host', 8],
      ['host', 13],
      ['match', 17],
      ['host', 20],
    ]);
    expect(cfg.blocks[2]!.patterns).toEqual([
      { negated: false, pattern: 'rs?' },
      { negated: false, pattern: 'rs??' },
      { negated: true, pattern: 'rs99' },
    ]);
    expect(cfg.blocks[2]!.options[0]).toEqual({ key: 'user', args: ['root'], source: FILE, line: 9 });
    expect(cfg.blocks[2]!.options[2]!.args).toEqual(['%d/.ssh/keys/%h key']);
  });
  it('throws PARSE_ERROR naming file:line for a line without a value or an unterminated quote', () => {
    expect(() => parseSshConfig('Host a\n  HostName\n', 'cfg')).toThrow(/^cfg:2: HostName needs a value/);
    expect(() => parseSshConfig('Host a\n  IdentityFile "x\n', 'cfg')).toThrow(/^cfg:2: unterminated/);
    expect(() => parseSshConfig('= nothing\n', 'cfg')).toThrow(/^cfg:1: expected "Keyword value"/);
  });
  it('splices Include files in place through the injected reader', () => {
    const c = parseSshConfig('Include extra.conf\nHost b\n  User bee\n', 'main', (p) => [{ source: p, text: 'Host a\n  User ay\n' }]);
    expect(c.blocks.map((b) => [b.kind, b.source, b.line])).toEqual([
      ['global', 'main', 0],
      ['host', 'extra.conf', 1],
      ['host', 'main', 2],
    ]);
    expect(() => parseSshConfig('Include x\n', 'main')).toThrow(/main:1: Include is not supported/);
  });
});

describe('resolveSshConfig', () => {
  it('director: HostName, User, Port, IdentityFile (first value wins, IdentityFile accumulates, ~ expanded)', () => {
    expect(resolveSshConfig(cfg, 'director', ctx)).toEqual({
      hostName: '192.168.1.10',
      user: 'lvsadmin',
      port: 2222,
      identityFiles: ['/home/admin/.ssh/id_director', '/home/admin/.ssh/id_ed25519'],
      proxyJump: [],
    });
  });
  it('rs1: wildcard Host, Key=value, ProxyJump to the director, %d and %h tokens in a quoted IdentityFile', () => {
    const r = resolveSshConfig(cfg, 'rs1', ctx);
    expect(r.user).toBe('root');
    expect(r.hostName).toBe('rs1');
    expect(r.proxyJump).toEqual([{ user: 'lvsadmin', host: 'director', port: 2222 }]);
    expect(r.identityFiles).toEqual(['/home/admin/.ssh/keys/rs1 key', '/home/admin/.ssh/id_ed25519']);
  });
  it('negated pattern excludes rs99; Match blocks other than "Match all" do not apply', () => {
    const r = resolveSshConfig(cfg, 'rs99', ctx);
    expect(r.user).toBe('fallback');
    expect(r.proxyJump).toEqual([]);
  });
  it('HostName %h expands to the alias', () => {
    expect(resolveSshConfig(cfg, 'old-hpux', ctx).hostName).toBe('old-hpux.example.com');
  });
  it('a bad Port is a PARSE_ERROR naming its line', () => {
    const c = parseSshConfig('Host x\n  Port 99999\n', 'cfg');
    expect(() => resolveSshConfig(c, 'x', ctx)).toThrow(/^cfg:2: Port "99999"/);
  });
});

describe('parseProxyJump', () => {
  it('reads [user@]host[:port] hops, IPv6 in brackets, and none', () => {
    expect(parseProxyJump('none', 'w')).toEqual([]);
    expect(parseProxyJump('a@h1:2200,h2', 'w')).toEqual([{ user: 'a', host: 'h1', port: 2200 }, { host: 'h2' }]);
    expect(parseProxyJump('[fd00::1]:22', 'w')).toEqual([{ host: 'fd00::1', port: 22 }]);
    expect(() => parseProxyJump('a@@b', 'w')).toThrow(/^w: ProxyJump hop/);
    expect(() => parseProxyJump('h:70000', 'w')).toThrow(/out of range/);
  });
});

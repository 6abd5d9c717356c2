import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkKnownHosts, entryMatchesHost, hostLookupName, knownKeyTypes, parseKnownHosts, wildcardMatch } from '../../../../electron/ssh/known-hosts.ts';
import { AppError } from '../../../../shared/result.ts';
import { capturedKeys, fixture } from './fixtures.ts';

const FILE = 'known_hosts-openssh-9.2.txt';
const entries = parseKnownHosts(fixture(FILE), FILE);
const k = capturedKeys();
const key = (c: string) => k.get(c)!;
const KEY_A = key('key-a').base64;

describe('parseKnownHosts', () => {
  it('reads every key line of the captured file, skipping the comment and the blank line', () => {
    expect(entries.map((e) => e.line)).toEqual([2, 3, 5, 6, 7, 8, 9]);
    expect(entries[0]!.hosts).toEqual({ kind: 'patterns', patterns: [{ negated: false, pattern: '10.0.0.1' }, { negated: false, pattern: 'director.lab' }] });
    expect(entries[2]!.comment).toBe('rs wildcard');
    expect(entries[3]!.marker).toBe('revoked');
    expect(entries[4]!.marker).toBe('cert-authority');
    expect(entries[5]!.hosts.kind).toBe('hashed');
  });
  it('throws PARSE_ERROR naming file:line for a line it does not understand', () => {
    const bad = `# ok\n10.0.0.1 ssh-ed25519 ${key('key-a').base64}\nthis is not a key line\n`;
    expect(() => parseKnownHosts(bad, 'kh')).toThrow(/^kh:3: /);
    try {
      parseKnownHosts(bad, 'kh');
    } catch (e) {
      expect((e as AppError).code).toBe('PARSE_ERROR');
    }
  });
  it('rejects a key type that does not match the key data, bad hashes and unknown markers', () => {
    expect(() => parseKnownHosts(`h ssh-rsa ${key('key-a').base64}`, 'kh')).toThrow(/kh:1: key type ssh-rsa does not match the key data \(ssh-ed25519\)/);
    expect(() => parseKnownHosts(`|1|abc ssh-ed25519 ${key('key-a').base64}`, 'kh')).toThrow(/kh:1: hashed host field/);
    expect(() => parseKnownHosts(`@trusted h ssh-ed25519 ${key('key-a').base64}`, 'kh')).toThrow(/kh:1: unknown marker @trusted/);
    expect(() => parseKnownHosts(`h ssh-ed25519 QUJD`, 'kh')).toThrow(/kh:1: key data/);
  });
});

describe('matching hosts', () => {
  it('looks up plain names for port 22 and [host]:port otherwise', () => {
    expect(hostLookupName('Director.LAB', 22)).toBe('director.lab');
    expect(hostLookupName('10.0.0.2', 2222)).toBe('[10.0.0.2]:2222');
  });
  it('matches comma lists, [host]:port, wildcards with negation, and hashed names (ssh-keygen -H)', () => {
    expect(entryMatchesHost(entries[0]!, 'director.lab', 22)).toBe(true);
    expect(entryMatchesHost(entries[0]!, '10.0.0.1', 2222)).toBe(false);
    expect(entryMatchesHost(entries[1]!, '10.0.0.2', 2222)).toBe(true);
    expect(entryMatchesHost(entries[1]!, '10.0.0.2', 22)).toBe(false);
    expect(entryMatchesHost(entries[2]!, 'rs1.lab', 22)).toBe(true);
    expect(entryMatchesHost(entries[2]!, 'rs9.lab', 22)).toBe(false);
    expect(entryMatchesHost(entries[5]!, '10.0.0.3', 22)).toBe(true);
    expect(entryMatchesHost(entries[5]!, '10.0.0.33', 22)).toBe(false);
    expect(entryMatchesHost(entries[6]!, '10.0.0.4', 2200)).toBe(true);
    expect(entryMatchesHost(entries[6]!, '10.0.0.4', 22)).toBe(false);
  });
  it('wildcards: * any run, ? one character, regex characters literal', () => {
    expect(wildcardMatch('10.0.0.*', '10.0.0.77')).toBe(true);
    expect(wildcardMatch('10.0.0.?', '10.0.0.77')).toBe(false);
    expect(wildcardMatch('a.b', 'axb')).toBe(false);
    expect(wildcardMatch('[10.0.0.*]:22?2', '[10.0.0.9]:2202')).toBe(true);
    expect(wildcardMatch('(a|b)+', 'aaa')).toBe(false);
    expect(wildcardMatch('*', '')).toBe(true);
    expect(wildcardMatch('?', '')).toBe(false);
    expect(wildcardMatch('RS*.Lab', 'rs1.lab')).toBe(true);
  });
  it('pathological patterns (many *, a name that almost matches) get the right answer (time: npm run bench, host-pattern)', () => {
    // A backtracking matcher (the regex ^.*a.*a…b$ it used to build) takes exponential time in the number of stars here.
    const name = 'a'.repeat(5000);
    expect(wildcardMatch(`${'*a'.repeat(40)}*b`, name)).toBe(false);
    expect(wildcardMatch(`${'*a'.repeat(40)}*`, name)).toBe(true);
    expect(wildcardMatch(`${'*?'.repeat(60)}*b`, name)).toBe(false);
    const entry = parseKnownHosts(`${'*a'.repeat(30)}*b,!${'*a'.repeat(30)}*c ssh-ed25519 ${KEY_A}`, 'x')[0]!;
    expect(entryMatchesHost(entry, 'a'.repeat(3000), 22)).toBe(false);
  });
  it('agrees with a plain reference matcher on random patterns and names (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ab*?.]{0,12}$/), fc.stringMatching(/^[ab.]{0,14}$/), (pattern, name) => {
        expect(wildcardMatch(pattern, name)).toBe(referenceMatch(pattern, name));
      }),
      { numRuns: 5000 },
    );
  });
});

/** Textbook recursive glob match (exponential in the worst case: only for the small random inputs above). */
function referenceMatch(p: string, s: string): boolean {
  if (p === '') return s === '';
  if (p[0] === '*') return referenceMatch(p.slice(1), s) || (s !== '' && referenceMatch(p, s.slice(1)));
  return s !== '' && (p[0] === '?' || p[0] === s[0]) && referenceMatch(p.slice(1), s.slice(1));
}

describe('checkKnownHosts', () => {
  it('trusted when the same key is listed (plain, [host]:port, hashed)', () => {
    expect(checkKnownHosts(entries, '10.0.0.1', 22, 'ssh-ed25519', key('key-a').base64)).toBe('trusted');
    expect(checkKnownHosts(entries, '10.0.0.2', 2222, 'ssh-ed25519', key('key-b').base64)).toBe('trusted');
    expect(checkKnownHosts(entries, '10.0.0.3', 22, 'ssh-ed25519', key('key-c').base64)).toBe('trusted');
    expect(checkKnownHosts(entries, '10.0.0.4', 2200, 'ssh-ed25519', key('key-e').base64)).toBe('trusted');
    expect(checkKnownHosts(entries, 'rs2.lab', 22, 'ssh-rsa', key('key-d').base64)).toBe('trusted');
  });
  it('changed when another key of the same type is listed for the host', () => {
    expect(checkKnownHosts(entries, '10.0.0.1', 22, 'ssh-ed25519', key('key-b').base64)).toBe('changed');
    expect(checkKnownHosts(entries, '10.0.0.3', 22, 'ssh-ed25519', key('key-a').base64)).toBe('changed');
  });
  it('unknown for other hosts, other ports and other key types', () => {
    expect(checkKnownHosts(entries, '10.0.0.9', 22, 'ssh-ed25519', key('key-a').base64)).toBe('unknown');
    expect(checkKnownHosts(entries, '10.0.0.1', 2222, 'ssh-ed25519', key('key-a').base64)).toBe('unknown');
    expect(checkKnownHosts(entries, 'rs2.lab', 22, 'ssh-ed25519', key('key-a').base64)).toBe('unknown');
  });
  it('a @revoked key is refused everywhere (changed), and @cert-authority lines trust nothing', () => {
    expect(checkKnownHosts(entries, 'anything', 22, 'ssh-ed25519', key('key-revoked').base64)).toBe('changed');
    const ca = entries[4]!.keyBase64;
    expect(checkKnownHosts(entries, 'director.lab', 22, 'ssh-ed25519', ca)).toBe('changed');
    expect(checkKnownHosts(entries, 'x.lab', 22, 'ssh-ed25519', ca)).toBe('unknown');
  });
  it('lists known key types per host', () => {
    expect(knownKeyTypes(entries, 'rs1.lab', 22)).toEqual(['ssh-rsa']);
    expect(knownKeyTypes(entries, '10.0.0.4', 2200)).toEqual(['ssh-ed25519']);
    expect(knownKeyTypes(entries, 'nowhere', 22)).toEqual([]);
  });
});

/**
 * shellQuote builds every remote command line: proven against the shells that read it. Pure cases first, then a
 * property: any argv (arbitrary unicode, quotes, newlines, glob characters, leading -, ~, =, $…), quoted and run by
 * dash and by busybox sh as `printf '%s\0' ARGS`, comes back byte for byte.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { quoteArg, shellQuote } from '../../../../electron/shell/shell-quote.ts';

const SHELLS: Array<[string, string[]]> = [
  ['dash', ['/bin/sh', '-c']],
  ['busybox sh', ['busybox', 'sh', '-c']],
];

// The shells run in a directory holding a file for every one-character name the generators use but '.' (and 'aa'), so an
// unquoted * ? or [..] would expand to something and show.
const GLOB_DIR = mkdtempSync(join(tmpdir(), 'sq-glob-'));
for (const c of [...'aZ9_@%+=:,-', 'aa', '..a']) writeFileSync(join(GLOB_DIR, c), '');
afterAll(() => rmSync(GLOB_DIR, { recursive: true, force: true }));

/** What `printf '%s\0' ARGS` prints in `shell` for the quoted args, split back into the arguments. */
function roundTrip(shell: string[], args: readonly string[]): string[] {
  const out = execFileSync(shell[0]!, [...shell.slice(1), shellQuote(['printf', '%s\\0', ...args])], { encoding: 'utf8', cwd: GLOB_DIR, env: { PATH: process.env.PATH, HOME: '/nonexistent-home' } });
  const parts = out.split('\0');
  parts.pop(); // after the last NUL
  return parts;
}

// Strings that survive UTF-8 (argv is bytes): no lone surrogates, no NUL (no argv can hold one).
const argString = fc.string({ unit: 'binary', maxLength: 24 }).filter((s) => !s.includes('\0') && Buffer.from(s, 'utf8').toString('utf8') === s);
// The characters shells treat specially, to make sure they show up often.
const nasty = fc.constantFrom(' ', '\t', '\n', "'", '"', '\\', '$', '`', '*', '?', '[', ']', '{', '}', '~', '=', '-', '#', '!', '&', '|', ';', '<', '>', '(', ')', '%', '^', '$(id)', '${HOME}', "'\\''", '*.conf', '~root', '-n', '--', 'a=b', '\u00e9', '\u202e');
// Words over the characters quoteArg leaves bare plus one-character specials: an argument that is "almost safe" (one $
// or * among plain characters) must be quoted too.
const almostSafe = fc.string({ unit: fc.constantFrom(...'aZ9_@%+=:,./-$*?~ \n\'"\\`[]{}#!&|;<>()^'.split('')), minLength: 1, maxLength: 8 });
const argPart = fc.array(fc.oneof(argString, nasty, almostSafe), { minLength: 0, maxLength: 4 }).map((xs) => xs.join(''));

describe('shellQuote (pure)', () => {
  it('leaves plainly safe words bare and single-quotes everything else', () => {
    expect(shellQuote(['ipvsadm', '-A', '-t', '10.0.0.1:23', '-s', 'wlc'])).toBe('ipvsadm -A -t 10.0.0.1:23 -s wlc');
    expect(shellQuote(['echo', 'a b'])).toBe("echo 'a b'");
    expect(shellQuote(['echo', '$HOME'])).toBe("echo '$HOME'");
    expect(shellQuote(['echo', '*'])).toBe("echo '*'");
    expect(shellQuote(['echo', '~'])).toBe("echo '~'");
    expect(shellQuote(['echo', ''])).toBe("echo ''");
    expect(shellQuote(['echo', "it's"])).toBe("echo 'it'\\''s'");
    expect(shellQuote(['echo', 'a\nb'])).toBe("echo 'a\nb'");
    for (const c of [' ', '\t', '\n', '$', '`', '*', '?', '[', ']', '~', '"', "'", '\\', ';', '&', '|', '<', '>', '(', ')', '{', '}', '!', '#']) expect(quoteArg(`a${c}b`), JSON.stringify(c)).toMatch(/^'/);
  });

  it('quotes a first word that the shell would read as an assignment or a reserved word', () => {
    expect(shellQuote(['A=b', 'x'])).toBe("'A=b' x");
    expect(shellQuote(['if', 'x'])).toBe("'if' x");
    expect(shellQuote(['!'])).toBe("'!'");
    expect(shellQuote(['x', 'A=b', 'if'])).toBe('x A=b if');
  });

  it('refuses what no argv can hold: nothing at all, a NUL byte', () => {
    expect(() => shellQuote([])).toThrow(/empty argv/);
    expect(() => shellQuote(['echo', 'a\0b'])).toThrow(/NUL/);
  });
});

describe.each(SHELLS)('shellQuote through %s', (_name, shell) => {
  it('hand-picked arguments come back unchanged', () => {
    const args = ['', ' ', 'a b', "it's", '"q"', '$HOME', '${x:-y}', '$(touch /nonexistent/x)', '`id`', '*', '/*', '?', '[a]', '~', '~root', '-n', '-e', '--', 'a=b', '\\', '\\n', '\n', '\t', 'x\r', '#c', '!', 'ünï', '\u202e', "'\\''", 'a\'b"c$d`e\\f'];
    expect(roundTrip(shell, args)).toEqual(args);
  });

  it('any argv comes back unchanged (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 3, arbitrary: almostSafe }, { weight: 2, arbitrary: argPart }), { minLength: 1, maxLength: 6 }), (args) => {
        expect(roundTrip(shell, args)).toEqual(args);
      }),
      { numRuns: 300 },
    );
  });

  it('a first word that looks like an assignment or a reserved word is still the command', () => {
    for (const word of ['A=b', 'if', '!', '{', 'while']) {
      // no such program: the shell must say so (exit 127), not assign a variable or read a compound command
      let code = 0;
      try {
        execFileSync(shell[0]!, [...shell.slice(1), shellQuote([word, 'arg'])], { stdio: 'ignore' });
      } catch (e) {
        code = (e as { status: number }).status;
      }
      expect(code, word).toBe(127);
    }
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newSudoMarker, sudoArgv, sudoFailure, SudoPromptFilter } from '../../../../electron/ssh/sudo.ts';

describe('sudoArgv', () => {
  it('with a password: -k -S and the marker prompt, argv after --; without: -n', () => {
    expect(sudoArgv(['ipvsadm', '-S', '-n'], { marker: '[m]' })).toEqual(['sudo', '-k', '-S', '-p', '[m]', '--', 'ipvsadm', '-S', '-n']);
    expect(sudoArgv(['ipvsadm', '-C'], undefined)).toEqual(['sudo', '-n', '--', 'ipvsadm', '-C']);
  });
  it('markers are unique and contain no % (sudo expands %-escapes in -p)', () => {
    const a = newSudoMarker();
    expect(a).not.toBe(newSudoMarker());
    expect(a).not.toContain('%');
  });
});

describe('SudoPromptFilter', () => {
  it('removes every marker and counts prompts, however the stream is chunked', () => {
    const marker = '[lvs-sudo-0123456789abcdef]';
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(marker), fc.string({ maxLength: 12 }).filter((s) => !s.includes('['))), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
        (parts, cuts) => {
          const text = parts.join('');
          const f = new SudoPromptFilter(marker);
          let out = '';
          let i = 0;
          let c = 0;
          while (i < text.length) {
            const n = cuts[c++ % cuts.length]!;
            out += f.push(text.slice(i, i + n)).text;
            i += n;
          }
          out += f.flush();
          expect(out).toBe(parts.filter((p) => p !== marker).join(''));
          expect(f.prompts).toBe(parts.filter((p) => p === marker).length);
        },
      ),
    );
  });
  it('passes text that only looks like the start of a marker through at the end', () => {
    const f = new SudoPromptFilter('[abc]');
    expect(f.push('x[ab').text).toBe('x');
    expect(f.flush()).toBe('[ab');
  });
});

describe('sudoFailure', () => {
  it('AUTH_FAILED step sudo for sudo refusals, undefined for the command\'s own exit', () => {
    expect(sudoFailure('rs1', 1, 'sudo: a password is required\n', 0)?.message).toBe('rs1: sudo: a password is required');
    expect(sudoFailure('rs1', 1, 'Sorry, try again.\nsudo: 1 incorrect password attempt\n', 2)?.message).toBe('rs1: sudo: incorrect sudo password');
    expect(sudoFailure('rs1', 1, 'bob is not in the sudoers file.  This incident will be reported.\n', 1)?.code).toBe('AUTH_FAILED');
    expect(sudoFailure('rs1', 1, 'sudo: a password is required\n', 0)?.step).toBe('sudo');
    expect(sudoFailure('rs1', 1, 'grep: nothing\n', 1)).toBeUndefined();
    expect(sudoFailure('rs1', 2, 'sudo: a password is required\n', 0)).toBeUndefined();
  });
});

/**
 * shellComment: whatever text (a cluster name, a step's why, a note) goes into a printed plan as a comment stays a
 * comment for the shell that reads it: proven by running the comment in dash and busybox sh with a canary after it.
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellComment } from '../../../../electron/shell/shell-comment.ts';
import { renderPlan } from '../../../../electron/services/plan-render.ts';

const SHELLS: Array<[string, string[]]> = [
  ['dash', ['/bin/sh', '-c']],
  ['busybox sh', ['busybox', 'sh', '-c']],
];

/** Runs the text as a script followed by `echo END`; returns what the shell printed. */
function runScript(shell: string[], text: string): string {
  return execFileSync(shell[0]!, [...shell.slice(1), `${text}\necho END`], { encoding: 'utf8' });
}

describe('shellComment', () => {
  it('is one line starting with "# ", control characters shown escaped', () => {
    expect(shellComment('start on director 10.0.0.1')).toBe('# start on director 10.0.0.1');
    expect(shellComment('c\ntouch /tmp/pwned')).toBe('# c\\ntouch /tmp/pwned');
    expect(shellComment('a\u001b[31mred\u0000\r\u202eevil\u2066\u0085\u007f')).toBe('# a\\x1b[31mred\\x00\\r\\u202eevil\\u2066\\x85\\x7f');
    expect(shellComment('Zoë’s cluster')).toBe('# Zoë’s cluster');
  });

  it.each(SHELLS)('%s: any text as a comment runs nothing (property: arbitrary unicode, newlines, controls)', (_name, shell) => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const c = shellComment(`${text}\ntouch /nonexistent/canary; echo PWNED`);
        expect(c.includes('\n') || c.includes('\r')).toBe(false);
        expect(runScript(shell, c)).toBe('END\n');
      }),
      { numRuns: 150 },
    );
  });

  it('the printed plan keeps a why or a note with a newline in its comment', () => {
    const out = renderPlan(
      { verb: 'start', summary: ['note\necho PWNED-NOTE'], steps: [{ host: 'director', argv: ['true'], why: 'x\necho PWNED-WHY' }] },
      { title: 'start on director c\necho PWNED-HOST' },
    );
    for (const [, shell] of SHELLS) expect(runScript(shell, out)).toBe('END\n');
    for (const l of out.split('\n')) if (l.includes('PWNED')) expect(l.startsWith('#'), l).toBe(true);
  });
});

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseSections, SECTION_FUNCTION } from '../../../../electron/shell/marked-sections.ts';

/** Runs a script of `sec` calls with the real sh; returns its stdout and stderr. */
function sh(script: string): { stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', `${SECTION_FUNCTION}\n${script}`], { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr };
}

describe('marked sections (real sh)', () => {
  it('carries stdout exactly, with or without a final newline, plus stderr and the exit status', () => {
    const r = sh("echo stray >&2; sec a printf 'x\\ny\\n'; sec b printf 'no-newline'; sec c sh -c 'echo oops >&2; exit 3'; sec d true; f() { echo in-function; }; sec e f");
    const { sections } = parseSections(r.stdout, r.stderr);
    expect(sections.get('a')).toEqual({ stdout: 'x\ny\n', stderr: '', rc: 0 });
    expect(sections.get('b')).toEqual({ stdout: 'no-newline', stderr: '', rc: 0 });
    expect(sections.get('c')).toEqual({ stdout: '', stderr: 'oops', rc: 3 });
    expect(sections.get('d')).toEqual({ stdout: '', stderr: '', rc: 0 });
    expect(sections.get('e')).toEqual({ stdout: 'in-function\n', stderr: '', rc: 0 });
  });
  it('refuses text outside sections, unknown markers and a section cut short, naming the line', () => {
    expect(() => parseSections('junk\n')).toThrow(/line 1: text outside any section/);
    expect(() => parseSections('@@lvs-console begin a\n@@lvs-console bogus a\n')).toThrow(/line 2: unknown marker/);
    expect(() => parseSections('@@lvs-console begin a\nhalf')).toThrow(/section a \(line 1\) never ended: the output was cut/);
  });
});


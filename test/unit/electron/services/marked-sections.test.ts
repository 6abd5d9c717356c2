import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseSections, SECTION_FUNCTION } from '../../../../electron/services/marked-sections.ts';

const sh = (script: string) => execFileSync('sh', ['-c', `${SECTION_FUNCTION}\n${script}`], { encoding: 'utf8' });

describe('marked sections (real sh)', () => {
  it('carries stdout exactly, with or without a final newline, plus stderr and the exit status', () => {
    const { sections } = parseSections(sh("sec a printf 'x\\ny\\n'; sec b printf 'no-newline'; sec c sh -c 'echo oops >&2; exit 3'; sec d true"));
    expect(sections.get('a')).toEqual({ stdout: 'x\ny\n', stderr: '', rc: 0 });
    expect(sections.get('b')).toEqual({ stdout: 'no-newline', stderr: '', rc: 0 });
    expect(sections.get('c')).toEqual({ stdout: '', stderr: 'oops', rc: 3 });
    expect(sections.get('d')).toEqual({ stdout: '', stderr: '', rc: 0 });
  });
  it('refuses text outside sections, unknown markers and a section cut short, naming the line', () => {
    expect(() => parseSections('junk\n')).toThrow(/line 1: text outside any section/);
    expect(() => parseSections('@@lvs-console begin a\n@@lvs-console bogus a\n')).toThrow(/line 2: unknown marker/);
    expect(() => parseSections('@@lvs-console begin a\nhalf')).toThrow(/section a \(line 1\) never ended: the output was cut/);
  });
});


import { describe, expect, it } from 'vitest';
import { MASK, scrubArgv, scrubText } from '../../../../electron/audit/scrub.ts';

describe('scrubText / scrubArgv', () => {
  it('masks every occurrence of a known secret, longest first', () => {
    expect(scrubText('pw=hunter2 again hunter2!', ['hunter2'])).toBe(`pw=${MASK} again ${MASK}!`);
    expect(scrubText('abcdef', ['abc', 'abcdef'])).toBe(MASK);
  });

  it('masks very short secrets only as whole tokens', () => {
    expect(scrubText('a cat ran a mile', ['a'])).toBe(`${MASK} cat ran ${MASK} mile`);
    expect(scrubArgv(['sshpass', '-p', 'xy', 'ssh'], ['xy'])).toEqual(['sshpass', '-p', MASK, 'ssh']);
  });

  it('treats regex characters in secrets literally', () => {
    expect(scrubText('p.a*s+s? and pXass', ['p.a*s+s?'])).toBe(`${MASK} and pXass`);
    expect(scrubText('x (y) z', ['(y)'])).toBe(`x ${MASK} z`);
  });

  it('leaves text alone when there are no secrets', () => {
    expect(scrubArgv(['ipvsadm', '-S', '-n'], [])).toEqual(['ipvsadm', '-S', '-n']);
    expect(scrubText('ok', ['', ''])).toBe('ok');
  });
});

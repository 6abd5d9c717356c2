import { describe, expect, it } from 'vitest';
import { errorAdvice } from '../../../../renderer/app/error-hints.ts';

describe('error hints name the real cause', () => {
  it('a missing key file, a name the director cannot resolve and a missing tool get different advice', () => {
    const key = errorAdvice({ code: 'NOT_FOUND', message: '/home/a/.ssh/id: key file not found', step: 'load key' });
    expect(key.title).toBe('The private key file is not there');
    expect(key.next).not.toMatch(/ipvsadm/);
    const name = errorAdvice({ code: 'NOT_FOUND', message: "director 10.0.0.1: cannot resolve 'rs9'", host: 'director 10.0.0.1', step: 'resolve' });
    expect(name.title).toBe('A host name in the profile does not resolve on director 10.0.0.1');
    expect(name.next).toMatch(/\/etc\/hosts/);
    const tool = errorAdvice({ code: 'NOT_FOUND', message: 'director 10.0.0.1: ipvsadm not found', host: 'director 10.0.0.1', step: 'observe' });
    expect(tool.next).toMatch(/apt-get install ipvsadm/);
    const profile = errorAdvice({ code: 'NOT_FOUND', message: "no cluster profile 'x'" });
    expect(profile.title).toBe('This cluster profile is gone');
    expect(errorAdvice({ code: 'AUTH_FAILED', message: 'k: could not decrypt the key', step: 'load key' }).title).toBe('The private key cannot be unlocked');
  });
});

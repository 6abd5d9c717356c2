import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseResolveOutput, resolveArgv, resolveOnDirector } from '../../../../electron/services/director-resolve.ts';
import type { Executor } from '../../../../electron/ssh/types.ts';

const run = (argv: string[]) => execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });

describe('name resolution on the director', () => {
  it('resolves names with getent (real sh), passes addresses through, and names the host it cannot resolve', async () => {
    const out = run(resolveArgv(['localhost', 'no-such-host.invalid']));
    expect(out).toMatch(/^localhost (127\.0\.0\.1|::1)\nno-such-host\.invalid -\n$/);
    expect(() => parseResolveOutput('director 10.0.0.1', ['localhost', 'no-such-host.invalid'], out)).toThrow(
      "director 10.0.0.1: cannot resolve 'no-such-host.invalid' (getent hosts and /etc/hosts on the director know no address)",
    );
    const r = parseResolveOutput('director 10.0.0.1', ['localhost'], 'localhost 127.0.0.1\n');
    expect(r.get('localhost')).toBe('127.0.0.1');
  });
  it('does not run anything when every host is an address', async () => {
    const never: Executor = { label: 'd', exec: async () => expect.unreachable('no lookup expected') };
    const resolve = await resolveOnDirector(never, ['10.0.0.1', '2001:db8::1']);
    expect(resolve('10.0.0.1')).toBe('10.0.0.1');
    expect(() => resolve('rs1')).toThrow("cannot resolve 'rs1'");
  });
  it('refuses names that are not host names before anything runs', () => {
    expect(() => resolveArgv(['rs1;reboot'])).toThrow('not a host name: rs1;reboot');
  });
});


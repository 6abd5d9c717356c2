import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { withPidPrologue } from '../../../../electron/ssh/exec.ts';

/** Runs a wrapped argv with the local sh, as sshd's shell would (no quoting needed: execFile takes argv). */
const run = (argv: string[]) => execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('the pid prologue', () => {
  it('wraps any argv: the pid line, then exec of the command', () => {
    expect(withPidPrologue(['ipvsadm', '-L', '-n'])).toEqual(['sh', '-c', 'echo "[lvs-pid:$$]" >&2; exec "$@"', 'sh', 'ipvsadm', '-L', '-n']);
    expect(run(withPidPrologue(['printf', '%s|', 'a b', '$x']))).toBe('a b|$x|');
  });

  it('puts the echo in front of an sh -c script instead of starting a second shell; $0 and the arguments are unchanged', () => {
    const w = withPidPrologue(['sh', '-c', 'printf "%s|" "$0" "$@"', 'name', 'one two', "'"]);
    expect(w.slice(0, 2)).toEqual(['sh', '-c']);
    expect(w[2]!.split('\n')[0]).toBe('echo "[lvs-pid:$$]" >&2');
    expect(run(w)).toBe("name|one two|'|");
  });
});

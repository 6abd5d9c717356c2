import { describe, expect, it } from 'vitest';
import { execChecked } from '../../../../electron/ssh/exec-checked.ts';
import type { ExecResult, Executor } from '../../../../electron/ssh/types.ts';
import { AppError } from '../../../../shared/result.ts';

const fake = (r: Partial<ExecResult>): Executor & { calls: string[][] } => {
  const calls: string[][] = [];
  return {
    label: 'director 10.0.0.1',
    calls,
    exec: async (argv) => {
      calls.push(argv);
      return { code: 0, signal: null, stdout: '', stderr: '', durationMs: 1, ...r };
    },
  };
};
const caught = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as AppError;
  }
  throw new Error('did not throw');
};

describe('execChecked', () => {
  it('returns the result for an accepted code (non-zero allowed when the caller says so)', async () => {
    const ex = fake({ code: 1, stdout: 'x' });
    expect((await execChecked(ex, ['grep', 'x'], [0, 1], 'grep')).stdout).toBe('x');
    expect(ex.calls).toEqual([['grep', 'x']]);
  });
  it('COMMAND_FAILED naming host, step, exit and the first stderr line, keeping output in detail', async () => {
    const e = await caught(execChecked(fake({ code: 2, stderr: 'Memory allocation problem\nmore\n' }), ['ipvsadm', '-A'], [0], 'ipvsadm -A'));
    expect(e.code).toBe('COMMAND_FAILED');
    expect(e.message).toBe('director 10.0.0.1: ipvsadm -A: exit 2: Memory allocation problem');
    expect(e.host).toBe('director 10.0.0.1');
    expect(e.step).toBe('ipvsadm -A');
    expect(e.detail).toMatchObject({ argv: ['ipvsadm', '-A'], code: 2 });
  });
  it('NOT_FOUND for exit 127 and for sudo\'s "command not found"', async () => {
    const a = await caught(execChecked(fake({ code: 127, stderr: 'sh: 1: ipvsadm: not found\n' }), ['ipvsadm', '-L'], [0], 'ipvsadm -L'));
    expect(a.code).toBe('NOT_FOUND');
    expect(a.message).toBe('director 10.0.0.1: ipvsadm -L: ipvsadm not found (sh: 1: ipvsadm: not found)');
    const b = await caught(execChecked(fake({ code: 1, stderr: 'sudo: ipvsadm: command not found\n' }), ['ipvsadm'], [0], 'ipvsadm'));
    expect(b.code).toBe('NOT_FOUND');
  });
  it('a signal death is COMMAND_FAILED "killed by"', async () => {
    const e = await caught(execChecked(fake({ code: null, signal: 'KILL' }), ['x'], [0], 'x'));
    expect(e.message).toBe('director 10.0.0.1: x: killed by KILL');
  });
});

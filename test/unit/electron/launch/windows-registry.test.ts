import { describe, expect, it } from 'vitest';
import { expandEnv, parseRegQuery, regExeReader } from '../../../../electron/launch/windows-registry.ts';

const OUT = '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\VcXsrv\r\n    Install_Dir_64    REG_SZ    C:\\Program Files\\VcXsrv\r\n    (Default)    REG_SZ    \r\n    Path    REG_EXPAND_SZ    %ProgramFiles%\\X\r\n\r\n';

describe('parseRegQuery', () => {
  it('reads name, type and data (names and data with spaces, empty data)', () => {
    expect(parseRegQuery(OUT)).toEqual([
      { name: 'Install_Dir_64', type: 'REG_SZ', data: 'C:\\Program Files\\VcXsrv' },
      { name: '(Default)', type: 'REG_SZ', data: '' },
      { name: 'Path', type: 'REG_EXPAND_SZ', data: '%ProgramFiles%\\X' },
    ]);
  });

  it('throws naming the line it does not understand', () => {
    expect(() => parseRegQuery('HKEY_LOCAL_MACHINE\\SOFTWARE\\X\r\nERROR: something odd\r\n')).toThrow(/reg query output line 2 not understood: ERROR: something odd/);
  });
});

describe('regExeReader', () => {
  it('tries the 64-bit view, then the 32-bit one, and expands REG_EXPAND_SZ', async () => {
    const calls: string[][] = [];
    const read = regExeReader(
      async (_file, args) => {
        calls.push(args);
        return args[4] === '/reg:64' ? { code: 1, stdout: '' } : { code: 0, stdout: OUT };
      },
      { PROGRAMFILES: 'C:\\Program Files' },
    );
    expect(await read('HKEY_LOCAL_MACHINE\\SOFTWARE\\VcXsrv', 'Path')).toBe('C:\\Program Files\\X');
    expect(calls).toEqual([
      ['query', 'HKEY_LOCAL_MACHINE\\SOFTWARE\\VcXsrv', '/v', 'Path', '/reg:64'],
      ['query', 'HKEY_LOCAL_MACHINE\\SOFTWARE\\VcXsrv', '/v', 'Path', '/reg:32'],
    ]);
    expect(await regExeReader(async () => ({ code: 1, stdout: '' }), {})('HKLM\\X', 'Y')).toBeUndefined();
  });

  it('leaves unknown %VARS% as written', () => {
    expect(expandEnv('%NOPE%\\x %SystemRoot%', { SYSTEMROOT: 'C:\\Windows' })).toBe('%NOPE%\\x C:\\Windows');
  });
});

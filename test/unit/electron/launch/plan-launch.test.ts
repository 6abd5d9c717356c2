import { describe, expect, it } from 'vitest';
import { planLaunch } from '../../../../electron/launch/plan-launch.ts';
import type { Launcher } from '../../../../electron/launch/types.ts';

const vcx: Launcher = { id: 'vcxsrv', name: 'VcXsrv', kind: 'xdmcp', path: 'C:\\Program Files\\VcXsrv\\vcxsrv.exe', argsTemplate: [':{display}', '-query', '{vip}', '-once'] };
const putty: Launcher = { id: 'putty', name: 'PuTTY', kind: 'telnet', path: 'C:\\PuTTY\\putty.exe', argsTemplate: ['-telnet', '{vip}', '-P', '{port}'] };

describe('planLaunch', () => {
  it('takes the first launcher of the kind and renders its argv', () => {
    expect(planLaunch([putty, vcx], { kind: 'xdmcp' }, { vip: '10.77.0.100', display: 1 }, 'win32')).toEqual({
      launcher: vcx,
      file: vcx.path,
      args: [':1', '-query', '10.77.0.100', '-once'],
    });
    expect(planLaunch([putty, vcx], { kind: 'telnet' }, { vip: '10.77.0.100', port: 23 }, 'win32').args).toEqual(['-telnet', '10.77.0.100', '-P', '23']);
  });

  it('honours a requested launcher id and checks its kind', () => {
    expect(planLaunch([vcx, putty], { kind: 'telnet', launcherId: 'putty' }, { vip: 'vip.example', port: 23 }, 'win32').file).toBe(putty.path);
    expect(() => planLaunch([vcx, putty], { kind: 'xdmcp', launcherId: 'putty' }, { vip: '10.0.0.1' }, 'win32')).toThrow(/is a telnet launcher, not xdmcp/);
    expect(() => planLaunch([vcx], { kind: 'xdmcp', launcherId: 'xming' }, { vip: '10.0.0.1' }, 'win32')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('says what to install when nothing fits', () => {
    expect(() => planLaunch([], { kind: 'xdmcp' }, { vip: '10.0.0.1' }, 'win32')).toThrow(/no X server found on this computer: install VcXsrv/);
    expect(() => planLaunch([vcx], { kind: 'telnet' }, { vip: '10.0.0.1' }, 'linux')).toThrow(/no telnet client found on this computer: install telnet/);
  });
});

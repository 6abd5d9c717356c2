import { describe, expect, it } from 'vitest';
import { detectLaunchers } from '../../../../electron/launch/detect.ts';
import { fakeReaders, WIN_ENV } from './readers.ts';

const ids = (r: Awaited<ReturnType<typeof detectLaunchers>>) => r.launchers.map((l) => `${l.id}=${l.path}`);

describe('detectLaunchers on Windows', () => {
  it('finds nothing on a bare machine and says nothing is wrong', async () => {
    const r = await detectLaunchers(fakeReaders('win32', [], WIN_ENV));
    expect(r).toEqual({ launchers: [], problems: [] });
  });

  it('finds VcXsrv through its registry value (custom folder) before the default folder', async () => {
    const readers = fakeReaders('win32', ['D:\\Apps\\VcXsrv\\vcxsrv.exe', 'C:\\Program Files\\VcXsrv\\vcxsrv.exe'], WIN_ENV, {
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\VcXsrv|Install_Dir_64': 'D:\\Apps\\VcXsrv',
    });
    const r = await detectLaunchers(readers);
    expect(r.launchers[0]).toEqual({ id: 'vcxsrv', name: 'VcXsrv', kind: 'xdmcp', path: 'D:\\Apps\\VcXsrv\\vcxsrv.exe', argsTemplate: [':{display}', '-query', '{vip}', '-once'] });
    expect(readers.lookups).toContain('HKEY_LOCAL_MACHINE\\SOFTWARE\\VcXsrv|Install_Dir_64');
  });

  it('finds VcXsrv, Xming, Cygwin/X, PuTTY (on PATH), MobaXterm and telnet.exe in their usual places', async () => {
    const r = await detectLaunchers(
      fakeReaders(
        'win32',
        [
          'C:\\Program Files\\VcXsrv\\vcxsrv.exe',
          'C:\\Program Files (x86)\\Xming\\Xming.exe',
          'C:\\cygwin64\\bin\\XWin.exe',
          'C:\\Tools\\bin\\putty.exe',
          'C:\\Program Files (x86)\\Mobatek\\MobaXterm\\MobaXterm.exe',
          'C:\\Windows\\System32\\telnet.exe',
        ],
        WIN_ENV,
      ),
    );
    expect(ids(r)).toEqual([
      'vcxsrv=C:\\Program Files\\VcXsrv\\vcxsrv.exe',
      'xming=C:\\Program Files (x86)\\Xming\\Xming.exe',
      'cygwin-x=C:\\cygwin64\\bin\\XWin.exe',
      'mobaxterm-telnet=C:\\Program Files (x86)\\Mobatek\\MobaXterm\\MobaXterm.exe',
      'putty=C:\\Tools\\bin\\putty.exe',
      'windows-telnet=C:\\Windows\\System32\\telnet.exe',
    ]);
    expect(r.launchers.find((l) => l.id === 'putty')!.argsTemplate).toEqual(['-telnet', '{vip}', '-P', '{port}']);
  });

  it('finds Xming through its uninstall key and Cygwin/X through setup\'s rootdir', async () => {
    const r = await detectLaunchers(
      fakeReaders('win32', ['E:\\X\\Xming.exe', 'E:\\cyg\\bin\\XWin.exe'], WIN_ENV, {
        'HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Xming_is1|InstallLocation': 'E:\\X\\',
        'HKEY_LOCAL_MACHINE\\SOFTWARE\\Cygwin\\setup|rootdir': 'E:\\cyg',
      }),
    );
    expect(ids(r)).toEqual(['xming=E:\\X\\Xming.exe', 'cygwin-x=E:\\cyg\\bin\\XWin.exe']);
  });

  it('ignores relative PATH entries (a hijack risk)', async () => {
    const r = await detectLaunchers(fakeReaders('win32', ['relative\\dir\\putty.exe'], WIN_ENV));
    expect(r.launchers).toEqual([]);
  });

  it('reports X410 as found but not launchable without a user template, and launches it with one', async () => {
    const x410 = 'C:\\Users\\ann\\AppData\\Local\\Microsoft\\WindowsApps\\X410.exe';
    const bare = await detectLaunchers(fakeReaders('win32', [x410], WIN_ENV));
    expect(bare.launchers).toEqual([]);
    expect(bare.problems[0]).toMatch(/^X410 \(Microsoft Store\) found at .*X410\.exe, but it has no command line to query a host/);
    const withTpl = await detectLaunchers(fakeReaders('win32', [x410], WIN_ENV), { x410: { path: x410, argsTemplate: ['/wm', '/query', '{vip}'] } });
    expect(withTpl.launchers).toEqual([{ id: 'x410', name: 'X410 (Microsoft Store)', kind: 'xdmcp', path: x410, argsTemplate: ['/wm', '/query', '{vip}'] }]);
  });

  it('applies a valid override and explains each rejected one', async () => {
    const files = ['C:\\Program Files\\VcXsrv\\vcxsrv.exe', 'D:\\vcx\\vcxsrv.exe', 'C:\\evil.bat'];
    const r = await detectLaunchers(fakeReaders('win32', files, WIN_ENV), {
      vcxsrv: { path: 'D:\\vcx\\vcxsrv.exe', argsTemplate: [':{display}', '-query', '{vip}', '-nodecoration'] },
      xming: { path: 'C:\\evil.bat', argsTemplate: ['{vip}'] },
      putty: { path: 'putty.exe', argsTemplate: ['-telnet', '{vip}'] },
      'windows-telnet': { path: 'C:\\Windows\\System32\\telnet.exe', argsTemplate: ['{vip}', '&', 'calc'] },
      'cygwin-x': { path: 'C:\\cygwin64\\bin\\XWin.exe', argsTemplate: [':{display}', '-query', '{vip}'] },
      nosuch: { path: 'C:\\x.exe', argsTemplate: ['{vip}'] },
    });
    expect(ids(r)).toEqual(['vcxsrv=D:\\vcx\\vcxsrv.exe']);
    expect(r.launchers[0]!.argsTemplate).toContain('-nodecoration');
    expect(r.problems).toEqual([
      expect.stringMatching(/^Xming override: on Windows the program must be an \.exe/),
      'Cygwin/X (XWin) override: C:\\cygwin64\\bin\\XWin.exe does not exist',
      'PuTTY override: path must be absolute',
      expect.stringMatching(/^Windows Telnet Client override: argsTemplate\[1\]: "&" contains a character that is not allowed/),
      expect.stringMatching(/^override "nosuch": no such launcher/),
    ]);
  });
});

describe('detectLaunchers on Linux', () => {
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin:.' };

  it('finds Xephyr, Xnest and Xvfb on PATH with -query and -listen tcp templates', async () => {
    const r = await detectLaunchers(fakeReaders('linux', ['/usr/bin/Xephyr', '/usr/bin/Xnest', '/usr/bin/Xvfb'], env));
    expect(ids(r)).toEqual(['xephyr=/usr/bin/Xephyr', 'xnest=/usr/bin/Xnest', 'xvfb=/usr/bin/Xvfb']);
    for (const l of r.launchers) {
      expect(l.argsTemplate.slice(0, 3)).toEqual([':{display}', '-query', '{vip}']);
      expect(l.argsTemplate.join(' ')).toContain('-listen tcp');
    }
  });

  it('offers telnet only inside a terminal, and PuTTY on its own', async () => {
    const none = await detectLaunchers(fakeReaders('linux', ['/usr/bin/telnet'], env));
    expect(none.launchers).toEqual([]);
    const r = await detectLaunchers(fakeReaders('linux', ['/usr/bin/telnet', '/usr/bin/xterm', '/usr/bin/putty'], env));
    expect(r.launchers).toEqual([
      { id: 'putty-linux', name: 'PuTTY', kind: 'telnet', path: '/usr/bin/putty', argsTemplate: ['-telnet', '{vip}', '-P', '{port}'] },
      { id: 'xterm-telnet', name: 'telnet in xterm', kind: 'telnet', path: '/usr/bin/xterm', argsTemplate: ['-e', '/usr/bin/telnet', '{vip}', '{port}'] },
    ]);
  });

  it('does not look at Windows locations or the registry on Linux', async () => {
    const r = await detectLaunchers(fakeReaders('linux', ['C:\\Program Files\\VcXsrv\\vcxsrv.exe', './Xephyr'], env));
    expect(r.launchers).toEqual([]);
  });
});

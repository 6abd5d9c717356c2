/**
 * Every X server and telnet client Connect me knows, per platform: where it is usually installed (registry values,
 * standard folders, PATH) and the argv template that makes it do the job. Flags checked against the programs' manuals:
 * XWin(1) (Cygwin/X, and VcXsrv and Xming which derive from it) and Xserver(1) accept `:N -query HOST -once`;
 * Xephyr/Xnest/Xvfb (Xorg 1.17+) do not listen on TCP by default, and an XDMCP display manager connects back to the X
 * server over TCP, hence `-listen tcp`. PuTTY takes `-telnet HOST`; MobaXterm `-newtab "COMMAND"` runs a command in a
 * new local-terminal tab. MobaXterm's own XDMCP sessions and X410 have no documented command line that queries a host,
 * so they get no default XDMCP template (X410 is offered only with a user template).
 */
import path from 'node:path';
import type { DetectReaders, LaunchPlatform } from './types.ts';
import { findOnPath } from './which.ts';

/** One launcher the catalog knows. */
export interface LauncherSpec {
  id: string;
  name: string;
  kind: 'xdmcp' | 'telnet';
  platform: LaunchPlatform;
  /** Candidate executables, most specific first (registry, then usual folders, then PATH). */
  candidates(r: DetectReaders): Promise<string[]>;
  /** The default argv template; undefined when there is no known way to make it do the job (user template needed). */
  argsTemplate?: string[];
}

const W = path.win32;
const HKLM = 'HKEY_LOCAL_MACHINE';
const UNINSTALL = `${HKLM}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall`;
const UNINSTALL32 = `${HKLM}\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall`;

async function reg(r: DetectReaders, key: string, value: string): Promise<string | undefined> {
  const v = r.registry ? await r.registry(key, value) : undefined;
  return v ? v.trim().replace(/^"(.*)"$/, '$1') : undefined;
}

/** Joins `file` under each existing base folder; skips undefined bases. */
function under(bases: Array<string | undefined>, ...rest: string[]): string[] {
  return bases.filter((b): b is string => !!b && W.isAbsolute(b)).map((b) => W.join(b, ...rest));
}

const programFiles = (r: DetectReaders) => [r.env['ProgramFiles'] ?? 'C:\\Program Files', r.env['ProgramFiles(x86)'] ?? 'C:\\Program Files (x86)'];

/** X server templates: Windows servers run windowed and quit after the session. */
const WINDOWS_XDMCP = [':{display}', '-query', '{vip}', '-once'];

/** The catalog. */
export const LAUNCHERS: readonly LauncherSpec[] = [
  {
    id: 'vcxsrv',
    name: 'VcXsrv',
    kind: 'xdmcp',
    platform: 'win32',
    // The VcXsrv installer writes HKLM\SOFTWARE\VcXsrv Install_Dir (32-bit builds) or Install_Dir_64 (64-bit builds).
    candidates: async (r) => [
      ...under([await reg(r, `${HKLM}\\SOFTWARE\\VcXsrv`, 'Install_Dir_64'), await reg(r, `${HKLM}\\SOFTWARE\\VcXsrv`, 'Install_Dir')], 'vcxsrv.exe'),
      ...under(programFiles(r), 'VcXsrv', 'vcxsrv.exe'),
    ],
    argsTemplate: WINDOWS_XDMCP,
  },
  {
    id: 'xming',
    name: 'Xming',
    kind: 'xdmcp',
    platform: 'win32',
    // Xming's Inno Setup installer records InstallLocation under the Uninstall key Xming_is1.
    candidates: async (r) => [
      ...under([await reg(r, `${UNINSTALL}\\Xming_is1`, 'InstallLocation'), await reg(r, `${UNINSTALL32}\\Xming_is1`, 'InstallLocation')], 'Xming.exe'),
      ...under(programFiles(r), 'Xming', 'Xming.exe'),
    ],
    argsTemplate: WINDOWS_XDMCP,
  },
  {
    id: 'cygwin-x',
    name: 'Cygwin/X (XWin)',
    kind: 'xdmcp',
    platform: 'win32',
    // Cygwin's setup.exe records its root in HKLM\SOFTWARE\Cygwin\setup rootdir.
    candidates: async (r) => [...under([await reg(r, `${HKLM}\\SOFTWARE\\Cygwin\\setup`, 'rootdir')], 'bin', 'XWin.exe'), 'C:\\cygwin64\\bin\\XWin.exe', 'C:\\cygwin\\bin\\XWin.exe'],
    argsTemplate: WINDOWS_XDMCP,
  },
  {
    id: 'x410',
    name: 'X410 (Microsoft Store)',
    kind: 'xdmcp',
    platform: 'win32',
    // A Store app is started through its app execution alias; X410 documents no XDMCP query option: template required.
    candidates: async (r) => under([r.env['LOCALAPPDATA']], 'Microsoft', 'WindowsApps', 'X410.exe'),
  },
  {
    id: 'mobaxterm-telnet',
    name: 'MobaXterm (telnet tab)',
    kind: 'telnet',
    platform: 'win32',
    candidates: async (r) => [
      ...under(programFiles(r), 'Mobatek', 'MobaXterm', 'MobaXterm.exe'),
      ...[await findOnPath('MobaXterm.exe', r)].filter((x): x is string => !!x),
    ],
    argsTemplate: ['-newtab', 'telnet {vip} {port}'],
  },
  {
    id: 'putty',
    name: 'PuTTY',
    kind: 'telnet',
    platform: 'win32',
    candidates: async (r) => [...under(programFiles(r), 'PuTTY', 'putty.exe'), ...[await findOnPath('putty.exe', r)].filter((x): x is string => !!x)],
    argsTemplate: ['-telnet', '{vip}', '-P', '{port}'],
  },
  {
    id: 'windows-telnet',
    name: 'Windows Telnet Client',
    kind: 'telnet',
    platform: 'win32',
    // Present only when the optional feature "Telnet Client" is enabled.
    candidates: async (r) => under([r.env['SystemRoot'] ?? r.env['windir'] ?? 'C:\\Windows'], 'System32', 'telnet.exe'),
    argsTemplate: ['{vip}', '{port}'],
  },
  {
    id: 'xephyr',
    name: 'Xephyr (nested X server)',
    kind: 'xdmcp',
    platform: 'linux',
    candidates: async (r) => [await findOnPath('Xephyr', r)].filter((x): x is string => !!x),
    argsTemplate: [':{display}', '-query', '{vip}', '-once', '-listen', 'tcp', '-screen', '1280x800'],
  },
  {
    id: 'xnest',
    name: 'Xnest (nested X server)',
    kind: 'xdmcp',
    platform: 'linux',
    candidates: async (r) => [await findOnPath('Xnest', r)].filter((x): x is string => !!x),
    argsTemplate: [':{display}', '-query', '{vip}', '-once', '-listen', 'tcp', '-geometry', '1280x800'],
  },
  {
    id: 'xvfb',
    name: 'Xvfb (headless, for screenshots and tests)',
    kind: 'xdmcp',
    platform: 'linux',
    candidates: async (r) => [await findOnPath('Xvfb', r)].filter((x): x is string => !!x),
    argsTemplate: [':{display}', '-query', '{vip}', '-once', '-listen', 'tcp', '-screen', '0', '1280x800x24'],
  },
  {
    id: 'putty-linux',
    name: 'PuTTY',
    kind: 'telnet',
    platform: 'linux',
    candidates: async (r) => [await findOnPath('putty', r)].filter((x): x is string => !!x),
    argsTemplate: ['-telnet', '{vip}', '-P', '{port}'],
  },
];

/**
 * Terminal emulators that can run the console telnet client on Linux (telnet itself needs a terminal). Debian's
 * x-terminal-emulator alternative and xterm both take `-e PROGRAM ARGS…`.
 */
export const LINUX_TERMINALS: ReadonlyArray<{ id: string; name: string; binary: string }> = [
  { id: 'x-terminal-emulator-telnet', name: 'telnet in the default terminal', binary: 'x-terminal-emulator' },
  { id: 'xterm-telnet', name: 'telnet in xterm', binary: 'xterm' },
];

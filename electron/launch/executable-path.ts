/** Validation of an executable path a user types in as an override. */
import path from 'node:path';
import type { LaunchPlatform } from './types.ts';

/** Why `p` cannot be used as an executable on `platform`, or undefined when it can (existence is checked separately). */
export function executablePathProblem(p: string, platform: LaunchPlatform): string | undefined {
  if (typeof p !== 'string' || p.length === 0) return 'path is empty';
  if (p.length > 1024) return 'path is longer than 1024 characters';
  if ([...p].some((c) => c.charCodeAt(0) < 0x20) || /["<>|*?]/.test(p)) return 'path contains a control character or one of " < > | * ?';
  const mod = platform === 'win32' ? path.win32 : path.posix;
  if (!mod.isAbsolute(p)) return 'path must be absolute';
  if (platform === 'win32') {
    if (/^\\\\/.test(p)) return 'network (UNC) paths are not allowed';
    // CreateProcess runs .exe directly; .bat/.cmd would go through cmd.exe (a shell), scripts through their hosts.
    if (!/\.exe$/i.test(p)) return 'on Windows the program must be an .exe (not .bat, .cmd, .ps1, .vbs, .js…)';
  }
  return undefined;
}

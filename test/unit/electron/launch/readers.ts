/** Fake DetectReaders for the launch tests: a set of existing files, a registry map and an environment. */
import type { DetectReaders, LaunchPlatform } from '../../../../electron/launch/types.ts';

/** Builds readers where exactly `files` exist and `registry` holds "KEY|value" → data. */
export function fakeReaders(platform: LaunchPlatform, files: string[], env: Record<string, string> = {}, registry: Record<string, string> = {}): DetectReaders & { lookups: string[] } {
  const set = new Set(files);
  const lookups: string[] = [];
  const r: DetectReaders & { lookups: string[] } = {
    platform,
    env,
    lookups,
    exists: (p) => set.has(p),
  };
  if (platform === 'win32') {
    r.registry = (key, value) => {
      lookups.push(`${key}|${value}`);
      return registry[`${key}|${value}`];
    };
  }
  return r;
}

/** A typical Windows environment. */
export const WIN_ENV = {
  ProgramFiles: 'C:\\Program Files',
  'ProgramFiles(x86)': 'C:\\Program Files (x86)',
  LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local',
  SystemRoot: 'C:\\Windows',
  PATH: 'C:\\Windows\\system32;C:\\Windows;"C:\\Tools\\bin";relative\\dir',
};

/**
 * Reads ~/.ssh/config (or a given file) with its Include directives (relative to ~/.ssh; `*` and `?` globs in the last
 * path segment) and parses it with ssh-config.ts. A missing file is an empty config.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { parseSshConfig, type SshConfig } from './ssh-config.ts';
import { wildcardMatch } from './known-hosts.ts';

/** ~/.ssh/config. */
export function userSshConfigPath(home: string = homedir()): string {
  return join(home, '.ssh', 'config');
}

/** Loads and parses an ssh config file; undefined-free: a missing file gives `{ blocks: [] }`-like empty config. */
export function loadSshConfig(path: string = userSshConfigPath(), home: string = homedir()): SshConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return parseSshConfig('', path);
    throw e;
  }
  const include = (pattern: string) => {
    const full = pattern.replace(/^~(?=\/|$)/, home);
    const abs = isAbsolute(full) ? full : join(home, '.ssh', full);
    const dir = dirname(abs);
    const leaf = basename(abs);
    let names: string[];
    if (/[*?]/.test(leaf)) {
      try {
        names = readdirSync(dir).filter((n) => wildcardMatch(leaf, n)).sort();
      } catch {
        names = [];
      }
    } else names = [leaf];
    const out: Array<{ source: string; text: string }> = [];
    for (const n of names) {
      try {
        out.push({ source: join(dir, n), text: readFileSync(join(dir, n), 'utf8') });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    return out;
  };
  return parseSshConfig(text, path, include);
}

/**
 * Finds the X servers and telnet clients installed on this desktop (catalog.ts), applies the user's overrides from
 * settings (path + template), and returns them in catalog order. Only launchers that can actually be spawned with a
 * known template are returned; everything skipped is explained in `problems`.
 */
import path from 'node:path';
import { LAUNCHERS, LINUX_TERMINALS } from './catalog.ts';
import { executablePathProblem } from './executable-path.ts';
import { templateProblems } from './template.ts';
import type { DetectReaders, Launcher, LauncherOverride } from './types.ts';
import { findOnPath } from './which.ts';

/** What detection found and why anything was left out. */
export interface DetectResult {
  launchers: Launcher[];
  problems: string[];
}

/** Detects launchers for `r.platform`, honouring `overrides` (keyed by launcher id). */
export async function detectLaunchers(r: DetectReaders, overrides: Readonly<Record<string, LauncherOverride>> = {}): Promise<DetectResult> {
  const launchers: Launcher[] = [];
  const problems: string[] = [];
  const known = new Set<string>();

  for (const spec of LAUNCHERS) {
    known.add(spec.id);
    if (spec.platform !== r.platform) continue;
    const o = overrides[spec.id];
    if (o) {
      const pathProblem = executablePathProblem(o.path, r.platform);
      const tplProblems = templateProblems(o.argsTemplate);
      if (pathProblem) problems.push(`${spec.name} override: ${pathProblem}`);
      else if (tplProblems.length) problems.push(`${spec.name} override: ${tplProblems.join('; ')}`);
      else if (!(await r.exists(o.path))) problems.push(`${spec.name} override: ${o.path} does not exist`);
      else {
        launchers.push({ id: spec.id, name: spec.name, kind: spec.kind, path: o.path, argsTemplate: [...o.argsTemplate] });
        continue;
      }
    }
    let found: string | undefined;
    for (const c of await spec.candidates(r)) {
      if (await r.exists(c)) {
        found = c;
        break;
      }
    }
    if (!found) continue;
    if (!spec.argsTemplate) {
      problems.push(`${spec.name} found at ${found}, but it has no command line to query a host: set an argument template for it in Settings`);
      continue;
    }
    launchers.push({ id: spec.id, name: spec.name, kind: spec.kind, path: found, argsTemplate: [...spec.argsTemplate] });
  }

  if (r.platform === 'linux') {
    const telnet = await findOnPath('telnet', r);
    for (const t of LINUX_TERMINALS) {
      known.add(t.id);
      const o = overrides[t.id];
      const term = o ? o.path : await findOnPath(t.binary, r);
      if (!term || !telnet) continue;
      if (o) {
        const p = executablePathProblem(o.path, 'linux') ?? templateProblems(o.argsTemplate)[0];
        if (p) {
          problems.push(`${t.name} override: ${p}`);
          continue;
        }
      }
      launchers.push({ id: t.id, name: t.name, kind: 'telnet', path: term, argsTemplate: o ? [...o.argsTemplate] : ['-e', telnet, '{vip}', '{port}'] });
    }
  }

  for (const id of Object.keys(overrides)) if (!known.has(id)) problems.push(`override "${id}": no such launcher (known: ${[...known].join(', ')})`);
  return { launchers, problems };
}

/** The display name of an executable for messages (file name only). */
export function programName(p: string): string {
  return /\\/.test(p) ? path.win32.basename(p) : path.posix.basename(p);
}

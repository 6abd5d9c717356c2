/** PATH lookup with injected readers (no shell, no `which` binary). */
import path from 'node:path';
import type { DetectReaders } from './types.ts';

/** The first PATH entry holding `name` (on Windows `name` should include .exe), or undefined. */
export async function findOnPath(name: string, r: Pick<DetectReaders, 'env' | 'exists' | 'platform'>): Promise<string | undefined> {
  const p = r.platform === 'win32' ? path.win32 : path.posix;
  const raw = r.env['PATH'] ?? r.env['Path'] ?? '';
  for (let dir of raw.split(r.platform === 'win32' ? ';' : ':')) {
    dir = dir.trim().replace(/^"(.*)"$/, '$1');
    if (!dir || !p.isAbsolute(dir)) continue; // relative PATH entries are a hijack risk
    const candidate = p.join(dir, name);
    if (await r.exists(candidate)) return candidate;
  }
  return undefined;
}

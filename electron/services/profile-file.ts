/**
 * Reads a cluster profile file (JSON, as `npm run lab:up` writes it and the app exports it) and validates it with the
 * cluster schema; every rejection names the file and the field.
 */
import { readFile } from 'node:fs/promises';
import { clusterSchema, describeIssues, type Cluster } from '../../shared/model/cluster.ts';
import { AppError } from '../../shared/result.ts';

/** Parses profile text (named `file` in errors). */
export function parseProfile(text: string, file: string): Cluster {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AppError('INVALID_INPUT', `${file}: not JSON (${e instanceof Error ? e.message : String(e)})`, { step: 'read profile' });
  }
  const r = clusterSchema.safeParse(json);
  if (!r.success) throw new AppError('INVALID_INPUT', `${file}: ${describeIssues(r.error).join('; ')}`, { step: 'read profile' });
  return r.data;
}

/** Reads and validates a profile file; NOT_FOUND when it does not exist. */
export async function loadProfile(file: string): Promise<Cluster> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', `${file}: no such profile file`, { step: 'read profile' });
    throw new AppError('INVALID_INPUT', `${file}: cannot read (${code ?? (e instanceof Error ? e.message : String(e))})`, { step: 'read profile' });
  }
  return parseProfile(text, file);
}

/**
 * Running one operation on several realservers at once: in parallel (at most PER_HOST_CONCURRENCY at a time), each
 * result kept per host, so one unreachable realserver never hides the others' answers.
 */
import type { Realserver } from '../../shared/model/cluster.ts';
import { AppError } from '../../shared/result.ts';
import { realserverName } from './cluster-context.ts';

/**
 * How many realservers one operation works on at once. Every realserver at once up to this many; beyond, the rest wait
 * for a free slot, so a cluster of hundreds does not open hundreds of SSH connections (often all through the director)
 * in one burst.
 */
export const PER_HOST_CONCURRENCY = 64;

/** Per-realserver result of a command over several realservers: the value, or the error as data. */
export type PerHost<T> = { name: string; ok: true; value: T } | { name: string; ok: false; error: AppError };

/** `f` over `items`, at most `limit` running at once; results in the order of `items` (a rejection rejects the whole). */
export async function mapLimit<I, T>(items: readonly I[], limit: number, f: (item: I, index: number) => Promise<T>): Promise<T[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`mapLimit: bad limit ${limit}`);
  const out = new Array<T>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Runs `f` for each realserver in parallel (PER_HOST_CONCURRENCY at a time); one failing realserver does not hide the others' results. */
export async function forEachRealserver<T>(rss: Realserver[], f: (rs: Realserver) => Promise<T>): Promise<PerHost<T>[]> {
  return mapLimit(rss, PER_HOST_CONCURRENCY, async (rs): Promise<PerHost<T>> => {
    const name = realserverName(rs);
    try {
      return { name, ok: true, value: await f(rs) };
    } catch (e) {
      const err = e instanceof AppError ? e : new AppError('INTERNAL', `${name}: ${e instanceof Error ? e.message : String(e)}`, { host: name, cause: e });
      return { name, ok: false, error: err };
    }
  });
}

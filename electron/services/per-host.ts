/**
 * Running one operation on several realservers at once: in parallel, each result kept per host, so one unreachable
 * realserver never hides the others' answers.
 */
import type { Realserver } from '../../shared/model/cluster.ts';
import { AppError } from '../../shared/result.ts';
import { realserverName } from './cluster-context.ts';

/** Per-realserver result of a command over several realservers: the value, or the error as data. */
export type PerHost<T> = { name: string; ok: true; value: T } | { name: string; ok: false; error: AppError };

/** Runs `f` for each realserver in parallel; one failing realserver does not hide the others' results. */
export async function forEachRealserver<T>(rss: Realserver[], f: (rs: Realserver) => Promise<T>): Promise<PerHost<T>[]> {
  return Promise.all(
    rss.map(async (rs): Promise<PerHost<T>> => {
      const name = realserverName(rs);
      try {
        return { name, ok: true, value: await f(rs) };
      } catch (e) {
        const err = e instanceof AppError ? e : new AppError('INTERNAL', `${name}: ${e instanceof Error ? e.message : String(e)}`, { host: name, cause: e });
        return { name, ok: false, error: err };
      }
    }),
  );
}


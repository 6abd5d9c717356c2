/** Waiting helpers for the lab tests (real hosts change state in their own time). */

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `f` every `everyMs` until it returns a truthy value (returned) or `ms` pass (undefined). */
export async function until<T>(ms: number, everyMs: number, f: () => Promise<T> | T): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) return undefined;
    await sleep(everyMs);
  }
}

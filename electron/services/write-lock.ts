/**
 * The per-cluster write lock: an async mutex. Every change to a cluster's director or profile (verbs, edits,
 * reconcile, the drain follow-up, config pushes, install) runs inside it, one at a time, in arrival order; reads
 * (observe, status, preview) never take it.
 */

/** An async mutex: `run(fn)` waits for every earlier holder, then runs fn alone. */
export class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();
  private holders = 0;
  private current: string | undefined;

  /** What holds the lock now (for messages), or undefined when it is free. */
  get holder(): string | undefined {
    return this.current;
  }

  /** True while something holds or waits for the lock. */
  get busy(): boolean {
    return this.holders > 0;
  }

  /** Runs `fn` once every earlier holder is done; `what` names it while it holds the lock. */
  run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.holders++;
    const result = this.tail.then(async () => {
      this.current = what;
      try {
        return await fn();
      } finally {
        this.current = undefined;
        this.holders--;
      }
    });
    // The next holder waits for this one to end, whether it succeeded or not.
    this.tail = result.catch(() => undefined);
    return result;
  }
}

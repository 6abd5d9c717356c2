/** Picks a free X display number for the X server Connect me starts. */

/** The first display in [from, to] that `isTaken` says is free; throws when none is. */
export async function pickDisplay(isTaken: (n: number) => boolean | Promise<boolean>, from = 1, to = 63): Promise<number> {
  for (let n = from; n <= to; n++) if (!(await isTaken(n))) return n;
  throw new Error(`no free X display number between :${from} and :${to}`);
}

/** Linux: a display is taken when its lock file or its socket exists (what the X server itself checks). */
export function linuxDisplayTaken(exists: (path: string) => boolean | Promise<boolean>): (n: number) => Promise<boolean> {
  return async (n) => (await exists(`/tmp/.X${n}-lock`)) || (await exists(`/tmp/.X11-unix/X${n}`));
}

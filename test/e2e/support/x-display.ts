/**
 * Screenshots of a local X display for the e2e: waits until the display answers (xdpyinfo), then saves `import -window
 * root` shots until one is not blank (ImageMagick's standard deviation of the pixels above a threshold: a black, never
 * drawn Xvfb screen is 0; xdm's greeter is well above it).
 */
import { spawnSync } from 'node:child_process';

/** Standard deviation (0…1) of a picture's pixels, by ImageMagick. */
export function pictureDeviation(file: string): number {
  const r = spawnSync('convert', [file, '-format', '%[fx:standard_deviation]', 'info:'], { encoding: 'utf8' });
  const v = Number(r.stdout.trim());
  if (r.status !== 0 || !Number.isFinite(v)) throw new Error(`convert ${file} -format %[fx:standard_deviation] failed: ${r.stderr || r.stdout}`);
  return v;
}

/** What waitForDrawnScreen saw. */
export interface ScreenShot {
  file: string;
  deviation: number;
  /** Seconds from the call until the display answered / until the shot was not blank. */
  answeredAfterS: number;
  drawnAfterS: number;
  width: number;
  height: number;
}

/** Polls display :n until a root-window screenshot saved to `file` has deviation > threshold; throws after timeoutMs. */
export async function waitForDrawnScreen(display: number, file: string, opts: { timeoutMs: number; threshold?: number; everyMs?: number }): Promise<ScreenShot> {
  const t0 = Date.now();
  const threshold = opts.threshold ?? 0.02;
  const every = opts.everyMs ?? 2000;
  let answeredAfterS: number | undefined;
  let last = '';
  let dims = { width: 0, height: 0 };
  while (Date.now() - t0 < opts.timeoutMs) {
    const info = spawnSync('xdpyinfo', ['-display', `:${display}`], { encoding: 'utf8', timeout: 20_000 });
    if (info.status === 0) {
      answeredAfterS ??= (Date.now() - t0) / 1000;
      // "  dimensions:    1280x800 pixels (338x211 millimeters)"
      const m = /dimensions:\s+(\d+)x(\d+) pixels/.exec(info.stdout);
      if (m) dims = { width: Number(m[1]), height: Number(m[2]) };
      const shot = spawnSync('import', ['-display', `:${display}`, '-window', 'root', file], { encoding: 'utf8', timeout: 30_000 });
      if (shot.status === 0) {
        const deviation = pictureDeviation(file);
        last = `deviation ${deviation}`;
        if (deviation > threshold) return { file, deviation, answeredAfterS, drawnAfterS: (Date.now() - t0) / 1000, ...dims };
      } else last = `import: ${shot.stderr.trim()}`;
    } else last = `xdpyinfo: ${(info.stderr || '').trim()}`;
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`display :${display} showed nothing drawn within ${opts.timeoutMs / 1000} s (last: ${last})`);
}

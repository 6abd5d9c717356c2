/** The main window's bounds between runs, plus the pure rule that keeps a restored window on a visible display. */
import type { DocAccess } from './doc-access.ts';
import { windowStateSchema } from './store-document.ts';
import type { WindowBounds, WindowState, WindowStateStore } from './types.ts';

/** A WindowStateStore over the document (a stored value that does not validate reads as undefined). */
export function createWindowStateStore(doc: DocAccess): WindowStateStore {
  return {
    get() {
      const r = windowStateSchema.safeParse(doc.read().windowState);
      return r.success ? r.data : undefined;
    },
    set(state) {
      const s = windowStateSchema.parse(state);
      doc.update((d) => {
        d.windowState = s;
      });
    },
  };
}

/** The smallest window the app opens at. */
export const MIN_WINDOW = { width: 900, height: 600 } as const;
/** The size a first run opens at (shrunk to the display). */
export const DEFAULT_WINDOW = { width: 1280, height: 800 } as const;

function overlap(a: WindowBounds, b: WindowBounds): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Where to open the window: the saved bounds when at least a 100×50 px piece of them is on some display's work area
 * (shrunk to fit that display), otherwise DEFAULT_WINDOW centred on the primary display (the first work area).
 */
export function fitToDisplays(saved: WindowState | undefined, workAreas: WindowBounds[]): WindowState {
  const primary = workAreas[0] ?? { x: 0, y: 0, width: DEFAULT_WINDOW.width, height: DEFAULT_WINDOW.height };
  if (saved) {
    let best: WindowBounds | undefined;
    let bestArea = 0;
    for (const wa of workAreas) {
      const o = overlap(saved.bounds, wa);
      if (o > bestArea) {
        bestArea = o;
        best = wa;
      }
    }
    if (best && bestArea >= 100 * 50) {
      const width = Math.max(Math.min(saved.bounds.width, best.width), Math.min(MIN_WINDOW.width, best.width));
      const height = Math.max(Math.min(saved.bounds.height, best.height), Math.min(MIN_WINDOW.height, best.height));
      const x = Math.min(Math.max(saved.bounds.x, best.x), best.x + best.width - width);
      const y = Math.min(Math.max(saved.bounds.y, best.y), best.y + best.height - height);
      return { bounds: { x, y, width, height }, maximized: saved.maximized };
    }
  }
  const width = Math.min(DEFAULT_WINDOW.width, primary.width);
  const height = Math.min(DEFAULT_WINDOW.height, primary.height);
  return {
    bounds: { x: primary.x + Math.round((primary.width - width) / 2), y: primary.y + Math.round((primary.height - height) / 2), width, height },
    maximized: false,
  };
}

import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW, fitToDisplays } from '../../../../electron/store/window-state-store.ts';

const primary = { x: 0, y: 0, width: 1920, height: 1040 };
const right = { x: 1920, y: 0, width: 1280, height: 984 };

describe('fitToDisplays', () => {
  it('centres the default size on the primary display on first run', () => {
    expect(fitToDisplays(undefined, [primary])).toEqual({
      bounds: { x: (1920 - DEFAULT_WINDOW.width) / 2, y: (1040 - DEFAULT_WINDOW.height) / 2, width: DEFAULT_WINDOW.width, height: DEFAULT_WINDOW.height },
      maximized: false,
    });
  });

  it('restores saved bounds on the display they were on', () => {
    const saved = { bounds: { x: 2000, y: 50, width: 1000, height: 700 }, maximized: true };
    expect(fitToDisplays(saved, [primary, right])).toEqual(saved);
  });

  it('moves a window from an unplugged monitor back to the primary display', () => {
    const saved = { bounds: { x: 4000, y: 50, width: 1000, height: 700 }, maximized: false };
    expect(fitToDisplays(saved, [primary]).bounds.x).toBe((1920 - DEFAULT_WINDOW.width) / 2);
  });

  it('pulls a half-visible window fully onto its display and shrinks it to fit', () => {
    const saved = { bounds: { x: 1700, y: -30, width: 2500, height: 1200 }, maximized: false };
    const r = fitToDisplays(saved, [primary, right]);
    expect(r.bounds).toEqual({ x: 1920, y: 0, width: 1280, height: 984 });
  });
});

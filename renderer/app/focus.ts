/**
 * Keyboard focus that lands somewhere sensible after the UI changes under it: a button disabled while its action runs
 * (and the dialog it opened, on Escape) would otherwise drop focus onto the page body.
 */
import { useCallback, useRef } from 'react';

/** Focuses `target` (an element, or a selector) as soon as it exists and is enabled, trying for a few frames. */
export function focusWhenReady(target: HTMLElement | string | null | undefined, frames = 30): void {
  if (!target) return;
  requestAnimationFrame(() => {
    const el = typeof target === 'string' ? document.querySelector<HTMLElement>(target) : target;
    const usable = el && el.isConnected && !(el as HTMLButtonElement).disabled && !el.closest('[inert]');
    if (usable) el.focus();
    else if (frames > 0) focusWhenReady(target, frames - 1);
  });
}

/** Remembers what opened something (the focused element) and puts focus back on it later. */
export function useOpener(): { remember(): void; restore(): void } {
  const opener = useRef<HTMLElement | null>(null);
  const remember = useCallback(() => {
    const a = document.activeElement;
    if (a instanceof HTMLElement && a !== document.body) opener.current = a;
  }, []);
  const restore = useCallback(() => focusWhenReady(opener.current), []);
  return { remember, restore };
}

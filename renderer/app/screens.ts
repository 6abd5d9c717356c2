/** The main navigation: screens, their hash routes and their keyboard shortcuts (Alt+1 … Alt+7). */

/** A screen id. */
export type ScreenId = 'clusters' | 'director' | 'realservers' | 'charts' | 'connect' | 'log' | 'diagnose';

/** Screens in navigation order; `key` is the Alt+digit shortcut. */
export const SCREENS: readonly { id: ScreenId; label: string; key: string }[] = [
  { id: 'clusters', label: 'Clusters', key: '1' },
  { id: 'director', label: 'Director', key: '2' },
  { id: 'realservers', label: 'Realservers', key: '3' },
  { id: 'charts', label: 'Charts', key: '4' },
  { id: 'connect', label: 'Connect me', key: '5' },
  { id: 'log', label: 'Log', key: '6' },
  { id: 'diagnose', label: 'Diagnose', key: '7' },
];

/** The screen a location hash (#/director) names, or clusters. */
export function screenFromHash(hash: string): ScreenId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return SCREENS.find((s) => s.id === id)?.id ?? 'clusters';
}

/** The screen an Alt+digit key event asks for, if any. */
export function screenForShortcut(e: { altKey: boolean; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; key: string; code?: string }): ScreenId | undefined {
  if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return undefined;
  // e.code keeps Alt+digit working on layouts where Alt changes the produced character.
  const digit = e.code?.startsWith('Digit') ? e.code.slice(5) : e.key;
  return SCREENS.find((s) => s.key === digit)?.id;
}

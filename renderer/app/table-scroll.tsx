/**
 * A box a wide table scrolls in, so the page itself never scrolls sideways (800×600 desktops). A box whose table has
 * no control of its own is a tab stop (keyboard users scroll it with the arrow keys) and is named for screen readers.
 */
import type { ReactNode } from 'react';

/** The scroll box. `label` names it; `focusable` when the table holds no buttons or links to reach it by. */
export function TableScroll({ label, focusable = false, children }: { label: string; focusable?: boolean; children: ReactNode }) {
  return focusable ? (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  ) : (
    <div className="table-scroll">{children}</div>
  );
}

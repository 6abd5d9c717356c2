/**
 * Asks before leaving a screen with unsaved changes. A form says it is dirty with useUnsavedChanges(what); every way
 * to another screen (the sidebar, Alt+1…6, a link inside a page, the browser's back button) goes through the guard,
 * which keeps the user where they are until they choose "Discard changes" in its dialog. Closing the browser tab asks
 * through the browser's own prompt (not in Electron, whose window would then refuse to close without a word).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Dialog } from './dialog.tsx';

interface Guard {
  /** Runs `leave` now, or after the user confirmed discarding the unsaved changes. */
  attempt(leave: () => void): void;
  /** True while some form has unsaved changes. */
  dirty(): boolean;
  set(what: string | undefined): void;
}

const Ctx = createContext<Guard | null>(null);

/** The guard (inside LeaveGuardProvider). */
export function useLeaveGuard(): Guard {
  const g = useContext(Ctx);
  if (!g) throw new Error('useLeaveGuard outside LeaveGuardProvider');
  return g;
}

/** Marks the calling screen as holding unsaved changes (`what` names them) while `dirty` is true. */
export function useUnsavedChanges(dirty: boolean, what: string): void {
  const g = useLeaveGuard();
  useEffect(() => {
    g.set(dirty ? what : undefined);
    return () => g.set(undefined);
  }, [g, dirty, what]);
}

/** Provides the guard and its dialog. `browserPrompt`: ask through beforeunload too (the web host's tab). */
export function LeaveGuardProvider({ children, browserPrompt }: { children: ReactNode; browserPrompt: boolean }) {
  const what = useRef<string | undefined>(undefined);
  const [asking, setAsking] = useState<{ what: string; leave: () => void; opener: Element | null }>();

  const guard = useMemo<Guard>(
    () => ({
      attempt(leave) {
        if (!what.current) return leave();
        setAsking({ what: what.current, leave, opener: document.activeElement });
      },
      dirty: () => what.current !== undefined,
      set(w) {
        what.current = w;
      },
    }),
    [],
  );

  useEffect(() => {
    if (!browserPrompt) return;
    const onUnload = (e: BeforeUnloadEvent) => {
      if (!what.current) return;
      e.preventDefault();
      e.returnValue = '';
    };
    addEventListener('beforeunload', onUnload);
    return () => removeEventListener('beforeunload', onUnload);
  }, [browserPrompt]);

  const stay = useCallback(() => {
    const opener = asking?.opener;
    setAsking(undefined);
    // Back where the user was (the field they were editing), not the page body.
    if (opener instanceof HTMLElement && opener.isConnected) requestAnimationFrame(() => opener.focus());
  }, [asking]);

  return (
    <Ctx.Provider value={guard}>
      {children}
      <Dialog
        open={asking !== undefined}
        tone="danger"
        title="Leave without saving?"
        onClose={stay}
        actions={
          <>
            <button type="button" onClick={stay} autoFocus>
              Stay and keep editing
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => {
                const leave = asking?.leave;
                what.current = undefined;
                setAsking(undefined);
                leave?.();
              }}
            >
              Discard changes
            </button>
          </>
        }
      >
        <p>{asking?.what} has changes that are not saved. Leaving discards them.</p>
      </Dialog>
    </Ctx.Provider>
  );
}

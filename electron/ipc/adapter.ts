/**
 * The ipcMain side of the contract: one handler on INVOKE_CHANNEL that checks the sender frame (Electron's own check),
 * then hands the call to THE dispatch (ipc/dispatch.ts: contract method, input.parse → handler → output.parse, errors as
 * data), the same one the web host uses.
 */
import { METHOD_NAMES, type ApiHandlers } from '../../shared/api/contract.ts';
import type { Result } from '../../shared/result.ts';
import { INVOKE_CHANNEL } from './channels.ts';
import { dispatch, isMethod } from './dispatch.ts';

/** The frame that sent an IPC message (Electron's WebFrameMain, duck-typed). */
export interface SenderFrame {
  readonly url: string;
  readonly parent?: SenderFrame | null;
}

/** The part of an IpcMainInvokeEvent the adapter reads. */
export interface InvokeEvent {
  /** null when the frame navigated away or was destroyed before the message was handled. */
  readonly senderFrame: SenderFrame | null;
}

/** The part of Electron's ipcMain the adapter uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** Options for registerIpc. */
export interface RegisterIpcOptions {
  /** True when the frame is one of the app's own pages (see security/trusted-origins.ts). */
  isTrustedSender(frame: SenderFrame): boolean;
  /** Told about refused calls (untrusted sender, unknown method); gets no input values, only names. */
  log?(message: string): void;
}

/**
 * Registers the contract on ipcMain. Throws at startup if a method has no handler. Returns a function that removes it.
 * Calls from frames that are not the app's own (or from subframes) are refused without running anything.
 */
export function registerIpc(ipcMain: IpcMainLike, handlers: ApiHandlers, opts: RegisterIpcOptions): () => void {
  const missing = METHOD_NAMES.filter((m) => typeof (handlers as Record<string, unknown>)[m] !== 'function');
  if (missing.length) throw new Error(`registerIpc: no handler for ${missing.join(', ')}`);
  ipcMain.handle(INVOKE_CHANNEL, async (event, method, input) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent || !opts.isTrustedSender(frame)) {
      opts.log?.(`IPC ${typeof method === 'string' ? method.slice(0, 64) : '?'} refused: sender ${frame ? frame.url.slice(0, 200) : '(gone)'} is not the app`);
      return { ok: false, error: { code: 'UNSUPPORTED', message: 'refused: the calling page is not part of the app' } } satisfies Result<never>;
    }
    const result = await dispatch(handlers, method, input);
    if (!result.ok && result.error.code === 'INVALID_INPUT' && !isMethod(method)) opts.log?.(result.error.message);
    return result;
  });
  return () => ipcMain.removeHandler(INVOKE_CHANNEL);
}

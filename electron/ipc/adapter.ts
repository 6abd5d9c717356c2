/**
 * The ipcMain side of the contract: one handler on INVOKE_CHANNEL that checks the sender frame, looks the method up in
 * shared/api/contract.ts, parses the input with its zod schema, calls the service, parses the output, and returns
 * `{ok: true, value} | {ok: false, error}`. Errors cross as data (AppErrorData), never as thrown objects or stack traces.
 */
import { z } from 'zod';
import { METHOD_NAMES, methods, type ApiHandlers, type MethodName } from '../../shared/api/contract.ts';
import { toErrorData, type AppErrorData, type Result } from '../../shared/result.ts';
import { INVOKE_CHANNEL } from './channels.ts';

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

const METHOD_SET: ReadonlySet<string> = new Set(METHOD_NAMES);

/** Formats zod issues as "field.path: message" so a rejection names the field. */
function describeZod(prefix: string, e: z.ZodError): string {
  return e.issues.map((i) => `${prefix}${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`).join('; ');
}

/** Makes an error safe to structured-clone across IPC (detail dropped when it is not plain JSON). */
function cloneSafe(error: AppErrorData): AppErrorData {
  const out: AppErrorData = { code: error.code, message: error.message };
  if (error.host !== undefined) out.host = error.host;
  if (error.step !== undefined) out.step = error.step;
  if (error.detail !== undefined) {
    try {
      out.detail = JSON.parse(JSON.stringify(error.detail)) as unknown;
    } catch {
      // detail was not plain data; the message still says what happened
    }
  }
  return out;
}

/**
 * Validates and runs one call. Exported for the adapter's tests and for any other transport that wants the same rules
 * (the web host does its own Origin/token check, then may call this with a trusted frame).
 */
export async function dispatch(handlers: ApiHandlers, method: unknown, input: unknown): Promise<Result<unknown>> {
  if (typeof method !== 'string' || !METHOD_SET.has(method)) {
    return { ok: false, error: { code: 'INVALID_INPUT', message: `unknown method ${JSON.stringify(String(method)).slice(0, 80)}` } };
  }
  const name = method as MethodName;
  const spec = methods[name];
  const parsed = spec.input.safeParse(input ?? {});
  if (!parsed.success) return { ok: false, error: { code: 'INVALID_INPUT', message: `${name}: ${describeZod('', parsed.error)}` } };
  let value: unknown;
  try {
    const handler = handlers[name] as (input: unknown) => Promise<unknown>;
    value = await handler(parsed.data);
  } catch (e) {
    return { ok: false, error: cloneSafe(toErrorData(e)) };
  }
  const out = spec.output.safeParse(value);
  if (!out.success) {
    return { ok: false, error: { code: 'INTERNAL', message: `${name} returned data that does not match the contract (${describeZod('output.', out.error)})` } };
  }
  return { ok: true, value: out.data };
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
    if (!result.ok && result.error.code === 'INVALID_INPUT' && !METHOD_SET.has(String(method))) opts.log?.(result.error.message);
    return result;
  });
  return () => ipcMain.removeHandler(INVOKE_CHANNEL);
}

/**
 * One web-host call frame: parses the frame ({id, method, input}), then hands the call to THE dispatch (ipc/dispatch.ts:
 * contract method, input.parse → handler → output.parse, errors as data), the same one Electron's IPC uses. The web
 * host has already checked the caller (Origin, Host and token) when the socket was opened.
 */
import type { ApiHandlers } from '../../shared/api/contract.ts';
import { requestFrameSchema, type ResponseFrame } from '../../shared/api/web-wire.ts';
import { describeIssues } from '../../shared/result.ts';
import { dispatch } from '../ipc/dispatch.ts';

/** Handles one text frame from a page; returns the answer, or undefined when the frame has no usable id. */
export async function dispatchFrame(handlers: ApiHandlers, raw: string): Promise<ResponseFrame | undefined> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const frame = requestFrameSchema.safeParse(json);
  if (!frame.success) {
    const id = (json as { id?: unknown } | null)?.id;
    if (typeof id !== 'number') return undefined;
    return { id, result: { ok: false, error: { code: 'INVALID_INPUT', message: `malformed call frame: ${describeIssues(frame.error, '(frame)').join('; ')}` } } };
  }
  const { id, method, input } = frame.data;
  return { id, result: await dispatch(handlers, method, input) };
}

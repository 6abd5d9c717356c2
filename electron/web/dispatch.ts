/**
 * One web-host call: parses the frame, checks the method is in the contract, parses the input with the method's zod
 * schema, runs the handler and returns its Result as a response frame. Errors become data via toErrorData.
 */
import { methods, type ApiHandlers, type MethodName } from '../../shared/api/contract.ts';
import { requestFrameSchema, type ResponseFrame } from '../../shared/api/web-wire.ts';
import { toErrorData } from '../../shared/result.ts';

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
    return { id, result: { ok: false, error: { code: 'INVALID_INPUT', message: `malformed call frame: ${frame.error.issues.map((i) => `${i.path.join('.') || '(frame)'}: ${i.message}`).join('; ')}` } } };
  }
  const { id, method, input } = frame.data;
  if (!Object.hasOwn(methods, method)) {
    return { id, result: { ok: false, error: { code: 'INVALID_INPUT', message: `unknown method ${JSON.stringify(method)}` } } };
  }
  const m = method as MethodName;
  const parsed = methods[m].input.safeParse(input);
  if (!parsed.success) return { id, result: { ok: false, error: { ...toErrorData(parsed.error), step: m } } };
  try {
    const handler = handlers[m] as (i: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    return { id, result: { ok: true, value } };
  } catch (e) {
    return { id, result: { ok: false, error: toErrorData(e) } };
  }
}

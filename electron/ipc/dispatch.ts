/**
 * THE dispatch of one contract call, shared by both transports (Electron IPC: ipc/adapter.ts; the web host:
 * web/dispatch.ts), which each check their own caller first (sender frame / Origin + token). Here: the method must be
 * in shared/api/contract.ts, the input is parsed with its zod schema, the handler runs, its output is parsed with the
 * output schema, and the answer is `{ok: true, value} | {ok: false, error}`: errors cross as plain data (AppErrorData),
 * never as thrown objects or stack traces.
 */
import { METHOD_NAMES, methods, type ApiHandlers, type MethodName } from '../../shared/api/contract.ts';
import { describeIssues, toErrorData, type AppErrorData, type Result } from '../../shared/result.ts';

const METHOD_SET: ReadonlySet<string> = new Set(METHOD_NAMES);

/** True when `method` is a contract method name. */
export function isMethod(method: unknown): method is MethodName {
  return typeof method === 'string' && METHOD_SET.has(method);
}

/** An error made safe to structured-clone or JSON-encode (detail dropped when it is not plain JSON). */
export function plainError(error: AppErrorData): AppErrorData {
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

/** Validates and runs one call: input.parse → handler → output.parse, errors as data. */
export async function dispatch(handlers: ApiHandlers, method: unknown, input: unknown): Promise<Result<unknown>> {
  if (!isMethod(method)) return { ok: false, error: { code: 'INVALID_INPUT', message: `unknown method ${JSON.stringify(String(method)).slice(0, 80)}` } };
  const spec = methods[method];
  const parsed = spec.input.safeParse(input ?? {});
  if (!parsed.success) return { ok: false, error: { code: 'INVALID_INPUT', message: `${method}: ${describeIssues(parsed.error).join('; ')}`, step: method } };
  let value: unknown;
  try {
    const handler = handlers[method] as (input: unknown) => Promise<unknown>;
    value = await handler(parsed.data);
  } catch (e) {
    return { ok: false, error: plainError(toErrorData(e)) };
  }
  const out = spec.output.safeParse(value);
  if (!out.success) {
    return { ok: false, error: { code: 'INTERNAL', message: `${method} returned data that does not match the contract (${describeIssues(out.error, '(output)').map((l) => `output.${l}`).join('; ')})` } };
  }
  return { ok: true, value: out.data };
}

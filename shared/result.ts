import { z } from 'zod';

/** Error codes that cross every boundary (IPC, web host, CLI --json). */
export const ERROR_CODES = [
  'INVALID_INPUT', // bad argument or file content; message names the field or file:line:col
  'PARSE_ERROR', // remote output or a file we could not understand
  'HOST_KEY_UNKNOWN', // not trusted yet; fingerprint in message
  'HOST_KEY_CHANGED', // hard stop, no override
  'AUTH_FAILED',
  'CONNECT_FAILED',
  'TIMEOUT',
  'CANCELLED',
  'COMMAND_FAILED', // a remote command exited with a code the caller did not accept
  'NOT_FOUND', // e.g. ipvsadm not installed, profile missing
  'APPLY_FAILED', // apply failed and the snapshot was restored
  'ROLLBACK_FAILED', // apply failed and restoring failed too: table state unknown, loud
  'PLAN_STALE', // the director or the profile changed since the preview the user confirmed: nothing ran; detail.preview is a fresh one
  'UNSUPPORTED',
  'INTERNAL',
] as const;
/** One of ERROR_CODES. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error as data: what, where (host) and at which step. */
export const appErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  host: z.string().optional(),
  step: z.string().optional(),
  detail: z.unknown().optional(),
});
export type AppErrorData = z.infer<typeof appErrorSchema>;

/** `{ok: true, value} | {ok: false, error}`: how results cross IPC and the web host. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorData };

/** A thrown error that carries an ErrorCode, the host and the step (e.g. "director 10.0.0.1: ipvsadm not found"). */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly host?: string;
  readonly step?: string;
  readonly detail?: unknown;
  constructor(code: ErrorCode, message: string, opts: { host?: string; step?: string; detail?: unknown; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'AppError';
    this.code = code;
    this.host = opts.host;
    this.step = opts.step;
    this.detail = opts.detail;
  }
  /** The error as plain data for the wire. */
  toData(): AppErrorData {
    return { code: this.code, message: this.message, host: this.host, step: this.step, detail: this.detail };
  }
}

/** Names a field by its path in messages. The default is the path itself ("realservers.0.host"). */
export type PathLabel = (path: readonly PropertyKey[]) => string;

/** The default PathLabel: the path joined with dots. */
export const pathText: PathLabel = (path) => path.map(String).join('.');

/**
 * One issue's message. An issue about a duplicate names the other field in `params.also` (a path), which `label` turns
 * into words ("(also realservers.0)", the form's "(also Realserver 1)", a file's "(also at 7:7)").
 */
export function issueMessage(issue: z.core.$ZodIssue, label: PathLabel = pathText): string {
  const also = (issue as { params?: { also?: unknown } }).params?.also;
  return Array.isArray(also) ? `${issue.message} (also ${label(also as PropertyKey[])})` : issue.message;
}

/**
 * THE zod-issue formatter: one "field: message" line per issue, so every rejection names the field and why. `root`
 * names what an issue without a path is about ("(input)", "(profile)", "(document)"); `label` names fields (default:
 * their path, "realservers.0.host"; the profile form says "Realserver 1: host").
 */
export function describeIssues(error: z.ZodError, root = '(input)', label: PathLabel = pathText): string[] {
  return error.issues.map((i) => `${i.path.length ? label(i.path) : root}: ${issueMessage(i, label)}`);
}

/** Turns anything thrown into AppErrorData (unknown errors become INTERNAL without leaking stack traces). */
export function toErrorData(e: unknown): AppErrorData {
  if (e instanceof AppError) return e.toData();
  if (e instanceof z.ZodError) return { code: 'INVALID_INPUT', message: describeIssues(e).join('; ') };
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

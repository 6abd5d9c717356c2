/**
 * The web host's wire format: the IPC contract carried as JSON frames over one WebSocket at WEB_API_PATH on 127.0.0.1.
 * Client → host: {id, method, input}. Host → client: {id, result} (result is a Result) or {event, payload}.
 * The access token travels in the upgrade URL's query (?token=…); the page gets it from its own URL fragment (#token=…).
 */
import { z } from 'zod';
import type { Result } from '../result.ts';

/** Path of the WebSocket endpoint. */
export const WEB_API_PATH = '/api';
/** Query parameter (upgrade URL) and fragment key (page URL) that carry the access token. */
export const WEB_TOKEN_PARAM = 'token';
/** Largest frame the host accepts (clusters.importConf text is ≤ 1 MB). */
export const WEB_MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** A call from the page. */
export const requestFrameSchema = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().min(1).max(64),
  input: z.unknown(),
}).strict();
/** A call from the page (parsed). */
export type RequestFrame = z.infer<typeof requestFrameSchema>;
/** The answer to one call. */
export interface ResponseFrame {
  id: number;
  result: Result<unknown>;
}
/** An event pushed to every connected page. */
export interface EventFrame {
  event: string;
  payload: unknown;
}

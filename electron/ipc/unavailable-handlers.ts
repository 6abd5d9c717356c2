/** ApiHandlers that answer every method with UNSUPPORTED: used when the services module is not part of this build. */
import { METHOD_NAMES, type ApiHandlers } from '../../shared/api/contract.ts';
import { AppError } from '../../shared/result.ts';

/** Handlers that all fail with `reason`, so the window still opens and says why nothing works. */
export function unavailableHandlers(reason: string): ApiHandlers {
  const out: Record<string, () => Promise<never>> = {};
  for (const m of METHOD_NAMES) out[m] = () => Promise.reject(new AppError('UNSUPPORTED', `${m}: ${reason}`));
  return out as unknown as ApiHandlers;
}

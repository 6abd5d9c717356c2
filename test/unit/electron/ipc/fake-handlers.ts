/** ApiHandlers for tests: every method throws UNSUPPORTED unless the test overrides it. */
import { METHOD_NAMES, type ApiHandlers } from '../../../../shared/api/contract.ts';
import { AppError } from '../../../../shared/result.ts';

/** Builds a complete ApiHandlers with the given overrides. */
export function fakeHandlers(overrides: Partial<ApiHandlers> = {}): ApiHandlers {
  const all: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const m of METHOD_NAMES) all[m] = async () => { throw new AppError('UNSUPPORTED', `${m} not faked`); };
  return { ...(all as unknown as ApiHandlers), ...overrides };
}

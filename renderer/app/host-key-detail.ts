import { methods, type MethodInput } from '../../shared/api/contract.ts';
import type { AppErrorData } from '../../shared/result.ts';

/** The detail a HOST_KEY_UNKNOWN error carries (the hostKeys.trust input). */
export type HostKeyDetail = MethodInput<'hostKeys.trust'>;

/** Reads a HOST_KEY_UNKNOWN error's detail, or undefined when it is missing or malformed. */
export function hostKeyDetail(e: AppErrorData): HostKeyDetail | undefined {
  if (e.code !== 'HOST_KEY_UNKNOWN') return undefined;
  const p = methods['hostKeys.trust'].input.safeParse(e.detail);
  return p.success ? p.data : undefined;
}

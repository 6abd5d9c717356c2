/** Validation of secret references (the same rule as the profile schema's secretRef). */
import { secretRefSchema } from '../../shared/model/cluster.ts';
import { AppError } from '../../shared/result.ts';

/** Throws INVALID_INPUT unless `ref` is a valid secret reference. */
export function assertSecretRef(ref: string): void {
  if (!secretRefSchema.safeParse(ref).success) throw new AppError('INVALID_INPUT', `ref: secret reference must be 1–128 of A-Z a-z 0-9 _ . : -`);
}

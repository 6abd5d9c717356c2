/** How many consecutive results flip a realserver's state, so one lost ping doesn't pull it from the table. */
export interface HysteresisPolicy {
  downAfter: number;
  upAfter: number;
}

/** The tracked state of one realserver. */
export interface HealthState {
  state: 'up' | 'down' | 'unknown';
  streak: number;
}

/** The default: out after 2 failed probes in a row, back after 2 good ones (first result decides at once). */
export const DEFAULT_HYSTERESIS: HysteresisPolicy = { downAfter: 2, upAfter: 2 };

/** Folds one probe result into the state. Unknown → the first result decides at once (as the seed's cron does). */
export function nextHealth(prev: HealthState | undefined, alive: boolean, policy: HysteresisPolicy = DEFAULT_HYSTERESIS): HealthState {
  if (!prev || prev.state === 'unknown') return { state: alive ? 'up' : 'down', streak: 0 };
  const agrees = (prev.state === 'up') === alive;
  if (agrees) return { state: prev.state, streak: 0 };
  const streak = prev.streak + 1;
  const needed = alive ? policy.upAfter : policy.downAfter;
  return streak >= needed ? { state: alive ? 'up' : 'down', streak: 0 } : { state: prev.state, streak };
}

import { AppError } from '../../shared/result.ts';

/** Load averages and logged-in users from `uptime`. */
export interface UptimeInfo {
  load: [number, number, number];
  users: number;
}

/**
 * Parses `uptime` as Linux procps, busybox and HP-UX print it:
 *   " 15:55:46 up 12 min,  0 user,  load average: 0.42, 0.34, 0.24"            (procps)
 *   " 10:15am  up 12 days,  3:02,  4 users,  load average: 0.10, 0.12, 0.09"    (HP-UX 10.20/11i)
 *   " 15:55:46 up 12 min,  load average: 0.42, 0.34, 0.24"                      (busybox without utmp: users unknown → 0)
 */
export function parseUptime(text: string): UptimeInfo {
  const line = text.trim().split(/\r?\n/).find((l) => /load averages?:/.test(l));
  // ... load average[s]: L1, L2, L3   (commas or spaces between)
  const m = line && /load averages?:\s*([0-9.]+),?\s+([0-9.]+),?\s+([0-9.]+)/.exec(line);
  if (!line || !m) throw new AppError('PARSE_ERROR', `uptime: line 1: no load average in "${text.trim().slice(0, 120)}"`);
  // ..., N user[s], ...
  const u = /(\d+)\s+users?\b/.exec(line);
  return { load: [Number(m[1]), Number(m[2]), Number(m[3])], users: u ? Number(u[1]) : 0 };
}

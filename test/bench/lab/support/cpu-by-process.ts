/**
 * Where this machine's CPU went while a benchmark ran, by process: a snapshot of every process's CPU time from
 * /proc/PID/stat (its own utime + stime, and cutime + cstime: what its children used once it reaped them), taken before
 * and after. A program that a long-lived process ran and reaped (a realserver's sshd and the shell, ip, ss it started)
 * counts for that process; a process that started and ended between the snapshots without a living parent to reap it is
 * missed, so the figures are a lower bound. Linux only (the lab's host); used by bench:lab, not by the product.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** One process as a snapshot saw it: its name (comm) and its CPU time with its reaped children, in clock ticks. */
interface Seen {
  comm: string;
  ticks: number;
}

/** Every process's CPU so far, keyed by pid and start time (a pid reused between snapshots is another process). */
export type CpuSnapshot = Map<string, Seen>;

/** Clock ticks per second of /proc/PID/stat (USER_HZ, 100 on Linux). */
const HZ = 100;

/**
 * One line of /proc/PID/stat as {key, comm, ticks}; undefined for a line that does not read as one. comm may hold
 * spaces and parentheses, so the fields are counted from its last ')'.
 */
export function parseProcStat(pid: string, line: string): { key: string; comm: string; ticks: number } | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // after "pid (comm) ": state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17) … starttime(22)
  const f = line.slice(close + 2).split(' ');
  const n = [11, 12, 13, 14].map((i) => Number(f[i]));
  if (f.length < 20 || n.some((x) => !Number.isFinite(x))) return undefined;
  return { key: `${pid}:${f[19]}`, comm: line.slice(open + 1, close), ticks: n.reduce((a, b) => a + b, 0) };
}

/** A snapshot of every process now. */
export function cpuSnapshot(): CpuSnapshot {
  const m: CpuSnapshot = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let line: string;
    try {
      line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const p = parseProcStat(pid, line);
    if (p) m.set(p.key, { comm: p.comm, ticks: p.ticks });
  }
  return m;
}

/**
 * CPU milliseconds used between two snapshots, summed per group: `groupOf(comm)` names a process's group (undefined:
 * "other"). Processes that are only in `after` count whole. Largest first.
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot, groupOf: (comm: string) => string | undefined): [string, number][] {
  const g = new Map<string, number>();
  for (const [key, p] of after) {
    const d = p.ticks - (before.get(key)?.ticks ?? 0);
    if (d <= 0) continue;
    const name = groupOf(p.comm) ?? 'other';
    g.set(name, (g.get(name) ?? 0) + (d * 1000) / HZ);
  }
  return [...g].sort((a, b) => b[1] - a[1]);
}

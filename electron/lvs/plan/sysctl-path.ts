import { AppError } from '../../../shared/result.ts';

/** A sysctl key (net.ipv4.conf.eth0/100.send_redirects) → its path under /proc/sys (net/ipv4/conf/eth0.100/send_redirects). */
export function sysctlPath(key: string): string {
  const path = key
    .split('.')
    .map((c) => c.replace(/\//g, '.'))
    .join('/');
  if (!/^[A-Za-z0-9_.\-/]+$/.test(path) || path.split('/').some((c) => c === '' || c === '..')) throw new AppError('INVALID_INPUT', `not a sysctl key: ${key}`);
  return path;
}

/** A /proc/sys path → the dotted key the planner uses (the inverse of sysctlPath). */
export function sysctlKey(path: string): string {
  return path
    .split('/')
    .map((c) => c.replace(/\./g, '/'))
    .join('.');
}

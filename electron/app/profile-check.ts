/**
 * clusters.check: the checks of a profile that need this machine, run when the form saves (nothing is saved or
 * connected): every host name resolves here (the director, the VIP, each realserver and its SSH host, a pair's second
 * director), every private key file exists and can be read, and the VIP is on the director's subnet once both are
 * resolved. Each problem names the profile path it is about, so the form can say it in its own words.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { lookup } from 'node:dns/promises';
import path from 'node:path';
import type { z } from 'zod';
import type { profileProblemSchema } from '../../shared/api/contract.ts';
import type { Auth, Cluster } from '../../shared/model/cluster.ts';
import { vipSubnetProblem } from '../../shared/model/subnet.ts';
import { isIPv4, isIPv6 } from '../../shared/model/validators.ts';

/** One problem found. */
export type ProfileProblem = z.output<typeof profileProblemSchema>;
type Path = ProfileProblem['path'];

/** What the checks read from the machine (injected in tests). */
export interface ProfileCheckDeps {
  /** The first address of a host name, or throws with a `code` (ENOTFOUND, EAI_AGAIN…). */
  lookup(name: string): Promise<string>;
  /** Throws when `file` is not a readable regular file (ENOENT, EACCES, or 'EISDIR' for a folder). */
  readable(file: string): Promise<void>;
  /** How long one lookup may take. Default 5 s. */
  lookupTimeoutMs?: number;
}

/** This machine's resolver and file system. */
export const nodeProfileCheckDeps: ProfileCheckDeps = {
  lookup: async (name) => (await lookup(name)).address,
  readable: async (file) => {
    await access(file, constants.R_OK);
    if (!(await stat(file)).isFile()) throw Object.assign(new Error(`${file} is a folder`), { code: 'EISDIR' });
  },
};

const isAddress = (h: string) => isIPv4(h) || isIPv6(h);

function codeOf(e: unknown): string {
  return (e as { code?: unknown })?.code ? String((e as { code: unknown }).code) : e instanceof Error ? e.message : String(e);
}

const RESOLVE_WHY: Record<string, string> = {
  ENOTFOUND: 'no such name',
  EAI_AGAIN: 'the name server did not answer',
  ENODATA: 'the name has no address',
  TIMEOUT: 'no answer in time',
};
const FILE_WHY: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'cannot be read (permission denied)',
  EPERM: 'cannot be read (permission denied)',
  EISDIR: 'is a folder, not a key file',
  ENOTDIR: 'does not exist (a part of the path is not a folder)',
};

/** Runs every check of a parsed profile; problems in profile order. */
export async function checkProfile(c: Cluster, deps: ProfileCheckDeps = nodeProfileCheckDeps): Promise<ProfileProblem[]> {
  const timeoutMs = deps.lookupTimeoutMs ?? 5000;
  const cache = new Map<string, Promise<{ address?: string; why?: string }>>();
  const resolve = (host: string) => {
    let p = cache.get(host.toLowerCase());
    if (!p) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, rej) => (timer = setTimeout(() => rej(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })), timeoutMs)));
      p = Promise.race([deps.lookup(host), timeout]).then(
        (address) => ({ address }),
        (e: unknown) => ({ why: RESOLVE_WHY[codeOf(e)] ?? codeOf(e) }),
      ).finally(() => clearTimeout(timer));
      cache.set(host.toLowerCase(), p);
    }
    return p;
  };

  const hosts: { path: Path; host: string; what: string }[] = [
    { path: ['director', 'host'], host: c.director.host, what: 'the director' },
    { path: ['vip'], host: c.vip, what: 'the VIP' },
    ...c.realservers.flatMap((r, i) => [
      { path: ['realservers', i, 'host'], host: r.host, what: 'this realserver' },
      ...(r.ssh?.host ? [{ path: ['realservers', i, 'ssh', 'host'], host: r.ssh.host, what: "this realserver's SSH host" }] : []),
    ]),
    ...(c.pair ? [{ path: ['pair', 'director', 'host'], host: c.pair.director.host, what: 'the second director' }] : []),
  ];
  const keys: { path: Path; file: string }[] = [];
  const keyOf = (auth: Auth | undefined, p: Path) => auth?.method === 'key' && keys.push({ path: [...p, 'keyPath'], file: auth.keyPath });
  keyOf(c.director.auth, ['director', 'auth']);
  c.realservers.forEach((r, i) => keyOf(r.ssh?.auth, ['realservers', i, 'ssh', 'auth']));
  if (c.pair) keyOf(c.pair.director.auth, ['pair', 'director', 'auth']);

  const problems: ProfileProblem[] = [];
  const resolved = await Promise.all(hosts.map(async (h) => ({ ...h, ...(isAddress(h.host) ? { address: h.host } : await resolve(h.host)) })));
  for (const h of resolved) {
    if (h.why) {
      const where = h.path[0] === 'director' || h.path[0] === 'pair' || h.path.includes('ssh') ? 'this computer connects to it by name' : 'the director looks it up too when it plans';
      problems.push({ path: h.path, check: 'resolve', message: `${h.host} does not resolve on this computer (${h.why}); ${where}: use its address, or add the name to DNS or the hosts file` });
    }
  }
  for (const k of keys) {
    try {
      if (!path.isAbsolute(k.file) && !path.win32.isAbsolute(k.file)) throw Object.assign(new Error('relative'), { code: 'RELATIVE' });
      await deps.readable(k.file);
    } catch (e) {
      const code = codeOf(e);
      const why = code === 'RELATIVE' ? 'is not a full path (write it from the drive or /)' : (FILE_WHY[code] ?? `cannot be read (${code})`);
      problems.push({ path: k.path, check: 'key-file', message: `${k.file} ${why}` });
    }
  }
  const dir = resolved[0]!;
  const vip = resolved[1]!;
  if (dir.address && vip.address) {
    const p = vipSubnetProblem(vip.address, dir.address, c.vipPrefix, { vip: c.vip, director: c.director.host });
    if (p) problems.push({ path: ['vip'], check: 'vip-subnet', message: p });
  }
  return problems;
}

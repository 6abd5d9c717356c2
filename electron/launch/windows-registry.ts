/**
 * Reads Windows registry values with reg.exe (no native module): `reg query KEY /v NAME /reg:64`, then /reg:32.
 * The parser is pure and tested here; the runner is injected.
 */
import { AppError } from '../../shared/result.ts';

/** One value line of `reg query` output. */
export interface RegValue {
  name: string;
  type: string;
  data: string;
}

// reg query output:
//   (blank)
//   HKEY_LOCAL_MACHINE\SOFTWARE\VcXsrv              ← the key
//       Install_Dir_64    REG_SZ    C:\Program Files\VcXsrv   ← 4 spaces, name, 4 spaces, type, 4 spaces, data
//   (blank)
const KEY_LINE = /^HKEY_[A-Z_]+(\\.*)?$/;
const VALUE_LINE = /^ {4}(.+?) {4}(REG_[A-Z0-9_]+)(?: {4}(.*))?$/;

/** Parses `reg query` output into values. Throws AppError('PARSE_ERROR') naming the line it does not understand. */
export function parseRegQuery(stdout: string): RegValue[] {
  const values: RegValue[] = [];
  stdout.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || KEY_LINE.test(line)) return;
    const m = VALUE_LINE.exec(line);
    if (!m) throw new AppError('PARSE_ERROR', `reg query output line ${i + 1} not understood: ${line.slice(0, 120)}`, { step: 'read registry' });
    values.push({ name: m[1]!, type: m[2]!, data: m[3] ?? '' });
  });
  return values;
}

/** Expands %VAR% in a REG_EXPAND_SZ value from `env` (unknown variables are left as written, like Windows does). */
export function expandEnv(value: string, env: Readonly<Record<string, string | undefined>>): string {
  const lower = new Map(Object.entries(env).map(([k, v]) => [k.toLowerCase(), v]));
  return value.replace(/%([^%]+)%/g, (m, name: string) => lower.get(name.toLowerCase()) ?? m);
}

/** Runs a program and resolves its exit code and stdout (never rejects on a non-zero exit). */
export type RunFile = (file: string, args: string[]) => Promise<{ code: number | null; stdout: string }>;

/** A DetectReaders.registry implementation on reg.exe: the 64-bit view first, then the 32-bit one. */
export function regExeReader(run: RunFile, env: Readonly<Record<string, string | undefined>>, regExe = 'reg.exe') {
  return async (key: string, valueName: string): Promise<string | undefined> => {
    for (const view of ['/reg:64', '/reg:32']) {
      const r = await run(regExe, ['query', key, '/v', valueName, view]);
      if (r.code !== 0) continue; // 1 = key or value not found
      const v = parseRegQuery(r.stdout).find((x) => x.name.toLowerCase() === valueName.toLowerCase());
      if (v && (v.type === 'REG_SZ' || v.type === 'REG_EXPAND_SZ')) return v.type === 'REG_EXPAND_SZ' ? expandEnv(v.data, env) : v.data;
    }
    return undefined;
  };
}

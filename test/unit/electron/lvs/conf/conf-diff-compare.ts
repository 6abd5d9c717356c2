/**
 * The differential rule for lvs.conf, parser vs shell: what the parser says a file means (accepted: these variables,
 * these values, these exports, and nothing executed; rejected: a FILE:LINE:COL message) against what a real shell did
 * when it sourced the same bytes (sh-oracle.ts).
 */
import { confVariables, parseLvsConf } from '../../../../../electron/lvs/conf/conf-parse.ts';
import { AppError } from '../../../../../shared/result.ts';
import type { FileRun, ShellSpec } from './sh-oracle.ts';
import { isDriverName } from './sh-oracle.ts';

/** One command the shell should trace for an accepted file. */
export type TraceItem = { kind: 'assign'; name: string; value: string; exported: boolean } | { kind: 'export'; names: string[] };

/** What the parser says about a file. */
export type Verdict =
  | { accepted: true; values: Map<string, string>; exported: Set<string>; trace: TraceItem[] }
  | { accepted: false; message: string; error: unknown };

/** The text the parser sees for a file's bytes: UTF-8, invalid bytes as U+FFFD, a BOM kept (as the app and stdin read it). */
export function lenientText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

/** Parses a file's text the way the console does and returns the verdict. */
export function parserVerdict(text: string, file = 'f.conf'): Verdict {
  let doc;
  try {
    doc = parseLvsConf(text, file);
  } catch (e) {
    return { accepted: false, message: e instanceof Error ? e.message : String(e), error: e };
  }
  const vars = confVariables(doc);
  const values = new Map<string, string>();
  for (const [k, v] of vars) values.set(k, v.value);
  const exported = new Set<string>();
  const trace: TraceItem[] = [];
  for (const s of doc.statements) {
    if (s.kind === 'assign') {
      trace.push({ kind: 'assign', name: s.name, value: s.value, exported: s.exported });
      if (s.exported) exported.add(s.name);
    } else if (s.kind === 'export') {
      trace.push({ kind: 'export', names: s.names });
      s.names.forEach((n) => exported.add(n));
    }
  }
  return { accepted: true, values, exported, trace };
}

/** A rejection must be an INVALID_INPUT AppError `FILE:LINE:COL: message` pointing inside the text (lines split on LF). */
export function rejectionProblem(v: Extract<Verdict, { accepted: false }>, text: string, file = 'f.conf'): string | undefined {
  if (!(v.error instanceof AppError) || v.error.code !== 'INVALID_INPUT') return `not an INVALID_INPUT AppError: ${v.message}`;
  const m = new RegExp(`^${file.replace(/\./g, '\\.')}:(\\d+):(\\d+): \\S`).exec(v.message);
  if (!m) return `message does not start with ${file}:LINE:COL: ${JSON.stringify(v.message)}`;
  const lines = text.split('\n');
  const line = Number(m[1]);
  const col = Number(m[2]);
  if (line < 1 || line > lines.length) return `line ${line} is outside the file (${lines.length} lines)`;
  if (col < 1 || col > Array.from(lines[line - 1]!).length + 1) return `column ${col} is outside line ${line}`;
  return undefined;
}

/** A JS string as the bytes a shell prints for it (binary string). */
export function bin(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** busybox ash's maybe_single_quote(): quoted when any byte is < '+', one of ;<=>?`[\ or > 'z'. */
function bbQuote(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x2a;<=>?`[\\\x7b-\xff]/.test(s)) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    let e = i;
    while (e < s.length && s[e] !== "'") e++;
    out += `'${s.slice(i, e)}'`;
    i = e;
    if (i >= s.length) break;
    while (e < s.length && s[e] === "'") e++;
    out += `"${s.slice(i, e)}"`;
    i = e;
  }
  return out;
}

/** The trace record a shell prints for one expected command (binary string, with its newline). */
export function traceRecord(item: TraceItem, shell: ShellSpec['name']): string {
  if (item.kind === 'export') return `export ${item.names.join(' ')}\n`;
  const value = bin(item.value);
  if (shell === 'dash') return `${item.exported ? 'export ' : ''}${item.name}=${value}\n`;
  return item.exported ? `export ${bbQuote(`${item.name}=${value}`)}\n` : `${item.name}=${bbQuote(value)}\n`;
}

/** Variables a shell computes when read (their value in a dump is not the one `set` listed). */
const DYNAMIC = new Set(['LINENO', 'RANDOM', 'SECONDS', 'SRANDOM', 'EPOCHSECONDS', 'EPOCHREALTIME', 'BASHPID', 'FUNCNAME']);

/** How a shell run disagrees with an accepted verdict ([] when it agrees). `baseline` is the same shell on an empty file. */
export function disagreements(v: Extract<Verdict, { accepted: true }>, run: FileRun, baseline: FileRun, shell: ShellSpec['name']): string[] {
  const out: string[] = [];
  const expected = v.trace.map((t) => traceRecord(t, shell));
  const traceDiff = () => {
    const k = expected.findIndex((e, i) => run.trace[i] !== e);
    const at = k < 0 ? expected.length : k;
    return `executed: trace record ${at + 1} is ${JSON.stringify(run.trace[at] ?? '(none)')}, expected ${JSON.stringify(expected[at] ?? '(none)')}`;
  };
  if (!run.completed) {
    out.push(`shell: did not finish the file (exit, exec, syntax error or hang); trace ${JSON.stringify(run.trace.join('').slice(0, 300))}`);
    return out;
  }
  if (run.preTrace !== '') out.push(`output: ${JSON.stringify(run.preTrace.slice(0, 200))} before any command`);
  if (run.trace.length !== expected.length || run.trace.some((r, i) => r !== expected[i])) out.push(traceDiff());
  if (run.status !== 0) out.push(`status: '. FILE' returned ${run.status}`);
  // Every name dumped: the parser's value, or as the shell had it before the file (dynamic variables excepted).
  for (const [name, got] of run.values) {
    const want = v.values.get(name);
    if (want === undefined && DYNAMIC.has(name)) continue;
    const wantBin = want === undefined ? baseline.setVars.get(name) : bin(want);
    if (got !== wantBin) out.push(`value: ${name} is ${got === undefined ? 'unset' : JSON.stringify(got)}, the parser says ${want === undefined ? 'unset' : JSON.stringify(wantBin)}`);
  }
  for (const [name, got] of run.setVars) {
    if (isDriverName(name) || v.values.has(name)) continue;
    if (baseline.setVars.get(name) !== got) out.push(`variable: the shell set ${name}=${JSON.stringify(got)}, the parser does not know it`);
  }
  for (const name of baseline.setVars.keys()) if (!isDriverName(name) && !run.setVars.has(name)) out.push(`variable: the shell unset ${name}`);
  for (const name of v.values.keys()) if (!run.setVars.has(name)) out.push(`variable: the parser's ${name} is not set in the shell`);
  const newExports = [...run.exported.keys()].filter((n) => !baseline.exported.has(n)).sort();
  const wantExports = [...v.exported].filter((n) => !baseline.exported.has(n)).sort();
  if (newExports.join(' ') !== wantExports.join(' ')) out.push(`export: the shell exports [${newExports.join(' ')}], the parser [${wantExports.join(' ')}]`);
  for (const n of baseline.exported.keys()) if (!run.exported.has(n)) out.push(`export: ${n} is no longer exported`);
  if ([...run.readonly].join('\n') !== [...baseline.readonly].join('\n')) out.push(`state: readonly -p changed: ${JSON.stringify([...run.readonly])}`);
  if (run.state !== baseline.state) out.push(`state: options/positional parameters/cwd/traps/aliases/umask changed: ${JSON.stringify(run.state)}`);
  if (run.functions.length > 0) out.push(`state: defined the function(s) ${run.functions.join(', ')}`);
  if (run.created.length > 0) out.push(`file: created ${run.created.join(', ')} in cwd`);
  if (run.after !== baseline.after) out.push(`output: ${JSON.stringify(run.after.slice(0, 200))} after the file (an EXIT trap?)`);
  return out;
}

/** The names worth dumping for a file: the parser's and every identifier in the text (first 80). */
export function namesOf(text: string, v: Verdict): string[] {
  const names = new Set<string>(v.accepted ? v.values.keys() : []);
  if (v.accepted) v.exported.forEach((n) => names.add(n));
  for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    if (names.size >= 80) break;
    names.add(m[0]);
  }
  return [...names].filter((n) => !isDriverName(n));
}

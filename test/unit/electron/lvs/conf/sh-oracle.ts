/**
 * The reference for lvs.conf: real shells (dash, busybox sh) sourcing files the way the director's script does
 * (`. FILE`), many files per shell process. Each file runs in its own subshell of one driver script per batch, in a
 * sandbox: an empty environment but for PATH (an empty directory) and HOME (a temp dir), stdin /dev/null, an empty temp
 * dir as cwd, and as the unprivileged user `nobody` when we are root (busybox runs its applets, `ls`, `rm`…, whatever
 * PATH says, so an empty PATH alone would not keep a stray command harmless).
 *
 * What a file did is recorded, not guessed:
 * - every simple command the shell executed, with `set -x` (PS4 is a per-run nonce): assignments, `export`, and anything
 *   else (`:`, `cd`, `eval`, `.`, `trap`, a function, a command inside `$(…)`…) show up as trace records; the caller
 *   compares them with what it expected (the trace cannot show redirections: `X=1 </dev/null` traces as `X=1`; a
 *   redirection that creates a file in cwd is caught below);
 * - the status of `. FILE`;
 * - the value of each name asked for (`printf '%s\1%s\1%s\0' NAME "${NAME+s}" "$NAME"`), as bytes;
 * - `set` (every variable: names and values), `export -p`, `readonly -p`;
 * - options `$-`, the positional parameters (set to two canary words), `$PWD`, `trap`, `alias` and `umask`;
 * - which of the names asked for are now shell functions (`type`; a definition is not a traced command);
 * - files left in cwd (then removed), and any output after the subshell ended (an EXIT trap).
 * Shell output is handled as binary strings (one char per byte, latin1) so values are compared byte for byte.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A shell to test against, and how it prints `set -x` records. */
export interface ShellSpec {
  name: 'dash' | 'busybox';
  argv: string[];
}

/** dash and busybox sh where installed (dash is /bin/sh on Debian; busybox comes from busybox-static). */
export function availableShells(): ShellSpec[] {
  const out: ShellSpec[] = [];
  const dash = ['/usr/bin/dash', '/bin/dash'].find((p) => existsSync(p));
  if (dash) out.push({ name: 'dash', argv: [dash] });
  const bb = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
  if (bb) out.push({ name: 'busybox', argv: [bb, 'sh'] });
  return out;
}

/** What one file did in one shell. All strings are binary (latin1: one char per byte). */
export interface FileRun {
  /** The dump ran to its end (false: the subshell exited, exec'd, hung or failed a syntax check). */
  completed: boolean;
  /** $? after `. FILE`. */
  status: number | undefined;
  /** The file's own trace records (without the driver's), each the text after PS4 up to and including its newline. */
  trace: string[];
  /** Text before the first trace record (must be empty). */
  preTrace: string;
  /** Each name asked for: its value, or undefined if unset. */
  values: Map<string, string | undefined>;
  /** Every variable `set` lists. */
  setVars: Map<string, string>;
  /** Names `export -p` lists (value or undefined for exported-but-unset). */
  exported: Map<string, string | undefined>;
  /** Names `readonly -p` lists. */
  readonly: Map<string, string | undefined>;
  /** `$-|$#|$*|$PWD`, then trap, alias and umask output. */
  state: string;
  /** Names asked for that are shell functions after the file (`type` says so). */
  functions: string[];
  /** Files the run left in cwd. */
  created: string[];
  /** Output after the subshell ended (before the next file). */
  after: string;
}

const DRIVER_PREFIX = 'zz9';

/** Names the driver uses; never asked for. */
export function isDriverName(n: string): boolean {
  return n.startsWith(DRIVER_PREFIX);
}

/** sh single-quoted text for a binary string. */
function q(s: string): string {
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

interface Batch {
  files: { path: string; names: string[] }[];
  nonce: string;
}

/** The driver script for one batch (binary string). */
function driver(b: Batch): string {
  const n = b.nonce;
  const lines: string[] = ['set -- zz9one "zz9 two"'];
  b.files.forEach((f, i) => {
    const dump = f.names.map((name) => `printf '%s\\001%s\\001%s\\000' ${name} "\${${name}+s}" "$${name}"`).join('\n');
    lines.push(
      `printf '\\n@@${n}:B:%s\\n' ${i}`,
      `(`,
      `PS4='${n}:T:'`,
      `set -x`,
      `. ${q(f.path)}`,
      `zz9rc=$?`,
      `set +x`,
      `printf '\\n@@${n}:M:%s\\n' "$zz9rc"`,
      dump,
      `printf '\\n@@${n}:S\\n'; set`,
      `printf '\\n@@${n}:X\\n'; export -p`,
      `printf '\\n@@${n}:R\\n'; readonly -p`,
      `printf '\\n@@${n}:O\\n'; printf '%s|%s|%s|%s\\n' "$-" "$#" "$*" "$PWD"; trap; alias; umask`,
      `printf '\\n@@${n}:Y\\n'; ${f.names.length ? `type ${f.names.join(' ')} 2>&1` : ':'}`,
      `printf '\\n@@${n}:E\\n'`,
      `) 2>&1`,
      `for zz9f in * .[!.]* ..?*; do if [ -e "$zz9f" ] || [ -L "$zz9f" ]; then printf '\\n@@${n}:F:%s\\n' "$zz9f"; /bin/rm -rf -- "$zz9f"; fi; done`,
    );
  });
  lines.push(`printf '\\n@@${n}:Z\\n'`);
  return lines.join('\n') + '\n';
}

/** Reads `NAME=word` / `export NAME[=word]` / `readonly NAME[=word]` listings (sh-quoted values, one entry per line). */
export function parseListing(text: string, prefix: string): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  let i = 0;
  const s = text;
  while (i < s.length) {
    if (s[i] === '\n') {
      i++;
      continue;
    }
    if (prefix && s.startsWith(prefix, i)) i += prefix.length;
    let e = i;
    while (e < s.length && /[A-Za-z0-9_]/.test(s[e]!)) e++;
    const name = s.slice(i, e);
    if (!name) throw new Error(`unreadable listing at ${i}: ${JSON.stringify(s.slice(i, i + 60))}`);
    i = e;
    if (s[i] !== '=') {
      out.set(name, undefined);
      while (i < s.length && s[i] !== '\n') i++;
      continue;
    }
    i++;
    let v = '';
    for (;;) {
      const c = s[i];
      if (c === undefined || c === '\n') break;
      if (c === "'") {
        const end = s.indexOf("'", i + 1);
        if (end < 0) throw new Error(`unterminated ' in listing: ${JSON.stringify(s.slice(i, i + 60))}`);
        v += s.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length && '$`"\\\n'.includes(s[i + 1]!)) i++;
          v += s[i];
          i++;
        }
        i++;
      } else if (c === '\\') {
        v += s[i + 1] ?? '';
        i += 2;
      } else {
        v += c;
        i++;
      }
    }
    out.set(name, v);
  }
  return out;
}

/** Splits one file's chunk of driver output into a FileRun. */
function parseChunk(chunk: string, nonce: string, names: string[], path: string): FileRun {
  const mark = (tag: string) => `\n@@${nonce}:${tag}`;
  const run: FileRun = {
    completed: false,
    status: undefined,
    trace: [],
    preTrace: '',
    values: new Map(),
    setVars: new Map(),
    exported: new Map(),
    readonly: new Map(),
    state: '',
    functions: [],
    created: [],
    after: '',
  };
  // Files created, reported after the subshell.
  const created = chunk.split(mark('F:')).slice(1);
  run.created = created.map((c) => c.slice(0, c.indexOf('\n')));
  const body = chunk.split(mark('F:'))[0]!;
  const m = body.indexOf(mark('M:'));
  const traceText = m < 0 ? body : body.slice(0, m);
  // Trace records: each starts with PS4 at the start of a line.
  const T = `${nonce}:T:`;
  const parts = ('\n' + traceText).split(`\n${T}`);
  run.preTrace = parts[0]!.slice(1);
  const records = parts.slice(1).map((r, k, all) => (k < all.length - 1 ? r + '\n' : r));
  // The driver's own records: `. FILE` first, `zz9rc=…` and `set +x` last.
  const dot = `. ${path}\n`;
  if (records[0] === dot || records[0] === `. ${q(path)}\n`) records.shift();
  else run.preTrace += records.length ? `(no '. FILE' record; first: ${JSON.stringify(records[0])})` : '';
  if (m >= 0) {
    const tail = records.splice(-2, 2);
    if (!(tail.length === 2 && /^zz9rc=\d+\n$/.test(tail[0]!) && tail[1] === 'set +x\n')) records.push(...tail, '(driver records missing)');
  }
  run.trace = records;
  if (m < 0) return run;
  const rest = body.slice(m + mark('M:').length);
  const sections = new Map<string, string>();
  const re = new RegExp(`\\n@@${nonce}:([SXROYE])\\n`, 'g');
  let last = 'M';
  let from = 0;
  for (let mm = re.exec(rest); mm; mm = re.exec(rest)) {
    sections.set(last, rest.slice(from, mm.index));
    last = mm[1]!;
    from = mm.index + mm[0].length;
  }
  sections.set(last, rest.slice(from));
  if (!sections.has('E')) return run;
  const mSec = sections.get('M')!;
  const nl = mSec.indexOf('\n');
  run.status = Number(mSec.slice(0, nl));
  const dump = mSec.slice(nl + 1).split('\0');
  dump.pop();
  for (const d of dump) {
    const [name, isSet, value] = d.split('\x01');
    run.values.set(name!, isSet === 's' ? value : undefined);
  }
  if (run.values.size !== names.length) return run;
  for (const [k, v] of parseListing(sections.get('S')!, '')) run.setVars.set(k, v ?? '');
  run.exported = parseListing(sections.get('X')!, 'export ');
  run.readonly = parseListing(sections.get('R')!, 'readonly ');
  run.state = sections.get('O')!;
  run.functions = [...sections.get('Y')!.matchAll(/^([A-Za-z_][A-Za-z0-9_]*) is a (?:shell )?function/gm)].map((x) => x[1]!);
  run.after = sections.get('E')!.replace(/^\n/, '');
  run.completed = true;
  return run;
}

/** A scratch area for one or more batches: files, an empty PATH dir, HOME and cwd, readable by `nobody`. */
export class Sandbox {
  readonly root: string;
  readonly emptyPath: string;
  readonly home: string;
  private n = 0;
  private readonly asNobody = typeof process.getuid === 'function' && process.getuid() === 0;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'lvs-conf-diff-'));
    chmodSync(this.root, 0o755);
    this.emptyPath = join(this.root, 'empty-path');
    this.home = join(this.root, 'home');
    for (const d of [this.emptyPath, this.home]) mkdirSync(d, { mode: 0o755 });
    chmodSync(this.home, 0o777);
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  /**
   * Runs each file (bytes) in `shell`, asking for the values of `names[i]` (valid sh names; driver names are skipped).
   * One shell process for all of them; `timeoutMs` bounds the whole batch (files not reached are incomplete).
   */
  async run(shell: ShellSpec, files: Uint8Array[], names: string[][], timeoutMs = 120_000): Promise<FileRun[]> {
    const dir = join(this.root, `b${this.n++}`);
    const cwd = join(dir, 'cwd');
    mkdirSync(cwd, { recursive: true, mode: 0o777 });
    chmodSync(dir, 0o755);
    chmodSync(cwd, 0o777);
    const batch: Batch = { files: [], nonce: `zq${randomBytes(8).toString('hex')}` };
    files.forEach((bytes, i) => {
      const path = join(dir, `f${i}.conf`);
      writeFileSync(path, bytes, { mode: 0o644 });
      batch.files.push({ path, names: [...new Set(names[i] ?? [])].filter((x) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(x) && !isDriverName(x)) });
    });
    const script = join(dir, 'driver.sh');
    writeFileSync(script, Buffer.from(driver(batch), 'latin1'), { mode: 0o644 });
    const out = await new Promise<Buffer>((resolve, reject) => {
      const p = spawn(shell.argv[0]!, [...shell.argv.slice(1), script], {
        cwd,
        env: { PATH: this.emptyPath, HOME: this.home },
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(this.asNobody ? { uid: 65534, gid: 65534 } : {}),
      });
      const chunks: Buffer[] = [];
      p.stdout.on('data', (c: Buffer) => chunks.push(c));
      p.stderr.on('data', (c: Buffer) => chunks.push(c));
      const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
      p.on('error', reject);
      p.on('close', () => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks));
      });
    });
    const text = out.toString('latin1');
    const runs: FileRun[] = [];
    for (let i = 0; i < files.length; i++) {
      const start = text.indexOf(`\n@@${batch.nonce}:B:${i}\n`);
      const next = text.indexOf(`\n@@${batch.nonce}:B:${i + 1}\n`);
      const end = next >= 0 ? next : text.indexOf(`\n@@${batch.nonce}:Z\n`);
      const f = batch.files[i]!;
      if (start < 0) runs.push(parseChunk('', batch.nonce, f.names, f.path));
      else runs.push(parseChunk(text.slice(start + `\n@@${batch.nonce}:B:${i}\n`.length, end < 0 ? undefined : end), batch.nonce, f.names, f.path));
    }
    rmSync(dir, { recursive: true, force: true });
    return runs;
  }
}

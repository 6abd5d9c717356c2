/**
 * Reads /etc/lvs.conf the way the director's script does (it sources the file with `. /etc/lvs.conf` under /bin/sh), but
 * without running anything. The rule: a file this parser accepts gives exactly the variables, values and exports that
 * dash and busybox sh give when they source it, and they run nothing else (proven by a differential test against both
 * shells: test/unit/electron/lvs/conf/conf-differential.test.ts). Anything outside the small part of sh that provably
 * means the same in every shell is an error naming FILE:LINE:COL. The document keeps every line as written so that
 * writeLvsConf(parseLvsConf(x)) === x and edits touch only the lines they must.
 *
 * Accepted, one statement per logical line (a logical line may span physical lines through `\`-newline or quotes):
 *   <blank>                              only spaces/tabs
 *   # comment                            whole-line comment (a `\` at its end does NOT continue it, as in sh)
 *   [export ]NAME=WORD [# comment]       NAME is [A-Za-z_][A-Za-z0-9_]*, not a reserved name (conf-names.ts); no
 *                                        spaces around '='
 *   export NAME [NAME ...] [# comment]   marks names for export
 * where WORD is a concatenation of
 *   bare characters                      `\c` is c; `\`-newline is removed (continuation); '#' inside a word is literal
 *   'single quoted'                      everything literal up to the next ', newlines included
 *   "double quoted"                      `\"` `\\` `\$` `\`` are escapes, `\`-newline is removed, other `\` are literal
 * A `\`-newline outside quotes and values is accepted only between words (after a blank or at a line start): sh
 * deletes it before reading words, so `ex\<newline>port` is `export` and `export\<newline>X=1` assigns `exportX`.
 * Rejected: $(…), $((…)), ${…}, $NAME, any other '$' (outside single quotes or a `\$` escape), `…`, ; & && | || < > << >>
 * ( ), unquoted ~, += , unterminated quotes, a `\` at end of file, a bare command, a second word after an assignment,
 * an unquoted * ? [ { in an `export NAME=` value (an argument some shells expand), a reserved name (PATH, IFS, LD_*…),
 * and any character sh would read differently from us: CR (a CRLF file's values would end in CR; import converts
 * CRLF, see conf-import.ts), other C0/C1 control characters, U+FFFD (what bytes that are not UTF-8 decode to: the shell
 * would keep the original bytes), unpaired surrogates, and a byte-order mark at the start.
 */
import { AppError } from '../../../shared/result.ts';
import { reservedNameReason } from './conf-names.ts';

/** Variables the seed's lvs-director script reads as whitespace-separated lists (`for p in $TPORTS`). */
export const LIST_VARIABLES = ['TPORTS', 'UPORTS', 'RIPS'] as const;
/** One of LIST_VARIABLES. */
export type ListVariable = (typeof LIST_VARIABLES)[number];

/** A 1-based position in the file (columns count characters, not bytes). */
export interface ConfPos {
  line: number;
  col: number;
}

/** One whitespace-separated item of a value, with where its first character was written. */
export interface ConfItem extends ConfPos {
  text: string;
}

/** A line holding only spaces/tabs (raw keeps them). */
export interface ConfBlank {
  kind: 'blank';
  /** The statement's exact text without its terminating newline (may contain newlines if continued). */
  raw: string;
  /** 1-based line where it starts. */
  line: number;
}

/** A whole-line comment (raw keeps indentation and the '#'). */
export interface ConfComment {
  kind: 'comment';
  raw: string;
  line: number;
}

/** `export NAME [NAME ...]` without a value. */
export interface ConfExport {
  kind: 'export';
  raw: string;
  line: number;
  names: string[];
}

/** `[export ]NAME=WORD [# comment]`. */
export interface ConfAssignment {
  kind: 'assign';
  raw: string;
  line: number;
  name: string;
  /** Written as `export NAME=...`. */
  exported: boolean;
  /** The value after quote removal, as the shell would assign it. */
  value: string;
  /** How the value was written (by its first character); 'bare' for an empty value. */
  quoting: 'bare' | 'single' | 'double';
  /** Offsets into raw of the value as written (after '=', before any trailing blanks/comment). */
  valueStart: number;
  valueEnd: number;
  /** Where the value as written starts (the character after '='). */
  valuePos: ConfPos;
  /** The value split on spaces, tabs and newlines (the shell's default IFS), with positions. */
  items: ConfItem[];
}

/** One logical line of lvs.conf. */
export type ConfStatement = ConfBlank | ConfComment | ConfExport | ConfAssignment;

/** A parsed lvs.conf: every statement in order, enough to write the file back byte for byte (LF line ends). */
export interface LvsConfDoc {
  /** The file name used in error messages. */
  readonly file: string;
  readonly statements: readonly ConfStatement[];
  /** The text ended with a newline. */
  readonly finalNewline: boolean;
}

/** One variable as the shell would see it after sourcing the file (the last assignment wins). */
export interface ConfValue {
  name: string;
  value: string;
  /** Assigned with `export NAME=` or named on an `export` line. */
  exported: boolean;
  /** True for TPORTS, UPORTS and RIPS, which the seed's script reads as lists. */
  isList: boolean;
  /** The value split on whitespace, with positions (also for non-list variables). */
  items: ConfItem[];
  /** File and position of the value (the character after '='). */
  file: string;
  line: number;
  col: number;
}

/** The variables of a document in the order they were first assigned, and the file they came from. */
export interface ConfVariables extends Map<string, ConfValue> {
  readonly file: string;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
/** A variable name: [A-Za-z_][A-Za-z0-9_]* */
export const CONF_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Where a word quoted in a message ends: blanks, operators, and characters a terminal would act on (C0, DEL, C1, bidi controls). */
// eslint-disable-next-line no-control-regex
const MESSAGE_STOP = /[\s;&|<>()\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
/** Characters sh treats as operators when unquoted. */
const OPERATOR_CHARS = ';&|<>()';

/** Throws the INVALID_INPUT error for a position: message is exactly `FILE:LINE:COL: message`. */
export function confError(file: string, pos: ConfPos, message: string): AppError {
  return new AppError('INVALID_INPUT', `${file}:${pos.line}:${pos.col}: ${message}`, { detail: { file, line: pos.line, col: pos.col } });
}

/** Is `name` one of the list variables? */
export function isListVariable(name: string): name is ListVariable {
  return (LIST_VARIABLES as readonly string[]).includes(name);
}

/**
 * Parses lvs.conf text. Returns the whole document or throws AppError('INVALID_INPUT', 'FILE:LINE:COL: message');
 * nothing partial is ever returned. A CR anywhere (CRLF line ends too) is an error: /bin/sh would read it as part of the
 * line. Linear in the length of the text.
 */
export function parseLvsConf(text: string, file: string): LvsConfDoc {
  return new ConfScanner(text, file).document();
}

/** The variables the shell would have after sourcing the document, in first-assignment order (last value wins). */
export function confVariables(doc: LvsConfDoc): ConfVariables {
  const vars: ConfVariables = Object.assign(new Map<string, ConfValue>(), { file: doc.file });
  const exportedNames = new Set<string>();
  for (const s of doc.statements) {
    if (s.kind === 'export') s.names.forEach((n) => exportedNames.add(n));
    if (s.kind !== 'assign') continue;
    if (s.exported) exportedNames.add(s.name);
    vars.set(s.name, {
      name: s.name,
      value: s.value,
      exported: false,
      isList: isListVariable(s.name),
      items: s.items,
      file: doc.file,
      line: s.valuePos.line,
      col: s.valuePos.col,
    });
  }
  for (const v of vars.values()) v.exported = exportedNames.has(v.name);
  return vars;
}

/**
 * The JSON form of the variables (what `lvsctl conf show --json` prints): an object keyed by variable name in file order;
 * TPORTS, UPORTS and RIPS are arrays of their items, every other variable is its string value.
 */
export function confJson(vars: ConfVariables): Record<string, string | string[]> {
  // No prototype: a variable named __proto__ or constructor is just a key.
  const out = Object.create(null) as Record<string, string | string[]>;
  for (const v of vars.values()) out[v.name] = v.isList ? v.items.map((i) => i.text) : v.value;
  return out;
}

/**
 * A value being built: its pieces, and where its characters came from as runs (value index → source offset; within a
 * run consecutive characters come from consecutive offsets).
 */
interface Lexed {
  parts: string[];
  length: number;
  runStarts: number[];
  runSources: number[];
  /** The source offset right after the last piece (a piece starting there continues the run). */
  next: number;
  quoting: 'bare' | 'single' | 'double' | undefined;
  /** Offset of the first unquoted, unescaped * ? [ or { (-1 if none). */
  glob: number;
}

// Character classes of ASCII for the scanning loops (one table lookup per character).
/** Ends a run of bare word characters. */
const BARE_STOP = 1;
/** Ends a run inside double quotes. */
const DQ_STOP = 2;
/** Ends a run inside single quotes. */
const SQ_STOP = 4;
/** Ends a comment. */
const NL = 8;
/** Never accepted (at() says why): C0 controls but tab and newline, DEL. */
const BAD = 16;
/** May be expanded in a command argument (globs; braces in bash). */
const GLOB = 32;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 0x20; c++) CLASS[c] = BAD;
CLASS[0x7f] = BAD;
CLASS[9] = BARE_STOP;
CLASS[10] = BARE_STOP | NL;
for (const c of ' \\\'"$`~;&|<>()') CLASS[c.charCodeAt(0)]! |= BARE_STOP;
for (const c of '"\\$`') CLASS[c.charCodeAt(0)]! |= DQ_STOP;
CLASS["'".charCodeAt(0)]! |= SQ_STOP;
for (const c of '*?[{') CLASS[c.charCodeAt(0)]! |= GLOB;

/** Appends `text`, which starts at source offset `at`, to a value being built. */
function push(out: Lexed, text: string, at: number): void {
  if (text === '') return;
  if (at !== out.next) {
    out.runStarts.push(out.length);
    out.runSources.push(at);
  }
  out.parts.push(text);
  out.length += text.length;
  out.next = at + text.length;
}

/** Hand-written scanner; every character is read through at() so characters sh would read differently are caught. */
class ConfScanner {
  private i = 0;
  private readonly lineStarts: number[] = [0];
  // The last position computed: pos() walks forward from it, so positions asked in order cost linear time in total.
  private curOffset = 0;
  private curLine = 1;
  private curCol = 1;

  constructor(
    private readonly src: string,
    private readonly file: string,
  ) {
    for (let k = src.indexOf('\n'); k >= 0; k = src.indexOf('\n', k + 1)) this.lineStarts.push(k + 1);
  }

  document(): LvsConfDoc {
    const statements: ConfStatement[] = [];
    if (this.src.charCodeAt(0) === 0xfeff) this.fail(0, 'the file starts with a UTF-8 byte-order mark; the shell would read it as part of the first command (save without BOM)');
    let finalNewline = false;
    while (this.i < this.src.length) {
      statements.push(this.statement(this.i));
      // The newline that ended the statement (a statement may also run to the end through a `\`-newline continuation).
      finalNewline = this.i < this.src.length;
      if (finalNewline) this.i++;
    }
    return { file: this.file, statements, finalNewline };
  }

  // ---- positions and errors ----

  /** 1-based line of an offset. */
  private lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Line and column (in characters: a surrogate pair is one) of an offset. */
  private pos(offset: number): ConfPos {
    this.seek(offset);
    return { line: this.curLine, col: this.curCol };
  }

  /** Moves the cursor (curLine, curCol) to an offset. */
  private seek(offset: number): void {
    let k = this.curOffset;
    let line = this.curLine;
    let col = this.curCol;
    if (offset < k) {
      line = this.lineOf(offset);
      k = this.lineStarts[line - 1]!;
      col = 1;
    }
    for (; k < offset; k++) {
      const c = this.src.charCodeAt(k);
      if (c === 10) {
        line++;
        col = 1;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdbff && k + 1 < offset) k++;
      col++;
    }
    this.curOffset = offset;
    this.curLine = line;
    this.curCol = col;
  }

  private fail(offset: number, message: string): never {
    throw confError(this.file, this.pos(offset), message);
  }

  /** The character at k ('' past the end); any character sh would read differently from this parser is an error. */
  private at(k: number): string {
    if (k >= this.src.length) return '';
    const code = this.src.charCodeAt(k);
    if (code >= 0x20 && code < 0x7f) return this.src[k]!;
    if (code === 10 || code === 9) return this.src[k]!;
    if (code === 13) {
      if (this.src.charCodeAt(k + 1) === 10) {
        this.fail(k, `CRLF line end (a Windows editor's): /bin/sh reads the CR as part of the line, so a value would end in CR and a blank line would run a command named CR; save the file with LF line ends (importing it converts them)`);
      }
      this.fail(k, 'carriage return without a line feed (the shell would make it part of the value)');
    }
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) this.fail(k, `control character U+${code.toString(16).toUpperCase().padStart(4, '0')} is not allowed`);
    if (code === 0xfffd) this.fail(k, 'U+FFFD (the replacement character): the file is probably not UTF-8, and /bin/sh would read its original bytes; save it as UTF-8');
    if (code >= 0xd800 && code <= 0xdbff && !(this.src.charCodeAt(k + 1) >= 0xdc00 && this.src.charCodeAt(k + 1) <= 0xdfff)) this.fail(k, 'an unpaired UTF-16 surrogate is not text');
    if (code >= 0xdc00 && code <= 0xdfff && !(this.src.charCodeAt(k - 1) >= 0xd800 && this.src.charCodeAt(k - 1) <= 0xdbff)) this.fail(k, 'an unpaired UTF-16 surrogate is not text');
    return this.src[k]!;
  }

  /**
   * The end of the run of characters from k that are not in the classes `stop` (nor the end of the text). Every
   * character passed is checked as at() checks it (non-ASCII ones through at(); a BAD one makes at() throw).
   */
  private run(k: number, stop: number): number {
    const s = this.src;
    for (;;) {
      const c = s.charCodeAt(k);
      if (Number.isNaN(c)) return k;
      if (c < 128) {
        const t = CLASS[c]!;
        if (t & BAD) this.at(k);
        if (t & stop) return k;
      } else this.at(k);
      k++;
    }
  }

  private isBlank(c: string): boolean {
    return c === ' ' || c === '\t';
  }

  /**
   * Skips spaces, tabs and `\`-newline continuations between words. sh deletes a continuation before it reads words, so
   * one right after a word's last character would join that word with the next line: only a continuation after a blank
   * or at a line start is accepted here.
   */
  private skipBlanks(): void {
    for (;;) {
      const c = this.at(this.i);
      if (this.isBlank(c)) this.i++;
      else if (c === '\\' && this.at(this.i + 1) === '\n') {
        if (this.i > 0 && !' \t\n'.includes(this.src[this.i - 1]!)) this.joinsWords(this.i);
        this.i += 2;
      } else return;
    }
  }

  /** Fails for a continuation at k that would join the word before it with the next line. */
  private joinsWords(k: number): never {
    let s = k;
    while (s > 0 && !MESSAGE_STOP.test(this.src[s - 1]!) && k - s < 40) s--;
    const before = this.src.slice(s, k);
    const after = this.wordText(k + 2, '');
    this.fail(
      k,
      `a line continuation ('\\' at the end of a line) right after '${before}' joins it with the next line: the shell reads '${before}${after}'; put a blank before the backslash or write it on one line`,
    );
  }

  private atEol(): boolean {
    const c = this.at(this.i);
    return c === '' || c === '\n';
  }

  /** Skips a comment up to (not including) the newline. */
  private skipComment(): void {
    this.i = this.run(this.i, NL);
  }

  /** Reads a variable name at k without consuming it; '' if none. */
  private peekName(k: number): string {
    if (!NAME_START.test(this.at(k))) return '';
    let e = k + 1;
    while (NAME_CHAR.test(this.at(e))) e++;
    return this.src.slice(k, e);
  }

  /** The shell word starting at k, as written (for messages), cut at blanks, operators and control characters (never echoed). */
  private wordText(k: number, orElse = this.src.slice(k, k + 1)): string {
    let e = k;
    while (e < this.src.length && !MESSAGE_STOP.test(this.src[e]!) && e - k < 40) e++;
    return this.src.slice(k, e) || (MESSAGE_STOP.test(orElse) ? '' : orElse);
  }

  /** Fails if k holds an operator character (';', '&', '|', '<', '>', '(' or ')'). */
  private checkOperator(k: number): void {
    const c = this.at(k);
    if (!OPERATOR_CHARS.includes(c) || c === '') return;
    const two = c + this.at(k + 1);
    if (two === '&&' || two === '||') this.fail(k, `'${two}' would run another command; lvs.conf may only assign variables`);
    if (c === ';') this.fail(k, `';' would run another command; lvs.conf may only assign variables`);
    if (c === '&') this.fail(k, `'&' would run a command in the background; lvs.conf may only assign variables`);
    if (c === '|') this.fail(k, `'|' would pipe into a command; lvs.conf may only assign variables`);
    if (two === '<<') this.fail(k, `'<<' (here-document) is a redirection; redirections are not allowed in lvs.conf`);
    if (two === '>>') this.fail(k, `'>>' is a redirection; redirections are not allowed in lvs.conf`);
    if (c === '<' || c === '>') this.fail(k, `'${c}' is a redirection; redirections are not allowed in lvs.conf`);
    this.fail(k, `'${c}' would start a subshell, array or function; lvs.conf may only assign variables`);
  }

  /** Fails if the name at k is followed directly by a continuation (which would join it with the next line). */
  private checkNameEnd(k: number, name: string): void {
    const e = k + name.length;
    if (this.at(e) === '\\' && this.at(e + 1) === '\n') this.joinsWords(e);
  }

  /** Fails for a reserved name (PATH, IFS, LD_*…) at k. */
  private checkReserved(k: number, name: string, verb: 'set' | 'exported'): void {
    const why = reservedNameReason(name);
    if (why) this.fail(k, `'${name}' cannot be ${verb} in lvs.conf: ${why}`);
  }

  // ---- statements ----

  private statement(start: number): ConfStatement {
    const line = this.lineOf(start);
    this.skipBlanks();
    if (this.atEol()) return { kind: 'blank', raw: this.src.slice(start, this.i), line };
    if (this.at(this.i) === '#') {
      this.skipComment();
      return { kind: 'comment', raw: this.src.slice(start, this.i), line };
    }
    this.checkOperator(this.i);
    const wordStart = this.i;
    let exported = false;
    let name = this.peekName(this.i);
    if (name) this.checkNameEnd(this.i, name);
    if (name === 'export' && (this.blankAt(this.i + 6) || this.atEolAt(this.i + 6))) {
      exported = true;
      this.i += 6;
      this.skipBlanks();
      if (this.atEol() || this.at(this.i) === '#') this.fail(wordStart, `'export' without a variable name would list the environment; name a variable`);
      if (this.at(this.i) === '-') this.fail(this.i, `export options such as '${this.wordText(this.i)}' are not allowed; write export NAME=value`);
      this.checkOperator(this.i);
      name = this.peekName(this.i);
      if (!name) this.fail(this.i, `'${this.wordText(this.i)}' is not a valid variable name`);
      this.checkNameEnd(this.i, name);
      if (this.at(this.i + name.length) !== '=') return this.exportNames(start, line);
    }
    const nameStart = this.i;
    const after = this.at(nameStart + name.length);
    if (name && after === '=') {
      this.checkReserved(nameStart, name, 'set');
      this.i = nameStart + name.length + 1;
      return this.assignment(start, line, name, exported);
    }
    if (name && after === '+' && this.at(nameStart + name.length + 1) === '=') {
      this.fail(nameStart + name.length, `'+=' is not POSIX sh (the seed's /bin/sh would run '${name}+=…' as a command); write ${name}=value`);
    }
    if (name && this.blankAt(nameStart + name.length)) {
      const save = this.i;
      this.i = nameStart + name.length;
      this.skipBlanks();
      const eq = this.at(this.i) === '=';
      this.i = save;
      if (eq) this.fail(nameStart, `'${name}' followed by a space would run as a command; write ${name}=value with no spaces around '='`);
    }
    const c = this.at(nameStart);
    if (c === '$') this.dollar(nameStart);
    if (c === '`') this.backtick(nameStart);
    if (c === '=') this.fail(nameStart, `'=' without a variable name before it`);
    if (!name && /^[A-Za-z0-9_]+=/.test(this.src.slice(nameStart, nameStart + 256))) {
      this.fail(nameStart, `'${this.wordText(nameStart).split('=')[0]}' is not a valid variable name (letters, digits and '_', not starting with a digit)`);
    }
    this.fail(nameStart, `'${this.wordText(nameStart)}' would run as a command; lvs.conf may only assign variables (NAME=value)`);
  }

  /** A space or tab at k (a continuation is not a blank: sh deletes it). */
  private blankAt(k: number): boolean {
    return this.isBlank(this.at(k));
  }

  private atEolAt(k: number): boolean {
    const c = this.at(k);
    return c === '' || c === '\n';
  }

  /** `export NAME [NAME ...] [# comment]`, with i at the first name. */
  private exportNames(start: number, line: number): ConfExport {
    const names: string[] = [];
    for (;;) {
      const name = this.peekName(this.i);
      if (!name) {
        this.checkOperator(this.i);
        this.fail(this.i, `'${this.wordText(this.i)}' is not a valid variable name`);
      }
      this.checkNameEnd(this.i, name);
      const after = this.at(this.i + name.length);
      if (after === '=') this.fail(this.i, 'only one assignment per line is supported; put it on its own line');
      if (!(this.blankAt(this.i + name.length) || this.atEolAt(this.i + name.length))) {
        this.checkOperator(this.i + name.length);
        this.fail(this.i, `'${this.wordText(this.i)}' is not a valid variable name`);
      }
      this.checkReserved(this.i, name, 'exported');
      names.push(name);
      this.i += name.length;
      this.skipBlanks();
      if (this.atEol()) break;
      if (this.at(this.i) === '#') {
        this.skipComment();
        break;
      }
    }
    return { kind: 'export', raw: this.src.slice(start, this.i), line, names };
  }

  /** NAME=WORD with i just after '='. */
  private assignment(start: number, line: number, name: string, exported: boolean): ConfAssignment {
    const valueStart = this.i;
    const lexed = this.word();
    const valueEnd = this.i;
    if (exported && lexed.glob >= 0) {
      const g = this.src[lexed.glob]!;
      this.fail(
        lexed.glob,
        `'${g}' unquoted in 'export ${name}=…': the value is a command argument there, which some shells expand (bash: {a,b}; older shells: * ? [ against file names); quote the value or assign it first and export the name`,
      );
    }
    this.skipBlanks();
    if (!this.atEol()) {
      if (this.at(this.i) === '#') this.skipComment();
      else {
        this.checkOperator(this.i);
        const next = this.peekName(this.i);
        if (next && this.at(this.i + next.length) === '=') this.fail(this.i, 'only one assignment per line is supported; put it on its own line');
        this.fail(this.i, `'${this.wordText(this.i)}' after the assignment would run as a command (quote the value if it contains spaces)`);
      }
    }
    const valuePos = this.pos(valueStart);
    const value = lexed.parts.join('');
    const { runStarts, runSources } = lexed;
    // Items in order, so both the run lookup (r) and pos() only move forward.
    let r = 0;
    const items: ConfItem[] = [];
    for (let k = 0; k < value.length; ) {
      const c = value.charCodeAt(k);
      if (c === 32 || c === 9 || c === 10) {
        k++;
        continue;
      }
      const from = k;
      for (let d = c; k < value.length && d !== 32 && d !== 9 && d !== 10; d = value.charCodeAt(k)) k++;
      while (r + 1 < runStarts.length && runStarts[r + 1]! <= from) r++;
      this.seek(runSources[r]! + (from - runStarts[r]!));
      items.push({ text: value.slice(from, k), line: this.curLine, col: this.curCol });
    }
    return {
      kind: 'assign',
      raw: this.src.slice(start, this.i),
      line,
      name,
      exported,
      value,
      quoting: lexed.quoting ?? 'bare',
      valueStart: valueStart - start,
      valueEnd: valueEnd - start,
      valuePos,
      items,
    };
  }

  /** A '$' at k outside single quotes: always an error, named by what it would do. */
  private dollar(k: number): never {
    const n = this.at(k + 1);
    if (n === '(') this.fail(k, `command substitution '$(…)' is not allowed in lvs.conf (the shell would run it)`);
    if (n === '{') this.fail(k, `parameter expansion '\${…}' is not allowed in lvs.conf; write the value itself`);
    if (/[A-Za-z0-9_@*#?$!-]/.test(n)) {
      const what = NAME_START.test(n) ? this.peekName(k + 1) : n;
      this.fail(k, `variable expansion '$${what}' is not allowed in lvs.conf; write the value itself`);
    }
    this.fail(k, `'$' starts an expansion; write it inside single quotes or as \\$ in double quotes`);
  }

  private backtick(k: number): never {
    this.fail(k, 'command substitution `…` is not allowed in lvs.conf (the shell would run it)');
  }

  /** One shell word (the value after '='), ending at an unquoted blank, newline or end of file. */
  private word(): Lexed {
    const out: Lexed = { parts: [], length: 0, runStarts: [], runSources: [], next: -1, quoting: undefined, glob: -1 };
    for (;;) {
      const k = this.i;
      const e = this.run(k, BARE_STOP);
      if (e > k) {
        out.quoting ??= 'bare';
        if (out.glob < 0) {
          for (let g = k; g < e; g++) {
            const c = this.src.charCodeAt(g);
            if (c < 128 && CLASS[c]! & GLOB) {
              out.glob = g;
              break;
            }
          }
        }
        push(out, this.src.slice(k, e), k);
        this.i = e;
        continue;
      }
      const c = this.at(k);
      if (c === '' || c === '\n' || this.isBlank(c)) return out;
      if (c === '\\') {
        const n = this.at(k + 1);
        if (n === '') this.fail(k, 'backslash at the end of the file');
        if (n === '\n') {
          this.i += 2; // continuation
          continue;
        }
        // one character (both halves of a surrogate pair)
        const len = n.charCodeAt(0) >= 0xd800 && n.charCodeAt(0) <= 0xdbff ? 2 : 1;
        if (len === 2) this.at(k + 2);
        out.quoting ??= 'bare';
        push(out, this.src.slice(k + 1, k + 1 + len), k + 1);
        this.i = k + 1 + len;
      } else if (c === "'") {
        out.quoting ??= 'single';
        const end = this.run(k + 1, SQ_STOP);
        if (end >= this.src.length) this.fail(k, 'unterminated single quote');
        push(out, this.src.slice(k + 1, end), k + 1);
        this.i = end + 1;
      } else if (c === '"') {
        out.quoting ??= 'double';
        this.doubleQuoted(k, out);
      } else if (c === '$') this.dollar(k);
      else if (c === '`') this.backtick(k);
      else if (c === '~') this.fail(k, `'~' would be expanded to a home directory (tilde expansion); quote it`);
      else this.checkOperator(k);
    }
  }

  /** "…" starting at k (the opening quote); leaves i after the closing quote. */
  private doubleQuoted(k: number, out: Lexed): void {
    let e = k + 1;
    for (;;) {
      const end = this.run(e, DQ_STOP);
      push(out, this.src.slice(e, end), e);
      e = end;
      const d = this.at(e);
      if (d === '') this.fail(k, 'unterminated double quote');
      if (d === '"') break;
      if (d === '\\') {
        const n = this.at(e + 1);
        if (n === '') this.fail(k, 'unterminated double quote');
        if (n === '\n') e += 2;
        else if (n === '$' || n === '`' || n === '"' || n === '\\') {
          push(out, n, e + 1);
          e += 2;
        } else {
          push(out, '\\', e);
          e++;
        }
      } else if (d === '$') this.dollar(e);
      else this.backtick(e);
    }
    this.i = e + 1;
  }
}

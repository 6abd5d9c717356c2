/**
 * Grammar-based generator of lvs.conf files, realistic and adversarial, as bytes: the seed's forms (quoted lists with
 * continuation lines, comments, export) and everything around them a shell reads differently: both quote kinds,
 * escapes, continuations anywhere (inside words, names and keywords), comments, `export`/`readonly`, assignments with
 * prefixes, CRLF and lone CR, tabs, bytes that are not UTF-8, NUL and other controls, Unicode, `$`, backticks, `;`,
 * `&`, `|`, redirections, globs, tilde, keywords, here-docs, functions, `:`, `.`, `set`, empty lines.
 * Commands in generated files are harmless on purpose (lvscanary, :, true, set, cd …): the oracle runs accepted files.
 */
import fc from 'fast-check';

const chars = (s: string) => fc.constantFrom(...Array.from(s));
const str = (unit: fc.Arbitrary<string>, min: number, max: number) => fc.array(unit, { minLength: min, maxLength: max }).map((a) => a.join(''));

/** Names the seed and sites use, and names that are keys of every JS object. */
const REAL_NAMES = ['VIP', 'VIP_IF', 'LVS_IF', 'TPORTS', 'UPORTS', 'RIPS', 'PING_COUNT', 'LOGFILE', 'MOTD', 'X', '_x', 'a1', 'A_B_9', 'lvs_dir'];
const OBJECT_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineSetter__'];
/** Names the shells, the loader, libc or the director's commands treat specially. */
export const SPECIAL_NAMES = [
  'PATH', 'IFS', 'ENV', 'BASH_ENV', 'PS1', 'PS2', 'PS4', 'HOME', 'CDPATH', 'SHELLOPTS', 'BASHOPTS', 'LD_PRELOAD', 'LD_LIBRARY_PATH',
  'OPTIND', 'OPTARG', 'LINENO', 'PPID', 'PWD', 'OLDPWD', 'MAIL', 'MAILPATH', 'HOSTNAME', 'FUNCNAME', 'SHLVL', 'RANDOM', 'SECONDS',
  'LANG', 'LC_ALL', 'TMPDIR', 'GLIBC_TUNABLES', 'HISTFILE', 'POSIXLY_CORRECT', 'FCEDIT', 'GREP_OPTIONS', 'TZ',
];
const BAD_NAMES = ['1A', 'A-B', 'é', 'A.B', 'A:B', 'A@B', 'Ä'];
const KEYWORDS = ['export', 'readonly', 'local', 'unset', 'set', 'eval', 'exec', 'trap', '.', ':', 'true', 'echo', 'cd', 'shift', 'return', 'alias', 'if', 'then', 'fi', 'for', 'in', 'do', 'done', 'case', 'esac', 'while', 'until', 'function', '!', '{', '}', '[[', 'time', 'command', 'declare', 'typeset', 'umask', 'lvscanary'];

const realName = fc.constantFrom(...REAL_NAMES);
const anyName = fc.oneof(
  { weight: 12, arbitrary: realName },
  { weight: 2, arbitrary: fc.constantFrom(...OBJECT_NAMES) },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_NAMES) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_NAMES) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/) },
);

/** Bare characters, with non-ASCII ones whose UTF-8 bytes include 0x81–0x88 (dash's internal CTL* codes): ā ł ą ć Ĉ … */
const BARE = 'abcXYZ019_.,:/@%+=-#*?[]{}!^éñ中😀\u00a0āłąćĈ…';
const PRINTABLE = `${BARE} '"\\$\`;&|<>()~\t#`;
const blanks = str(chars(' \t'), 0, 3);
const blanks1 = str(chars(' \t'), 1, 3);

/** Word pieces a careful admin writes. */
const goodPiece = fc.oneof(
  { weight: 6, arbitrary: str(chars(BARE), 1, 8) },
  { weight: 2, arbitrary: chars(PRINTABLE).map((c) => `\\${c}`) },
  { weight: 1, arbitrary: fc.constant('\\\n') },
  { weight: 3, arbitrary: str(fc.oneof(chars(PRINTABLE.replace("'", '')), fc.constant('\n')), 0, 10).map((s) => `'${s}'`) },
  {
    weight: 4,
    arbitrary: fc
      .array(
        fc.oneof(
          { weight: 6, arbitrary: chars(PRINTABLE.replace(/["\\$`]/g, '')) },
          { weight: 1, arbitrary: fc.constant('\n') },
          { weight: 2, arbitrary: chars('"\\$`').map((c) => `\\${c}`) },
          { weight: 1, arbitrary: fc.constant('\\\n') },
          { weight: 1, arbitrary: chars("abn '#;~é").map((c) => `\\${c}`) },
        ),
        { maxLength: 10 },
      )
      .map((us) => `"${us.join('')}"`),
  },
);
/** Word pieces a shell expands or treats as syntax. */
const hostilePiece = fc.constantFrom(
  '$X', '${X}', '$(lvscanary)', '`lvscanary`', '$((1+1))', "$'a\\tb'", '$"x"', '$', '$1', '$?', '$$', '~', '~root', 'a:~/x', ';', ';lvscanary',
  '&', '|', '<', '>', '>lvscanary.out', '(', ')', ' ', '\t', '\r', '\u0000', '\u0007', '\u001b', '\u0085', '\ufeff', '\ufffd', '\u202e', '"$X"',
  '"$(lvscanary)"', '"`lvscanary`"', '*', '{a,b}', '[a]', '\\\r\n', '\\', '"', "'", '#',
);
const goodWord = fc.array(goodPiece, { maxLength: 4 }).map((ps) => ps.join(''));
/** A value an admin writes after `export NAME=`: no * ? [ { (the parser refuses them unquoted there; hostile files have them). */
const exportWord = goodWord.map((w) => w.replace(/[*?[{]/g, '_'));
const anyWord = fc.array(fc.oneof({ weight: 5, arbitrary: goodPiece }, { weight: 1, arbitrary: hostilePiece }), { maxLength: 4 }).map((ps) => ps.join(''));
const commentText = str(chars(PRINTABLE + '$()`'), 0, 14).map((s) => `#${s}`);
const trailer = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: blanks1 },
  { weight: 3, arbitrary: fc.tuple(blanks1, commentText).map(([b, c]) => b + c) },
);
/** A list the seed's way: double-quoted, one item per line ending in ` \`. */
const seedList = fc
  .tuple(fc.constantFrom('RIPS', 'TPORTS', 'UPORTS'), fc.array(str(chars('abcdefgrs0123456789.-'), 1, 10), { minLength: 1, maxLength: 6 }), fc.boolean())
  .map(([n, items, trailingItem]) => `${n}="${items.map((i) => `${i} \\\n`).join('')}${trailingItem ? 'last' : ''}"`);

const goodAssign = fc
  .record({
    indent: blanks,
    exp: fc.boolean(),
    name: fc.oneof({ weight: 6, arbitrary: realName }, { weight: 1, arbitrary: fc.constantFrom(...OBJECT_NAMES) }),
    word: goodWord,
    exportWord,
    trailer,
  })
  .map((r) => ({ ...r, word: r.exp ? r.exportWord : r.word }))
  .filter((r) => !r.word.endsWith('\\\n') || r.trailer === '')
  .map((r) => `${r.indent}${r.exp ? 'export ' : ''}${r.name}=${r.word}${r.trailer}`);
const goodStatement = fc.oneof(
  { weight: 8, arbitrary: goodAssign },
  { weight: 2, arbitrary: seedList },
  { weight: 2, arbitrary: blanks },
  { weight: 3, arbitrary: fc.tuple(blanks, commentText).map(([b, c]) => b + c) },
  { weight: 1, arbitrary: fc.array(realName, { minLength: 1, maxLength: 3 }).map((ns) => `export ${ns.join(' ')}`) },
);

/** Whole statements a shell would run, expand or read differently (all harmless when run). */
const HOSTILE_STATEMENTS = [
  ':', 'true', 'lvscanary', 'echo lvscanary', 'set -e', 'set -x', 'set -f', 'set -- a b', 'shift', 'trap lvscanary EXIT', 'cd /', 'cd',
  'eval X=1', "eval 'lvscanary'", 'exec 3>lvscanary.out', 'readonly X', 'readonly X=1', 'unset X', 'unset PWD', 'alias lvscanary=true', 'umask 077',
  '. /dev/null', 'return', 'lvscanary() { X=1; }', 'X() { :; }', '{ X=1; }', '(X=1)', 'if true; then X=1; fi', 'for X in a b; do :; done',
  'case a in a) X=1;; esac', ': <<EOF\nX=1\nEOF', 'lvscanary <<\'EOF\'\nY=2\nEOF', 'X=1 >lvscanary.out', 'X=1 2>&1', '>lvscanary.out', '! X=1',
  'X=1 &', 'X=1 | :', 'X=1 && :', 'X=1 || :', 'X=1; Y=2', 'X=1 Y=2', 'X=1 lvscanary', 'X=1 export Y=2', 'export X=1 Y=2', 'export -n X',
  'export -p', 'export', 'local X=1', 'declare X=1', 'typeset X=1', 'X+=1', 'X =1', 'X= 1', 'X[0]=1', 'X=(a b)', 'source /dev/null',
  'ex\\\nport X=1', 'export\\\nX=1', 'export X\\\nY', 'X\\\n=1', 'V\\\nIP=1', 'X=1\\\nY=2', 'X=1 \\\nY=2', 'X=1\\\n Y=2', 'VIP=1 \\\n#c',
  'X=*', 'export X=*', 'export X={a,b}', 'export X=a?', 'export X=[ab]', 'X=~', "X='~'", 'X=a\\\r\nb', 'function lvscanary { :; }', '[[ -n x ]]',
  'X=$\'a\'', 'readonly', 'time :', 'command :', 'exec 1>&2',
];
const hostileStatement = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STATEMENTS) },
  {
    weight: 4,
    arbitrary: fc
      .record({ indent: blanks, exp: fc.constantFrom('', '', 'export ', 'readonly ', 'local ', 'X=1 '), name: anyName, eq: fc.constantFrom('=', '=', '=', ' =', '+=', '= '), word: anyWord, trailer })
      .map((r) => `${r.indent}${r.exp}${r.name}${r.eq}${r.word}${r.trailer}`),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...KEYWORDS), blanks1, anyWord).map(([k, b, w]) => `${k}${b}${w}`) },
  { weight: 1, arbitrary: fc.array(anyName, { minLength: 1, maxLength: 3 }).map((ns) => `export ${ns.join(' ')}`) },
);

/** A document: statements joined by line ends (LF, all CRLF, or mixed), maybe a final newline, maybe a BOM (1 in 10 unless `plain`). */
function doc(statement: fc.Arbitrary<string>, maxStatements: number, plain = false): fc.Arbitrary<string> {
  return fc
    .record({
      stmts: fc.array(statement, { maxLength: maxStatements }),
      ends: fc.constantFrom('lf', 'lf', 'lf', 'lf', 'crlf', 'mixed'),
      mixed: fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 1, maxLength: 4 }),
      finalNewline: fc.boolean(),
      bom: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
    })
    .map(({ stmts, ends, mixed, finalNewline, bom }) => {
      const end = (k: number) => (ends === 'lf' ? '\n' : ends === 'crlf' ? '\r\n' : mixed[k % mixed.length]!);
      let t = stmts.map((s, k) => (ends === 'crlf' ? s.replace(/\n/g, '\r\n') : s) + (k < stmts.length - 1 || finalNewline ? end(k) : '')).join('');
      if (bom && !plain) t = '\ufeff' + t;
      return t;
    });
}

/** Text edits: a continuation, CR, newline or a hostile character anywhere (inside names and keywords too). */
const textEdit = fc.record({ at: fc.nat(), what: fc.constantFrom('\\\n', '\\\n', '\\\n', '\r', '\r\n', '\n', ' ', '\t', '\u0000', '$', '`', '#', "'", '"', '\\', '\\\\\n') });
/** Byte edits: bytes that are not UTF-8 (stray continuation, lone lead byte, surrogate, overlong, beyond U+10FFFF, FF). */
const byteEdit = fc.record({
  at: fc.nat(),
  bytes: fc.constantFrom([0x80], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xfe, 0xff], [0xe2, 0x82]),
});

function applyText(t: string, edits: { at: number; what: string }[]): string {
  let s = t;
  for (const e of edits) {
    const at = s.length === 0 ? 0 : e.at % (s.length + 1);
    s = s.slice(0, at) + e.what + s.slice(at);
  }
  return s;
}

function applyBytes(b: Buffer, edits: { at: number; bytes: readonly number[] }[]): Buffer {
  let out = b;
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % (out.length + 1);
    out = Buffer.concat([out.subarray(0, at), Buffer.from(e.bytes), out.subarray(at)]);
  }
  return out;
}

/** One generated file and how it was made (for the report). */
export interface GeneratedFile {
  kind: 'realistic' | 'realistic+edits' | 'hostile' | 'realistic+bytes' | 'windows';
  bytes: Buffer;
}

/** The mix: realistic files (mostly accepted), with text edits, hostile statements, invalid bytes, Windows line ends. */
export const lvsConfFile: fc.Arbitrary<GeneratedFile> = fc.oneof(
  { weight: 40, arbitrary: doc(goodStatement, 12, true).map((t) => ({ kind: 'realistic' as const, bytes: Buffer.from(t.replace(/\r/g, ''), 'utf8') })) },
  {
    weight: 22,
    arbitrary: fc.tuple(doc(goodStatement, 8), fc.array(textEdit, { minLength: 1, maxLength: 3 })).map(([t, e]) => ({ kind: 'realistic+edits' as const, bytes: Buffer.from(applyText(t, e), 'utf8') })),
  },
  {
    weight: 22,
    arbitrary: doc(fc.oneof({ weight: 2, arbitrary: goodStatement }, { weight: 3, arbitrary: hostileStatement }), 8).map((t) => ({ kind: 'hostile' as const, bytes: Buffer.from(t, 'utf8') })),
  },
  {
    weight: 8,
    arbitrary: fc.tuple(doc(goodStatement, 6), fc.array(byteEdit, { minLength: 1, maxLength: 2 })).map(([t, e]) => ({ kind: 'realistic+bytes' as const, bytes: applyBytes(Buffer.from(t, 'utf8'), e) })),
  },
  { weight: 8, arbitrary: doc(goodStatement, 10).map((t) => ({ kind: 'windows' as const, bytes: Buffer.from(t.replace(/\r?\n/g, '\r\n'), 'utf8') })) },
);

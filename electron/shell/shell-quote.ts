/**
 * The one function that turns argv into the command string ssh needs. POSIX single quotes: every argument is wrapped
 * in '…' and each ' inside becomes '\''. Arguments that are plainly safe are left bare for readable audit logs; the first
 * word is quoted too when the shell would not read it as a command name (an assignment such as A=b, a reserved word).
 */
export function shellQuote(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('shellQuote: empty argv');
  return argv.map((a, i) => (i === 0 && (a.includes('=') || RESERVED.has(a)) ? singleQuote(a) : quoteArg(a))).join(' ');
}

// POSIX sh reserved words (XCU 2.4), plus bash's and ksh's ([[ ]] function select time): as a first word they start
// syntax, not a command.
const RESERVED = new Set(['!', '{', '}', 'case', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'if', 'in', 'then', 'until', 'while', '[[', ']]', 'function', 'select', 'time']);

/** Quotes one argument (see shellQuote). */
export function quoteArg(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return singleQuote(arg);
}

/** `'arg'` with each ' written as '\''. Throws on a NUL byte (no argv can hold one). */
function singleQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('shellQuote: NUL byte in argument');
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The one function that turns argv into the command string ssh needs. POSIX single quotes: every argument is wrapped
 * in '…' and each ' inside becomes '\''. Arguments that are plainly safe are left bare for readable audit logs.
 */
export function shellQuote(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('shellQuote: empty argv');
  return argv.map(quoteArg).join(' ');
}

/** Quotes one argument (see shellQuote). */
export function quoteArg(arg: string): string {
  if (arg.includes('\0')) throw new Error('shellQuote: NUL byte in argument');
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

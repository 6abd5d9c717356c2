/** Parsed command line: positionals and --flags (boolean or with a value). */
export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/**
 * Parses `args` given which long flags take a value. `--flag=value` and `--flag value` both work; `--` ends flags.
 * Unknown flags are an error (returned as a message) so typos never silently change what a command does.
 */
export function parseArgs(args: string[], spec: { values?: string[]; booleans?: string[] }): ParsedArgs | { error: string } {
  const values = new Set(spec.values ?? []);
  const booleans = new Set(spec.booleans ?? []);
  const out: ParsedArgs = { positionals: [], flags: new Map() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.positionals.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (values.has(name)) {
        const v = eq >= 0 ? a.slice(eq + 1) : args[++i];
        if (v === undefined) return { error: `--${name} needs a value` };
        out.flags.set(name, v);
      } else if (booleans.has(name) && eq < 0) {
        out.flags.set(name, true);
      } else {
        return { error: `unknown option --${name}` };
      }
    } else out.positionals.push(a);
  }
  return out;
}

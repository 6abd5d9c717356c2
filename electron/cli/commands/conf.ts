/**
 * `lvsctl conf check FILE` and `lvsctl conf show FILE [--json]`: validate or show an /etc/lvs.conf without running it.
 * FILE may be '-' for standard input. check: exit 0 and `FILE: ok (N variables)`, or exit 1 with one
 * `FILE:LINE:COL: message` line per problem on stderr (a CRLF file is valid but gets a warning on stderr). show: a table (VARIABLE VALUE LINE, one list item per row), or
 * with --json an object keyed by variable name in file order (TPORTS, UPORTS, RIPS as arrays, the rest strings).
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../../../shared/result.ts';
import { confJson, confVariables, parseLvsConf, type ConfVariables } from '../../lvs/conf/conf-parse.ts';
import { checkConfValues } from '../../lvs/conf/conf-model.ts';
import { parseArgs } from '../args.ts';
import { EXIT, type CliCommand, type CliIo } from '../io.ts';

const USAGE = `usage: lvsctl conf check FILE
       lvsctl conf show FILE [--json]
FILE may be '-' to read standard input.
`;

/** Reads FILE (or stdin for '-'); undefined after printing why on failure. */
async function readConf(file: string, io: CliIo): Promise<string | undefined> {
  if (file === '-') return io.readStdin();
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err(`lvsctl conf: cannot read ${file}: ${code ?? (e instanceof Error ? e.message : String(e))}\n`);
    return undefined;
  }
}

/** The human table: VARIABLE, VALUE, LINE; list variables get one item per row; newlines and tabs in values shown escaped as \n and \t. */
function table(vars: ConfVariables): string {
  const rows: [string, string, string][] = [['VARIABLE', 'VALUE', 'LINE']];
  for (const v of vars.values()) {
    const name = v.exported ? `${v.name} (export)` : v.name;
    if (v.isList && v.items.length > 0) v.items.forEach((it, k) => rows.push([k === 0 ? name : '', it.text, String(it.line)]));
    else rows.push([name, v.isList ? '(empty)' : v.value.replace(/\n/g, '\\n').replace(/\t/g, '\\t'), String(v.line)]);
  }
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map((r) => `${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`.trimEnd()).join('\n') + '\n';
}

const run: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub !== 'check' && sub !== 'show') {
    io.err(sub ? `lvsctl conf: unknown subcommand '${sub}'\n${USAGE}` : USAGE);
    return EXIT.USAGE;
  }
  const parsed = parseArgs(rest, { booleans: sub === 'show' ? ['json'] : [] });
  if ('error' in parsed) {
    io.err(`lvsctl conf ${sub}: ${parsed.error}\n${USAGE}`);
    return EXIT.USAGE;
  }
  if (parsed.positionals.length !== 1) {
    io.err(`lvsctl conf ${sub}: expected exactly one FILE\n${USAGE}`);
    return EXIT.USAGE;
  }
  const file = parsed.positionals[0]!;
  const text = await readConf(file, io);
  if (text === undefined) return EXIT.FAILED;
  try {
    const doc = parseLvsConf(text, file);
    const vars = confVariables(doc);
    if (sub === 'check') {
      checkConfValues(doc);
      io.out(`${file}: ok (${vars.size} variables)\n`); // ≥ 3: VIP, VIP_IF and LVS_IF are required
      if (text.includes('\r\n')) io.err(`${file}: warning: CRLF line ends; /bin/sh on the director would read each CR as part of a value (lvsctl writes LF)\n`);
    } else if (parsed.flags.has('json')) io.out(JSON.stringify(confJson(vars), null, 2) + '\n');
    else io.out(table(vars));
    return EXIT.OK;
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'INVALID_INPUT') throw e;
    io.err(e.message + '\n');
    return EXIT.INVALID;
  }
};
export default run;

/**
 * `lvsctl conf check FILE` and `lvsctl conf show FILE [--json]`: validate or show an /etc/lvs.conf without running it,
 * exactly as the director's /bin/sh would read it. FILE may be '-' for standard input. check: exit 0 and
 * `FILE: ok (N variables)`, or exit 1 with one `FILE:LINE:COL: message` line per problem on stderr. A file the director
 * would read differently from what the console shows is an error, not a warning: CRLF line ends (sh keeps each CR in
 * its line), bytes that are not UTF-8, a reserved variable such as PATH or IFS (conf-parse.ts, conf-names.ts). show: a
 * table (VARIABLE VALUE LINE, one list item per row), or with --json an object keyed by variable name in file order
 * (TPORTS, UPORTS, RIPS as arrays, the rest strings); it refuses what check refuses.
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../../../shared/result.ts';
import { confJson, confVariables, parseLvsConf, type ConfVariables } from '../../lvs/conf/conf-parse.ts';
import { checkConfValues } from '../../lvs/conf/conf-model.ts';
import { decodeLvsConf } from '../../lvs/conf/conf-text.ts';
import { parseArgs } from '../args.ts';
import { EXIT, type CliCommand, type CliIo } from '../io.ts';

const USAGE = `usage: lvsctl conf check FILE
       lvsctl conf show FILE [--json]
FILE may be '-' to read standard input.
`;

/** Reads FILE's bytes (or stdin for '-'); undefined after printing why on failure. Decoding is the caller's (it can fail with a position). */
async function readConf(file: string, io: CliIo): Promise<Uint8Array | string | undefined> {
  if (file === '-') return io.readStdin();
  try {
    return await readFile(file);
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
  const content = await readConf(file, io);
  if (content === undefined) return EXIT.FAILED;
  try {
    // stdin arrives decoded (bytes that are not UTF-8 as U+FFFD, which the parser refuses with their position)
    const text = typeof content === 'string' ? content : decodeLvsConf(content, file);
    const doc = parseLvsConf(text, file);
    const vars = confVariables(doc);
    if (sub === 'check') {
      checkConfValues(doc);
      io.out(`${file}: ok (${vars.size} variables)\n`); // ≥ 3: VIP, VIP_IF and LVS_IF are required
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

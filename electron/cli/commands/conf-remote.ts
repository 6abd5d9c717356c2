/**
 * `lvsctl --profile FILE conf pull [--out FILE]` and `… conf push [FILE]`: the director's /etc/lvs.conf. pull prints it
 * (or writes FILE); push reads FILE (or standard input when FILE is '-' or missing), validates it locally and replaces
 * the director's file atomically with a timestamped backup.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { AppError } from '../../../shared/result.ts';
import { parseArgs } from '../args.ts';
import { EXIT } from '../io.ts';
import type { RemoteVerb } from './remote-verb.ts';

const USAGE = `usage: lvsctl --profile FILE conf pull [--out FILE]
       lvsctl --profile FILE conf push [FILE]      (FILE '-' or none: standard input)
`;

/** The remote `conf` verb (pull | push). */
export const confRemoteVerb: RemoteVerb = async (run, args, io) => {
  const [sub, ...rest] = args;
  if (sub !== 'pull' && sub !== 'push') {
    io.err(sub ? `lvsctl conf: '${sub}' needs no --profile (or is unknown); remote subcommands are pull and push\n${USAGE}` : USAGE);
    return EXIT.USAGE;
  }
  const parsed = parseArgs(rest, { values: sub === 'pull' ? ['out'] : [] });
  if ('error' in parsed) {
    io.err(`lvsctl conf ${sub}: ${parsed.error}\n${USAGE}`);
    return EXIT.USAGE;
  }
  const exec = run.ctx.director;
  if (sub === 'pull') {
    if (parsed.positionals.length) {
      io.err(`lvsctl conf pull: unexpected argument '${parsed.positionals[0]}'\n${USAGE}`);
      return EXIT.USAGE;
    }
    const text = await run.service.pullConf();
    const out = parsed.flags.get('out');
    if (typeof out === 'string') {
      await writeFile(out, text, { mode: 0o644 });
      io.err(`${exec.label}: /etc/lvs.conf → ${out} (${text.length} bytes)\n`);
    } else io.out(text);
    return EXIT.OK;
  }
  if (parsed.positionals.length > 1) {
    io.err(`lvsctl conf push: expected at most one FILE\n${USAGE}`);
    return EXIT.USAGE;
  }
  const file = parsed.positionals[0] ?? '-';
  let text: string;
  try {
    text = file === '-' ? await io.readStdin() : await readFile(file, 'utf8');
  } catch (e) {
    throw new AppError('INVALID_INPUT', `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const r = await run.service.pushConf(text, file === '-' ? '(stdin)' : file);
  if (run.json) io.out(`${JSON.stringify({ ok: true, ...r }, null, 2)}\n`);
  else io.out(`${exec.label}: ${r.path} replaced atomically (previous file, if any, kept as ${r.backup})\n`);
  return EXIT.OK;
};

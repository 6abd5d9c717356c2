/**
 * `lvsctl --profile FILE director make-master NAME [--dry-run] [--fingerprint F]`: a director pair's "make this
 * director master" (NAME: the director's host, or primary / secondary). The dry run prints the roles, the steps on the
 * current master (its yield file: 1, wait for NAME to hold the VIP, 0) and a fingerprint; run with --fingerprint F, it
 * is refused when the roles changed since that preview. Established connections stay (lvs-pair: both sync daemons on both directors and the takeover guard).
 */
import { AppError } from '../../../shared/result.ts';
import { shellQuote } from '../../shell/shell-quote.ts';
import { formatPair } from '../../services/status-view.ts';
import { parseArgs } from '../args.ts';
import { EXIT } from '../io.ts';
import type { RemoteVerb } from './remote-verb.ts';

const USAGE = 'usage: lvsctl --profile FILE director make-master NAME [--dry-run | --fingerprint F]\n';

/** The `director` verb (make-master). */
export const directorVerb: RemoteVerb = async (run, args, io) => {
  const parsed = parseArgs(args, { values: ['fingerprint'], booleans: ['dry-run'] });
  if ('error' in parsed) {
    io.err(`lvsctl director: ${parsed.error}\n${USAGE}`);
    return EXIT.USAGE;
  }
  const [sub, name, extra] = parsed.positionals;
  if (sub !== 'make-master' || !name || extra !== undefined) {
    io.err(`lvsctl director: expected make-master NAME\n${USAGE}`);
    return EXIT.USAGE;
  }
  const fp = parsed.flags.get('fingerprint');
  if (parsed.flags.has('dry-run')) {
    if (fp !== undefined) throw new AppError('INVALID_INPUT', '--fingerprint runs a preview; it does not go with --dry-run');
    const p = await run.service.previewMakeMaster(name);
    if (run.json) io.out(`${JSON.stringify({ ok: true, dryRun: true, ...p }, null, 2)}\n`);
    else {
      const steps = p.plan.yieldSteps.map((s, i) => `# ${i + 1}. ${s.why} [on ${p.on}]\n${shellQuote(s.argv)}\n`).join('');
      io.out(`# make ${p.target} master\n${formatPair(p.pair).map((l) => `# ${l}`).join('\n')}\n${p.plan.summary.map((l) => `# ${l}`).join('\n')}\n${steps}# fingerprint ${p.fingerprint}\n`);
    }
    return EXIT.OK;
  }
  const out = await run.service.makeMaster(name, {
    ...(typeof fp === 'string' ? { fingerprint: fp } : {}),
    ...(run.json ? {} : { onProgress: (m: string) => io.err(`make-master: ${m}\n`) }),
  });
  if (run.json) io.out(`${JSON.stringify({ ok: true, dryRun: false, ...out }, null, 2)}\n`);
  else io.out(`${out.plan.summary.join('; ')}${out.tookMs !== undefined ? ` (VIP moved in ${out.tookMs} ms)` : ''}\n${formatPair(out.after).join('\n')}\n`);
  return EXIT.OK;
};

/**
 * `lvsctl --profile FILE install-director [--dry-run [--save-plan F] | --plan F]`: puts the runtime the profile names
 * on the director, previewed and run like every change (change.ts: the exact steps, one transaction, refused when the
 * director changed since a saved preview). The script runtime: lvs.conf, /etc/init.d/lvs-director, its S99 rc link and
 * a cron `update` every minute, then a check that the installed script loads exactly the table the console plans. The
 * keepalived runtime: keepalived.conf (config-tested on the director first), the notify script, keepalived's options,
 * the boot links. A running cluster moves from the other runtime without a gap.
 */
import { parseArgs } from '../args.ts';
import { EXIT } from '../io.ts';
import { CHANGE_BOOLEANS, CHANGE_VALUES, changeCommand } from './change.ts';
import type { RemoteVerb } from './remote-verb.ts';

const USAGE = 'usage: lvsctl --profile FILE install-director [--dry-run [--save-plan FILE] | --plan FILE]\n';

/** The `install-director` verb. */
export const installVerb: RemoteVerb = async (run, args, io) => {
  const parsed = parseArgs(args, { values: CHANGE_VALUES, booleans: CHANGE_BOOLEANS });
  if ('error' in parsed) {
    io.err(`lvsctl install-director: ${parsed.error}\n${USAGE}`);
    return EXIT.USAGE;
  }
  if (parsed.positionals.length) {
    io.err(`lvsctl install-director: unexpected argument '${parsed.positionals[0]}'\n${USAGE}`);
    return EXIT.USAGE;
  }
  return changeCommand(run, { kind: 'install' }, parsed.flags, io);
};

/**
 * `lvsctl --profile FILE install-director`: installs the seed's director arrangement (lvs.conf from the profile,
 * /etc/init.d/lvs-director, its S99 rc link, a cron entry for `update` every minute) so the director runs the cluster by
 * itself, and checks that the installed script loads exactly the table the console plans.
 */
import { EXIT } from '../io.ts';
import type { RemoteVerb } from './remote-verb.ts';

/** The `install-director` verb. */
export const installVerb: RemoteVerb = async (run, args, io) => {
  if (args.length) {
    io.err(`lvsctl install-director: unexpected argument '${args[0]}'\nusage: lvsctl --profile FILE install-director\n`);
    return EXIT.USAGE;
  }
  const r = await run.service.installDirector();
  if (run.json) {
    io.out(`${JSON.stringify({ ok: r.rulesMatchPlan, ...r }, null, 2)}\n`);
    return r.rulesMatchPlan ? EXIT.OK : EXIT.INVALID;
  }
  const label = run.ctx.director.label;
  let out = `${label}: installed ${r.written.join(', ')}\n  boot: ${r.rcLink} → /etc/init.d/lvs-director\n  cron: ${r.cron.file}: ${r.cron.line}\n`;
  out += r.rulesMatchPlan
    ? '  check: `/etc/init.d/lvs-director rules` loads exactly the table this profile plans\n'
    : `  CHECK FAILED: the installed script would load a different table:\n${r.rulesDiff.map((d) => `    ${d}`).join('\n')}\n`;
  out += '  it starts at the next boot; run `lvsctl --profile FILE start` (or /etc/init.d/lvs-director start) to start it now\n';
  io.out(out);
  return r.rulesMatchPlan ? EXIT.OK : EXIT.INVALID;
};

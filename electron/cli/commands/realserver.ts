/**
 * `lvsctl --profile FILE realserver route-check|route-fix|check [NAME|--all]`: the seed's lvs-route (default route via
 * the director, no subnet route on the LVS interface) as a check and a fix, and a readiness check (OS, load, users,
 * display manager, telnet and XDMCP listening). Several realservers run in parallel; each one's result or error is
 * printed under its name. Exit 0 all fine, 1 something checked is wrong, 3 a realserver could not be checked/fixed.
 */
import { AppError, toErrorData } from '../../../shared/result.ts';
import { shellQuote } from '../../shell/shell-quote.ts';
import { realserverName } from '../../services/cluster-context.ts';
import { forEachRealserver, type PerHost } from '../../services/per-host.ts';
import { RealserverChecks, type RealserverCheckReport } from '../../services/realserver-check.ts';
import { RealserverRoutes, type RouteReport } from '../../services/realserver-routes.ts';
import { parseArgs } from '../args.ts';
import { EXIT, type CliIo } from '../io.ts';
import type { RemoteVerb } from './remote-verb.ts';

const USAGE = `usage: lvsctl --profile FILE realserver route-check [NAME|--all]
       lvsctl --profile FILE realserver route-fix [NAME|--all] [--dry-run]
       lvsctl --profile FILE realserver check [NAME|--all]
`;

/** Prints per-host results; returns the exit code (3 if any failed, else 1 if any `bad`, else 0). */
function finish<T>(io: CliIo, json: boolean, results: PerHost<T>[], human: (v: T) => string, bad: (v: T) => boolean): number {
  if (json) {
    io.out(`${JSON.stringify({ ok: results.every((r) => r.ok), results: results.map((r) => (r.ok ? r : { name: r.name, ok: false, error: { ...toErrorData(r.error), detail: undefined } })) }, null, 2)}\n`);
  } else {
    for (const r of results) {
      if (r.ok) io.out(human(r.value));
      else io.err(`${r.error.message.startsWith(`${r.name}:`) ? '' : `${r.name}: `}${r.error.message}\n${r.error.code === 'HOST_KEY_UNKNOWN' ? 'lvsctl: to trust this key, run again with --trust-new-host-key\n' : ''}`);
    }
  }
  if (results.some((r) => !r.ok)) return EXIT.FAILED;
  return results.some((r) => r.ok && bad(r.value)) ? EXIT.INVALID : EXIT.OK;
}

/** Human text of a route report. */
function routeText(r: RouteReport, fixing: boolean, dryRun: boolean): string {
  if (r.ok) return `${r.name}: routes ok (default via the director ${r.directorIp}, no subnet route)${r.ran?.length ? `\n  fixed with:\n${r.ran.map((c) => `    ${c}`).join('\n')}` : ''}\n`;
  let out = `${r.name}: ${r.problems.length} problem(s):\n${r.problems.map((p) => `  - ${p}`).join('\n')}\n`;
  if (r.steps.length) out += `  ${fixing && dryRun ? 'route-fix would run' : 'route-fix runs'}:\n${r.steps.map((s) => `    ${shellQuote(s.argv)}   # ${s.why}`).join('\n')}\n`;
  return out;
}

/** Human text of a readiness report. */
function checkText(c: RealserverCheckReport): string {
  const yes = (b: boolean) => (b ? 'yes' : 'NO');
  return (
    `${c.name}: ${c.uname}, load ${c.load.join(' ')}, ${c.users} user(s), display manager ${c.displayManager ?? 'NONE'}, ` +
    `telnet listening ${yes(c.telnetListening)}, XDMCP listening ${yes(c.xdmcpListening)}\n` +
    c.problems.map((p) => `  - ${p}\n`).join('')
  );
}

/** The `realserver` verb. */
export const realserverVerb: RemoteVerb = async (run, args, io) => {
  const [sub, ...rest] = args;
  if (sub !== 'route-check' && sub !== 'route-fix' && sub !== 'check') {
    io.err(sub ? `lvsctl realserver: unknown subcommand '${sub}'\n${USAGE}` : USAGE);
    return EXIT.USAGE;
  }
  const parsed = parseArgs(rest, { booleans: sub === 'route-fix' ? ['all', 'dry-run'] : ['all'] });
  if ('error' in parsed) {
    io.err(`lvsctl realserver ${sub}: ${parsed.error}\n${USAGE}`);
    return EXIT.USAGE;
  }
  const all = parsed.flags.has('all');
  if ((all ? 0 : 1) !== parsed.positionals.length) {
    io.err(`lvsctl realserver ${sub}: give one realserver NAME or --all\n${USAGE}`);
    return EXIT.USAGE;
  }
  const rss = run.ctx.selectRealservers(all ? 'all' : parsed.positionals[0]!);
  if (rss.length === 0) throw new AppError('INVALID_INPUT', `profile ${run.cluster.id} has no realservers`);
  if (sub === 'check') {
    const results = await new RealserverChecks(run.ctx).check(all ? 'all' : realserverName(rss[0]!));
    return finish(io, run.json, results, checkText, (c) => c.problems.length > 0);
  }
  const routes = new RealserverRoutes(run.ctx);
  const dryRun = parsed.flags.has('dry-run');
  const results = await forEachRealserver(rss, (rs) => (sub === 'route-check' ? routes.check(rs) : routes.fix(rs, { dryRun })));
  return finish(io, run.json, results, (r) => routeText(r, sub === 'route-fix', dryRun), (r) => !r.ok);
};

/**
 * `lvsctl --profile FILE realserver route-check|route-fix|check [NAME|--all]`: the seed's lvs-route (default route via
 * the director, no subnet route on the LVS interface) as a check and a fix, and a readiness check (OS, load, users,
 * display manager, telnet and XDMCP listening). `realserver drain|disable|enable|weight …`: the per-realserver edits,
 * previewed and run like the director verbs (change.ts). Several realservers run in parallel; each one's result or error is
 * printed under its name. Exit 0 all fine, 1 something checked is wrong, 3 a realserver could not be checked/fixed.
 */
import { AppError, toErrorData } from '../../../shared/result.ts';
import { shellQuote } from '../../shell/shell-quote.ts';
import { realserverName } from '../../services/cluster-context.ts';
import { forEachRealserver, type PerHost } from '../../services/per-host.ts';
import { RealserverChecks, type RealserverCheckReport } from '../../services/realserver-check.ts';
import { RealserverBoot, type BootReport } from '../../services/realserver-boot.ts';
import { RealserverRoutes, type RouteReport } from '../../services/realserver-routes.ts';
import { stepText } from '../../services/run-steps.ts';
import { parseArgs } from '../args.ts';
import type { Change } from '../../services/cluster-service.ts';
import { EXIT, type CliIo } from '../io.ts';
import { CHANGE_BOOLEANS, CHANGE_VALUES, changeCommand } from './change.ts';
import type { RemoteVerb } from './remote-verb.ts';

const USAGE = `usage: lvsctl --profile FILE realserver route-check [NAME|--all]
       lvsctl --profile FILE realserver route-fix [NAME|--all] [--dry-run]
       lvsctl --profile FILE realserver install-route|uninstall-route [NAME|--all] [--dry-run]
       lvsctl --profile FILE realserver check [NAME|--all]
       lvsctl --profile FILE realserver drain|disable|enable NAME [--service tcp/23] [--dry-run [--save-plan F] | --plan F]
       lvsctl --profile FILE realserver weight NAME N [--dry-run [--save-plan F] | --plan F]
  drain: weight 0 now, deleted once its connections are gone; disable: deleted now; enable: back in (weight ≥ 1).
  Without --service the edit is for every service of the realserver. The profile FILE is saved with the change; only
  that realserver's entries on the director change.
  install-route: the seed's lvs-route as a boot script for the realserver's init (HP-UX rc, SysV rc links, a systemd
  unit), pointing at the director (or the pair's gateway); only what is missing or different is written, then verified.
  uninstall-route removes exactly what install-route makes.
`;

const EDITS = ['drain', 'disable', 'enable', 'weight'] as const;

/** realserver drain|disable|enable NAME [--service S] and weight NAME N, through the cluster's service. */
async function editVerb(sub: (typeof EDITS)[number], run: Parameters<RemoteVerb>[0], args: string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args, { values: [...CHANGE_VALUES, ...(sub === 'weight' ? [] : ['service'])], booleans: CHANGE_BOOLEANS });
  if ('error' in parsed) {
    io.err(`lvsctl realserver ${sub}: ${parsed.error}\n${USAGE}`);
    return EXIT.USAGE;
  }
  const want = sub === 'weight' ? 2 : 1;
  if (parsed.positionals.length !== want) {
    io.err(`lvsctl realserver ${sub}: give ${sub === 'weight' ? 'one realserver NAME and a WEIGHT' : 'one realserver NAME'}\n${USAGE}`);
    return EXIT.USAGE;
  }
  const [name, w] = parsed.positionals as [string, string | undefined];
  let edit: Extract<Change, { kind: 'edit' }>['edit'];
  if (sub === 'weight') {
    if (!/^\d{1,5}$/.test(w!) || Number(w) > 65535) {
      io.err(`lvsctl realserver weight: '${w}' is not a weight 0–65535\n`);
      return EXIT.USAGE;
    }
    edit = { kind: 'weight', weight: Number(w) };
  } else edit = { kind: sub };
  const service = parsed.flags.get('service');
  const change: Change = { kind: 'edit', realserver: name, ...(typeof service === 'string' ? { service } : {}), edit };
  return changeCommand(run, change, parsed.flags, io);
}

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
  const path = `reached ${r.path === 'via-director' ? 'through the director' : 'directly'}${r.peer ? `, session from ${r.peer}` : ''}`;
  const notes = (r.notes ?? []).map((n) => `  note: ${n}\n`).join('');
  if (r.ok) return `${r.name}: routes ok (default via the director ${r.directorIp}, no subnet route)\n  path: ${path}${r.ran?.length ? `\n  fixed with:\n${r.ran.map((c) => `    ${c}`).join('\n')}` : ''}\n${notes}`;
  let out = `${r.name}: ${r.problems.length} problem(s):\n${r.problems.map((p) => `  - ${p}`).join('\n')}\n  path: ${path}\n`;
  const all = [...r.directorSteps.map((s) => ({ ...s, text: `director: ${shellQuote(s.argv)}` })), ...r.steps.map((s) => ({ ...s, text: shellQuote(s.argv) }))];
  if (all.length) out += `  ${fixing && dryRun ? 'route-fix would run' : 'route-fix runs'}:\n${all.map((s) => `    ${s.text}   # ${s.why}`).join('\n')}\n`;
  return out + notes;
}

/** Human text of an install-route / uninstall-route report. */
function bootText(r: BootReport, dryRun: boolean): string {
  const state = (v: BootReport['verify']) => (v.current ? 'installed and current' : v.installed ? `installed, not current: ${v.problems.join('; ')}` : `not installed (${v.problems.length} item(s) missing or different)`);
  let out = `${r.name}: lvs-route at boot (${r.kind}, replies via ${r.gateway}): ${state(r.verify)}\n`;
  if (!r.steps.length) return `${out}  ${r.op}-route: nothing to do\n`;
  if (dryRun) return `${out}  ${r.op}-route would run:\n${r.steps.map((s) => `    ${stepText(s)}   # ${s.why}`).join('\n')}\n`;
  out += `  ran:\n${(r.ran ?? []).map((c) => `    ${c}`).join('\n')}\n`;
  if (r.after) out += `  now: ${r.op === 'install' ? state(r.after) : r.after.installed ? 'still installed?' : 'removed'}\n`;
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
  if ((EDITS as readonly string[]).includes(sub ?? '')) return editVerb(sub as (typeof EDITS)[number], run, rest, io);
  if (sub !== 'route-check' && sub !== 'route-fix' && sub !== 'check' && sub !== 'install-route' && sub !== 'uninstall-route') {
    io.err(sub ? `lvsctl realserver: unknown subcommand '${sub}'\n${USAGE}` : USAGE);
    return EXIT.USAGE;
  }
  const parsed = parseArgs(rest, { booleans: sub === 'route-check' || sub === 'check' ? ['all'] : ['all', 'dry-run'] });
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
  const dryRun = parsed.flags.has('dry-run');
  const what = `${sub} ${all ? '--all' : realserverName(rss[0]!)}`;
  if (sub === 'install-route' || sub === 'uninstall-route') {
    const boot = new RealserverBoot(run.ctx);
    const op = sub === 'install-route' ? 'install' : 'uninstall';
    // Changes run under the cluster's write lock (one batch for all the realservers named, in parallel inside it).
    const results = dryRun ? await forEachRealserver(rss, (rs) => boot.preview(rs, op)) : await run.service.lock.run(what, () => forEachRealserver(rss, (rs) => boot.run(rs, op)));
    return finish(io, run.json, results, (r) => bootText(r, dryRun), () => false);
  }
  const routes = new RealserverRoutes(run.ctx);
  const results =
    sub === 'route-check' ? await forEachRealserver(rss, (rs) => routes.check(rs)) : dryRun ? await forEachRealserver(rss, (rs) => routes.preview(rs)) : await run.service.lock.run(what, () => forEachRealserver(rss, (rs) => routes.fix(rs)));
  return finish(io, run.json, results, (r) => routeText(r, sub === 'route-fix', dryRun), (r) => !r.ok);
};

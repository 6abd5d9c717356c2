/**
 * The remote verbs: `lvsctl --profile FILE [--trust-new-host-key] [--known-hosts FILE] [--json] VERB …` where VERB is
 * start | stop | reload | update | reconcile [--dry-run [--save-plan F] | --plan F] (change.ts) or status (here),
 * realserver … (realserver.ts: routes, checks and the edits), conf pull|push (conf-remote.ts) or install-director
 * (install.ts). Every verb goes through the cluster's one ClusterService (services/cluster-service.ts). The global options may also follow the verb. One SSH session per host for the run;
 * an unknown host key is refused with its SHA256 fingerprint (trust it with --trust-new-host-key, or answer yes on a
 * terminal); a changed key is always refused.
 */
import { createInterface } from 'node:readline/promises';
import type { Cluster } from '../../../shared/model/cluster.ts';
import { AppError, toErrorData } from '../../../shared/result.ts';
import { loadProfile } from '../../services/profile-file.ts';
import { formatStatus } from '../../services/status-view.ts';
import type { HostKeyDetail } from '../../ssh/host-verifier.ts';
import { parseArgs } from '../args.ts';
import { openCliCluster, type CliCluster } from '../cli-cluster.ts';
import { EXIT, type CliCommand, type CliIo } from '../io.ts';
import { CHANGE_BOOLEANS, CHANGE_VALUES, changeCommand } from './change.ts';
import { confRemoteVerb } from './conf-remote.ts';
import { doctorVerb } from './doctor.ts';
import { installVerb } from './install.ts';
import { directorVerb as pairVerb } from './director.ts';
import { realserverVerb } from './realserver.ts';
import type { RemoteRun, RemoteVerb } from './remote-verb.ts';

const DIRECTOR_VERBS = ['start', 'stop', 'reload', 'status', 'update', 'reconcile'] as const;

export const USAGE = `usage: lvsctl --profile FILE [--trust-new-host-key] [--known-hosts FILE] [--json] VERB …
  start | stop | reload | update [--dry-run]   the seed's lvs-director verbs, applied as one transaction
  reconcile [--dry-run]                       the minimal diff of this profile's services (graceful: weight 0 first)
      --dry-run --save-plan FILE              keep the preview (with its fingerprint) as JSON
      --plan FILE                             run a saved preview; refused, saying what changed, if anything did
  status [--stats] [--rate]                   live table with connections, VIP and sysctls (the seed's
                                              ipvsadm -L), the runtime, each destination's health and the
                                              runtime config's drift; --stats adds the counters, --rate the rates
  realserver route-check|route-fix [NAME|--all] [--dry-run]   the seed's lvs-route (default via the director)
  realserver install-route|uninstall-route [NAME|--all] [--dry-run]   lvs-route as a boot script (verified)
  realserver check [NAME|--all]               OS, load, users, display manager, telnet and XDMCP listening
  realserver drain|disable|enable NAME [--service tcp/23] [--dry-run]   one realserver (in one service), saved
  realserver weight NAME N [--dry-run]        in the profile file; only that realserver's entries change
  conf pull [--out FILE] | conf push [FILE]   the director's /etc/lvs.conf (push: validated, atomic, backed up)
  install-director [--dry-run]                the runtime the profile names (script: lvs.conf, lvs-director, S99
                                              link, cron update; keepalived: keepalived.conf tested on the
                                              director, notify script, options, boot links); a running cluster
                                              moves from the other runtime without a gap
  director make-master NAME [--dry-run | --fingerprint F]   a director pair: NAME (host, primary or
                                              secondary) takes the VIP and the gateway (the master yields via
                                              its yield file; established connections stay)
  doctor [--no-desktop] | doctor --fix KEY [--dry-run | --fingerprint F]   check the whole path, name what is
                                              broken and why, preview and run the console's fix
Host keys: unknown → refused with the SHA256 fingerprint unless --trust-new-host-key (or a yes on a terminal);
changed → always refused. Secrets come from LVSCTL_SECRET_<REF> environment variables.
`;

const GLOBAL_VALUES = ['profile', 'known-hosts'];
const GLOBAL_BOOLEANS = ['trust-new-host-key', 'json'];

/** Splits argv into the global options (anywhere) and the rest (verb first). */
function splitGlobals(args: string[]): { globals: Map<string, string | true>; rest: string[] } | { error: string } {
  const globals = new Map<string, string | true>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? (eq >= 0 ? a.slice(2, eq) : a.slice(2)) : '';
    if (GLOBAL_VALUES.includes(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined) return { error: `--${name} needs a value` };
      globals.set(name, v);
    } else if (GLOBAL_BOOLEANS.includes(name) && eq < 0) globals.set(name, true);
    else rest.push(a);
  }
  return { globals, rest };
}

/** Prints an error: human (stderr, with how to trust an unknown key) or --json ({ok:false,error} on stdout). */
export function printError(io: CliIo, json: boolean, e: unknown): number {
  const data = toErrorData(e);
  if (json) {
    // A stale plan says what changed and the fresh preview's fingerprint (run `--dry-run --save-plan` again to see it whole).
    const stale = data.code === 'PLAN_STALE' ? (data.detail as { changes?: string[]; preview?: { fingerprint?: string } } | undefined) : undefined;
    const detail = stale ? { changes: stale.changes ?? [], freshFingerprint: stale.preview?.fingerprint } : undefined;
    io.out(`${JSON.stringify({ ok: false, error: { ...data, detail } }, null, 2)}\n`);
  }
  else {
    let msg = `lvsctl: ${data.message}\n`;
    if (data.code === 'HOST_KEY_UNKNOWN') msg += 'lvsctl: to trust this key, run again with --trust-new-host-key (or answer yes when asked on a terminal)\n';
    if (data.code === 'HOST_KEY_CHANGED') msg += 'lvsctl: refused; there is no option to override a changed host key\n';
    io.err(msg);
  }
  return data.code === 'INVALID_INPUT' || data.code === 'PLAN_STALE' ? EXIT.INVALID : EXIT.FAILED;
}

/** Asks on the terminal (io.confirm, or readline when stdin/stderr are a TTY); false when not interactive. */
async function confirm(io: CliIo, question: string): Promise<boolean> {
  if (io.confirm) return io.confirm(question);
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** The verb implementation for a verb name. */
function verbFor(verb: string): RemoteVerb | undefined {
  if ((DIRECTOR_VERBS as readonly string[]).includes(verb)) return (run, args, io) => directorVerb(verb as (typeof DIRECTOR_VERBS)[number], run, args, io);
  if (verb === 'realserver') return realserverVerb;
  if (verb === 'conf') return confRemoteVerb;
  if (verb === 'install-director') return installVerb;
  if (verb === 'director') return pairVerb;
  if (verb === 'doctor') return doctorVerb;
  return undefined;
}

/** Entry point (registered in lvsctl.ts for --profile and for each verb name). */
const run: CliCommand = async (args, io) => {
  const split = splitGlobals(args);
  if ('error' in split) {
    io.err(`lvsctl: ${split.error}\n${USAGE}`);
    return EXIT.USAGE;
  }
  const { globals, rest } = split;
  const json = globals.has('json');
  const [verb, ...verbArgs] = rest;
  const profileFile = globals.get('profile');
  if (!verb || verb === 'help') {
    io.out(USAGE);
    return verb ? EXIT.OK : EXIT.USAGE;
  }
  const impl = verbFor(verb);
  if (!impl) {
    io.err(`lvsctl: unknown remote verb '${verb}'\n${USAGE}`);
    return EXIT.USAGE;
  }
  if (typeof profileFile !== 'string') {
    io.err(`lvsctl ${verb}: --profile FILE is required\n${USAGE}`);
    return EXIT.USAGE;
  }
  let cluster: Cluster;
  try {
    cluster = await loadProfile(profileFile);
  } catch (e) {
    return printError(io, json, e);
  }
  let trustNew = globals.has('trust-new-host-key');
  for (let attempt = 0; ; attempt++) {
    const knownHosts = globals.get('known-hosts');
    const cc: CliCluster = openCliCluster({ cluster, profileFile, trustNew, ...(typeof knownHosts === 'string' ? { knownHostsFile: knownHosts } : {}) });
    try {
      return await impl({ cluster, profileFile, json, ctx: cc.service.context(), service: cc.service }, verbArgs, io);
    } catch (e) {
      if (e instanceof AppError && e.code === 'HOST_KEY_UNKNOWN' && attempt < 5 && !json) {
        const d = e.detail as HostKeyDetail | undefined;
        io.err(`lvsctl: ${e.message}\n`);
        if (d && (await confirm(io, `Trust ${e.host ?? d.host}'s ${d.keyType} key ${d.fingerprint}?`))) {
          await cc.trust.trust(d.host, d.port, d.keyType, d.key);
          trustNew = false;
          continue;
        }
      }
      return printError(io, json, e);
    } finally {
      await cc.close();
    }
  }
};
export default run;

/** start | stop | reload | update | reconcile (change.ts), and status. */
async function directorVerb(verb: (typeof DIRECTOR_VERBS)[number], run: RemoteRun, args: string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args, verb === 'status' ? { booleans: ['stats', 'rate'] } : { values: CHANGE_VALUES, booleans: CHANGE_BOOLEANS });
  if ('error' in parsed) {
    io.err(`lvsctl ${verb}: ${parsed.error}\n${USAGE}`);
    return EXIT.USAGE;
  }
  if (parsed.positionals.length) {
    io.err(`lvsctl ${verb}: unexpected argument '${parsed.positionals[0]}'\n${USAGE}`);
    return EXIT.USAGE;
  }
  if (verb === 'status') {
    const view = await run.service.status({ stats: parsed.flags.has('stats'), rate: parsed.flags.has('rate') }, { health: true });
    io.out(run.json ? `${JSON.stringify({ ok: true, ...view }, null, 2)}\n` : formatStatus(view));
    return EXIT.OK;
  }
  return changeCommand(run, verb === 'reconcile' ? { kind: 'reconcile' } : { kind: 'verb', verb }, parsed.flags, io);
}

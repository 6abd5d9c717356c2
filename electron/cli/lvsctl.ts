#!/usr/bin/env node
/**
 * lvsctl: the LVS Console core from a terminal, for scripting and tests. Each verb lives in commands/<verb>.ts.
 */
import { EXIT, processIo, type CliCommand, type CliIo } from './io.ts';

const COMMANDS: Record<string, { load: () => Promise<{ default: CliCommand }>; summary: string }> = {
  conf: { load: () => import('./commands/conf.ts'), summary: 'conf check|show FILE [--json]   validate / show an lvs.conf' },
  ipvs: { load: () => import('./commands/ipvs.ts'), summary: 'ipvs parse|save [--json] < OUTPUT   parse ipvsadm / /proc/net/ip_vs output' },
  plan: { load: () => import('./commands/plan.ts'), summary: 'plan FILE [--live OUTPUT] [--verb V]   the commands a verb (or a diff) would run' },
  // Remote verbs (commands/remote.ts): `lvsctl --profile FILE [--trust-new-host-key] [--known-hosts FILE] [--json] VERB …`;
  // the verb names also work first (`lvsctl start --profile FILE`). conf pull|push is reached through --profile.
  ...remoteCommands(),
};

/** The remote verbs' entries: each loads commands/remote.ts with its own name put back in front of the arguments. */
function remoteCommands(): typeof COMMANDS {
  const entry = (name: string, summary: string) => ({
    load: async () => {
      const m = await import('./commands/remote.ts');
      return { default: ((args, io) => m.default([name, ...args], io)) as CliCommand };
    },
    summary,
  });
  return {
    '--profile': entry('--profile', '--profile FILE [--trust-new-host-key] [--known-hosts FILE] [--json] VERB   remote verbs (see: lvsctl --profile FILE help)'),
    start: entry('start', 'start|stop|reload|update [--dry-run] --profile FILE   the seed\'s director verbs, one transaction'),
    stop: entry('stop', 'stop --profile FILE [--dry-run]'),
    reload: entry('reload', 'reload --profile FILE [--dry-run]'),
    update: entry('update', 'update --profile FILE [--dry-run]   probe realservers from the director, drop dead, re-add living'),
    reconcile: entry('reconcile', 'reconcile --profile FILE [--dry-run [--save-plan F] | --plan F]   the minimal diff of this profile\'s services'),
    status: entry('status', 'status --profile FILE [--stats] [--rate] [--json]   live table, connections, VIP, sysctls'),
    realserver: entry('realserver', 'realserver route-check|route-fix|install-route|uninstall-route|check [NAME|--all] | drain|disable|enable NAME [--service S] | weight NAME N   --profile FILE'),
    doctor: entry('doctor', 'doctor --profile FILE [--json] [--fix KEY [--dry-run]]   the whole path desktop → VIP → director → realservers → login screen'),
    director: entry('director', 'director make-master NAME --profile FILE [--dry-run | --fingerprint F]   a director pair: NAME takes the VIP (previewed; connections stay)'),
    'install-director': entry('install-director', 'install-director --profile FILE [--dry-run]   the runtime the profile names (script or keepalived), a running cluster moved without a gap'),
  };
}

const USAGE = `usage: lvsctl <command> [args]

${Object.values(COMMANDS)
  .map((c) => `  ${c.summary}`)
  .join('\n')}

Output is human-readable unless --json is given. Errors go to stderr; exit codes: 0 ok, 1 invalid, 2 usage, 3 failure.
`;

/** Runs lvsctl with argv (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === 'help' || verb === '--help' || verb === '-h') {
    io.out(USAGE);
    return verb ? EXIT.OK : EXIT.USAGE;
  }
  const cmd = COMMANDS[verb];
  if (!cmd) {
    io.err(`lvsctl: unknown command '${verb}'\n${USAGE}`);
    return EXIT.USAGE;
  }
  try {
    return await (await cmd.load()).default(rest, io);
  } catch (e) {
    io.err(`lvsctl ${verb}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.FAILED;
  }
}

const isEntry = typeof process !== 'undefined' && process.argv[1] && /lvsctl\.(ts|cjs|js)$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

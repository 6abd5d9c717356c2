/**
 * The keepalived runtime on the director, as plan steps the apply transaction runs all-or-nothing: every change writes
 * keepalived.conf (compiled from the profile, with the destinations still draining kept at weight 0) and reloads
 * keepalived (SIGHUP: running connections stay); start starts it, stop stops it; install-director puts the runtime on
 * the director (config, notify script, daemon options, boot links; the script's boot link and cron entry removed) and,
 * when the script runs the cluster now, hands it over without a gap: the table made exactly what keepalived will
 * build, then keepalived started (as the address owner it takes the VIP at once, and it adopts the existing table).
 * The table read back is compared allowing keepalived's weight-0 inhibits (plan.tableCheck 'inhibit'). Pure.
 */
import type { Cluster } from '../../shared/model/cluster.ts';
import type { IpvsTable } from '../../shared/model/ipvs.ts';
import { DIRECTOR, type Plan, type PlanStep, type PlanVerb } from '../../shared/model/plan.ts';
import { AppError } from '../../shared/result.ts';
import { LVS_KERNEL_SCRIPT } from '../lvs/conf/lvs-kernel-script.ts';
import { IPVSADM } from '../lvs/ipvs/ipvs-rules.ts';
import type { Resolve } from '../lvs/plan/desired-table.ts';
import { directorSysctls, planStop, type DirectorObserved } from '../lvs/plan/director-plan.ts';
import { splitByOwner } from '../lvs/plan/ownership.ts';
import { crondReloadStep, installStep, keepalivedStep, KEEPALIVED_INIT, KEEPALIVED_OPTIONS, keepsTableOnStop, linkStep, PAIR_INIT, removeStep, RUNTIME_PATHS, type DirectorRuntime } from '../lvs/plan/runtime-steps.ts';
import { crontabDir, crontabWithout, scriptRuntimeFiles } from '../lvs/plan/script-runtime.ts';
import { applyStepsToTable, diffTables } from '../lvs/plan/table-diff.ts';
import { compileKeepalived, DEFAULT_KEEPALIVED_PATHS, type KeepalivedConfig } from './keepalived-conf.ts';
import { notifyScriptText } from './notify-script.ts';
import { PAIR_LINK, pairScriptText } from './pair-handover.ts';

/** The boot links of the keepalived runtime in rc3.d. */
export const KEEPALIVED_LINK = 'S50keepalived';
export const LVS_KERNEL_LINK = 'S45lvs-kernel';

/** The files a keepalived-runtime plan reads from the director (observe them). */
export function keepalivedRuntimeFiles(): string[] {
  return [RUNTIME_PATHS.keepalivedConf, DEFAULT_KEEPALIVED_PATHS.notifyScript, RUNTIME_PATHS.keepalivedSysconfig, RUNTIME_PATHS.keepalivedDefault, RUNTIME_PATHS.lvsKernel, PAIR_INIT, ...scriptRuntimeFiles()];
}

/** What a keepalived plan is for. */
export type KeepalivedAction = 'start' | 'stop' | 'reload' | 'update' | 'apply' | 'install';

/** What planKeepalived needs. */
export interface KeepalivedPlanInput {
  action: KeepalivedAction;
  /** The plan's verb (an edit, a reconcile and a drain follow-up are all `apply`). */
  verb: PlanVerb;
  cluster: Cluster;
  resolve: Resolve;
  observed: DirectorObserved;
  runtime: DirectorRuntime;
  /**
   * apply: the whole table after the change as the script-runtime planners compute it (an edit's, reconcile's or a drain
   * follow-up's steps applied): what keepalived must hold; its destinations the profile no longer wants (weight 0,
   * still draining) stay in keepalived.conf at weight 0.
   */
  after?: IpvsTable;
  /** apply: the script-runtime steps of the change (used as they are when keepalived is not running). */
  tableSteps?: PlanStep[];
  /** Lines to keep in the plan's summary (the change's own notes). */
  notes?: string[];
  /**
   * A pair: which director this plan is for (its keepalived.conf differs in priority and router_id). Default primary.
   * On a pair VRRP decides where the VIP goes, so a keepalived start/stop never waits for the VIP on this director
   * (the pair's run checks that exactly one director holds it), and install sets forwarding and redirects at once.
   */
  which?: 'primary' | 'secondary';
}

/** A keepalived plan: the plan, and the compiled config it installs (its config test's expected warnings). */
export interface KeepalivedPlan {
  plan: Plan;
  conf: KeepalivedConfig;
  /** Whether the plan installs keepalived.conf (then it is config-tested on the director before anything runs). */
  installsConf: boolean;
}

/** The daemon options file for this director (RHEL-style /etc/sysconfig, else Debian's /etc/default), and its text. */
function optionsFile(rt: DirectorRuntime): { path: string; text: string } | undefined {
  const head = '# LVS Console: keepalived keeps the IPVS table and the VIP when it stops (-I -V); the console removes them itself.\n';
  if (rt.dirs.has('/etc/sysconfig')) return { path: RUNTIME_PATHS.keepalivedSysconfig, text: `${head}KEEPALIVED_OPTIONS="${KEEPALIVED_OPTIONS}"\n` };
  if (rt.dirs.has('/etc/default')) return { path: RUNTIME_PATHS.keepalivedDefault, text: `${head}DAEMON_ARGS="${KEEPALIVED_OPTIONS}"\n` };
  return undefined;
}

/** The destinations of `after` on this profile's VIP that the profile does not want (drained to weight 0, not yet gone). */
function drainingOf(cluster: Cluster, resolve: Resolve, after: IpvsTable | undefined): { protocol: 'tcp' | 'udp'; port: number; address: string }[] {
  if (!after) return [];
  const vip = resolve(cluster.vip);
  const wanted = new Set<string>();
  for (const r of cluster.realservers.filter((x) => x.enabled)) {
    const a = resolve(r.host).toLowerCase();
    for (const p of ['tcp', 'udp'] as const) for (const s of cluster[p]) wanted.add(`${p} ${s.port} ${a}`);
  }
  const out: { protocol: 'tcp' | 'udp'; port: number; address: string }[] = [];
  for (const s of splitByOwner(after, vip).own.services) {
    if (s.protocol !== 'tcp' && s.protocol !== 'udp') continue;
    for (const d of s.destinations) {
      const r = cluster.realservers.find((x) => {
        try {
          return resolve(x.host).toLowerCase() === d.address.toLowerCase();
        } catch {
          return false;
        }
      });
      const excluded = r?.exclude?.includes(`${s.protocol}/${s.port}`);
      if (d.weight === 0 && (!r || !r.enabled || excluded)) out.push({ protocol: s.protocol, port: s.port, address: d.address });
    }
  }
  return out;
}

/** `have` with each destination keepalived holds at weight 0 (a failing check) given the weight `want` has for it. */
function easeInhibited(have: IpvsTable, want: IpvsTable): IpvsTable {
  const w = new Map<string, number>();
  for (const s of want.services) for (const d of s.destinations) w.set(`${s.protocol} ${s.port} ${d.address.toLowerCase()}`, d.weight);
  return {
    services: have.services.map((s) => ({
      ...s,
      destinations: s.destinations.map((d) => {
        const k = w.get(`${s.protocol} ${s.port} ${d.address.toLowerCase()}`);
        return d.weight === 0 && k !== undefined ? { ...d, weight: k } : d;
      }),
    })),
  };
}

/**
 * A pair's stop and its floating gateway: the VIP goes (as with one director), the gateway STAYS on the director that
 * holds it. The route fix left the realservers only a host route to the gateway and a default route via it (no subnet
 * route): it is their one way out, as a lone director's own address is. Taking it down with the pair would cut every
 * realserver off, from the directors too, so the console could not even reach them through a director to undo the route
 * fix. keepalived (-V) leaves it when it stops; it removes it at its next start ("removing VIPs") and the new master
 * takes it with the VIP. Returns the line the preview shows, or undefined when the gateway is not on this director.
 */
export function gatewayOnStop(cluster: Cluster, resolve: Resolve, observed: DirectorObserved, releasedByKeepalived: boolean): string | undefined {
  if (!cluster.pair) return undefined;
  const gw = resolve(cluster.pair.gateway);
  if (!observed.addresses.some((a) => a.address.toLowerCase() === gw.toLowerCase())) return undefined;
  if (releasedByKeepalived) {
    return `keepalived runs without -V here: it takes the floating gateway ${gw} down when it stops, and the realservers (default route via ${gw}) have no way out until the pair starts again`;
  }
  return `the floating gateway ${gw} stays up on this director (forwarding on): the realservers' default route goes through it, so they still reach the directors and the console still reaches them; keepalived takes it over at the next start`;
}

/** The plan (see the module comment). Throws NOT_FOUND when keepalived is not installed on the director. */
export function planKeepalived(input: KeepalivedPlanInput): KeepalivedPlan {
  const { cluster, resolve, observed, runtime: rt, action } = input;
  if (!rt.keepalived.bin) throw new AppError('NOT_FOUND', 'keepalived is not installed on the director (not found on its PATH): install it (Debian: apt-get install keepalived), or use the script runtime. Nothing was changed.');
  const vip = resolve(cluster.vip);
  const dev = cluster.vipIf.split(':')[0]!;
  const running = rt.keepalived.pid !== undefined;
  const which = input.which ?? 'primary';
  const conf = compileKeepalived({ cluster, resolve, director: which, draining: action === 'apply' ? drainingOf(cluster, resolve, input.after) : [] });
  const { own, foreign } = splitByOwner(observed.table, vip);
  const withConf: IpvsTable = { services: [...foreign.services, ...conf.table.services] };
  const summary: string[] = [...(input.notes ?? [])];
  const steps: PlanStep[] = [];
  let installsConf = false;
  const files = () => {
    const notify = notifyScriptText();
    if (rt.files.get(DEFAULT_KEEPALIVED_PATHS.notifyScript) !== notify) steps.push(installStep(DEFAULT_KEEPALIVED_PATHS.notifyScript, notify, '755', 'the VRRP notify script (role changes to /var/lib/lvs-console)', { check: 'sh' }));
    if (cluster.pair) {
      const pair = pairScriptText(cluster, resolve);
      if (rt.files.get(PAIR_INIT) !== pair) steps.push(installStep(PAIR_INIT, pair, '755', 'the pair\'s connection handover (both sync daemons, the takeover guard)', { check: 'sh' }));
    }
    if (rt.files.get(RUNTIME_PATHS.keepalivedConf) !== conf.text) {
      steps.push(installStep(RUNTIME_PATHS.keepalivedConf, conf.text, '644', 'keepalived.conf compiled from the profile (tested with keepalived -t on the director first)'));
      installsConf = true;
    } else summary.push(`${RUNTIME_PATHS.keepalivedConf} already says what the profile says`);
    for (const o of conf.omitted) summary.push(`${o.protocol}/${o.port}: ${o.why}`);
  };
  const options = () => {
    const o = optionsFile(rt);
    if (o && rt.files.get(o.path) !== o.text) steps.push(installStep(o.path, o.text, '644', `keepalived's options: ${KEEPALIVED_OPTIONS} (it keeps the table and the VIP when it stops)`, { check: 'sh' }));
    if (!o) summary.push(`neither /etc/sysconfig nor /etc/default on the director: start keepalived with ${KEEPALIVED_OPTIONS} yourself`);
  };
  const sysctls = () => {
    for (const s of directorSysctls(cluster)) {
      const now = observed.sysctls[s.key]?.trim();
      if (now === s.value) continue;
      if (now === undefined && s.key.startsWith('net.ipv4.vs.')) summary.push(`${s.key} is not there (IPVS not loaded): not set`);
      else steps.push({ host: DIRECTOR, argv: ['sysctl', '-w', `${s.key}=${s.value}`], why: s.why });
    }
  };
  /** The own table made exactly what keepalived will build, so it adopts it as is (it keeps existing entries). */
  const exactTable = (why: string) => steps.push(...diffTables(conf.table, own).map((s) => ({ ...s, why: `${s.why} (${why})` })));
  const optionsNote = () => {
    if (running && !keepsTableOnStop(rt.keepalived.args)) summary.push(`keepalived runs without ${KEEPALIVED_OPTIONS} ("${rt.keepalived.args ?? '?'}"): the options written take effect at its next start`);
  };
  // A pair: VRRP puts the VIP on one of the two (not necessarily this one): no wait on it here.
  const vipUp = cluster.pair ? undefined : { address: vip, prefix: cluster.vipPrefix, dev, up: true };
  const vipDown = cluster.pair ? undefined : { address: vip, prefix: cluster.vipPrefix, dev, up: false };
  const vipOf = (v: Plan['vip']): Partial<Plan> => (v ? { vip: v } : {});
  /** A pair: after what keepalived does, both sync daemons running and the guard loaded (idempotent; pair-handover.ts). */
  const pairStart = () => {
    if (cluster.pair && action !== 'stop' && action !== 'update') steps.push({ host: DIRECTOR, argv: [PAIR_INIT, 'start'], why: 'both sync daemons (master and backup) and the takeover guard, as the pair\'s handover needs (lvs-pair start)' });
  };
  const done = (desired: IpvsTable | undefined, extra: Partial<Plan> = {}): KeepalivedPlan => (pairStart(), {
    plan: { verb: input.verb, steps, ...(desired ? { desired } : {}), summary, tableCheck: 'inhibit', ...extra },
    conf,
    installsConf,
  });

  switch (action) {
    case 'start': {
      sysctls();
      files();
      options();
      if (!running) {
        exactTable('keepalived adopts the table as it finds it');
        steps.push(keepalivedStep('start', 'start keepalived: it takes the VIP at once (address owner) and checks every service of every realserver'));
      } else if (steps.some((s) => s.argv[0] === 'install')) steps.push(keepalivedStep('reload', 'keepalived re-reads its config (running connections stay)'));
      else summary.push('keepalived already runs with this config');
      optionsNote();
      return done(withConf, vipOf(vipUp));
    }
    case 'stop': {
      if (running) steps.push(keepalivedStep('stop', `stop keepalived${keepsTableOnStop(rt.keepalived.args) ? ' (it leaves the table and the VIP: removed next, in this transaction)' : ' (it removes its services and the VIP itself)'}`));
      if (!running || keepsTableOnStop(rt.keepalived.args)) steps.push(...planStop(cluster, observed, resolve).steps);
      const gw = gatewayOnStop(cluster, resolve, observed, running && !keepsTableOnStop(rt.keepalived.args));
      if (gw) summary.push(gw);
      return done({ services: foreign.services }, vipOf(vipDown));
    }
    case 'update':
      summary.push(`keepalived checks every service of every realserver itself (every ${cluster.health.intervalSec} s; a failing one gets weight 0 until it passes again): nothing to do`);
      return done(undefined);
    case 'reload':
    case 'apply': {
      files();
      if (running && action === 'apply' && input.after) {
        // keepalived.conf is compiled from the whole profile: a profile change not applied yet goes in with this one.
        // The preview says so (the table check then expects it too).
        const beyond = diffTables(conf.table, easeInhibited(splitByOwner(input.after, vip).own, conf.table));
        if (beyond.length) {
          summary.push(
            `keepalived.conf is compiled from the whole profile: besides this change, the reload also applies ${beyond.length} change(s) the profile holds and the director does not yet: ` +
              `${beyond.slice(0, 5).map((s) => s.why).join('; ')}${beyond.length > 5 ? '; …' : ''}`,
          );
        }
      }
      if (running) {
        const changed = steps.some((s) => s.argv[0] === 'install');
        if (changed || action === 'reload') steps.push(keepalivedStep('reload', 'keepalived re-reads its config (SIGHUP): running connections stay'));
        else {
          // keepalived.conf says it already; the kernel may not (changed by hand): make it so directly, leaving the
          // weights keepalived holds at 0 for a failing check alone
          steps.push(...diffTables(conf.table, easeInhibited(own, conf.table)));
        }
        return done(withConf);
      }
      // keepalived is not running: the kernel follows the change directly, the config waits for its start
      summary.push('keepalived is not running: the table is changed directly; the config is used at its next start');
      steps.push(...(input.tableSteps ?? []));
      const desired = input.after ?? applyStepsToTable(observed.table, steps.filter((s) => s.argv[0] === IPVSADM));
      return { ...done(desired), plan: { verb: input.verb, steps, desired, summary, tableCheck: 'exact' } };
    }
    case 'install': {
      if (cluster.pair) sysctls(); // both directors of a pair forward from the moment either may take the VIP
      files();
      options();
      if (!rt.dirs.has('/etc/init.d') || !rt.rcDir) throw new AppError('UNSUPPORTED', 'install-director: no /etc/init.d or rc3.d folder on the director');
      if (rt.files.get(RUNTIME_PATHS.lvsKernel) !== LVS_KERNEL_SCRIPT) steps.push(installStep(RUNTIME_PATHS.lvsKernel, LVS_KERNEL_SCRIPT, '755', 'the kernel settings at boot (forwarding on, redirects off, IPVS templates expire), before keepalived', { check: 'sh' }));
      const kl = `${rt.rcDir}/${LVS_KERNEL_LINK}`;
      if (rt.links.get(kl) !== RUNTIME_PATHS.lvsKernel) steps.push(linkStep(RUNTIME_PATHS.lvsKernel, kl, 'kernel settings at boot (rc3.d, before keepalived)'));
      if (cluster.pair && rt.links.get(`${rt.rcDir}/${PAIR_LINK}`) !== PAIR_INIT) steps.push(linkStep(PAIR_INIT, `${rt.rcDir}/${PAIR_LINK}`, 'the pair\'s sync daemons and takeover guard at boot (rc3.d, before keepalived)'));
      const ka = `${rt.rcDir}/${KEEPALIVED_LINK}`;
      if (rt.links.get(ka) !== KEEPALIVED_INIT) steps.push(linkStep(KEEPALIVED_INIT, ka, 'keepalived starts at boot (rc3.d)'));
      for (const [l, target] of rt.links) if (/\/lvs-director$/.test(target)) steps.push(removeStep(l, `the lvs-director script no longer starts at boot (${l}): keepalived runs this cluster`));
      if (rt.files.get(RUNTIME_PATHS.cronD) !== undefined) steps.push(removeStep(RUNTIME_PATHS.cronD, 'no cron update: keepalived checks the realservers'));
      const tabs = crontabDir(rt);
      const tab = tabs ? rt.files.get(`${tabs}/root`) : undefined;
      const without = crontabWithout(tab);
      if (tabs && without !== undefined) {
        steps.push(installStep(`${tabs}/root`, without, '600', 'no cron update: keepalived checks the realservers (root\'s other cron lines kept)'));
        steps.push(crondReloadStep(tabs, 'root', 'tell crond to read root\'s crontab again'));
      }
      optionsNote();
      if (running) {
        steps.push(keepalivedStep('reload', 'keepalived re-reads its config (SIGHUP): running connections stay'));
        return done(withConf, vipOf(vipUp));
      }
      const runs = own.services.length > 0;
      if (runs) {
        if (!cluster.pair) sysctls();
        exactTable('keepalived adopts the table as it finds it');
        steps.push(keepalivedStep('start', 'hand the running cluster over: keepalived starts, takes the VIP at once (address owner) and adopts the table; no gap'));
        summary.push('the script runs the cluster now: keepalived takes it over without a gap (the table it will build is set first, then it starts)');
        return done(withConf, vipOf(vipUp));
      }
      summary.push('the cluster is not running: keepalived starts at the next boot, or with `start`');
      return done(undefined);
    }
  }
}

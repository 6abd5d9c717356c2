/**
 * The script runtime (the seed's lvs-director + cron) on the director, as plan steps: the /etc/lvs.conf every change
 * writes in the same transaction as the table (so the director's own cron `update`, its `reload` and a reboot load
 * what the console last set), and install-director: the script, its configuration, boot link and cron entry, with a
 * running keepalived handed over without a gap (it keeps the table and the VIP when it stops: -I -V; the table is then
 * made exactly the profile's). Pure: the director's runtime is observed elsewhere (services/director-observe.ts).
 */
import type { Cluster } from '../../../shared/model/cluster.ts';
import { DIRECTOR, type Plan, type PlanStep } from '../../../shared/model/plan.ts';
import { AppError } from '../../../shared/result.ts';
import { confVariables, parseLvsConf } from '../conf/conf-parse.ts';
import { writeLvsConf } from '../conf/conf-write.ts';
import { directorConf } from '../conf/director-conf.ts';
import { LVS_DIRECTOR_SCRIPT } from '../conf/director-init-script.ts';
import { IPVSADM } from '../ipvs/ipvs-rules.ts';
import { desiredTable, type Resolve } from './desired-table.ts';
import { applyEditToConf, type ConfEdit } from './edit-conf.ts';
import { directorSysctls, type DirectorObserved } from './director-plan.ts';
import { splitByOwner } from './ownership.ts';
import { crondReloadStep, installStep, keepalivedStep, keepsTableOnStop, linkStep, removeStep, RUNTIME_PATHS, type DirectorRuntime } from './runtime-steps.ts';
import { applyStepsToTable, diffTables } from './table-diff.ts';

/** The command cron runs every minute. */
export const CRON_COMMAND = `${RUNTIME_PATHS.lvsDirector} update >/dev/null 2>&1`;
/** The boot link's name in rc3.d. */
export const LVS_DIRECTOR_LINK = 'S99lvs-director';
/** The crontab folders busybox crond and Debian's cron read (first found is used). */
export const CRONTAB_DIRS = ['/etc/crontabs', '/var/spool/cron/crontabs'] as const;

/** The files a script-runtime plan reads from the director (observe them). */
export function scriptRuntimeFiles(): string[] {
  return [RUNTIME_PATHS.lvsConf, RUNTIME_PATHS.lvsDirector, RUNTIME_PATHS.cronD, ...CRONTAB_DIRS.map((d) => `${d}/root`)];
}

/**
 * /etc/lvs.conf as the profile writes it (directorConf over the director's file, so hand edits and unknown variables
 * stay), as an install step, or nothing with a note: when the file already says it, or when it is another cluster's
 * (its VIP is another VIP: one director runs one script cluster; that file is not this profile's to write). With `edit`
 * (weight, drain, disable, enable) and a readable file of this VIP: the file plus that edit only (edit-conf.ts).
 */
export function lvsConfChange(cluster: Cluster, resolve: Resolve, existing: string | undefined, edit?: ConfEdit): { steps: PlanStep[]; notes: string[]; otherVip?: string } {
  const path = RUNTIME_PATHS.lvsConf;
  let doc;
  const notes: string[] = [];
  if (existing !== undefined) {
    try {
      doc = parseLvsConf(existing, path);
    } catch {
      notes.push(`${path} on the director cannot be read as an lvs.conf: it is replaced (the old file is kept until the transaction ends)`);
    }
  }
  const fileVip = doc ? confVariables(doc).get('VIP')?.value : undefined;
  if (fileVip !== undefined && fileVip !== cluster.vip) {
    let same = false;
    try {
      same = resolve(fileVip) === resolve(cluster.vip);
    } catch {
      same = false;
    }
    if (!same) return { steps: [], notes: [`the director's ${path} is for another VIP (${fileVip}): not written (it belongs to that cluster)`], otherVip: fileVip };
  }
  if (edit && doc && fileVip !== undefined) {
    // An edit: the director's file plus the edit (a profile change not applied yet stays out, as it does of the table).
    const out = applyEditToConf(doc, edit, resolve);
    const text = writeLvsConf(out.doc);
    if (text === existing) return { steps: [], notes: [...notes, ...out.notes, `${path} already says what this edit makes the table`] };
    return {
      steps: [installStep(path, text, '644', `${path}: the director's configuration as it was, plus this edit (what its lvs-director loads at start, reload and boot, and checks in its cron update)`, { check: 'sh' })],
      notes: [...notes, ...out.notes],
    };
  }
  const text = writeLvsConf(directorConf(cluster, doc));
  if (text === existing) return { steps: [], notes: [`${path} already says what the profile says`] };
  return {
    steps: [installStep(path, text, '644', `${path}: what the director's own lvs-director loads (start, reload, boot) and checks (its cron update): the profile as it is now`, { check: 'sh' })],
    notes,
  };
}

/** The crontab text with the update line (busybox: no user field) added once. */
function crontabWith(existing: string | undefined, line: string): string {
  const lines = (existing ?? '').split('\n').filter((l, i, a) => !(l === '' && i === a.length - 1));
  if (lines.some((l) => l.includes(`${RUNTIME_PATHS.lvsDirector} update`))) return existing ?? '';
  return `${[...lines, line].join('\n')}\n`;
}

/** The crontab text without the lvs-director update line (or undefined when nothing changes). */
export function crontabWithout(existing: string | undefined): string | undefined {
  if (existing === undefined) return undefined;
  const lines = existing.split('\n');
  const kept = lines.filter((l) => !l.includes(`${RUNTIME_PATHS.lvsDirector} update`));
  return kept.length === lines.length ? undefined : kept.join('\n');
}

/** The crontab folder in use (busybox crond: /etc/crontabs = /var/spool/cron/crontabs), if any. */
export function crontabDir(rt: DirectorRuntime): string | undefined {
  return CRONTAB_DIRS.find((d) => rt.dirs.has(d));
}

/**
 * install-director for the script runtime: /etc/lvs.conf, /etc/init.d/lvs-director (sh -n checked), its S99 link, the
 * cron `update` every minute (/etc/cron.d/lvs-director, or the root crontab of busybox crond, told to re-read it),
 * keepalived's boot link removed; and when keepalived runs the cluster now, the handover: stop it (it keeps the table
 * and the VIP: -I -V), then make the table exactly the profile's (weights keepalived set to 0 put back; the cron update
 * judges the realservers from then on). Every step only when needed; nothing at all when everything is in place.
 */
export function planScriptInstall(cluster: Cluster, resolve: Resolve, observed: DirectorObserved, rt: DirectorRuntime): Plan {
  if (!rt.dirs.has('/etc/init.d')) throw new AppError('UNSUPPORTED', 'install-director: no /etc/init.d on the director');
  if (!rt.rcDir) throw new AppError('UNSUPPORTED', 'install-director: neither /etc/rc.d/rc3.d nor /etc/rc3.d exists on the director');
  const cronD = rt.dirs.has('/etc/cron.d');
  const tabs = crontabDir(rt);
  if (!cronD && !tabs) throw new AppError('UNSUPPORTED', `install-director: no /etc/cron.d and no crontabs folder (${CRONTAB_DIRS.join(', ')}) on the director`);
  const steps: PlanStep[] = [];
  const summary: string[] = [];
  const conf = lvsConfChange(cluster, resolve, rt.files.get(RUNTIME_PATHS.lvsConf));
  if (conf.otherVip !== undefined) {
    throw new AppError('INVALID_INPUT', `install-director: the director's ${RUNTIME_PATHS.lvsConf} is another cluster's (VIP ${conf.otherVip}); the lvs-director script runs one cluster per director`);
  }
  steps.push(...conf.steps);
  summary.push(...conf.notes);
  if (rt.files.get(RUNTIME_PATHS.lvsDirector) !== LVS_DIRECTOR_SCRIPT) {
    steps.push(installStep(RUNTIME_PATHS.lvsDirector, LVS_DIRECTOR_SCRIPT, '755', 'the director script: the seed\'s start, stop, reload, status and update (per-service checks), run at boot and by cron', { check: 'sh' }));
  } else summary.push(`${RUNTIME_PATHS.lvsDirector} is already the console's script`);
  const link = `${rt.rcDir}/${LVS_DIRECTOR_LINK}`;
  if (rt.links.get(link) !== RUNTIME_PATHS.lvsDirector) steps.push(linkStep(RUNTIME_PATHS.lvsDirector, link, 'start the cluster at boot (rc3.d)'));
  if (cronD) {
    const body = `# LVS Console: the seed's cron poll (each service of each realserver checked; failing ones out, passing ones back)\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\n* * * * * root ${CRON_COMMAND}\n`;
    if (rt.files.get(RUNTIME_PATHS.cronD) !== body) steps.push(installStep(RUNTIME_PATHS.cronD, body, '644', 'cron: lvs-director update every minute'));
  } else {
    const file = `${tabs}/root`;
    const old = rt.files.get(file);
    const text = crontabWith(old, `* * * * * ${CRON_COMMAND}`);
    if (text !== (old ?? '')) {
      steps.push(installStep(file, text, '600', `cron: lvs-director update every minute (root's crontab${old === undefined ? '' : ', its other lines kept'})`));
      steps.push(crondReloadStep(tabs!, 'root', 'tell crond to read root\'s crontab again'));
    }
  }
  for (const [l, target] of rt.links) if (/\/keepalived$/.test(target)) steps.push(removeStep(l, `keepalived no longer starts at boot (${l} → ${target}): the script runs this cluster`));

  let desired: Plan['desired'];
  if (rt.keepalived.pid !== undefined) {
    if (!keepsTableOnStop(rt.keepalived.args)) {
      throw new AppError(
        'UNSUPPORTED',
        `install-director: keepalived runs on the director without --dont-release-ipvs and --dont-release-vrrp (-I -V; it runs as "${rt.keepalived.args ?? '?'}"): stopping it would delete the table and the VIP, a gap in service. ` +
          'Restart it with the console\'s options first (install-director with the keepalived runtime writes them), or stop it yourself. Nothing was changed.',
      );
    }
    const vip = resolve(cluster.vip);
    for (const s of directorSysctls(cluster)) {
      const now = observed.sysctls[s.key]?.trim();
      if (now !== s.value && !(now === undefined && s.key.startsWith('net.ipv4.vs.'))) steps.push({ host: DIRECTOR, argv: ['sysctl', '-w', `${s.key}=${s.value}`], why: s.why });
    }
    steps.push(keepalivedStep('stop', 'hand the running cluster over: keepalived stops and leaves the table and the VIP as they are (-I -V)'));
    const own = splitByOwner(observed.table, vip).own;
    const fix = diffTables(desiredTable(cluster, resolve), own).map((s) => ({ ...s, why: `${s.why} (keepalived's table made exactly the profile's)` }));
    steps.push(...fix);
    summary.push(`keepalived runs the cluster now: it is stopped without touching the table or the VIP, then the table is made exactly the profile's (${fix.length} change(s)); from then on the script's cron update checks the realservers`);
    desired = applyStepsToTable(observed.table, steps.filter((s) => s.argv[0] === IPVSADM));
    const dev = cluster.vipIf.split(':')[0]!;
    return { verb: 'install', steps, desired, summary, vip: { address: vip, prefix: cluster.vipPrefix, dev, up: true } };
  }
  summary.push('keepalived is not running: nothing to hand over (start the cluster with `start`, or it starts at the next boot)');
  return { verb: 'install', steps, summary };
}

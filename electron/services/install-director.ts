/**
 * install-director: deploys the seed's arrangement so the director runs the cluster with no desktop open: /etc/lvs.conf
 * (from the profile), /etc/init.d/lvs-director (LVS_DIRECTOR_SCRIPT, mode 755), its S99 link in whichever of
 * /etc/rc.d/rc3.d and /etc/rc3.d exists, and a cron entry running `update` every minute (/etc/cron.d with a user field,
 * or busybox's /etc/crontabs/root, appended once). One detect exec first; every file written atomically; at the end the
 * installed script's `rules` are compared with the console's own plan for the profile.
 */
import type { Cluster } from '../../shared/model/cluster.ts';
import { AppError } from '../../shared/result.ts';
import { parseLvsConf } from '../lvs/conf/conf-parse.ts';
import { writeLvsConf } from '../lvs/conf/conf-write.ts';
import { directorConf } from '../lvs/conf/director-conf.ts';
import { desiredTable, type Resolve } from '../lvs/plan/desired-table.ts';
import { LVS_DIRECTOR_SCRIPT } from '../lvs/conf/director-init-script.ts';
import { parseIpvsadmSave } from '../lvs/ipvs/ipvsadm-save-parse.ts';
import { atomicWriteStep, backupStamp } from '../shell/remote-file.ts';
import { diffTables } from '../lvs/plan/table-diff.ts';
import { shellQuote } from '../shell/shell-quote.ts';
import { execChecked } from '../ssh/exec-checked.ts';
import type { Executor } from '../ssh/types.ts';
import { LVS_CONF_PATH, runAtomicWrite } from './conf-remote.ts';

/** Where the script goes. */
export const INIT_SCRIPT_PATH = '/etc/init.d/lvs-director';
/** The cron.d file (systems with /etc/cron.d). */
export const CRON_D_PATH = '/etc/cron.d/lvs-director';
/** The command cron runs every minute. */
export const CRON_COMMAND = `${INIT_SCRIPT_PATH} update >/dev/null 2>&1`;

/**
 * Detect script: one "KIND PATH" line per thing found: rcdir (/etc/rc.d/rc3.d, /etc/rc3.d), crond (/etc/cron.d),
 * crontabs (/etc/crontabs, /var/spool/cron/crontabs), initd (/etc/init.d), conf (/etc/lvs.conf), ipvsadm (its path).
 */
export const DETECT_SCRIPT = [
  'PATH=$PATH:/usr/sbin:/sbin:/usr/bin:/bin',
  'for d in /etc/rc.d/rc3.d /etc/rc3.d; do [ -d "$d" ] && echo "rcdir $d"; done',
  '[ -d /etc/cron.d ] && echo "crond /etc/cron.d"',
  'for d in /etc/crontabs /var/spool/cron/crontabs; do [ -d "$d" ] && echo "crontabs $d"; done',
  '[ -d /etc/init.d ] && echo "initd /etc/init.d"',
  '[ -f /etc/lvs.conf ] && echo "conf /etc/lvs.conf"',
  'p=$(command -v ipvsadm) && echo "ipvsadm $p"',
  'exit 0',
].join('\n');

/**
 * Link + crontab script: $1 = rc directory, $2 = crontab file or '-', $3 = crontab line. Links S99lvs-director to the
 * init script (absolute, right whatever /etc/init.d is), appends the line once, and tells busybox crond to re-read the
 * crontab (cron.update). Exit 20 link failed, 21/22 crontab not writable.
 */
export const LINK_CRON_SCRIPT = [
  'rcdir=$1; tab=$2; line=$3',
  'ln -sf /etc/init.d/lvs-director "$rcdir/S99lvs-director" || exit 20',
  'if [ "$tab" != - ]; then',
  '  touch "$tab" || exit 21',
  '  grep -qF "/etc/init.d/lvs-director update" "$tab" || printf \'%s\\n\' "$line" >> "$tab" || exit 22',
  '  echo "${tab##*/}" >> "${tab%/*}/cron.update"',
  'fi',
].join('\n');

/** What detect found. */
export interface DirectorLayout {
  rcDir?: string;
  cronD?: string;
  crontabs?: string;
  initD: boolean;
  confExists: boolean;
  ipvsadm?: string;
}

/** Parses DETECT_SCRIPT output (pure). The first rc dir and crontabs dir found win. */
export function parseDetectOutput(label: string, stdout: string): DirectorLayout {
  const out: DirectorLayout = { initD: false, confExists: false };
  stdout.split('\n').forEach((line, i) => {
    if (line === '') return;
    // "KIND PATH"
    const m = /^(rcdir|crond|crontabs|initd|conf|ipvsadm) (\/\S*)$/.exec(line);
    if (!m) throw new AppError('PARSE_ERROR', `${label}: detect: line ${i + 1}: unexpected "${line.slice(0, 80)}"`, { host: label, step: 'detect' });
    const [, kind, path] = m;
    if (kind === 'rcdir') out.rcDir ??= path;
    else if (kind === 'crond') out.cronD = path;
    else if (kind === 'crontabs') out.crontabs ??= path;
    else if (kind === 'initd') out.initD = true;
    else if (kind === 'conf') out.confExists = true;
    else out.ipvsadm = path;
  });
  return out;
}

/** What install-director did. */
export interface InstallReport {
  layout: DirectorLayout;
  written: string[];
  rcLink: string;
  cron: { file: string; line: string };
  /** The installed script's `rules` compared with the console's plan: equal, or the differences. */
  rulesMatchPlan: boolean;
  rulesDiff: string[];
}

/** Installs the director script, its configuration, its boot link and its cron entry. */
export async function installDirector(exec: Executor, cluster: Cluster, resolve: Resolve, opts: { now?: Date } = {}): Promise<InstallReport> {
  const label = exec.label;
  const det = await execChecked(exec, ['sh', '-c', DETECT_SCRIPT, 'lvs-console-detect'], [0], 'detect', { sudo: true, timeoutMs: 30_000 });
  const layout = parseDetectOutput(label, det.stdout);
  if (!layout.ipvsadm) throw new AppError('NOT_FOUND', `${label}: ipvsadm not found`, { host: label, step: 'detect' });
  if (!layout.initD) throw new AppError('UNSUPPORTED', `${label}: detect: no /etc/init.d on the director`, { host: label, step: 'detect' });
  if (!layout.rcDir) throw new AppError('UNSUPPORTED', `${label}: detect: neither /etc/rc.d/rc3.d nor /etc/rc3.d exists`, { host: label, step: 'detect' });
  if (!layout.cronD && !layout.crontabs) throw new AppError('UNSUPPORTED', `${label}: detect: no /etc/cron.d and no crontabs directory (/etc/crontabs, /var/spool/cron/crontabs)`, { host: label, step: 'detect' });

  // The conf: keep an existing file's comments and other settings, change only what the profile says.
  let existing;
  if (layout.confExists) {
    const r = await exec.exec(['cat', LVS_CONF_PATH], { sudo: true, step: `cat ${LVS_CONF_PATH}`, timeoutMs: 30_000 });
    if (r.code === 0) {
      try {
        existing = parseLvsConf(r.stdout, `${label}:${LVS_CONF_PATH}`);
      } catch {
        existing = undefined; // unreadable as lvs.conf: replaced (the old file is kept as a backup)
      }
    }
  }
  const text = writeLvsConf(directorConf(cluster, existing));
  const stamp = backupStamp(opts.now ?? new Date());
  const written: string[] = [];
  await runAtomicWrite(exec, atomicWriteStep('director', LVS_CONF_PATH, text, { mode: '644', stamp, shellCheck: true, why: 'the configuration' }), LVS_CONF_PATH);
  written.push(LVS_CONF_PATH);
  await runAtomicWrite(exec, atomicWriteStep('director', INIT_SCRIPT_PATH, LVS_DIRECTOR_SCRIPT, { mode: '755', stamp, shellCheck: true, why: 'the director script' }), INIT_SCRIPT_PATH);
  written.push(INIT_SCRIPT_PATH);

  let cron: InstallReport['cron'];
  let tab = '-';
  if (layout.cronD) {
    cron = { file: CRON_D_PATH, line: `* * * * * root ${CRON_COMMAND}` };
    const body = `# LVS Console: the seed's cron poll (drop dead realservers, re-add living ones)\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\n${cron.line}\n`;
    await runAtomicWrite(exec, atomicWriteStep('director', CRON_D_PATH, body, { mode: '644', stamp: '-', why: 'the cron entry' }), CRON_D_PATH);
    written.push(CRON_D_PATH);
  } else {
    tab = `${layout.crontabs}/root`;
    cron = { file: tab, line: `* * * * * ${CRON_COMMAND}` };
  }
  const rcLink = `${layout.rcDir}/S99lvs-director`;
  const linkArgv = ['sh', '-c', LINK_CRON_SCRIPT, 'lvs-console-link', layout.rcDir, tab, cron.line];
  await execChecked(exec, linkArgv, [0], 'rc link and crontab', {
    sudo: true,
    timeoutMs: 30_000,
    // LINK_CRON_SCRIPT's own exit codes.
    exitMeanings: { 20: `cannot link ${rcLink}`, 21: `cannot write ${tab}`, 22: `cannot write ${tab}` },
  });

  // Proof: what the installed script would load equals what the console plans for this profile.
  const rulesStep = `${INIT_SCRIPT_PATH} rules`;
  const rr = await execChecked(exec, [INIT_SCRIPT_PATH, 'rules'], [0], rulesStep, { sudo: true, timeoutMs: 30_000 });
  let rulesDiff: string[];
  try {
    const installed = { services: parseIpvsadmSave(rr.stdout).services };
    rulesDiff = diffTables(desiredTable(cluster, resolve), installed).map((s) => `${shellQuote(s.argv)}  # ${s.why}`);
  } catch (e) {
    throw new AppError('PARSE_ERROR', `${label}: ${rulesStep}: ${e instanceof Error ? e.message : String(e)}`, { host: label, step: rulesStep, cause: e });
  }
  return { layout, written, rcLink, cron, rulesMatchPlan: rulesDiff.length === 0, rulesDiff };
}

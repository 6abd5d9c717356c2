/**
 * The doctor's look at one director, in ONE exec: the live IPVS table (`ipvsadm -S -n`, or why ipvsadm failed), its
 * addresses (is the VIP up?), the sysctls start sets, the runtime (lvs-director script: installed, boot link, cron
 * entry, crond; keepalived: configured, running), what the installed script would load (`lvs-director rules`), and the
 * probe of every realserver from the director, per service (ping, TCP connect, an XDMCP Query → Willing:
 * health/service-probe.ts), all in parallel on the director: with perl, ONE process for every check
 * (shell/perl-probe-script.ts), else with bash the lean probe (health/lean-probe.ts: a few processes per realserver
 * instead of ~20), else the health probe itself. The script is a constant; sysctl paths,
 * the probe's timeout, ports and UDP payloads, the probe scripts and the addresses are positional arguments.
 */
import { AppError } from '../../shared/result.ts';
import { parseServiceProbe, SERVICE_PROBE_SCRIPT, serviceProbeArgv, type ProbedService, type ProbePlan } from '../health/service-probe.ts';
import { parseIpAddr } from '../lvs/ipvs/ip-addr-parse.ts';
import { parseIpvsadmSave } from '../lvs/ipvs/ipvsadm-save-parse.ts';
import { sysctlKey, sysctlPath } from '../lvs/plan/sysctl-path.ts';
import { parseCollectSections, SEC } from './collect-sections.ts';
import { LEAN_PROBE_SCRIPT } from '../health/lean-probe.ts';
import { HEALTH_PROBE_FROM_VAR_FN, PROBE_ALL_FN } from '../shell/lean-probe-script.ts';
import { PERL_PROBE_SCRIPT } from '../shell/perl-probe-script.ts';
import type { DirectorObs, DirectorProbe } from './model.ts';

/**
 * $1 = sysctl files (space-separated /proc/sys paths), $2 = the probe's timeout (s), $3 = TCP ports to probe
 * (space-separated), $4 = UDP probe specs (service-probe.ts: PORT/PAYLOAD), $5 = the health probe script (run by sh
 * when the director has no bash), $6 = the lean probe (health/lean-probe.ts, run by bash), $7 = the perl probe
 * (shell/perl-probe-script.ts, run when the director has perl), then the realserver addresses.
 * Sections: save (stdout and stderr of `ipvsadm -S -n`), addr, sysctl, runtime (facts, one per line: installed |
 * bootlink PATH | cron FILE | crond | keepalived-conf | keepalived-running | pair-handover | pair-handover-down (a
 * pair's lvs-pair status) | vrrp STATE: the notify script's last VRRP state of a pair director), rules (only when the script is installed), probe (only when there are realservers).
 */
export const DIRECTOR_COLLECT_SCRIPT = [
  'sysctls=$1; t=$2; ports=$3; uspecs=$4; HEALTH_PROBE=$5; LEAN_PROBE=$6; PERL_PROBE=$7; shift 7',
  'PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH',
  SEC,
  'both() { "$@" 2>&1; }',
  'readsys() { grep -H "" "$@" 2>/dev/null; return 0; }',
  'runtime() {',
  '  [ -x /etc/init.d/lvs-director ] && echo installed',
  '  for l in /etc/rc.d/rc3.d/S*lvs-director /etc/rc3.d/S*lvs-director; do [ -L "$l" ] && echo "bootlink $l"; done',
  '  for f in /etc/cron.d/lvs-director /etc/crontabs/root /var/spool/cron/crontabs/root; do [ -f "$f" ] && grep -q "lvs-director update" "$f" && echo "cron $f"; done',
  '  { pidof crond || pidof cron; } >/dev/null 2>&1 && echo crond',
  '  [ -f /etc/keepalived/keepalived.conf ] && echo keepalived-conf',
  '  pidof keepalived >/dev/null 2>&1 && echo keepalived-running',
  // a director pair's handover script (keepalived/pair-handover.ts): both sync daemons and the takeover guard
  '  if [ -x /etc/init.d/lvs-pair ]; then if /etc/init.d/lvs-pair status >/dev/null 2>&1; then echo pair-handover; else echo pair-handover-down; fi; fi',
  // a director pair: the VRRP role the console's notify script last wrote (EPOCH NAME STATE PRIORITY)
  '  [ -f /var/lib/lvs-console/vrrp-state ] && awk \'NF == 4 { print "vrrp " $3 }\' /var/lib/lvs-console/vrrp-state',
  '  return 0',
  '}',
  'sec save both ipvsadm -S -n',
  'sec addr ip -o addr show',
  'sec sysctl readsys $sysctls',
  'sec runtime runtime',
  '[ -x /etc/init.d/lvs-director ] && sec rules both /etc/init.d/lvs-director rules',
  HEALTH_PROBE_FROM_VAR_FN,
  PROBE_ALL_FN,
  'if [ $# -gt 0 ]; then sec probe probe_all "$t" "$ports" "$uspecs" "$@"; fi',
  'exit 0',
].join('\n');

/** What the director probes: TCP ports (connect), UDP services with their check (XDMCP or a payload), the timeout. */
export interface CollectAsk {
  tcpPorts: readonly number[];
  realservers: readonly string[];
  /** UDP services to probe (service-probe.ts); none when omitted. */
  udp?: readonly (ProbedService & { protocol: 'udp' })[];
  /** Each check's timeout in seconds (the profile's health.timeoutSec); default 3. */
  timeoutSec?: number;
}

/** The service probe's plan for an ask (realservers named by their address). */
export function collectProbePlan(ask: CollectAsk): ProbePlan {
  return {
    hosts: ask.realservers.map((a) => ({ name: a, address: a })),
    services: [...ask.tcpPorts.map((port): ProbedService => ({ protocol: 'tcp', port, check: { kind: 'connect' } })), ...(ask.udp ?? [])],
    unchecked: [],
    timeoutSec: ask.timeoutSec ?? 3,
  };
}

/** argv of the collector exec: sysctl keys (as directorSysctls gives them), then what to probe on which realservers. */
export function directorCollectArgv(sysctlKeys: readonly string[], tcpPorts: readonly number[], realservers: readonly string[], more: Pick<CollectAsk, 'udp' | 'timeoutSec'> = {}): string[] {
  for (const p of tcpPorts) if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`director collect: bad port ${p}`);
  // The probe's own argv ([sh, -c, SCRIPT, sh, T, TCPPORTS, UDPSPECS, HOST…]) gives the validated, encoded arguments.
  const p = serviceProbeArgv(collectProbePlan({ tcpPorts, realservers, ...more }));
  return ['sh', '-c', DIRECTOR_COLLECT_SCRIPT, 'lvs-console-doctor', sysctlKeys.map((k) => `/proc/sys/${sysctlPath(k)}`).join(' '), p[4]!, p[5]!, p[6]!, SERVICE_PROBE_SCRIPT, LEAN_PROBE_SCRIPT, PERL_PROBE_SCRIPT, ...realservers];
}

/** Parses the collector's stdout into a DirectorObs (pure); PARSE_ERROR naming the director and the part for bad output. */
export function parseDirectorCollect(name: string, stdout: string, ask: CollectAsk): DirectorObs {
  const sections = parseCollectSections(name, stdout);
  const part = <T>(step: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new AppError('PARSE_ERROR', `${name}: ${step}: ${e instanceof Error ? e.message : String(e)}`, { host: name, step, cause: e });
    }
  };
  const need = (n: string) => {
    const s = sections.get(n);
    if (!s) throw new AppError('PARSE_ERROR', `${name}: collect: no ${n} section (the output was cut?)`, { host: name, step: 'collect' });
    return s;
  };
  const obs: DirectorObs = { name };
  const save = need('save');
  if (save.rc === 0) {
    obs.ipvs = { ok: true };
    obs.table = part('ipvsadm -S -n', () => ({ services: parseIpvsadmSave(save.out).services }));
  } else obs.ipvs = { ok: false, error: save.rc === 127 ? 'ipvsadm not found' : save.out.trim() || `ipvsadm -S -n: exit ${save.rc}` };
  const addr = need('addr');
  if (addr.rc === 0) obs.addresses = part('ip -o addr show', () => parseIpAddr(addr.out));
  const sysctls: Record<string, string> = {};
  need('sysctl')
    .out.split('\n')
    .forEach((line, i) => {
      if (line === '') return;
      // /proc/sys/PATH:VALUE
      const m = /^\/proc\/sys\/([^:]+):(.*)$/.exec(line);
      if (!m) throw new AppError('PARSE_ERROR', `${name}: read sysctls: line ${i + 1}: unexpected "${line.slice(0, 80)}"`, { host: name, step: 'read sysctls' });
      sysctls[sysctlKey(m[1]!)] = m[2]!.trim();
    });
  obs.sysctls = sysctls;
  const facts = need('runtime').out.split('\n').filter(Boolean);
  for (const f of facts) {
    // installed | bootlink PATH | cron FILE | crond | keepalived-conf | keepalived-running | pair-handover[-down] | vrrp MASTER|BACKUP|FAULT|STOP|DELETED
    if (!/^(installed|crond|keepalived-conf|keepalived-running|pair-handover|pair-handover-down|(bootlink|cron) \/\S+|vrrp (MASTER|BACKUP|FAULT|STOP|DELETED))$/.test(f)) throw new AppError('PARSE_ERROR', `${name}: runtime: unexpected "${f.slice(0, 80)}"`, { host: name, step: 'runtime' });
  }
  const has = (w: string) => facts.some((f) => f === w || f.startsWith(`${w} `));
  obs.script = { installed: has('installed'), bootLink: has('bootlink'), cronEntry: has('cron'), crondRunning: has('crond') };
  const vrrp = facts.find((f) => f.startsWith('vrrp '))?.slice(5);
  const pairHandover = facts.includes('pair-handover') ? 'ok' : facts.includes('pair-handover-down') ? 'down' : 'missing';
  obs.keepalived = { configured: has('keepalived-conf'), running: has('keepalived-running'), pairHandover, ...(vrrp && has('keepalived-running') ? { vrrpState: vrrp } : {}) };
  const rules = sections.get('rules');
  if (rules) {
    if (rules.rc === 0) obs.script.rules = part('lvs-director rules', () => ({ services: parseIpvsadmSave(rules.out).services }));
    else obs.script.rulesError = rules.out.trim() || `exit ${rules.rc}`;
  }
  if (ask.realservers.length) {
    const probe = need('probe');
    const results = part('probe', () => parseServiceProbe(probe.out, collectProbePlan(ask)));
    obs.probes = Object.fromEntries(
      results.map((r): [string, DirectorProbe] => {
        // 'unknown' (no TCP tool on the director) says nothing either way: no entry for that port
        const tcp = Object.fromEntries(r.services.filter((s) => s.protocol === 'tcp' && s.verdict !== 'unknown').map((s) => [s.port, s.verdict === 'pass']));
        const x = r.services.find((s) => s.protocol === 'udp' && s.check === 'xdmcp');
        // 'unknown' (no UDP tool on the director) says nothing either way.
        const xdmcp = x && x.verdict !== 'unknown' ? { xdmcp: x.verdict === 'pass' } : {};
        return [r.address, { icmp: r.icmp, tcp, ...xdmcp }];
      }),
    );
  }
  return obs;
}

/**
 * `lvsctl --profile FILE doctor [--json] [--no-desktop]`: one run checks the whole path (this desktop → VIP → director(s)
 * → realservers → login screen) and prints each finding: what is wrong, why it matters (the seed's reason), and the
 * fix the console offers. `doctor --fix KEY --dry-run` previews that fix (the exact commands and a fingerprint);
 * `doctor --fix KEY [--fingerprint F]` runs it (refused when it changed since the preview with that fingerprint) and runs
 * the doctor again. Exit 0 no finding (or the fix worked), 1 findings (or the finding is still there), 3 failure.
 */
import { wantsXdmcp } from '../../doctor/collect-plan.ts';
import type { Finding } from '../../doctor/model.ts';
import { nodeDetectReaders } from '../../launch/node-readers.ts';
import { checkDesktop } from '../../services/desktop-checks.ts';
import { DoctorService, type DoctorReport, type FixPreview } from '../../services/doctor-service.ts';
import { parseArgs } from '../args.ts';
import { EXIT } from '../io.ts';
import type { RemoteVerb } from './remote-verb.ts';

const USAGE = `usage: lvsctl --profile FILE doctor [--json] [--no-desktop]
       lvsctl --profile FILE doctor --fix KEY --dry-run      preview a finding's fix (commands + fingerprint)
       lvsctl --profile FILE doctor --fix KEY [--fingerprint F]   run it (refused if it changed since that preview)
`;

/** One finding as text. */
export function findingText(f: Finding): string {
  let out = `${f.severity === 'error' ? 'ERROR  ' : 'WARNING'} ${f.what}\n        why: ${f.why}\n`;
  for (const e of f.explains ?? []) out += `        explains: ${e}\n`;
  if (f.fix) out += `        fix: lvsctl --profile FILE doctor --fix ${f.key} --dry-run${f.fix.kind === 'action' ? ` (${f.fix.action}: ${f.fix.why})` : ` (${f.fix.steps.length} command(s))`}\n`;
  else out += '        fix: none the console can run (see why)\n';
  return out;
}

/** A report as text. */
export function reportText(r: DoctorReport): string {
  const bad = [...r.checked.directors, ...r.checked.realservers].filter((h) => !h.ok);
  let out = `doctor: ${r.checked.directors.length} director(s), ${r.checked.realservers.length} realserver(s)${r.checked.desktop ? ', this desktop' : ''} checked in ${(r.durationMs / 1000).toFixed(1)} s${bad.length ? ` (${bad.length} not reached)` : ''}\n`;
  out += r.findings.length ? `${r.findings.length} finding(s):\n${r.findings.map(findingText).join('')}` : 'no finding: every link of the path is as the profile says\n';
  for (const n of r.notes) out += `note: ${n}\n`;
  return out;
}

function previewText(p: FixPreview): string {
  return `fix for ${p.finding.key} (${p.via}):\n${p.commands.map((c) => `  ${c}`).join('\n') || '  (nothing to run)'}\nfingerprint: ${p.fingerprint}\nrun it with: lvsctl --profile FILE doctor --fix ${p.finding.key} --fingerprint ${p.fingerprint}\n`;
}

/** The `doctor` verb. */
export const doctorVerb: RemoteVerb = async (run, args, io) => {
  const parsed = parseArgs(args, { values: ['fix', 'fingerprint'], booleans: ['dry-run', 'no-desktop'] });
  if ('error' in parsed) {
    io.err(`lvsctl doctor: ${parsed.error}\n${USAGE}`);
    return EXIT.USAGE;
  }
  if (parsed.positionals.length) {
    io.err(`lvsctl doctor: unexpected argument '${parsed.positionals[0]}'\n${USAGE}`);
    return EXIT.USAGE;
  }
  const fix = parsed.flags.get('fix');
  if ((parsed.flags.has('dry-run') || parsed.flags.has('fingerprint')) && typeof fix !== 'string') {
    io.err(`lvsctl doctor: --dry-run and --fingerprint go with --fix KEY\n${USAGE}`);
    return EXIT.USAGE;
  }
  const desktop = parsed.flags.has('no-desktop') ? undefined : (i: { vip: string; tcpPorts: number[]; xdmcp: boolean }) => checkDesktop({ ...i, readers: nodeDetectReaders() });
  const doctor = new DoctorService(run.service, desktop);
  if (typeof fix === 'string') {
    if (parsed.flags.has('dry-run')) {
      const p = await doctor.previewFix(fix);
      io.out(run.json ? `${JSON.stringify({ ok: true, ...p }, null, 2)}\n` : previewText(p));
      return EXIT.OK;
    }
    const pinned = parsed.flags.get('fingerprint');
    const fingerprint = typeof pinned === 'string' ? pinned : (await doctor.previewFix(fix)).fingerprint;
    const o = await doctor.runFix(fix, fingerprint);
    if (run.json) io.out(`${JSON.stringify({ ok: o.gone, ...o }, null, 2)}\n`);
    else io.out(`ran:\n${o.ran.map((c) => `  ${c}`).join('\n') || '  (nothing)'}\n${o.gone ? `fixed: ${fix} is gone` : `STILL THERE: ${fix}`}\n${reportText(o.after)}`);
    return o.gone ? EXIT.OK : EXIT.INVALID;
  }
  const r = await doctor.run();
  if (run.json) io.out(`${JSON.stringify({ ok: r.findings.length === 0, ...r, xdmcpChecked: wantsXdmcp(run.cluster) }, null, 2)}\n`);
  else io.out(reportText(r));
  return r.findings.length ? EXIT.INVALID : EXIT.OK;
};

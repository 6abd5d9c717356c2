/**
 * A launcher override (settings.launcherOverrides) names a program Connect me will start on this desktop, so setting one
 * is as strong as running code here: the web token or a compromised renderer must not be able to do it alone. An
 * override needs a confirmation the renderer cannot forge (a native dialog from the main process, confirm-dialog.ts)
 * when its program is not the one detection finds for that launcher, or when the launcher runs the command line its
 * arguments name (a terminal's `-e`, MobaXterm's `-newtab`) and those arguments are not its usual ones. Where there is
 * no such dialog (the web host) it is refused. Unchanged and removed overrides need nothing.
 */
import { AppError } from '../../shared/result.ts';
import type { Settings, SettingsStore } from '../store/types.ts';
import { LAUNCHERS, LINUX_TERMINALS } from './catalog.ts';
import type { DetectReaders, LauncherOverride } from './types.ts';
import { findOnPath } from './which.ts';

/** What the desktop is asked to confirm. */
export interface LauncherConfirmRequest {
  id: string;
  name: string;
  path: string;
  argsTemplate: string[];
  /** Why it needs a confirmation. */
  reason: string;
}

/** Asks the person at the desktop; resolves true only for an explicit yes. */
export type LauncherConfirm = (req: LauncherConfirmRequest) => Promise<boolean>;

/** Launchers whose program runs the command line its arguments name. */
const RUNS_COMMAND_LINE = new Set(['mobaxterm-telnet', ...LINUX_TERMINALS.map((t) => t.id)]);

/** The program detection finds for launcher `id` here and its usual template (undefined: no such launcher here). */
async function detectedFor(id: string, r: DetectReaders): Promise<{ name: string; path?: string; template?: readonly string[] } | undefined> {
  const spec = LAUNCHERS.find((s) => s.id === id && s.platform === r.platform);
  if (spec) {
    for (const c of await spec.candidates(r)) if (await r.exists(c)) return { name: spec.name, path: c, ...(spec.argsTemplate ? { template: spec.argsTemplate } : {}) };
    return { name: spec.name };
  }
  const term = r.platform === 'linux' ? LINUX_TERMINALS.find((t) => t.id === id) : undefined;
  if (!term) return undefined;
  const path = await findOnPath(term.binary, r);
  const telnet = await findOnPath('telnet', r);
  return { name: term.name, ...(path ? { path } : {}), ...(telnet ? { template: ['-e', telnet, '{vip}', '{port}'] } : {}) };
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Checks the overrides a settings patch would store against the current ones; asks `confirm` for each that needs it
 * (see the file comment). Throws UNSUPPORTED when one needs a confirmation and there is no `confirm` (the web host),
 * CANCELLED when the desktop said no. Nothing is saved here.
 */
export async function guardLauncherOverrides(
  next: Readonly<Record<string, LauncherOverride>> | undefined,
  current: Readonly<Record<string, LauncherOverride>>,
  opts: { readers: DetectReaders; confirm?: LauncherConfirm },
): Promise<void> {
  if (!next) return;
  for (const [id, o] of Object.entries(next)) {
    const before = current[id];
    if (before && before.path === o.path && same(before.argsTemplate, o.argsTemplate)) continue;
    const d = await detectedFor(id, opts.readers);
    let reason: string | undefined;
    if (d?.path !== o.path) reason = `${o.path} is not the program found for it on this computer (${d?.path ?? `none found${d ? '' : ': no such launcher'}`})`;
    else if (RUNS_COMMAND_LINE.has(id) && !(d.template && same(d.template, o.argsTemplate))) reason = `${d.name} runs the command line its arguments name, and these are not its usual ones`;
    if (reason === undefined) continue;
    const step = 'settings.set';
    if (!opts.confirm) {
      throw new AppError('UNSUPPORTED', `launcher override "${id}": ${reason}; running ${o.path} needs a confirmation on the desktop app, which the web host cannot ask: set it there`, { step });
    }
    const ok = await opts.confirm({ id, name: d?.name ?? id, path: o.path, argsTemplate: [...o.argsTemplate], reason });
    if (!ok) throw new AppError('CANCELLED', `launcher override "${id}": not confirmed on the desktop; nothing was saved`, { step });
  }
}

/** settings.set with the launcher check first (see guardLauncherOverrides): what the app's handler calls. */
export async function setSettingsChecked(store: SettingsStore, patch: Partial<Settings>, opts: { readers: DetectReaders; confirm?: LauncherConfirm }): Promise<Settings> {
  await guardLauncherOverrides(patch.launcherOverrides, store.get().launcherOverrides, opts);
  return store.set(patch);
}

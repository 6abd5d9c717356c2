/**
 * Chooses the launcher for a Connect me request and renders its argv (pure): the requested id, or the first detected
 * launcher of the kind. Errors say what to install or configure next.
 */
import { AppError } from '../../shared/result.ts';
import { renderTemplate } from './template.ts';
import type { LaunchPlatform, Launcher, TemplateValues } from './types.ts';

/** What to spawn. */
export interface LaunchPlan {
  launcher: Launcher;
  file: string;
  args: string[];
}

const INSTALL_HINT: Record<LaunchPlatform, Record<'xdmcp' | 'telnet', string>> = {
  win32: {
    xdmcp: 'install VcXsrv (or Xming, Cygwin/X), or set an X server path and argument template in Settings',
    telnet: 'install PuTTY or enable the Windows "Telnet Client" feature, or set a path and template in Settings',
  },
  linux: {
    xdmcp: 'install Xephyr (apt-get install xserver-xephyr) or Xnest, or set a path and template in Settings',
    telnet: 'install telnet and a terminal (xterm), or PuTTY, or set a path and template in Settings',
  },
};

/** Picks the launcher and renders its argv with `values`. */
export function planLaunch(
  detected: readonly Launcher[],
  req: { kind: 'xdmcp' | 'telnet'; launcherId?: string },
  values: TemplateValues,
  platform: LaunchPlatform,
): LaunchPlan {
  let launcher: Launcher | undefined;
  if (req.launcherId !== undefined) {
    launcher = detected.find((l) => l.id === req.launcherId);
    if (!launcher) throw new AppError('NOT_FOUND', `launcher "${req.launcherId}" is not installed here (found: ${detected.map((l) => l.id).join(', ') || 'none'})`, { step: 'choose launcher' });
    if (launcher.kind !== req.kind) throw new AppError('INVALID_INPUT', `launcherId: "${launcher.id}" is a ${launcher.kind} launcher, not ${req.kind}`, { step: 'choose launcher' });
  } else {
    launcher = detected.find((l) => l.kind === req.kind);
    if (!launcher) throw new AppError('NOT_FOUND', `no ${req.kind === 'xdmcp' ? 'X server' : 'telnet client'} found on this computer: ${INSTALL_HINT[platform][req.kind]}`, { step: 'choose launcher' });
  }
  return { launcher, file: launcher.path, args: renderTemplate(launcher.argsTemplate, values) };
}

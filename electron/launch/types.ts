/** Types for Connect me: what detection reads (injected, so every platform is testable here) and what it finds. */
import type { z } from 'zod';
import type { launcherSchema } from '../../shared/api/contract.ts';

/** A detected X server or telnet client, as the contract sends it to the renderer. */
export type Launcher = z.output<typeof launcherSchema>;

/** The platforms detection knows about. */
export type LaunchPlatform = 'win32' | 'linux';

/** Everything detection reads from the machine. Each may answer synchronously or with a promise. */
export interface DetectReaders {
  platform: LaunchPlatform;
  /** Environment (PATH, ProgramFiles, ProgramFiles(x86), LOCALAPPDATA, SystemRoot…). */
  env: Readonly<Record<string, string | undefined>>;
  /** True when a file exists at the absolute path. */
  exists(path: string): boolean | Promise<boolean>;
  /** Windows registry: a REG_SZ/REG_EXPAND_SZ value (64- or 32-bit view), or undefined. Absent on Linux. */
  registry?(key: string, valueName: string): string | undefined | Promise<string | undefined>;
}

/** A user's override for one launcher (settings.launcherOverrides[id]). */
export interface LauncherOverride {
  path: string;
  argsTemplate: string[];
}

/** Values a template's placeholders are filled with. */
export interface TemplateValues {
  vip: string;
  display?: number;
  port?: number;
}

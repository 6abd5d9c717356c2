/** App settings in the store document, validated with the contract's settingsSchema (defaults filled in). */
import { settingsSchema } from '../../shared/api/contract.ts';
import type { DocAccess } from './doc-access.ts';
import type { Settings, SettingsStore } from './types.ts';

/**
 * Parses stored settings; a stored value that no longer validates falls back to its default (the other settings keep
 * their values). `onProblem` hears which key was reset and why.
 */
export function parseStoredSettings(stored: Record<string, unknown>, onProblem?: (message: string) => void): Settings {
  let candidate: Record<string, unknown> = { ...stored };
  for (let attempt = 0; attempt < 8; attempt++) {
    const r = settingsSchema.safeParse(candidate);
    if (r.success) return r.data;
    const bad = new Set(r.error.issues.map((i) => String(i.path[0] ?? '')));
    for (const i of r.error.issues) onProblem?.(`settings.${i.path.join('.')}: ${i.message} (reset to default)`);
    if (bad.has('')) return settingsSchema.parse({});
    candidate = Object.fromEntries(Object.entries(candidate).filter(([k]) => !bad.has(k)));
  }
  return settingsSchema.parse({});
}

/** A SettingsStore over the document. */
export function createSettingsStore(doc: DocAccess, opts: { onProblem?: (message: string) => void } = {}): SettingsStore {
  return {
    get: () => parseStoredSettings(doc.read().settings, opts.onProblem),
    set(patch) {
      return doc.update((d) => {
        const next = settingsSchema.parse({ ...parseStoredSettings(d.settings, opts.onProblem), ...patch });
        d.settings = next;
        return next;
      });
    },
  };
}

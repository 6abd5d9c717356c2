import { AppError } from '../../shared/result.ts';
import { parseSections, SECTION_FUNCTION } from '../shell/marked-sections.ts';

/**
 * How a collector script returns several outputs in one exec: the marked-sections protocol of
 * electron/shell/marked-sections.ts (`sec NAME CMD ARGS…`). The doctor reads only each section's stdout and exit status.
 */
export const SEC = SECTION_FUNCTION;

/** One section: its stdout and exit status. */
export interface CollectSection {
  out: string;
  rc: number;
}

/** Parses `sec` output; throws PARSE_ERROR naming the host and the line for text outside sections or a cut section. */
export function parseCollectSections(label: string, stdout: string): Map<string, CollectSection> {
  try {
    const { sections } = parseSections(stdout);
    return new Map([...sections].map(([name, s]) => [name, { out: s.stdout, rc: s.rc }]));
  } catch (e) {
    const msg = e instanceof Error ? e.message.replace(/^section output: /, '') : String(e);
    throw new AppError('PARSE_ERROR', `${label}: collect: ${msg}`, { host: label, step: 'collect', cause: e });
  }
}

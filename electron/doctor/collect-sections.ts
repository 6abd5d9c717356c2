import { AppError } from '../../shared/result.ts';

/**
 * How a collector script returns several outputs in one exec: `sec NAME CMD ARGS…` prints
 *   @@lvs-console begin NAME \n OUTPUT \n @@lvs-console end NAME RC
 * (the same protocol as electron/services/marked-sections.ts, which the pure layers may not import; stderr is not split
 * per section here: the doctor reads only exit statuses and stdout). The newline before the end marker is always added,
 * so the parser removes exactly one and OUTPUT comes back as it was.
 */
export const SEC = [
  'sec() { n=$1; shift; echo "@@lvs-console begin $n"',
  '  "$@"; r=$?; printf \'\\n@@lvs-console end %s %s\\n\' "$n" "$r"; }',
].join('\n');

/** One section: its stdout and exit status. */
export interface CollectSection {
  out: string;
  rc: number;
}

// "@@lvs-console begin NAME" | "@@lvs-console end NAME RC"
const MARK = /^@@lvs-console (begin|end) ([a-z][a-z0-9-]*)(?: (\d{1,3}))?$/;

/** Parses `sec` output; throws PARSE_ERROR naming the host and the line for text outside sections or a cut section. */
export function parseCollectSections(label: string, stdout: string): Map<string, CollectSection> {
  const out = new Map<string, CollectSection>();
  const err = (msg: string) => new AppError('PARSE_ERROR', `${label}: collect: ${msg}`, { host: label, step: 'collect' });
  const lines = stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let cur: { name: string; lines: string[] } | undefined;
  lines.forEach((line, i) => {
    const m = line.startsWith('@@lvs-console ') ? MARK.exec(line) : null;
    if (!m) {
      if (!cur) throw err(`line ${i + 1}: text outside any section "${line.slice(0, 80)}"`);
      cur.lines.push(line);
      return;
    }
    const [, kind, name, rc] = m;
    if (kind === 'begin') {
      if (cur) throw err(`line ${i + 1}: section ${name} begins inside ${cur.name}`);
      cur = { name: name!, lines: [] };
    } else {
      if (!cur || cur.name !== name || rc === undefined) throw err(`line ${i + 1}: unexpected end of ${name}`);
      out.set(name!, { out: cur.lines.join('\n'), rc: Number(rc) });
      cur = undefined;
    }
  });
  if (cur) throw err(`section ${cur.name} never ended: the output was cut`);
  return out;
}

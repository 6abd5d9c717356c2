/**
 * lvs.conf parse benchmarks (figures, not assertions): a 1 MB file of the seed's shape (comments, quoted values,
 * continuation lists) and one line holding 100,000 list items (RIPS="…", 1.2 MB), each through parseLvsConf +
 * confVariables (what `lvsctl conf check` and the import do), against a baseline measured in the same run with the same
 * warm-up and run count: splitting the same text on blanks and newlines (the least any reader of the file does).
 * Parsing must be linear: the ratio to the baseline stays flat as the input grows (the 100,000-item line was quadratic
 * before: minutes).
 */
import { confVariables, parseLvsConf } from '../../../electron/lvs/conf/conf-parse.ts';
import { measure, report } from '../measure.ts';

const host = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** ~1 MB in the seed's layout: blocks of comments, scalar assignments and a continuation list. */
function seedShaped(bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let b = 0; size < bytes; b++) {
    const block = [
      `# block ${b}: the VIP and its alias; a comment with 'quotes', "double" and a \\ backslash`,
      `VIP_${b}=10.${(b >> 8) & 255}.${b & 255}.100`,
      `export VIP_IF_${b}=eth0:${b % 1000}`,
      `LVS_IF_${b}="eth0"   # trailing comment`,
      `TPORTS_${b}='telnet ssh 6000'`,
      `RIPS_${b}="${Array.from({ length: 12 }, (_, k) => `${host(b * 12 + k)} \\`).join('\n')}\n"`,
      '',
    ].join('\n');
    parts.push(block + '\n');
    size += block.length + 1;
  }
  return parts.join('');
}

/** What every reader of the text does at least: split it into words. */
function baseline(text: string): number {
  return text.split(/[ \t\n]+/).length;
}

function parse(text: string): number {
  return confVariables(parseLvsConf(text, 'bench.conf')).size;
}

export default async function confParseBench(): Promise<void> {
  const file = seedShaped(1_000_000);
  const line = `VIP=10.0.0.1\nRIPS="${Array.from({ length: 100_000 }, (_, i) => host(i)).join(' ')}"\n`;
  const items = confVariables(parseLvsConf(line, 'bench.conf')).get('RIPS')!.items.length;
  if (items !== 100_000) throw new Error(`the 100,000-item line parsed to ${items} items`);
  console.log(`inputs: seed-shaped file ${(file.length / 1e6).toFixed(2)} MB (${parse(file)} variables), one line of ${items} items ${(line.length / 1e6).toFixed(2)} MB`);
  for (const [name, text] of [
    ['1 MB seed-shaped file', file],
    ['one line, 100,000 list items', line],
  ] as const) {
    const base = await measure(() => baseline(text), 15, 3);
    report(`baseline: split ${name} on blanks`, base);
    const r = await measure(() => parse(text), 15, 3);
    report(`parseLvsConf + confVariables, ${name}`, r, 1000);
    console.log(`  -> ${(r.median / base.median).toFixed(1)}× the baseline`);
  }
  // Linear: doubling the line doubles the time (a quadratic reader would quadruple it).
  const half = `VIP=10.0.0.1\nRIPS="${Array.from({ length: 50_000 }, (_, i) => host(i)).join(' ')}"\n`;
  const h = await measure(() => parse(half), 15, 3);
  const f = await measure(() => parse(line), 15, 3);
  report('parseLvsConf + confVariables, 50,000 items', h);
  console.log(`  -> 100,000 items take ${(f.median / h.median).toFixed(2)}× the time of 50,000 (2 is linear, 4 quadratic)`);
}

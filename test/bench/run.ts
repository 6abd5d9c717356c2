/**
 * `npm run bench`: runs every benchmark module in test/bench/core/ (each default-exports an async function that prints
 * its figures); `tsx test/bench/run.ts DIR [NAME…]` runs DIR's modules, or only those named (e.g. `npm run
 * bench:reliability -- cut-apply`). Figures and ratios are printed, never asserted: these machines are shared and noisy.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), process.argv[2] ?? 'core');
const only = process.argv.slice(3);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && (only.length === 0 || only.includes(f.replace(/\.ts$/, ''))))
  .sort();
if (only.length && files.length !== only.length) throw new Error(`no module ${only.join(', ')} in ${dir} (there: ${readdirSync(dir).join(', ')})`);
console.log(`node ${process.version}, ${files.length} benchmark module(s) in ${dir}`);
for (const f of files) {
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default: () => Promise<void> };
  console.log(`\n## ${f.replace(/\.ts$/, '')}`);
  await mod.default();
}

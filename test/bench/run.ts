/**
 * `npm run bench`: runs every benchmark module in test/bench/core/ (each default-exports an async function that prints
 * its figures; `npm run bench:lab -- NAME` runs only the modules whose file name contains NAME). Figures and ratios are printed, never asserted: these machines are shared and noisy.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), process.argv[2] ?? 'core');
// an optional second argument keeps only the modules whose file name contains it (`npm run bench:lab -- pair`)
const only = process.argv[3];
const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && (only === undefined || f.includes(only))).sort();
console.log(`node ${process.version}, ${files.length} benchmark module(s) in ${dir}`);
for (const f of files) {
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default: () => Promise<void> };
  console.log(`\n## ${f.replace(/\.ts$/, '')}`);
  await mod.default();
}

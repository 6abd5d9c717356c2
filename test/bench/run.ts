/**
 * `npm run bench`: runs every benchmark module in test/bench/core/ (each default-exports an async function that prints
 * its figures). Figures and ratios are printed, never asserted: these machines are shared and noisy.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), process.argv[2] ?? 'core');
const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
console.log(`node ${process.version}, ${files.length} benchmark module(s) in ${dir}`);
for (const f of files) {
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default: () => Promise<void> };
  console.log(`\n## ${f.replace(/\.ts$/, '')}`);
  await mod.default();
}

// `npm start`: launches the desktop app when the Electron binary and the build are present; otherwise says what is missing.
const path = require('node:path');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const root = path.resolve(__dirname, '..', '..');
let electronPath;
try {
  electronPath = require('electron'); // the electron package exports the binary's path, or throws if it was not downloaded
} catch (e) {
  console.error('LVS Console: the Electron binary is not installed (npm ci with ELECTRON_SKIP_BINARY_DOWNLOAD=1 skips it).');
  console.error('Run `npm ci` without ELECTRON_SKIP_BINARY_DOWNLOAD on a machine that can download it, or use `npm run web`.');
  console.error(`(${String(e && e.message ? e.message : e).split('\n')[0]})`);
  process.exit(1);
}
const main = path.join(root, 'out', 'main', 'main.js');
if (!fs.existsSync(main)) {
  const b = spawnSync(process.execPath, [require.resolve('electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const r = spawnSync(electronPath, [root], { stdio: 'inherit' });
process.exit(r.status ?? 1);

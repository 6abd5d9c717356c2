#!/usr/bin/env node
// lvsctl launcher: runs the bundled CLI (out/cli/lvsctl.cjs, from `npm run build`) or, in a checkout, the TypeScript via tsx.
const path = require('node:path');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const root = path.resolve(__dirname, '..', '..');
const bundled = path.join(root, 'out', 'cli', 'lvsctl.cjs');
const args = fs.existsSync(bundled)
  ? [bundled, ...process.argv.slice(2)]
  : ['--import', 'tsx', path.join(root, 'electron', 'cli', 'lvsctl.ts'), ...process.argv.slice(2)];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status === null ? 1 : r.status);

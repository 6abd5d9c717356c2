// Lint: typescript-eslint recommended, plus the layering of ARCHITECTURE.md enforced as ALLOW-lists (like VS Code's layer
// checks): each folder names the folders and packages it may import, and anything else is an error, so a new folder or a
// new dependency is refused until someone decides where it belongs. import-x/no-cycle refuses import cycles.
//
//   shared/                 zod + itself (no Node, no DOM-only code, no Electron)
//   renderer/               react, recharts, zod, shared/, itself
//   electron/shell/         shared/ + itself: the ONE place command text is built (quoting, script texts); pure, no I/O
//   electron/lvs/           pure: shared/, shell/, itself          electron/realserver/, electron/health/: the same
//   electron/keepalived/    pure: shared/, shell/, lvs/, health/, itself
//   electron/doctor/        pure: shared/, shell/, lvs/, keepalived/, realserver/, health/, itself
//   electron/ssh/           the only ssh2 importer; never a planner (no lvs/, keepalived/, …): shared/, shell/, itself, Node
//   electron/store/         the only electron-store importer
// shell/ is pure text building, so the pure layers may use it: a plan step's argv is quoted for a message by the same
// function that quotes it for ssh.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(fileURLToPath(import.meta.url));
const NODE = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const PURE = ['shared', 'electron/shell'];

/** The allow-list per folder: `dirs` (repo-relative folders, the file's own folder included explicitly) and `packages`. */
const LAYERS = [
  { files: 'shared', dirs: ['shared'], packages: ['zod'] },
  { files: 'renderer', dirs: ['shared', 'renderer'], packages: ['react', 'react-dom', 'react-dom/client', 'react/jsx-runtime', 'recharts', 'zod'] },
  { files: 'electron/shell', dirs: PURE, packages: [] },
  { files: 'electron/lvs', dirs: [...PURE, 'electron/lvs'], packages: ['zod'] },
  { files: 'electron/realserver', dirs: [...PURE, 'electron/realserver'], packages: ['zod'] },
  { files: 'electron/health', dirs: [...PURE, 'electron/health'], packages: ['zod'] },
  { files: 'electron/keepalived', dirs: [...PURE, 'electron/lvs', 'electron/health', 'electron/keepalived'], packages: ['zod'] },
  {
    files: 'electron/doctor',
    dirs: [...PURE, 'electron/lvs', 'electron/keepalived', 'electron/realserver', 'electron/health', 'electron/doctor'],
    packages: ['zod'],
  },
  { files: 'electron/ssh', dirs: [...PURE, 'electron/ssh'], packages: ['ssh2', 'zod', ...NODE] },
];

/** A local rule: every import of a file in a layer must resolve into one of its allowed folders or packages. */
const layersPlugin = {
  rules: {
    'allowed-imports': {
      meta: { type: 'problem', schema: [{ type: 'object' }] },
      create(context) {
        const { dirs, packages, layer } = context.options[0];
        const file = context.filename;
        const check = (node, source) => {
          if (!source || typeof source.value !== 'string') return;
          const spec = source.value;
          if (spec.startsWith('.')) {
            const target = relative(ROOT, resolve(dirname(file), spec)).split(sep).join('/');
            if (!dirs.some((d) => target === d || target.startsWith(`${d}/`))) {
              context.report({ node, message: `${layer}/ may import only ${dirs.join('/, ')}/ (not ${target})` });
            }
          } else if (!packages.includes(spec) && !packages.some((p) => spec.startsWith(`${p}/`) && !p.startsWith('node:'))) {
            const named = packages.filter((p) => !NODE.includes(p));
            const allowed = [...named, ...(named.length < packages.length ? ['Node builtins'] : [])].join(', ') || 'none';
            context.report({ node, message: `${layer}/ may not import the package '${spec}' (allowed: ${allowed})` });
          }
        };
        return {
          ImportDeclaration: (n) => check(n, n.source),
          ImportExpression: (n) => check(n, n.source),
          ExportNamedDeclaration: (n) => check(n, n.source),
          ExportAllDeclaration: (n) => check(n, n.source),
        };
      },
    },
  },
};

const never = (names, message) => names.map((name) => ({ group: [name], message }));

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', '.lab/**', 'test/e2e/out/**', 'test/lab/out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { 'import-x': importX, layers: layersPlugin },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js'] })],
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...never(['ssh2', 'ssh2/*'], 'only electron/ssh/ may import ssh2'),
            ...never(['electron-store'], 'only electron/store/ may import electron-store'),
          ],
        },
      ],
    },
  },
  {
    files: ['electron/**/*.ts', 'renderer/**/*.{ts,tsx}', 'shared/**/*.ts'],
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['electron/ssh/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: never(['electron-store'], 'only electron/store/ may import electron-store') }] },
  },
  {
    files: ['electron/store/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: never(['ssh2', 'ssh2/*'], 'only electron/ssh/ may import ssh2') }] },
  },
  ...LAYERS.map((l) => ({
    files: [`${l.files}/**/*.{ts,tsx}`],
    ignores: ['renderer/vite.config.ts'],
    rules: { 'layers/allowed-imports': ['error', { dirs: l.dirs, packages: l.packages, layer: l.files }] },
  })),
  {
    files: ['shared/**', 'renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['test/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

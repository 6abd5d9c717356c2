// Lint: typescript-eslint recommended, plus the layering rules from ARCHITECTURE.md (like VS Code's layer checks):
// renderer/ and shared/ never import Electron, ssh2 or Node; only electron/ssh/ imports ssh2; only electron/store/ imports
// electron-store.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'child_process', 'path', 'os', 'net', 'crypto', 'http', 'https', 'stream', 'events'];
const never = (names, message) => names.map((name) => ({ group: [name], message }));

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', '.lab/**', 'test/e2e/out/**', 'test/lab/out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
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
    files: ['electron/ssh/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: never(['electron-store'], 'only electron/store/ may import electron-store') }] },
  },
  {
    files: ['electron/store/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: never(['ssh2', 'ssh2/*'], 'only electron/ssh/ may import ssh2') }] },
  },
  {
    files: ['test/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['shared/**', 'renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: never(
            ['electron', 'electron/*', 'ssh2', 'ssh2/*', 'electron-store', ...nodeBuiltins, '**/electron/**'],
            'renderer/ and shared/ run without Node or Electron: import only shared/ (and renderer/ its own files)',
          ),
        },
      ],
    },
  },
  {
    files: ['shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: never(['electron', 'electron/*', 'ssh2', 'electron-store', ...nodeBuiltins, '**/electron/**', '**/renderer/**', 'react', 'react-dom'], 'shared/ is pure: zod and itself only') },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

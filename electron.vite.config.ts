/**
 * electron-vite build of the desktop app: main (ESM; bundles its dependencies, electron-store included, except ssh2 and
 * its optional native cpu-features), preload (one self-contained CommonJS file: sandboxed preloads cannot load ESM or
 * node_modules), renderer (the React app in renderer/). Output: out/main, out/preload, out/renderer.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const root = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** zod's sources carry @__PURE__ comments Rollup cannot place: harmless, and not ours to fix. */
const onwarn = (w: { code?: string; id?: string }, warn: (w: never) => void) => {
  if (w.code === 'INVALID_ANNOTATION' && w.id?.includes('node_modules')) return;
  warn(w as never);
};

export default defineConfig({
  main: {
    build: {
      outDir: root('./out/main'),
      externalizeDeps: false,
      rollupOptions: {
        input: { main: root('./electron/main.ts') },
        external: ['electron', 'ssh2', 'cpu-features', /^node:/],
        output: { format: 'es', entryFileNames: '[name].js' },
        onwarn,
      },
    },
  },
  preload: {
    build: {
      outDir: root('./out/preload'),
      externalizeDeps: false,
      rollupOptions: {
        input: { preload: root('./electron/preload.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
        onwarn,
      },
    },
  },
  renderer: {
    // Same entry and options as renderer/vite.config.ts (the web host's build), so both builds produce the same page.
    root: root('./renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: root('./out/renderer'),
      emptyOutDir: true,
      target: 'es2022',
      chunkSizeWarningLimit: 2500,
      rollupOptions: { input: root('./renderer/index.html'), onwarn },
    },
  },
});

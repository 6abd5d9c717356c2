// Vite build of the renderer alone (renderer/index.html + renderer/main.tsx → out/renderer), used by `npm run
// build:renderer`, the web host (`npm run web`), the browser e2e and the UI benchmarks. electron-vite keeps its own
// renderer section for the desktop build, with the same two entry names.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: `${import.meta.dirname}/../out/renderer`,
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
    rollupOptions: {
      // zod's sources carry /* @__PURE__ */ comments Rollup cannot place; harmless, and not ours to fix.
      onwarn(w, warn) {
        if (w.code === 'INVALID_ANNOTATION' && w.id?.includes('node_modules')) return;
        warn(w);
      },
    },
  },
});

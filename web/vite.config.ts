import { defineConfig } from 'vite';

// The dashboard is built into web/dist and served by `lookout serve` under /ui/ (src/http/routes/ui.ts).
export default defineConfig({
  root: 'web',
  base: '/ui/',
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022', chunkSizeWarningLimit: 400 },
});

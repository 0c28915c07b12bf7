import path from 'node:path';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The operator console: built into dist/console, which the service serves at /console.
export default defineConfig({
  root: __dirname,
  base: '/console/',
  plugins: [preact()],
  build: {
    outDir: path.resolve(__dirname, '../dist/console'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 400,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8084', '/health': 'http://127.0.0.1:8084' } },
});

import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  // Served by examples/backend/server.mjs under /react/.
  base: '/react/',
  // The dev server's pre-bundling would move cachet.mjs away from cachet.wasm;
  // the build keeps them together on its own (new URL('cachet.wasm', import.meta.url)).
  optimizeDeps: { exclude: ['cachet-consent'] },
  server: {
    // `npm run dev`: the backend answers /api, /signup and /consent.json.
    proxy: { '/api': 'http://127.0.0.1:3000', '/signup': 'http://127.0.0.1:3000', '/consent.json': 'http://127.0.0.1:3000' },
  },
});

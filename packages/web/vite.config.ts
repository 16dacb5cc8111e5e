import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The portal is a static bundle served by `palisade serve` at `/`; it talks only to the REST API
 * under `/api`. In development (`npm run dev -w packages/web`) the API is proxied to a local server.
 * Nothing is loaded from the internet: fonts are the system's, all assets are bundled.
 */
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': process.env.PALISADE_API ?? 'http://127.0.0.1:8080',
    },
  },
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Tests import workspace packages from their TypeScript sources, not their builds. */
const src = (pkg: string) =>
  fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@palisade/core': src('core'),
      '@palisade/protocol': src('protocol'),
      '@palisade/server': src('server'),
      '@palisade/agent': src('agent'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

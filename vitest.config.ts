import { defineConfig } from 'vitest/config';

// Two projects: pure unit tests (fast, no I/O) and integration tests against the real local stack.
// Integration files run one at a time: they share one apiserver, one PowerDNS and one mail server.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // No per-file module isolation (here and in integration): files share the module graph of
          // their worker instead of importing every workspace package again (measured on the whole
          // integration project: 285 s of imports → 34 s). Nothing here mocks modules or rewrites
          // process.env, and each file makes its own customers, pools and servers.
          isolate: false,
          include: ['apps/*/src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.node.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          isolate: false,
          include: [
            'apps/*/src/**/*.int.test.ts',
            'packages/*/src/**/*.int.test.ts',
            'tests/**/*.int.test.ts',
          ],
          exclude: ['**/node_modules/**'],
          fileParallelism: false,
          // No retries: a retried test could turn an extra write into a pass. Tests wait for what they
          // need to see with waitFor/readUntil (@hostplane/testing), never for a fixed time.
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        // Real containers on the real node: `npm run test:node` (HOSTPLANE_STACK_NODE=real, images built).
        test: {
          name: 'node',
          include: ['tests/**/*.node.test.ts', 'packages/*/src/**/*.node.test.ts'],
          exclude: ['**/node_modules/**'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});

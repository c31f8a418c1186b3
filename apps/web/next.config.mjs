import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

// /api/* goes to the API through src/app/api/[...path]/route.ts, which reads HOSTPLANE_API_URL at
// request time: rewrites in this file would be frozen into the build's routes manifest.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The web image (`hostplane images build --only web`) ships .next/standalone: the server and only the
  // node_modules files it traces, no dev dependencies.
  output: 'standalone',
  // Hoisted workspace packages live in the repository's node_modules.
  turbopack: { root: repoRoot },
  outputFileTracingRoot: repoRoot,
};

export default nextConfig;

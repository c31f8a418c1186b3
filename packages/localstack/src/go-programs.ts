import { TRAEFIK_CODENAME, TRAEFIK_MODULE, TRAEFIK_VERSION } from '@hostplane/platform';
import type { GoProgram } from './go-program-build.ts';

// The upstream programs the local stack builds from their Go modules (../shared/REAL-NODE.md).

/** The edge: the same version production pins (packages/platform/src/traefik/version.ts). */
export const traefikProgram: GoProgram = {
  name: 'traefik',
  module: TRAEFIK_MODULE,
  version: TRAEFIK_VERSION,
  commands: ['./cmd/traefik'],
  stamps: {
    'github.com/traefik/traefik/v3/pkg/version.Version': TRAEFIK_VERSION,
    'github.com/traefik/traefik/v3/pkg/version.Codename': TRAEFIK_CODENAME,
  },
  // Upstream's release build (its Makefile): static, no cgo.
  env: { CGO_ENABLED: '0' },
};

export const PEBBLE_VERSION = 'v2.10.3';

/** The local ACME CA (Let's Encrypt's test server). */
export const pebbleProgram: GoProgram = {
  name: 'pebble',
  module: 'github.com/letsencrypt/pebble/v2',
  version: PEBBLE_VERSION,
  commands: ['./cmd/pebble'],
  stamps: { 'main.version': PEBBLE_VERSION },
  env: { CGO_ENABLED: '0' },
};

export const COREDNS_VERSION = 'v1.15.0';

/**
 * The plugins the local cluster DNS uses, in CoreDNS's execution order (its plugin.cfg order):
 * linking only these keeps the build to the Kubernetes client and the DNS library instead of every
 * cloud SDK the upstream binary carries.
 */
export const COREDNS_PLUGINS = [
  'reload',
  'bind',
  'ready',
  'health',
  'errors',
  'log',
  'loadbalance',
  'cache',
  'kubernetes',
  'forward',
] as const;

/** A main package of our own inside the module's copy: upstream's coremain with our plugin list. */
export function corednsMain(plugins: readonly string[] = COREDNS_PLUGINS): string {
  return [
    '// Written by the Hostplane local stack (packages/localstack/src/go-programs.ts): CoreDNS with the',
    "// plugins the stack's cluster DNS uses.",
    'package main',
    '',
    'import (',
    '\t"github.com/coredns/coredns/core/dnsserver"',
    '\t"github.com/coredns/coredns/coremain"',
    ...plugins.map((p) => `\t_ "github.com/coredns/coredns/plugin/${p}"`),
    ')',
    '',
    'func init() {',
    `\tdnsserver.Directives = []string{${plugins.map((p) => JSON.stringify(p)).join(', ')}}`,
    '}',
    '',
    'func main() { coremain.Run() }',
    '',
  ].join('\n');
}

/** Cluster DNS of the real node (kube-dns Service), built from its module with a reduced plugin set. */
export const corednsProgram: GoProgram = {
  name: 'coredns',
  module: 'github.com/coredns/coredns',
  version: COREDNS_VERSION,
  commands: ['./hostplane/coredns'],
  stamps: { 'github.com/coredns/coredns/coremain.GitCommit': `hostplane-${COREDNS_VERSION}` },
  env: { CGO_ENABLED: '0' },
  files: { 'hostplane/coredns/main.go': corednsMain() },
};

export const stackGoPrograms: GoProgram[] = [traefikProgram, pebbleProgram, corednsProgram];

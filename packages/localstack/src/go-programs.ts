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

export const stackGoPrograms: GoProgram[] = [traefikProgram, pebbleProgram];

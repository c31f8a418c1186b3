import {
  VELERO_AWS_PLUGIN_MODULE,
  VELERO_AWS_PLUGIN_VERSION,
  VELERO_MODULE,
  VELERO_REQUIRES,
  VELERO_VERSION,
} from '@hostplane/platform';
import type { GoProgram } from './go-program-build.ts';

// The backup programs built from their Go modules (../shared/REAL-NODE.md "More facts"): Velero and
// its AWS plugin at the versions production pins (packages/platform/src/velero/version.ts), and the
// stack's S3 object store.

/** Velero's image holds three binaries (upstream's Dockerfile): the server/node agent/CLI, the
 * restore helper (init container of file-system restores) and velero-helper. */
export const veleroProgram: GoProgram = {
  name: 'velero',
  module: VELERO_MODULE,
  version: VELERO_VERSION,
  commands: ['./cmd/velero', './cmd/velero-restore-helper', './cmd/velero-helper'],
  stamps: { [`${VELERO_MODULE}/pkg/buildinfo.Version`]: VELERO_VERSION },
  env: { CGO_ENABLED: '0' },
  requires: { ...VELERO_REQUIRES },
};

/** The object-store plugin and the `cp-plugin` its image runs as an init container. */
export const veleroAwsPluginProgram: GoProgram = {
  name: 'velero-plugin-for-aws',
  module: VELERO_AWS_PLUGIN_MODULE,
  version: VELERO_AWS_PLUGIN_VERSION,
  commands: ['./velero-plugin-for-aws', './hack/cp-plugin'],
  stamps: {},
  env: { CGO_ENABLED: '0' },
};

export const VERSITYGW_VERSION = 'v1.8.0';

/** The local stack's S3 object store: versitygw (Apache-2.0) with its POSIX backend. */
export const versitygwProgram: GoProgram = {
  name: 'versitygw',
  module: 'github.com/versity/versitygw',
  version: VERSITYGW_VERSION,
  commands: ['./cmd/versitygw'],
  stamps: { 'main.Version': VERSITYGW_VERSION },
  env: { CGO_ENABLED: '0' },
};

export const backupGoPrograms: GoProgram[] = [versitygwProgram, veleroProgram, veleroAwsPluginProgram];

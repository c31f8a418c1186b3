// The worker's ACME rate-limit awareness (issue 13): with the edge's websecure address (EDGE_TLS_ADDR),
// the Kubernetes target probes each host it puts on a certificate resolver and spaces failed attempts
// (packages/domain/src/tls/acme-attempts.ts), keeping them in the panel database.
import { certificateAttemptsStore, type PanelDatabase } from '@hostplane/db';
import type { PlatformConfig } from '@hostplane/platform';
import type { CertificateAttemptsDeps } from '@hostplane/provisioner-k8s';
import type { Kysely } from 'kysely';
import type { ServeEnv } from './serve.ts';
import { edgeCertificatesOf } from './serve-edge-certificates.ts';

export function certificateAttemptsOf(
  env: ServeEnv,
  db: Kysely<PanelDatabase>,
  platform: PlatformConfig,
): CertificateAttemptsDeps {
  if (!env.EDGE_TLS_ADDR) throw new Error('certificate attempts need EDGE_TLS_ADDR');
  const { attemptWindowSeconds, initialDelaySeconds, maxDelaySeconds } = platform.ingress.acmeBackoff;
  return {
    probe: edgeCertificatesOf({
      address: env.EDGE_TLS_ADDR,
      ...(env.EDGE_TLS_CA_FILE ? { caFile: env.EDGE_TLS_CA_FILE } : {}),
    }),
    records: certificateAttemptsStore(db),
    policy: {
      attemptWindowMs: attemptWindowSeconds * 1000,
      initialDelayMs: initialDelaySeconds * 1000,
      maxDelayMs: maxDelaySeconds * 1000,
    },
  };
}

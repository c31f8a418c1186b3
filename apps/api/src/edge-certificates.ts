// The certificate the edge serves for a host (issue 13): a TLS handshake with SNI = host at the edge's
// websecure address, through a narrow port (the adapter lives with `hostplane serve`).
import type { ServedCertificate } from '@hostplane/domain';

export interface EdgeCertificates {
  /** One handshake; never throws (an edge that does not answer is `{ ok: false }`). */
  served(host: string): Promise<ServedCertificate>;
}

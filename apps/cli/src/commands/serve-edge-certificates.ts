// The API's EdgeCertificates port: a TLS handshake with the edge's websecure entry point, SNI = the
// host, reading the leaf it serves. Trust is the ACME CA's roots (EDGE_TLS_CA_FILE; the system's
// roots when unset, as for Let's Encrypt), so Traefik's self-signed default certificate is not trusted.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { EdgeCertificates } from '@hostplane/api';
import type { ServedCertificate } from '@hostplane/domain';

const HANDSHAKE_TIMEOUT_MS = 3_000;

/** The CN of an X.509 distinguished name (Node prints one attribute per line), else the whole name. */
function commonName(dn: string): string {
  return /^CN=(.+)$/m.exec(dn)?.[1] ?? dn.replaceAll('\n', ', ');
}

export function edgeCertificatesOf(options: {
  /** The edge's websecure address, host:port. */
  address: string;
  caFile?: string;
  timeoutMs?: number;
}): EdgeCertificates {
  const at = options.address.lastIndexOf(':');
  const edgeHost = options.address.slice(0, at);
  const port = Number(options.address.slice(at + 1));
  const ca = options.caFile ? readFileSync(options.caFile, 'utf8') : undefined;
  const timeoutMs = options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  return {
    served: (host) =>
      new Promise<ServedCertificate>((resolve) => {
        const socket = tls.connect({
          host: edgeHost,
          port,
          servername: host,
          ...(ca ? { ca } : {}),
          // Judged below, not refused: an untrusted answer is a state (Pending), not an error.
          rejectUnauthorized: false,
        });
        const done = (answer: ServedCertificate) => {
          clearTimeout(timer);
          socket.destroy();
          resolve(answer);
        };
        const timer = setTimeout(
          () => done({ ok: false, error: `no TLS handshake within ${timeoutMs} ms` }),
          timeoutMs,
        );
        socket.once('secureConnect', () => {
          const leaf = socket.getPeerX509Certificate();
          if (!leaf) return done({ ok: false, error: 'the edge presented no certificate' });
          done({
            ok: true,
            // authorized: the chain verifies against `ca` and names the SNI host.
            trusted: socket.authorized,
            namesHost: leaf.checkHost(host) !== undefined,
            issuer: commonName(leaf.issuer),
            notAfter: new Date(leaf.validTo).toISOString(),
          });
        });
        socket.once('error', (error) => done({ ok: false, error: error.message }));
      }),
  };
}

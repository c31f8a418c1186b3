// Per-host TLS status of a site (issue 13): the certificate the edge actually serves for each host.
import { CERTIFICATE_STATES } from '@hostplane/domain';
import { z } from 'zod';
import { idParam, timestamp } from './common.ts';
import { siteName } from './sites.ts';

export const siteCertificatesParams = z.object({ id: idParam, name: siteName }).strict();

export const hostCertificateSchema = z
  .object({
    host: z.string(),
    state: z
      .enum(CERTIFICATE_STATES)
      .describe(
        'Issued: the edge serves a certificate of the ACME CA naming the host; Pending: it still serves another one (an ACME attempt is running); Failed: the last attempt failed and the host is off the resolver (HTTP only) until nextAttemptAt, the platform spacing attempts 1 min, 2, 4 … up to 1 h apart; AwaitingDNS: the host does not resolve to the platform, HTTP only; Expired: past notAfter; Unknown: the edge did not answer',
      ),
    issuer: z.string().nullable().describe('the issuer (CN) of the host’s own certificate, when served'),
    notAfter: timestamp.nullable().describe('expiry of the host’s own certificate, when served'),
    attempts: z
      .number()
      .int()
      .nonnegative()
      .describe(
        'ACME attempts made for the host’s missing certificate, the running one included (0 once served)',
      ),
    nextAttemptAt: timestamp
      .nullable()
      .describe('Failed: when the host is put back on the resolver for its next attempt'),
    message: z.string(),
  })
  .meta({ id: 'HostCertificate' });
export type HostCertificateItem = z.infer<typeof hostCertificateSchema>;

export const siteCertificatesSchema = z
  .object({
    items: z.array(hostCertificateSchema),
    checkedAt: timestamp.describe('when the edge was asked (each answer is a live TLS handshake)'),
  })
  .meta({ id: 'SiteCertificates' });

// The Kubernetes target's side of ACME rate-limit awareness (issue 13; the rule is
// @hostplane/domain tls/acme-attempts.ts): before a pass applies, the hosts the desired Ingresses put
// on a certificate resolver are probed at the edge; the rule says which of them back off (their
// routers leave the resolver: the desired state routes them over HTTP only until their next
// attempt) and when the next pass must look again.
import {
  type AcmeBackoffPolicy,
  type CustomerSnapshot,
  certificateProbeHost,
  type HostResolution,
  type KubeObject,
  planCertificateAttempts,
  type ServedCertificate,
} from '@hostplane/domain';
import type { CertificateAttemptRecords, EdgeCertificateProbe } from './port.ts';

export interface CertificateAttemptsDeps {
  probe: EdgeCertificateProbe;
  records: CertificateAttemptRecords;
  policy: AcmeBackoffPolicy;
}

/**
 * The hosts the desired Ingresses ask a certificate for (those with a `tls` section): by HTTP-01, and
 * wildcard hosts by DNS-01 (probed with a name under them, certificateProbeHost).
 */
export function hostsOnResolver(desired: readonly KubeObject[]): string[] {
  const hosts = desired.flatMap((o) => {
    if (o.kind !== 'Ingress') return [];
    const tls = (o.spec as { tls?: { hosts?: string[] }[] } | undefined)?.tls ?? [];
    return tls.flatMap((t) => t.hosts ?? []);
  });
  return [...new Set(hosts)].sort();
}

export interface CertificateAttemptsPass {
  /** The resolution the desired state is built from: hosts backing off count as not (yet) TLS. */
  edgeResolution: HostResolution;
  backingOff: string[];
  /** ms until the next pass must look again, when some host is waiting. */
  requeueAfterMs: number | undefined;
  writes: number;
}

export async function passCertificateAttempts(
  deps: CertificateAttemptsDeps,
  snapshot: CustomerSnapshot,
  resolution: HostResolution,
  desiredWith: (resolution: HostResolution) => KubeObject[],
  now: Date,
): Promise<CertificateAttemptsPass> {
  const wanted = hostsOnResolver(desiredWith(resolution));
  const before = await deps.records.load(snapshot.id);
  const byHost = new Map(before.map((r) => [r.host, r]));
  // A host off the resolver until later is not asked (the edge serves it its default certificate).
  const asked = wanted.filter((host) => {
    const next = byHost.get(host)?.nextAttemptAt;
    return !next || next.getTime() <= now.getTime();
  });
  const served = new Map<string, ServedCertificate>(
    await Promise.all(
      asked.map(async (host) => [host, await deps.probe.served(certificateProbeHost(host))] as const),
    ),
  );
  // Hosts routed but not resolving to the platform right now keep their records (see the rule).
  const everyHostResolving = Object.fromEntries(Object.keys(resolution).map((host) => [host, true]));
  const held = hostsOnResolver(desiredWith(everyHostResolving)).filter((host) => resolution[host] !== true);
  const plan = planCertificateAttempts(wanted, before, served, now, deps.policy, held);
  const writes = await deps.records.save(snapshot.id, before, plan.records);
  const edgeResolution: Record<string, boolean> = { ...resolution };
  for (const host of plan.backingOff) edgeResolution[host] = false;
  return {
    edgeResolution: edgeResolution as HostResolution,
    backingOff: plan.backingOff,
    requeueAfterMs: plan.wakeAt ? Math.max(0, plan.wakeAt.getTime() - now.getTime()) : undefined,
    writes,
  };
}

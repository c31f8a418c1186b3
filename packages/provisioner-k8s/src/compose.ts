import type { TenantPlatformConfig } from '@hostplane/domain';
import type { CertificateAttemptsDeps } from './certificate-attempts.ts';
import { KubeHttpClient } from './client/kube-client.ts';
import { DnsHostResolver } from './host-resolver.ts';
import { createKubernetesTarget, type KubernetesTarget, type SiteStatusSink } from './target.ts';

export interface KubernetesTargetSettings {
  /** Path of a kubeconfig (KUBECONFIG locally); absent inside a pod: the service account's own token. */
  kubeconfig?: string;
  /** host:port of the DNS server that says whether a host points at the platform (PDNS_DNS_ADDR locally). */
  dnsServer: string;
  config: TenantPlatformConfig;
  namespaceStuckAfterMs?: number;
  siteStatus?: SiteStatusSink;
  certificates?: CertificateAttemptsDeps;
}

/** For the composition root (`hostplane serve`): the Kubernetes target from plain settings. */
export function kubernetesTargetFromSettings(settings: KubernetesTargetSettings): KubernetesTarget {
  return createKubernetesTarget({
    kube: settings.kubeconfig
      ? KubeHttpClient.fromKubeconfigFile(settings.kubeconfig)
      : KubeHttpClient.inCluster(),
    resolver: new DnsHostResolver(settings.dnsServer),
    config: settings.config,
    namespaceStuckAfterMs: settings.namespaceStuckAfterMs,
    siteStatus: settings.siteStatus,
    ...(settings.certificates ? { certificates: settings.certificates } : {}),
  });
}

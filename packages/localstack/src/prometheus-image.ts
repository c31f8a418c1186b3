// The monitoring image of the local profile (issue 14): "Prometheus alone", the local equivalent of the
// kube-prometheus-stack HelmChart production installs (no chart repository or registry is reachable
// here). Prometheus from Debian bookworm's `prometheus` package (2.42), under the reference the
// bootstrap config pins (config.bootstrap.systemImages.prometheus), run as `nobody` (65534) like the
// upstream prom/prometheus image, with its data in /prometheus. bootstrap/monitoring.ts renders the
// Deployment and its scrape config. docs/local-images.md lists it. Pure values; images.ts builds it.
import type { DebianImageRecipe } from './images.ts';
import { imageLabels, sbomLines, systemImagePins, tagOf } from './platform-images.ts';

/** `nobody`, the upstream image's user (the Deployment's runAsUser). */
export const PROMETHEUS_UID = 65534;

export function prometheusImageRecipe(ref = systemImagePins().prometheus): DebianImageRecipe {
  return {
    kind: 'debian',
    name: 'prometheus',
    ref,
    variant: 'essential',
    packages: ['prometheus', 'ca-certificates'],
    customize: [
      // The package's own data folder and the mount points of the pod's volumes, the runtime user's.
      'mkdir -p "$R/prometheus" "$R/etc/prometheus"',
      `chown ${PROMETHEUS_UID}:${PROMETHEUS_UID} "$R/prometheus"`,
      // Debian's /etc/default and init scripts are not used (the pod passes its own flags).
      'rm -f "$R/etc/prometheus/prometheus.yml"',
      sbomLines(),
    ].join('\n'),
    config: {
      entrypoint: ['/usr/bin/prometheus'],
      cmd: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus'],
      user: `${PROMETHEUS_UID}:${PROMETHEUS_UID}`,
      workdir: '/prometheus',
      exposedPorts: ['9090/tcp'],
      labels: {
        ...imageLabels('Prometheus (Debian prometheus)', tagOf(ref)),
        'org.opencontainers.image.source': 'https://salsa.debian.org/go-team/packages/prometheus',
        'org.opencontainers.image.licenses': 'Apache-2.0',
      },
    },
  };
}

import type { KubeObject } from '@hostplane/domain';
import { SFTP_POD } from '@hostplane/domain';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { env, envFromSecret, meta, restrictedContainer, restrictedPod, workload } from './common.ts';

// The SFTP gateway (docs/sftp.md) in panel-system: `hostplane sftp-gateway` from the panel's image,
// behind a LoadBalancer Service on the public SFTP port. Its service account may do exactly two
// things: read and exec into pods named `sftp-0` (the customers' SFTP pods; RBAC cannot select by
// namespace prefix, and no other pod in the cluster has that name: a site's pods are named
// `{site}-{hash}-{hash}`, its database `{site}-db-0`). The host keys are a Secret the operator makes
// once (`bootstrap.sftp.hostKeySecret`, keys `ssh_host_ed25519_key` and `ssh_host_rsa_key`), so that
// clients' known_hosts survive every rollout; rendering never generates keys.

export const SFTP_GATEWAY = 'sftp-gateway';
export const SFTP_GATEWAY_SERVICE_ACCOUNT = 'hostplane-sftp-gateway';
export const SFTP_EXEC_CLUSTER_ROLE = 'hostplane-sftp-exec';
const GATEWAY_UID = 10001;
const LISTEN_PORT = 2222;
const HOST_KEYS = ['ssh_host_ed25519_key', 'ssh_host_rsa_key'];

/** The gateway's identity: its service account and what it may do (get and exec `sftp-0` pods). */
export function sftpGatewayRbac(ns: string): KubeObject[] {
  const labels = meta(SFTP_GATEWAY, ns, SFTP_GATEWAY).labels;
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(SFTP_GATEWAY_SERVICE_ACCOUNT, ns, SFTP_GATEWAY),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: SFTP_EXEC_CLUSTER_ROLE, labels },
      rules: [
        { apiGroups: [''], resources: ['pods'], resourceNames: [SFTP_POD], verbs: ['get'] },
        // exec over WebSocket is authorized as `get` (older apiservers) or `create` (newer ones).
        { apiGroups: [''], resources: ['pods/exec'], resourceNames: [SFTP_POD], verbs: ['create', 'get'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: SFTP_EXEC_CLUSTER_ROLE, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: SFTP_EXEC_CLUSTER_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: SFTP_GATEWAY_SERVICE_ACCOUNT, namespace: ns }],
    },
  ];
}

/** Step 7's SFTP part: service account and RBAC, the gateway Deployment and its public Service. */
export function sftpGateway(config: BootstrapConfig): KubeObject[] {
  const ns = config.panelIdentity.namespace;
  const sftp = config.bootstrap.sftp;
  const deployment = workload({
    kind: 'Deployment',
    name: SFTP_GATEWAY,
    ns,
    replicas: sftp.replicas,
    podSecurity: restrictedPod(GATEWAY_UID),
    serviceAccountName: SFTP_GATEWAY_SERVICE_ACCOUNT,
    containers: [
      {
        name: 'gateway',
        image: config.bootstrap.systemImages.panel,
        args: ['sftp-gateway'],
        env: [
          env('SFTP_LISTEN', `0.0.0.0:${LISTEN_PORT}`),
          env('SFTP_HOST_KEYS', HOST_KEYS.map((key) => `/etc/hostplane/sftp/${key}`).join(',')),
          // The panel's database (read: customers and SFTP credentials; write: login failures).
          envFromSecret('DATABASE_URL', 'panel-env', 'DATABASE_URL'),
        ],
        ports: [{ name: 'ssh', containerPort: LISTEN_PORT }],
        securityContext: restrictedContainer,
        // Node loads the CLI before it listens: minutes on a loaded node (see panel.ts `probes`).
        startupProbe: { tcpSocket: { port: LISTEN_PORT }, periodSeconds: 5, failureThreshold: 60 },
        readinessProbe: { tcpSocket: { port: LISTEN_PORT }, periodSeconds: 10 },
        livenessProbe: { tcpSocket: { port: LISTEN_PORT }, periodSeconds: 20 },
        resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { cpu: '1', memory: '256Mi' } },
        volumeMounts: [{ name: 'host-keys', mountPath: '/etc/hostplane/sftp', readOnly: true }],
      },
    ],
    volumes: [{ name: 'host-keys', secret: { secretName: sftp.hostKeySecret, defaultMode: 0o400 } }],
  });
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(SFTP_GATEWAY, ns, SFTP_GATEWAY),
    spec: {
      type: sftp.serviceType,
      // The gateway throttles by client address: keep it (no SNAT to a node address).
      externalTrafficPolicy: 'Local',
      selector: { 'app.kubernetes.io/name': SFTP_GATEWAY },
      ports: [{ name: 'ssh', protocol: 'TCP', port: sftp.port, targetPort: LISTEN_PORT }],
    },
  };
  return [...sftpGatewayRbac(ns), deployment, service];
}

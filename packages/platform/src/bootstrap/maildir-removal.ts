import { createHash } from 'node:crypto';
import type { KubeObject } from '@hostplane/domain';
import { CLUSTER_MAIL_ROOT } from '../mail-settings.ts';
import { defaultPanelRbacOptions } from '../rbac/panel-rbac.ts';

// A deleted mailbox's Maildir lives on Dovecot's volume in mail-system. The Mail target creates one
// Job per folder (deterministic name: creating it twice is a no-op) that runs on Dovecot's node with
// Dovecot's claim mounted and removes exactly that folder, as the vmail user. No shell: the path is an
// argument of rm, after validation.

export const MAILDIR_REMOVER_LABEL = 'hostplane.io/maildir-removal';
const MAIL_NAMESPACE = 'mail-system';
const VMAIL_UID = 5000;

/**
 * Pod placement and identity of a pod that mounts the Maildir volume (removal, backup, restore): the
 * claim is ReadWriteOnce, so it runs on the node of the Dovecot pod that holds it, as vmail (the
 * Maildirs are 0700 vmail: read and written without any capability).
 */
export function besideDovecot(): Record<string, unknown> {
  return {
    affinity: {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          {
            labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'dovecot' } },
            topologyKey: 'kubernetes.io/hostname',
          },
        ],
      },
    },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: VMAIL_UID,
      runAsGroup: VMAIL_UID,
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}
/** `{domain}/{local}@{id}/` or an older `{domain}/{local}/`: two plain segments, nothing else. */
const MAILDIR =
  /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\/[a-z0-9!#$%&'*+=?^_`{|}~-][a-z0-9!#$%&'*+=?^_`{|}~.@-]*\/$/;

export interface MaildirRemovalJobOptions {
  /** Relative to the mail root, as the mail rows store it. */
  maildir: string;
  /** An image with `rm` (Dovecot's). */
  image: string;
  /** Dovecot's maildir claim (StatefulSet `dovecot`, template `maildirs`). */
  claimName?: string;
  ttlSecondsAfterFinished?: number;
}

export function maildirRemovalJobName(maildir: string): string {
  return `maildir-rm-${createHash('sha256').update(maildir).digest('hex').slice(0, 20)}`;
}

export function isRemovableMaildir(maildir: string): boolean {
  return MAILDIR.test(maildir) && !maildir.includes('..');
}

export function maildirRemovalJob(options: MaildirRemovalJobOptions): KubeObject {
  const { maildir } = options;
  if (!isRemovableMaildir(maildir))
    throw new Error(`maildir ${JSON.stringify(maildir)} is no mailbox folder`);
  const labels = {
    'app.kubernetes.io/managed-by': 'hostplane',
    'app.kubernetes.io/name': 'maildir-remover',
    [MAILDIR_REMOVER_LABEL]: 'true',
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: maildirRemovalJobName(maildir),
      namespace: MAIL_NAMESPACE,
      labels,
      annotations: { 'hostplane.io/maildir': maildir },
    },
    spec: {
      backoffLimit: 6,
      ttlSecondsAfterFinished: options.ttlSecondsAfterFinished ?? 3600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'OnFailure',
          automountServiceAccountToken: false,
          ...besideDovecot(),
          containers: [
            {
              name: 'remove',
              image: options.image,
              command: ['rm', '-rf', '--', `${CLUSTER_MAIL_ROOT}/${maildir}`],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
              volumeMounts: [{ name: 'maildirs', mountPath: CLUSTER_MAIL_ROOT }],
            },
          ],
          volumes: [
            {
              name: 'maildirs',
              persistentVolumeClaim: { claimName: options.claimName ?? 'maildirs-dovecot-0' },
            },
          ],
        },
      },
    },
  };
}

/** The panel's rights in mail-system: DKIM key Secrets, Rspamd's maps ConfigMap, and Jobs that remove
 * maildirs. */
export function panelMailRole(serviceAccount = defaultPanelRbacOptions.serviceAccount): KubeObject[] {
  const labels = { 'app.kubernetes.io/managed-by': 'hostplane', 'app.kubernetes.io/part-of': 'hostplane' };
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'hostplane-panel-mail', namespace: MAIL_NAMESPACE, labels },
      rules: [
        {
          apiGroups: [''],
          resources: ['secrets'],
          verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'],
        },
        {
          apiGroups: [''],
          resources: ['configmaps'],
          resourceNames: ['rspamd-maps'],
          verbs: ['get', 'update', 'patch'],
        },
        // create cannot be limited by name.
        { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'create', 'delete'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'hostplane-panel-mail', namespace: MAIL_NAMESPACE, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'hostplane-panel-mail' },
      subjects: [
        { kind: 'ServiceAccount', name: serviceAccount, namespace: defaultPanelRbacOptions.namespace },
      ],
    },
  ];
}

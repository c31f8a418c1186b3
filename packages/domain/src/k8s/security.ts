// Pod Security "restricted" (https://kubernetes.io/docs/concepts/security/pod-security-standards/):
// non-root with an explicit non-zero uid, RuntimeDefault seccomp, no privilege escalation, every
// capability dropped. Set at pod and container level so a container never depends on the pod default.

export interface ContainerResources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export function podSecurityContext(uid: number): Record<string, unknown> {
  return {
    fsGroup: uid,
    runAsGroup: uid,
    runAsNonRoot: true,
    runAsUser: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function containerSecurityContext(
  uid: number,
  readOnlyRootFilesystem: boolean,
): Record<string, unknown> {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem,
    runAsGroup: uid,
    runAsNonRoot: true,
    runAsUser: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Writable scratch directories for a read-only root filesystem, one emptyDir each. */
export function scratchVolumes(names: Record<string, string>): {
  volumes: Record<string, unknown>[];
  mounts: Record<string, unknown>[];
} {
  const entries = Object.entries(names).sort(([a], [b]) => a.localeCompare(b));
  return {
    volumes: entries.map(([name]) => ({ name, emptyDir: { sizeLimit: '256Mi' } })),
    mounts: entries.map(([name, mountPath]) => ({ name, mountPath })),
  };
}

// Reclaims tenant volumes released longer than the platform's retention period (the decision is
// @hostplane/domain's releasedVolumesToReclaim): their PersistentVolume is switched to
// reclaimPolicy Delete, and the storage system deletes the volume. Idempotent; several worker
// replicas may run it.
import { releasedVolumesToReclaim, type VolumeFacts } from '@hostplane/domain';
import { KubeHttpClient } from './client/kube-client.ts';
import { KINDS } from './kinds.ts';
import type { KubeApi, LiveObject } from './port.ts';

interface SweepLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface VolumeSweepOptions {
  retentionDays: number;
  now?: () => Date;
  log: SweepLog;
}

function factsOf(pv: LiveObject): VolumeFacts {
  const spec = (pv.spec ?? {}) as {
    persistentVolumeReclaimPolicy?: string;
    claimRef?: { namespace?: string };
  };
  const status = (pv.status ?? {}) as { phase?: string; lastPhaseTransitionTime?: string };
  return {
    name: pv.metadata.name,
    phase: status.phase,
    reclaimPolicy: spec.persistentVolumeReclaimPolicy,
    claimNamespace: spec.claimRef?.namespace,
    releasedAt: status.lastPhaseTransitionTime,
  };
}

/** One sweep: the names of the volumes handed over for deletion. */
export async function reclaimReleasedVolumes(
  kube: Pick<KubeApi, 'list'> & Pick<KubeHttpClient, 'patchMerge'>,
  options: VolumeSweepOptions,
): Promise<string[]> {
  const volumes = (await kube.list(KINDS.PersistentVolume, null)).map(factsOf);
  const names = releasedVolumesToReclaim(
    volumes,
    (options.now ?? (() => new Date()))(),
    options.retentionDays,
  );
  for (const name of names) {
    const started = performance.now();
    // A merge patch of the one field: the volume belongs to the storage system, not to our applies.
    await kube.patchMerge(
      KINDS.PersistentVolume,
      null,
      name,
      { spec: { persistentVolumeReclaimPolicy: 'Delete' } },
      'hostplane',
    );
    options.log.info(
      {
        op: 'reclaim',
        key: `PersistentVolume/${name}`,
        outcome: 'ok',
        ms: Math.round(performance.now() - started),
      },
      'released volume reclaimed after its retention period',
    );
  }
  return names;
}

/** For the composition root: sweeps now and every `everyMs`; stop() ends it. */
export function startVolumeSweep(settings: { kubeconfig?: string; everyMs?: number } & VolumeSweepOptions): {
  stop(): Promise<void>;
} {
  const kube = settings.kubeconfig
    ? KubeHttpClient.fromKubeconfigFile(settings.kubeconfig)
    : KubeHttpClient.inCluster();
  const run = () =>
    reclaimReleasedVolumes(kube, settings).catch((err: Error) =>
      settings.log.error({ err }, 'released-volume sweep failed; next sweep retries'),
    );
  void run();
  const timer = setInterval(run, settings.everyMs ?? 3_600_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await kube.close();
    },
  };
}

// The cluster's MaildirRemover: one Job per deleted mailbox's folder in mail-system (rendered by
// @hostplane/platform's maildirRemovalJob), which removes the folder on Dovecot's volume. The Job's
// name derives from the folder, so a second request for the same folder is the same Job (409: queued).

import { maildirRemovalJob } from '@hostplane/platform';
import { ApiException, BatchV1Api, KubeConfig, type V1Job } from '@kubernetes/client-node';
import { MailInvalidError } from '../errors.ts';
import type { MaildirRemover } from '../port.ts';
import { MAIL_NAMESPACE } from './kube-secrets-client.ts';

export interface KubeMaildirJobsOptions {
  kubeconfigFile?: string | undefined;
  /** The image the Job runs (`rm`); the platform config's images.maildirRemover. */
  image: string;
  claimName?: string;
}

export class KubeMaildirJobs implements MaildirRemover {
  constructor(
    private readonly api: BatchV1Api,
    private readonly options: KubeMaildirJobsOptions,
  ) {}

  static fromConfig(options: KubeMaildirJobsOptions): KubeMaildirJobs {
    const kc = new KubeConfig();
    if (options.kubeconfigFile) kc.loadFromFile(options.kubeconfigFile);
    else kc.loadFromCluster();
    return new KubeMaildirJobs(kc.makeApiClient(BatchV1Api), options);
  }

  async remove(maildir: string): Promise<{ removed: boolean; path: string }> {
    let job: V1Job;
    try {
      job = maildirRemovalJob({
        maildir,
        image: this.options.image,
        claimName: this.options.claimName,
      }) as V1Job;
    } catch (err) {
      throw new MailInvalidError((err as Error).message, { cause: err });
    }
    const name = job.metadata?.name ?? '';
    try {
      await this.api.createNamespacedJob({ namespace: MAIL_NAMESPACE, body: job });
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 409)) throw err;
    }
    return { removed: true, path: `job/${name}` };
  }
}

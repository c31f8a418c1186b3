import { maildirRemovalJobName } from '@hostplane/platform';
import { BatchV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailInvalidError } from '../errors.ts';
import { coreApi, ensureMailNamespace, env, runTag } from '../test-support/stack.ts';
import { KubeMaildirJobs } from './kube-maildir-jobs.ts';
import { MAIL_NAMESPACE } from './kube-secrets-client.ts';

// The cluster's maildir remover against the local kube-apiserver: one Job per folder, created once.
// (The Job's pod runs on the real node, beside Dovecot; the local stack's kwok node does not run it.)

const kc = new KubeConfig();
kc.loadFromFile(env.KUBECONFIG);
const batch = kc.makeApiClient(BatchV1Api);
const remover = new KubeMaildirJobs(batch, { image: 'docker.io/dovecot/dovecot:2.3.21.1' });
const maildir = `${runTag}-jobs.example/alice@42/`;
const name = maildirRemovalJobName(maildir);

beforeAll(() => ensureMailNamespace(coreApi()));
afterAll(async () => {
  await batch
    .deleteNamespacedJob({ name, namespace: MAIL_NAMESPACE, propagationPolicy: 'Background' })
    .catch(() => undefined);
});

describe('KubeMaildirJobs', () => {
  it('creates one removal Job per folder, and a second request is the same Job', async () => {
    expect(await remover.remove(maildir)).toEqual({ removed: true, path: `job/${name}` });
    expect(await remover.remove(maildir)).toEqual({ removed: true, path: `job/${name}` });
    const job = await batch.readNamespacedJob({ name, namespace: MAIL_NAMESPACE });
    expect(job.metadata?.annotations?.['hostplane.io/maildir']).toBe(maildir);
    expect(job.spec?.template.spec?.containers[0]?.command).toEqual([
      'rm',
      '-rf',
      '--',
      `/var/mail/vhosts/${maildir}`,
    ]);
    const all = await batch.listNamespacedJob({
      namespace: MAIL_NAMESPACE,
      labelSelector: 'hostplane.io/maildir-removal=true',
    });
    expect(all.items.filter((j) => j.metadata?.name === name)).toHaveLength(1);
  });

  it('refuses a folder outside the mail root', async () => {
    await expect(remover.remove('../etc/')).rejects.toBeInstanceOf(MailInvalidError);
  });
});

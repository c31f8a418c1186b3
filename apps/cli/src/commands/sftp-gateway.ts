// `hostplane sftp-gateway`: the composition root of the SFTP gateway (docs/sftp.md). Reads the
// environment once (zod), then serves SSH until SIGTERM/SIGINT. In the cluster it runs in
// panel-system with its own service account (pods/exec on `sftp-0` only); locally the stack runs it.
import { readFile } from 'node:fs/promises';
import { createPanelDb } from '@hostplane/db';
import { KubeHttpClient, KubePodExec } from '@hostplane/provisioner-k8s';
import { startSftpGateway } from '@hostplane/sftp-gateway';
import pino from 'pino';
import { z } from 'zod';

const count = (fallback: number) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).default(fallback);

export const sftpGatewayEnvSchema = z.object({
  DATABASE_URL: z.string({ message: 'is required' }).regex(/^postgres(ql)?:\/\//, 'must be a postgres URL'),
  /** host:port; in a pod 0.0.0.0:2222 (the Service maps the public port 22 to it). */
  SFTP_LISTEN: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[^:]+):\d{1,5}$/, 'must be host:port')
    .default('0.0.0.0:2222'),
  /** Comma-separated files of private host keys (OpenSSH format), e.g. ed25519 and rsa. */
  SFTP_HOST_KEYS: z.string({ message: 'is required' }).min(1),
  /** Absent: the pod's service account (in-cluster). */
  KUBECONFIG: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SFTP_FAILURES_PER_IP: count(10),
  SFTP_FAILURES_PER_ACCOUNT: count(5),
  SFTP_FAILURE_WINDOW_SECONDS: count(900),
});

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = sftpGatewayEnvSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`${issue.path.join('.')}: ${issue.message}`);
    return 2;
  }
  const settings = parsed.data;
  const logger = pino({ level: settings.LOG_LEVEL, base: { component: 'sftp-gateway' } });
  const separator = settings.SFTP_LISTEN.lastIndexOf(':');
  const host = settings.SFTP_LISTEN.slice(0, separator).replace(/^\[|\]$/g, '');
  const port = Number(settings.SFTP_LISTEN.slice(separator + 1));
  const hostKeys = await Promise.all(
    settings.SFTP_HOST_KEYS.split(',')
      .filter(Boolean)
      .map((file) => readFile(file, 'utf8')),
  );
  const db = createPanelDb(settings.DATABASE_URL, { max: 4 });
  const gateway = await startSftpGateway({
    db,
    exec: settings.KUBECONFIG ? KubePodExec.fromKubeconfigFile(settings.KUBECONFIG) : KubePodExec.inCluster(),
    kube: settings.KUBECONFIG
      ? KubeHttpClient.fromKubeconfigFile(settings.KUBECONFIG)
      : KubeHttpClient.inCluster(),
    logger,
    settings: {
      host,
      port,
      hostKeys,
      throttle: {
        failuresPerIp: settings.SFTP_FAILURES_PER_IP,
        failuresPerAccount: settings.SFTP_FAILURES_PER_ACCOUNT,
        windowSeconds: settings.SFTP_FAILURE_WINDOW_SECONDS,
      },
    },
  });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  logger.info('sftp gateway stopping');
  await gateway.close();
  await db.destroy();
  return 0;
}

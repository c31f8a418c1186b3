// The SFTP gateway (docs/sftp.md): terminates SSH at SFTP_ADDR, authenticates `c{id}` against the
// panel database, and pipes the `sftp` subsystem channel to OpenSSH's sftp-server in the customer's own
// pod (`sftp-0` in `cust-{id}`) through pods/exec. The gateway never touches files itself: what a
// login can reach is what that pod mounts, i.e. that customer's site volumes and nothing else.
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { PanelDatabase } from '@hostplane/db';
import { SFTP_CONTAINER, SFTP_POD, SFTP_SERVER_COMMAND, tenantNamespace } from '@hostplane/domain';
import type { KubeApi, KubePodExec } from '@hostplane/provisioner-k8s';
import { KINDS } from '@hostplane/provisioner-k8s';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import ssh2, { type AuthContext, type Connection, type ServerChannel } from 'ssh2';
import { authenticate, type Credential } from './authenticate.ts';
import { type SftpGatewayInput, type SftpGatewaySettings, sftpGatewaySettings } from './settings.ts';

// ssh2 is CommonJS: Node's ESM loader sees no named exports in it.
const { Server, utils } = ssh2;

export interface SftpGatewayDeps {
  db: Kysely<PanelDatabase>;
  exec: KubePodExec;
  /** Reads the customer's SFTP pod (get pods on `sftp-0`), to wait until it runs. */
  kube: Pick<KubeApi, 'get'>;
  logger: Logger;
  settings: SftpGatewayInput;
}

export interface RunningSftpGateway {
  address: { host: string; port: number };
  close(): Promise<void>;
}

const METHODS: AuthContext['method'][] = ['publickey', 'password'];

function credentialOf(ctx: AuthContext): Credential | null {
  if (ctx.method === 'password') return { method: 'password', password: ctx.password };
  if (ctx.method !== 'publickey') return null;
  const { signature, blob, hashAlgo } = ctx;
  return {
    method: 'publickey',
    blob: ctx.key.data,
    verify:
      signature && blob
        ? (keyLine) => {
            const parsed = utils.parseKey(keyLine);
            if (parsed instanceof Error) return false;
            const key = Array.isArray(parsed) ? parsed[0] : parsed;
            return key?.verify(blob, signature, hashAlgo) === true;
          }
        : null,
  };
}

async function podRunning(deps: SftpGatewayDeps, customerId: number, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const pod = (await deps.kube.get(KINDS.Pod, tenantNamespace(customerId), SFTP_POD)) as {
      status?: { phase?: string; containerStatuses?: { name: string; ready?: boolean }[] };
      metadata?: { deletionTimestamp?: string };
    } | null;
    const ready = pod?.status?.containerStatuses?.some((c) => c.name === SFTP_CONTAINER && c.ready);
    if (pod && !pod.metadata?.deletionTimestamp && pod.status?.phase === 'Running' && ready) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Runs sftp-server in the customer's pod with the channel as its stdin/stdout; ends the channel after. */
async function serveSftp(
  deps: SftpGatewayDeps,
  settings: SftpGatewaySettings,
  customerId: number,
  channel: ServerChannel,
  log: Logger,
) {
  if (!(await podRunning(deps, customerId, settings.podWaitMs))) {
    log.warn({ customerId }, 'sftp pod not running');
    channel.stderr.write('SFTP is not available for this account right now; try again in a minute.\n');
    channel.exit(1);
    channel.end();
    return;
  }
  // stdout is written to the channel but never ends it: the exit status goes first.
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (channel.write(chunk)) done();
      else channel.once('drain', () => done());
    },
  });
  const stderr = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log.debug({ customerId, line: chunk.toString('utf8').trim() }, 'sftp-server');
      done();
    },
  });
  const session = await deps.exec.open(
    {
      namespace: tenantNamespace(customerId),
      pod: SFTP_POD,
      container: SFTP_CONTAINER,
      command: SFTP_SERVER_COMMAND,
    },
    { stdin: channel, stdout, stderr },
  );
  channel.on('close', () => session.close());
  const code = await session.exited;
  log.info({ customerId, exitCode: code }, 'sftp session ended');
  channel.exit(code ?? 1);
  channel.end();
}

function handleClient(deps: SftpGatewayDeps, settings: SftpGatewaySettings, client: Connection, ip: string) {
  const log = deps.logger.child({ ip });
  let customerId: number | null = null;
  let failures = 0;
  client.on('error', (err) => log.debug({ err: err.message }, 'ssh connection error'));
  client.on('authentication', (ctx) => {
    const credential = credentialOf(ctx);
    if (!credential) return ctx.reject(METHODS);
    authenticate(deps.db, settings.throttle, { username: ctx.username, ip, credential }).then(
      (outcome) => {
        const signed = credential.method === 'password' || credential.verify !== null;
        if (signed)
          log.info(
            { user: ctx.username, method: ctx.method, outcome: outcome.ok ? 'accepted' : outcome.reason },
            'sftp login',
          );
        if (outcome.ok) {
          // A key question accepted only says "sign with it"; the login is the signed attempt.
          if (signed) customerId = outcome.customerId;
          return ctx.accept();
        }
        ctx.reject(METHODS);
        if (outcome.counted && ++failures >= settings.throttle.failuresPerConnection) client.end();
        if (outcome.reason === 'throttled') client.end();
      },
      (err: unknown) => {
        log.error({ err, user: ctx.username }, 'sftp authentication failed with an error');
        ctx.reject(METHODS);
      },
    );
  });
  client.on('ready', () => {
    const id = customerId;
    if (id === null) return client.end();
    client.on('session', (accept) => {
      const session = accept();
      session.on('subsystem', (acceptSubsystem, reject, info) => {
        if (info.name !== 'sftp') return reject();
        const channel = acceptSubsystem();
        serveSftp(deps, settings, id, channel, log).catch((err: unknown) => {
          log.error({ err, customerId: id }, 'sftp session failed');
          channel.stderr.write('SFTP session failed.\n');
          channel.exit(1);
          channel.end();
        });
      });
      // No shell, no commands (legacy `scp -O` included), no forwarding: this is an SFTP endpoint.
      session.on('exec', (_accept, reject) => reject());
      session.on('shell', (_accept, reject) => reject());
      session.on('pty', (_accept, reject) => reject?.());
    });
    client.on('tcpip', (_accept, reject) => reject());
    client.on('request', (_accept, reject) => reject?.());
  });
}

export async function startSftpGateway(deps: SftpGatewayDeps): Promise<RunningSftpGateway> {
  const settings = sftpGatewaySettings.parse(deps.settings);
  const clients = new Set<Connection>();
  const server = new Server(
    { hostKeys: settings.hostKeys, ident: 'Hostplane_SFTP', keepaliveInterval: 30_000 },
    (client, info) => {
      clients.add(client);
      client.on('close', () => clients.delete(client));
      handleClient(deps, settings, client, info.ip);
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err: Error) => deps.logger.error({ err }, 'sftp gateway server error'));
  const address = server.address() as AddressInfo;
  deps.logger.info({ host: address.address, port: address.port }, 'sftp gateway listening');
  return {
    address: { host: address.address, port: address.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const client of clients) client.end();
      }),
  };
}

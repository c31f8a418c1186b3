// SFTP on the real node (issue 16; docs/sftp.md), with the clients a customer uses: OpenSSH `sftp`
// and `scp` (SFTP protocol) and `curl sftp://`. The gateway runs as `hostplane sftp-gateway` does
// (startSftpGateway against this run's panel database and the stack's apiserver); the customer's SFTP
// pod runs sftp-server from the image built out of Debian's openssh-sftp-server, with its site volumes.
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createPanelDb, type PanelDatabase } from '@hostplane/db';
import { SFTP_POD } from '@hostplane/domain';
import { LOCAL_STORAGE_CLASS } from '@hostplane/localstack';
import { SFTP_GATEWAY_SERVICE_ACCOUNT, sftpGatewayRbac } from '@hostplane/platform';
import { KINDS, KubeHttpClient, KubePodExec } from '@hostplane/provisioner-k8s';
import { type RunningSftpGateway, startSftpGateway } from '@hostplane/sftp-gateway';
import { waitFor } from '@hostplane/testing';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlan, newPassword, type Panel, runTag, stack, startPanel } from './support/panel.ts';

const run = promisify(execFile);
const FIRST_ID = 800_000 + (process.pid % 20_000) * 10;
const SLOW = 300_000;
const WRONG_BEFORE_BLOCK = 3;

let panel: Panel;
let gateway: RunningSftpGateway;
let gatewayDb: Kysely<PanelDatabase>;
let gatewayToken: string;
let work: string;
let keyFile: string;
let otherKeyFile: string;
const a = { id: 0, password: newPassword() };
const b = { id: 0, password: newPassword() };

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects read by the assertions that check them
type Obj = any;

async function createCustomer(planId: number, name: string): Promise<number> {
  const created = await panel.http('POST', '/customers', {
    name,
    email: `${name.toLowerCase()}@${runTag}-sftp.test`,
    planId,
    password: newPassword(),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

async function createSite(customerId: number, name: string, template: string): Promise<void> {
  const res = await panel.http('POST', `/customers/${customerId}/sites`, { name, template });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function fromService(
  customerId: number,
  site: string,
  path: string,
): Promise<{ status: number; body: string }> {
  const service: Obj = await panel.admin.get(KINDS.Service, `cust-${customerId}`, site);
  const response = await fetch(`http://${service.spec.clusterIP}${path}`, {
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, body: await response.text() };
}

async function serves(customerId: number, site: string, path: string, expected: RegExp): Promise<string> {
  return waitFor(
    `${site}${path} answering ${expected}`,
    async () => {
      const { status, body } = await fromService(customerId, site, path);
      if (status !== 200 || !expected.test(body)) throw new Error(`${status}: ${body.slice(0, 200)}`);
      return body;
    },
    { timeoutMs: 180_000 },
  );
}

interface Login {
  user: string;
  password?: string;
  key?: string;
  /** Source address of the client (another loopback address stands for another client). */
  from?: string;
}

const SSH_OPTIONS = [
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'LogLevel=ERROR',
];

/** ssh options and environment of a login: the password through SSH_ASKPASS, as a script would. */
async function clientOf(login: Login): Promise<{ args: string[]; env: NodeJS.ProcessEnv }> {
  const args = [...SSH_OPTIONS, '-P', String(gateway.address.port), '-o', 'ConnectTimeout=20'];
  if (login.from) args.push('-o', `BindAddress=${login.from}`);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (login.key) {
    args.push(
      '-i',
      login.key,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'PreferredAuthentications=publickey',
      '-o',
      'BatchMode=yes',
    );
  } else {
    const askpass = join(work, `askpass-${Math.random().toString(36).slice(2)}`);
    await writeFile(askpass, `#!/bin/sh\nprintf '%s\\n' '${login.password}'\n`);
    await chmod(askpass, 0o700);
    Object.assign(env, { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' });
    // `sftp -b` turns BatchMode on (no password prompt, not even through SSH_ASKPASS) unless it was set before.
    args.push(
      '-o',
      'BatchMode=no',
      '-o',
      'PreferredAuthentications=password',
      '-o',
      'PubkeyAuthentication=no',
      '-o',
      'NumberOfPasswordPrompts=1',
    );
  }
  return { args, env };
}

/** `sftp -b -` with the given batch; never throws: the exit code and output are what tests check. */
async function sftp(login: Login, batch: string): Promise<{ code: number; out: string; err: string }> {
  const { args, env } = await clientOf(login);
  return new Promise((resolve) => {
    const child = execFile(
      'sftp',
      [...args, '-b', '-', `${login.user}@${gateway.address.host}`],
      { env, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr }),
    );
    child.stdin?.end(batch);
  });
}

async function sftpOk(login: Login, batch: string): Promise<string> {
  const result = await sftp(login, batch);
  expect(result.code, `${batch}\n${result.err}`).toBe(0);
  return result.out;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hostplane-sftp-'));
  panel = await startPanel(FIRST_ID, {
    storage: { storageClass: LOCAL_STORAGE_CLASS, siteVolumeSize: '1Gi', databaseVolumeSize: '1Gi' },
    publicAddresses: { ipv4: ['127.0.0.1'] },
    kubernetes: { namespaceStuckAfterSeconds: 300 },
  });
  await panel.startWorker();
  const plan = await createPlan(panel, 'sftp', { memory: '2Gi', storage: '5Gi', sites: 3, domains: 1 });
  a.id = await createCustomer(plan.id, 'Alpha');
  b.id = await createCustomer(plan.id, 'Beta');
  await createSite(a.id, 'app', 'php');
  await createSite(b.id, 'secret', 'static');

  for (const [file, type] of [
    ['host_ed25519', 'ed25519'],
    ['host_rsa', 'rsa'],
    ['client', 'ed25519'],
    ['other', 'ed25519'],
  ] as const) {
    await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', `${file}@${runTag}`, '-f', join(work, file)]);
  }
  keyFile = join(work, 'client');
  otherKeyFile = join(work, 'other');
  gatewayDb = createPanelDb(panel.databaseUrl, { max: 4 });
  // The gateway runs as production's service account, with the RBAC bootstrap renders for it.
  const gatewayNs = panel.platform.namespaces.panel;
  if (!(await panel.admin.get(KINDS.Namespace, null, gatewayNs)))
    await panel.admin.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: gatewayNs, labels: {} },
    });
  for (const object of sftpGatewayRbac(gatewayNs)) await panel.admin.apply(object);
  gatewayToken = await panel.admin.createServiceAccountToken(gatewayNs, SFTP_GATEWAY_SERVICE_ACCOUNT, 3600);
  gateway = await startSftpGateway({
    db: gatewayDb,
    exec: KubePodExec.fromToken(stack.KUBECONFIG, gatewayToken),
    kube: KubeHttpClient.fromToken(stack.KUBECONFIG, gatewayToken),
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    settings: {
      host: '127.0.0.1',
      port: 0,
      hostKeys: [
        await readFile(join(work, 'host_ed25519'), 'utf8'),
        await readFile(join(work, 'host_rsa'), 'utf8'),
      ],
      throttle: { failuresPerIp: WRONG_BEFORE_BLOCK, failuresPerAccount: 1_000, windowSeconds: 600 },
    },
  });
}, SLOW);

afterAll(async () => {
  await gateway?.close();
  await gatewayDb?.destroy();
  for (const customer of [a, b]) {
    if (!customer.id) continue;
    await panel?.http('DELETE', `/customers/${customer.id}`);
    await panel?.admin.delete(KINDS.Namespace, null, `cust-${customer.id}`).catch(() => undefined);
  }
  await panel?.close();
  if (work) await rm(work, { recursive: true, force: true });
}, SLOW);

describe('SFTP for every customer', () => {
  it(
    'a password and a key are set through the API; GET shows the key fingerprint, never the password',
    async () => {
      const publicKey = (await readFile(`${keyFile}.pub`, 'utf8')).trim();
      const put = await panel.http('PUT', `/customers/${a.id}/sftp`, {
        password: a.password,
        publicKeys: [publicKey],
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const fingerprint = (await run('ssh-keygen', ['-lf', `${keyFile}.pub`])).stdout.split(' ')[1];
      const got = await panel.http('GET', `/customers/${a.id}/sftp`);
      expect(got.body).toMatchObject({
        username: `c${a.id}`,
        enabled: true,
        passwordSet: true,
        root: '/sites',
        publicKeys: [{ type: 'ssh-ed25519', fingerprint, key: publicKey }],
      });
      expect(JSON.stringify(got.body)).not.toContain(a.password);
      expect(JSON.stringify(got.body)).not.toContain('argon2');
      const putB = await panel.http('PUT', `/customers/${b.id}/sftp`, { password: b.password });
      expect(putB.status, JSON.stringify(putB.body)).toBe(200);
    },
    SLOW,
  );

  it(
    'sftp with the password uploads index.php into the php site, which serves its output at once',
    async () => {
      await serves(a.id, 'app', '/', /ready to receive content/);
      const local = join(work, 'index.php');
      await writeFile(local, `<?php echo "sftp " . (40 + 2) . " ${runTag}";\n`);
      const out = await sftpOk(
        { user: `c${a.id}`, password: a.password },
        `put ${local} /sites/app/index.php\nls -l /sites/app\n`,
      );
      expect(out).toContain('index.php');
      const body = await serves(a.id, 'app', '/', new RegExp(`sftp 42 ${runTag}`));
      expect(body).not.toContain('<?php');
    },
    SLOW,
  );

  it(
    'with the key: sftp, scp (SFTP protocol) and curl sftp:// (password) upload and read files',
    async () => {
      const key: Login = { user: `c${a.id}`, key: keyFile };
      const page = join(work, 'key.html');
      await writeFile(page, `uploaded with a key ${runTag}\n`);
      await sftpOk(key, `cd /sites/app\nput ${page} key.html\n`);
      await serves(a.id, 'app', '/key.html', new RegExp(`uploaded with a key ${runTag}`));

      const { args } = await clientOf(key);
      const scpPage = join(work, 'scp.html');
      await writeFile(scpPage, `copied by scp ${runTag}\n`);
      await run('scp', [...args, scpPage, `c${a.id}@127.0.0.1:/sites/app/scp.html`], { timeout: 60_000 });
      await serves(a.id, 'app', '/scp.html', new RegExp(`copied by scp ${runTag}`));
      const back = join(work, 'scp-back.html');
      await run('scp', [...args, `c${a.id}@127.0.0.1:/sites/app/key.html`, back], { timeout: 60_000 });
      expect(await readFile(back, 'utf8')).toContain('uploaded with a key');

      const url = `sftp://127.0.0.1:${gateway.address.port}/sites/app/curl.html`;
      const curlPage = join(work, 'curl.html');
      await writeFile(curlPage, `sent by curl ${runTag}\n`);
      await run(
        'curl',
        ['-sS', '--fail', '--insecure', '-u', `c${a.id}:${a.password}`, '-T', curlPage, url],
        { timeout: 60_000 },
      );
      await serves(a.id, 'app', '/curl.html', new RegExp(`sent by curl ${runTag}`));
      const read = await run('curl', ['-sS', '--fail', '--insecure', '-u', `c${a.id}:${a.password}`, url], {
        timeout: 60_000,
      });
      expect(read.stdout).toContain(`sent by curl ${runTag}`);
    },
    SLOW,
  );

  it(
    'customer A cannot list, read or write anything of customer B (.., absolute paths, symlinks)',
    async () => {
      const secret = `b-secret-${runTag}`;
      const secretFile = join(work, 'secret.html');
      await writeFile(secretFile, `${secret}\n`);
      await sftpOk(
        { user: `c${b.id}`, password: b.password },
        `put ${secretFile} /sites/secret/secret.html\n`,
      );
      await serves(b.id, 'secret', '/secret.html', new RegExp(secret));

      const userA: Login = { user: `c${a.id}`, password: a.password };
      // A sees its own sites only.
      const listing = await sftpOk(userA, 'ls -1 /sites\n');
      expect(listing).toMatch(/\bapp\b/);
      expect(listing).not.toMatch(/secret/);
      // Every path to B's files fails, whatever the spelling.
      const pv: Obj = await waitFor(
        'B volume bound',
        async () => {
          const pvc: Obj = await panel.admin.get(KINDS.PersistentVolumeClaim, `cust-${b.id}`, 'secret-data');
          return pvc?.spec?.volumeName
            ? panel.admin.get(KINDS.PersistentVolume, null, pvc.spec.volumeName)
            : undefined;
        },
        60_000,
      );
      const hostPath = pv.spec.local.path as string;
      const stolen = join(work, 'stolen');
      for (const path of [
        '/sites/secret/secret.html',
        '/sites/app/../secret/secret.html',
        '../../sites/secret/secret.html',
        `${hostPath}/secret.html`,
        `/sites/app/../../..${hostPath}/secret.html`,
        `/proc/1/root${hostPath}/secret.html`,
      ]) {
        const got = await sftp(userA, `get ${path} ${stolen}\n`);
        expect(got.code, path).not.toBe(0);
      }
      for (const write of [
        'put /etc/hostname /sites/secret/evil.html',
        'mkdir /sites/secret/evil',
        'put /etc/hostname /sites/evil.html',
      ]) {
        expect((await sftp(userA, `${write}\n`)).code, write).not.toBe(0);
      }
      expect((await sftp(userA, 'ls /sites/secret\n')).code).not.toBe(0);
      // Symlinks A makes in its own volume lead nowhere: B's volume is not in A's pod, nor in A's web pod.
      await sftpOk(
        userA,
        `-rm /sites/app/to-b\n-rm /sites/app/to-host\nsymlink /sites/secret /sites/app/to-b\nsymlink ${hostPath} /sites/app/to-host\n`,
      );
      for (const path of ['/sites/app/to-b/secret.html', '/sites/app/to-host/secret.html']) {
        expect((await sftp(userA, `get ${path} ${stolen}\n`)).code, path).not.toBe(0);
      }
      expect((await sftp(userA, 'ls /sites/app/to-host/\n')).code).not.toBe(0);
      for (const path of ['/to-b/secret.html', '/to-host/secret.html']) {
        const answer = await fromService(a.id, 'app', path);
        expect(answer.body).not.toContain(secret);
      }
      // A's password and A's key do not open B's login.
      expect((await sftp({ user: `c${b.id}`, password: a.password }, 'ls /sites\n')).code).not.toBe(0);
      expect((await sftp({ user: `c${b.id}`, key: keyFile }, 'ls /sites\n')).code).not.toBe(0);
      expect((await sftp({ user: `c${a.id}`, key: otherKeyFile }, 'ls /sites\n')).code).not.toBe(0);
      // The gateway's own identity cannot exec anywhere but into `sftp-0` pods (here: B's web pod).
      const [webPod]: Obj[] = await panel.admin.list(KINDS.Pod, `cust-${b.id}`, 'hostplane.io/site=secret');
      const { PassThrough } = await import('node:stream');
      await expect(
        KubePodExec.fromToken(stack.KUBECONFIG, gatewayToken).open(
          {
            namespace: `cust-${b.id}`,
            pod: webPod.metadata.name,
            container: 'nginx',
            command: ['cat', '/usr/share/nginx/html/secret.html'],
          },
          { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() },
        ),
      ).rejects.toThrow(/403|Forbidden|Unexpected server response/);
      // B's file is untouched.
      expect((await fromService(b.id, 'secret', '/secret.html')).body).toContain(secret);
    },
    SLOW,
  );

  it(
    'wrong passwords from one address get that address refused, even with the right password; others still log in',
    async () => {
      const guesser = '127.0.0.77';
      for (let i = 0; i < WRONG_BEFORE_BLOCK; i++) {
        const wrong = await sftp(
          { user: `c${a.id}`, password: `wrong-${i}-password`, from: guesser },
          'ls /sites\n',
        );
        expect(wrong.code).not.toBe(0);
      }
      const blocked = await sftp({ user: `c${a.id}`, password: a.password, from: guesser }, 'ls /sites\n');
      expect(blocked.code).not.toBe(0);
      const owner = await sftpOk({ user: `c${a.id}`, password: a.password }, 'ls -1 /sites\n');
      expect(owner).toMatch(/\bapp\b/);
    },
    SLOW,
  );

  it(
    "the stack's own gateway answers at SFTP_ADDR with its kept host keys",
    async () => {
      const [host, port] = (stack.SFTP_ADDR ?? '').split(':');
      const scan = await run('ssh-keyscan', ['-p', String(port), '-t', 'ed25519,rsa', String(host)], {
        timeout: 30_000,
      });
      expect(scan.stdout).toMatch(/ssh-ed25519 AAAA/);
      expect(scan.stdout).toMatch(/ssh-rsa AAAA/);
    },
    SLOW,
  );

  it(
    'a suspended customer cannot log in, and its SFTP pod is gone',
    async () => {
      await sftpOk({ user: `c${b.id}`, password: b.password }, 'ls /sites\n');
      const patched = await panel.http('PATCH', `/customers/${b.id}`, { suspended: true });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      const refused = await sftp({ user: `c${b.id}`, password: b.password }, 'ls /sites\n');
      expect(refused.code).not.toBe(0);
      expect(refused.err).toMatch(/Permission denied/);
      await waitFor(
        'B sftp pod gone',
        async () => !(await panel.admin.get(KINDS.Pod, `cust-${b.id}`, SFTP_POD)),
        120_000,
      );
    },
    SLOW,
  );
});

import { readFile, rename, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { STACK_HOST, stackPorts } from '../ports.ts';
import { kubeDir, kubePki } from './kube-pki.ts';

const PROBE_TIMEOUT_MS = 3_000;

export const apiserverUrl = `https://${STACK_HOST}:${stackPorts.kubeApiserver}`;

/** `<stateDir>/kube/<user>.kubeconfig`; `admin` is the one `stack env` exports as KUBECONFIG. */
export function kubeconfigPath(stateDir: string, user: string): string {
  return path.join(kubeDir(stateDir), `${user}.kubeconfig`);
}

/** A kubeconfig for one client certificate of pki/ (pure; file references, no inlined keys). */
export function renderKubeconfig(options: {
  server: string;
  caCert: string;
  cert: string;
  key: string;
  user: string;
}) {
  const q = JSON.stringify;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: hostplane-local',
    '  cluster:',
    `    server: ${q(options.server)}`,
    `    certificate-authority: ${q(options.caCert)}`,
    'users:',
    `- name: ${q(options.user)}`,
    '  user:',
    `    client-certificate: ${q(options.cert)}`,
    `    client-key: ${q(options.key)}`,
    'contexts:',
    '- name: hostplane-local',
    '  context:',
    '    cluster: hostplane-local',
    `    user: ${q(options.user)}`,
    'current-context: hostplane-local',
    '',
  ].join('\n');
}

/** Writes `<stateDir>/kube/<certName>.kubeconfig` for the client certificate `pki/<certName>.crt`. */
export async function writeKubeconfig(stateDir: string, certName: string): Promise<string> {
  const pki = kubePki(stateDir);
  const file = kubeconfigPath(stateDir, certName);
  const { cert, key } = pki.cert(certName);
  await writeFile(
    `${file}.tmp`,
    renderKubeconfig({ server: apiserverUrl, caCert: pki.caCert, cert, key, user: certName }),
    {
      mode: 0o600,
    },
  );
  await rename(`${file}.tmp`, file);
  return file;
}

export function adminKubeConfig(stateDir: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath(stateDir, 'admin'));
  return kc;
}

export interface ProbeOptions {
  /** Client certificate name under pki/ to authenticate with. */
  clientCert?: string;
  /** Trust the stack CA (default) or accept any certificate: the controller-manager and scheduler
   * serve /healthz with a self-signed certificate they generate at start. */
  trust?: 'stack-ca' | 'any';
}

/** GET over http(s) on loopback; resolves with status and body, never hangs longer than a few seconds. */
export async function probe(
  stateDir: string,
  url: string,
  options: ProbeOptions = {},
): Promise<{ status: number; body: string }> {
  const pki = kubePki(stateDir);
  const tls = url.startsWith('https:')
    ? {
        ca: options.trust === 'any' ? undefined : await readFile(pki.caCert),
        rejectUnauthorized: options.trust !== 'any',
        ...(options.clientCert
          ? {
              cert: await readFile(pki.cert(options.clientCert).cert),
              key: await readFile(pki.cert(options.clientCert).key),
            }
          : {}),
      }
    : {};
  const get = url.startsWith('https:') ? https.get : http.get;
  return new Promise((resolve, reject) => {
    // A User-Agent: ACME servers (Pebble) refuse requests without one.
    const headers = { 'user-agent': 'hostplane-localstack' };
    const request = get(url, { ...tls, headers, timeout: PROBE_TIMEOUT_MS }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`timeout after ${PROBE_TIMEOUT_MS} ms: ${url}`)));
    request.on('error', reject);
  });
}

/** True when `url` answers 200 with a body matching `expect`; false when it does not answer (yet). */
export async function probeOk(
  stateDir: string,
  url: string,
  expect: RegExp,
  options?: ProbeOptions,
): Promise<boolean> {
  try {
    const { status, body } = await probe(stateDir, url, options);
    return status === 200 && expect.test(body);
  } catch {
    // Refused or timed out: the process is not serving yet. healthy() is polled, so "no" is the answer.
    return false;
  }
}

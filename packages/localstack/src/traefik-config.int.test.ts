// The static configuration production ships (ingress-system ConfigMap, DNS-01 resolver on) is read by
// the Traefik binary built from the pinned module: it starts, its ping answers and `traefik healthcheck`
// agrees. Only what must differ off-cluster is changed: listen addresses on loopback, ACME storage in a
// temporary folder. Traefik refuses unknown keys, so a misspelt option fails this test.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  clusterTraefikSettings,
  parseBootstrapConfig,
  renderTraefikStaticConfig,
  renderTraefikYaml,
  type TraefikStaticSettings,
} from '@hostplane/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedGoProgram } from './go-program-build.ts';
import { traefikProgram } from './go-programs.ts';

const run = promisify(execFile);
const BASE_PORT = 31_080;
const dir = mkdtempSync(path.join(os.tmpdir(), 'hp-traefik-config-'));
const children: ChildProcess[] = [];

const config = parseBootstrapConfig({
  bootstrap: {
    hosts: { panel: 'panel.example.net', mail: 'mail.example.net' },
    acme: { email: 'hostmaster@example.net' },
    backup: { bucket: 'backups', accessKeyId: 'a', secretAccessKey: 's' },
    secrets: {
      ...Object.fromEntries(
        [
          'pdnsApiKey',
          'pdnsDbPassword',
          'mailDbRootPassword',
          'mailDbPassword',
          'mailDbReadonlyPassword',
          'postgresPassword',
          'panelSecretKey',
          'grafanaAdminPassword',
        ].map((k) => [k, `secret-${k}-0123456789`]),
      ),
      acmeTsigSecret: 'c2VjcmV0LXRzaWcta2V5LW9mLWF0LWxlYXN0LTMyLWJ5dGVz',
    },
  },
});

function offCluster(settings: TraefikStaticSettings): TraefikStaticSettings {
  const at = (offset: number) => `127.0.0.1:${BASE_PORT + offset}`;
  return {
    ...settings,
    web: { ...settings.web, address: at(0) },
    websecure: { ...settings.websecure, address: at(1) },
    internal: { ...settings.internal, address: at(2) },
    tcp: settings.tcp.map((e, i) => ({ ...e, address: at(10 + i) })),
    acme: { ...settings.acme, storage: path.join(dir, 'acme.json') },
  };
}

async function binary(): Promise<string> {
  const build = await cachedGoProgram(traefikProgram);
  if (!build) throw new Error('traefik is not built: run npm run setup');
  return build.binaries.traefik ?? '';
}

function start(traefik: string, file: string): ChildProcess {
  const env = { ...process.env };
  delete env.KUBECONFIG; // no cluster: the Kubernetes providers retry in the background
  const child = spawn(traefik, [`--configFile=${file}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

async function pingAnswers(deadlineMs: number, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline && child.exitCode === null) {
    const ok = await fetch(`http://127.0.0.1:${BASE_PORT + 2}/ping`, { signal: AbortSignal.timeout(1_000) })
      .then(async (r) => r.status === 200 && (await r.text()) === 'OK')
      .catch(() => false);
    if (ok) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('the rendered Traefik static configuration in the built traefik', () => {
  it('starts with the production configuration, answers its ping, and `traefik healthcheck` agrees', async () => {
    const traefik = await binary();
    const { stdout: version } = await run(traefik, ['version']);
    expect(version).toMatch(new RegExp(`Version:\\s+${traefikProgram.version}`));
    const file = path.join(dir, 'traefik.yaml');
    writeFileSync(file, renderTraefikYaml(offCluster(clusterTraefikSettings(config))));
    const child = start(traefik, file);
    let log = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    expect(await pingAnswers(30_000, child), log).toBe(true);
    const { stdout } = await run(traefik, ['healthcheck', `--configFile=${file}`]);
    expect(stdout).toMatch(/OK/);
    expect(log).not.toMatch(/field not found|error while building configuration|command traefik error/i);
    child.kill('SIGTERM');
  });

  it('refuses a configuration with an unknown option (so the check above means something)', async () => {
    const traefik = await binary();
    const file = path.join(dir, 'bad.yaml');
    const rendered = renderTraefikStaticConfig(offCluster(clusterTraefikSettings(config)));
    // JSON is YAML: the same document with one option Traefik does not have.
    writeFileSync(file, JSON.stringify({ ...rendered, ping: { entryPoint: 'internal', notAnOption: true } }));
    const child = start(traefik, file);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).not.toBe(0);
  });
});

// The edge with real clients: Traefik (built from its module, static config from the platform's
// renderer) routes a site's Ingresses — the ones the domain's desired state produces — gets the host a
// certificate from Pebble by HTTP-01 (Pebble resolves the host through the stack's PowerDNS and
// connects to the edge's web port), serves HTTPS with it and redirects plain HTTP to HTTPS. curl is the
// client, ACME_ROOT_CA the only trust anchor.
//
// INTERIM (until the real node runs pods): Traefik is the local stack's host process and the site's
// Service is an ExternalName alias of a backend on the host (`localhost:<port>`); the Ingresses and
// Middleware are the product's own (siteIngresses, redirectMiddleware).

import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import type { CustomerSnapshot, SiteRow } from '@hostplane/domain';
import { certificateProbeHost, certificateState, redirectMiddleware, siteIngresses } from '@hostplane/domain';
import { acmeTsigKeyFor } from '@hostplane/localstack';
import { parsePlatformConfig } from '@hostplane/platform';
import {
  applyWithFingerprint,
  DnsHostResolver,
  KINDS,
  KubeHttpClient,
  resolvesToPlatform,
} from '@hostplane/provisioner-k8s';
import { waitFor } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeCertificatesOf } from '../apps/cli/src/commands/serve-edge-certificates.ts';
import { runTag, stack } from './support/panel.ts';

const run = promisify(execFile);
const customerId = 2_100_000 + (process.pid % 50_000);
const ns = `cust-${customerId}`;
const zone = `${runTag}-edge.test`;
const host = `www.${zone}`;
const page = `hello from ${host}\n`;
const wildZone = `wild.${zone}`;
const wildHost = `*.${wildZone}`;
const [edgeHost, httpPort] = (stack.HTTP_ADDR ?? '').split(':');
const httpsPort = (stack.HTTPS_ADDR ?? '').split(':')[1];
const kube = KubeHttpClient.fromKubeconfigFile(stack.KUBECONFIG);
const config = parsePlatformConfig({});
let backend: http.Server;
/** The customer as the domain sees it: its one domain, verified (site hosts are routed only then). */
const customer = {
  id: customerId,
  suspended: false,
  domains: [{ name: zone, verified: true }],
} as unknown as CustomerSnapshot;

async function pdns(method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${stack.PDNS_API_URL}/api/v1/servers/localhost${path}`, {
    method,
    headers: { 'X-API-Key': stack.PDNS_API_KEY, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok && response.status !== 404)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

async function curl(args: string[]): Promise<{ code: string; body: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('curl', [
      '-sS',
      '--max-time',
      '10',
      '-w',
      '\n%{http_code}',
      ...args,
    ]);
    const lines = stdout.split('\n');
    return { code: lines.at(-1) ?? '', body: lines.slice(0, -1).join('\n'), stderr };
  } catch (error) {
    return { code: 'error', body: '', stderr: String((error as { stderr?: string }).stderr ?? error) };
  }
}

const site: SiteRow = {
  name: 'shop',
  template: 'static',
  image: null,
  port: null,
  domains: [host],
  www: false,
  replicas: 1,
  database: false,
  databasePassword: null,
};

// A second site on the same backend with a wildcard host (its certificate only by DNS-01).
const wildSite: SiteRow = { ...site, name: 'wild', domains: [wildHost] };

async function dig(name: string, type: string): Promise<string[]> {
  const [server, port] = stack.PDNS_DNS_ADDR.split(':');
  const { stdout } = await run('dig', [
    `@${server}`,
    '-p',
    port ?? '53',
    '+short',
    '+time=1',
    '+tries=1',
    name,
    type,
  ]);
  return stdout.split('\n').filter(Boolean);
}

/** nsupdate's answer to one update sent to PowerDNS, signed with `key` when given. */
async function nsupdate(commands: string[], key?: string): Promise<string> {
  const [server, port] = stack.PDNS_DNS_ADDR.split(':');
  const script = [`server ${server} ${port}`, ...commands, 'send', ''].join('\n');
  return new Promise((resolve) => {
    const child = execFile('nsupdate', key ? ['-y', key] : [], (error, stdout, stderr) =>
      resolve(`${error ? 'failed ' : 'ok '}${stdout}${stderr}`),
    );
    child.stdin?.end(script);
  });
}

beforeAll(async () => {
  expect(stack.HTTP_ADDR, 'stack env has HTTP_ADDR (the edge)').toBeTruthy();
  backend = http.createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    const name = request.headers.host?.split(':')[0] ?? '';
    if (name === host) response.end(page);
    else if (name.endsWith(`.${wildZone}`)) response.end(`wildcard ${name}\n`);
    else if (name.startsWith('late.')) response.end(`late ${name}\n`);
    else response.end('wrong host\n');
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const backendPort = (backend.address() as AddressInfo).port;

  // The host resolves to the platform (the edge's loopback address), as AwaitingDNS requires.
  await pdns('POST', '/zones', {
    name: `${zone}.`,
    kind: 'Native',
    nameservers: ['ns1.hostplane.test.'],
    rrsets: [
      { name: `${host}.`, type: 'A', ttl: 60, records: [{ content: edgeHost, disabled: false }] },
      { name: `${wildHost}.`, type: 'A', ttl: 60, records: [{ content: edgeHost, disabled: false }] },
    ],
  });

  await kube.apply({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns, labels: { 'hostplane.io/test': 'edge' } },
  });
  // Interim stand-in for the sites' Services: aliases of the host-side backend.
  for (const name of [site.name, wildSite.name]) {
    await kube.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns, labels: { 'hostplane.io/test': 'edge' } },
      spec: {
        type: 'ExternalName',
        externalName: 'localhost',
        ports: [{ name: 'http', port: backendPort, protocol: 'TCP' }],
      },
    });
  }
  const snapshot = customer;
  const objects = [redirectMiddleware(snapshot), ...siteIngresses(snapshot, site, config, { [host]: true })];
  for (const object of objects) await applyWithFingerprint(kube, object);
}, 120_000);

afterAll(async () => {
  await kube.delete(KINDS.Namespace, null, ns).catch(() => undefined);
  await pdns('DELETE', `/zones/${zone}.`).catch(() => undefined);
  await new Promise((resolve) => backend?.close(resolve));
});

describe('the edge: Traefik with ACME certificates from Pebble', () => {
  it('serves the site over HTTPS with a certificate from the ACME CA naming the host', async () => {
    const resolve = `${host}:${httpsPort}:${edgeHost}`;
    const url = `https://${host}:${httpsPort}/`;
    const started = Date.now();
    const answer = await waitFor(
      'a 200 over HTTPS trusted through ACME_ROOT_CA',
      async () => {
        const r = await curl(['--cacert', stack.ACME_ROOT_CA ?? '', '--resolve', resolve, url]);
        return r.code === '200' ? r : undefined;
      },
      90_000,
    );
    expect(answer.body.trim()).toBe(page.trim());
    expect(Date.now() - started).toBeLessThan(90_000);

    // The served leaf: names the host, issued under Pebble's root of this run (not the stack's own CA).
    const { stdout } = await run('sh', [
      '-c',
      `openssl s_client -connect ${edgeHost}:${httpsPort} -servername ${host} -showcerts </dev/null 2>/dev/null`,
    ]);
    const pems = stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const leaf = new X509Certificate(pems[0] ?? '');
    expect(leaf.subjectAltName).toContain(`DNS:${host}`);
    const root = new X509Certificate(readFileSync(stack.ACME_ROOT_CA ?? ''));
    const chain = pems.map((pem) => new X509Certificate(pem));
    const top = chain.at(-1);
    expect(top && (top.checkIssued(root) || top.fingerprint256 === root.fingerprint256)).toBe(true);
    expect(root.subject).toMatch(/Pebble/);
  });

  it('redirects plain HTTP to HTTPS', async () => {
    const r = await waitFor('a redirect on the web entry point', async () => {
      const answer = await curl([
        '-o',
        '/dev/null',
        '-D',
        '-',
        '--resolve',
        `${host}:${httpPort}:${edgeHost}`,
        `http://${host}:${httpPort}/some/page?x=1`,
      ]);
      return ['301', '308'].includes(answer.code) ? answer : undefined;
    });
    expect(r.body).toMatch(
      new RegExp(`^location: https://${host.replaceAll('.', '\\.')}/some/page\\?x=1`, 'im'),
    );
  });

  it('answers an unknown host with 404 and no certificate of the CA', async () => {
    const r = await curl([
      '--cacert',
      stack.ACME_ROOT_CA ?? '',
      '--resolve',
      `nobody.${zone}:${httpsPort}:${edgeHost}`,
      `https://nobody.${zone}:${httpsPort}/`,
    ]);
    expect(r.code).not.toBe('200');
  });

  it('gives a wildcard site a wildcard certificate by DNS-01, the challenge visible as a TXT record', async () => {
    const challenge = `_acme-challenge.${wildZone}`;
    let sawTxt = false;
    let served = false;
    // Watch the platform's DNS while the edge is getting the certificate.
    const watcher = (async () => {
      while (!served) {
        if ((await dig(challenge, 'TXT').catch(() => [])).length > 0) sawTxt = true;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const name = `shop.${wildZone}`;
    try {
      // The wildcard site's Ingresses only now, with the watcher running.
      const snapshot = customer;
      for (const object of siteIngresses(snapshot, wildSite, config, { [wildHost]: true }))
        await applyWithFingerprint(kube, object);
      const answer = await waitFor(
        'a 200 over HTTPS on a name under the wildcard',
        async () => {
          const r = await curl([
            '--cacert',
            stack.ACME_ROOT_CA ?? '',
            '--resolve',
            `${name}:${httpsPort}:${edgeHost}`,
            `https://${name}:${httpsPort}/`,
          ]);
          return r.code === '200' ? r : undefined;
        },
        90_000,
      );
      expect(answer.body.trim()).toBe(`wildcard ${name}`);
    } finally {
      served = true;
      await watcher;
    }
    expect(sawTxt, `TXT ${challenge} seen during the challenge`).toBe(true);
    const { stdout } = await run('sh', [
      '-c',
      `openssl s_client -connect ${edgeHost}:${httpsPort} -servername other.${wildZone} </dev/null 2>/dev/null`,
    ]);
    const pem = stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0] ?? '';
    expect(new X509Certificate(pem).subjectAltName).toBe(`DNS:${wildHost}`);
    // What the site's certificate status and the ACME backoff read: the product's probe, asking the edge
    // for the name it uses for a wildcard host.
    const probe = edgeCertificatesOf({ address: stack.HTTPS_ADDR ?? '', caFile: stack.ACME_ROOT_CA });
    const seen = await probe.served(certificateProbeHost(wildHost));
    expect(seen).toMatchObject({ ok: true, trusted: true, namesHost: true });
    expect(certificateState(wildHost, true, seen, new Date()).state).toBe('Issued');
  });

  it('PowerDNS takes RFC 2136 updates only signed with the ACME key, only TXT at _acme-challenge names', async () => {
    const key = acmeTsigKeyFor(stack.PDNS_API_KEY);
    const signed = `hmac-sha256:${key.name}:${key.secret}`;
    const probe = `_acme-challenge.probe.${zone}`;
    // Unsigned, another name, another record type: PowerDNS drops the record (its log says "Not
    // permitted by policy"; the answer stays NOERROR), and nothing changes.
    await nsupdate([`update add ${probe} 60 TXT "unsigned"`]);
    await nsupdate([`update add ${host} 60 A 192.0.2.66`], signed);
    await nsupdate([`update add ${probe} 60 A 192.0.2.66`], signed);
    await nsupdate(
      [`update add ${probe} 60 TXT "bad-key"`],
      `hmac-sha256:${key.name}:${Buffer.alloc(32).toString('base64')}`,
    );
    expect(await dig(host, 'A')).toEqual([edgeHost]);
    expect(await dig(probe, 'TXT')).toEqual([]);
    expect(await dig(probe, 'A')).toEqual([]);
    // What the ACME client does: add, then remove, a TXT at an _acme-challenge name.
    expect(await nsupdate([`update add ${probe} 60 TXT "token"`], signed)).toMatch(/^ok/);
    expect(await dig(probe, 'TXT')).toEqual(['"token"']);
    expect(await nsupdate([`update delete ${probe} TXT`], signed)).toMatch(/^ok/);
    expect(await dig(probe, 'TXT')).toEqual([]);
  });

  it('serves a host that does not resolve to the platform over HTTP only, and certifies it once it does', async () => {
    const late = `late.${zone}`;
    const lateSite: SiteRow = { ...site, name: 'late', domains: [late] };
    await kube.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: lateSite.name, namespace: ns, labels: { 'hostplane.io/test': 'edge' } },
      spec: {
        type: 'ExternalName',
        externalName: 'localhost',
        ports: [{ name: 'http', port: (backend.address() as AddressInfo).port, protocol: 'TCP' }],
      },
    });
    // What the Kubernetes target does on each pass: resolve the hosts, then render the Ingresses.
    const resolver = new DnsHostResolver(stack.PDNS_DNS_ADDR);
    const platform = { ipv4: [edgeHost ?? ''], ipv6: [] };
    const reconcile = async () => {
      const resolution = { [late]: resolvesToPlatform(await resolver.resolve(late), platform) };
      const snapshot = customer;
      for (const object of siteIngresses(snapshot, lateSite, config, resolution))
        await applyWithFingerprint(kube, object);
      return resolution[late];
    };
    expect(await reconcile()).toBe(false);
    const http = await waitFor('plain HTTP while the host awaits DNS', async () => {
      const r = await curl(['--resolve', `${late}:${httpPort}:${edgeHost}`, `http://${late}:${httpPort}/`]);
      return r.code === '200' ? r : undefined;
    });
    expect(http.body.trim()).toBe(`late ${late}`);
    const https = await curl([
      '--cacert',
      stack.ACME_ROOT_CA ?? '',
      '--resolve',
      `${late}:${httpsPort}:${edgeHost}`,
      `https://${late}:${httpsPort}/`,
    ]);
    expect(https.code).not.toBe('200');

    // The customer fixes the record; the next pass finds it and the certificate follows by itself.
    await pdns('PATCH', `/zones/${zone}.`, {
      rrsets: [
        {
          name: `${late}.`,
          type: 'A',
          ttl: 60,
          changetype: 'REPLACE',
          records: [{ content: edgeHost, disabled: false }],
        },
      ],
    });
    expect(await reconcile()).toBe(true);
    const secure = await waitFor(
      'HTTPS with a certificate once the host resolves',
      async () => {
        const r = await curl([
          '--cacert',
          stack.ACME_ROOT_CA ?? '',
          '--resolve',
          `${late}:${httpsPort}:${edgeHost}`,
          `https://${late}:${httpsPort}/`,
        ]);
        return r.code === '200' ? r : undefined;
      },
      90_000,
    );
    expect(secure.body.trim()).toBe(`late ${late}`);
  });
});

// Issue 16 on the real node (HOSTPLANE_STACK_NODE=real, images built): a site's logs through the API.
// Requests go to the sites through the edge (Traefik at HTTP_ADDR, by Host header); the logs endpoint
// shows the request line a moment later (the site's nginx and the edge's access log filtered by the
// site's hosts), never a line of another customer's site, and its follow
// mode delivers a line written after it started.

import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { KINDS } from '@hostplane/provisioner-k8s';
import { waitFor } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createCustomer, type TestCustomer } from '../apps/api/src/testing/harness.ts';
import {
  createPlan,
  markVerified,
  type Panel,
  platformInput,
  runTag,
  stack,
  startPanel,
} from './support/panel.ts';

const FIRST_ID = 790_000 + (process.pid % 20_000) * 10;
const SLOW = 300_000;

let panel: Panel;
let alpha: TestCustomer;
let beta: TestCustomer;
const hostOf = (c: TestCustomer) => `logs-${c.id}-${runTag}.test`;

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects and API answers read by the assertions
type Obj = any;

interface LogLine {
  time: string;
  pod: string;
  container: string;
  message: string;
}

/** A request as a browser sends it to the platform's edge: to HTTP_ADDR, the site's host in Host. */
function throughEdge(host: string, path: string): Promise<{ status: number; body: string }> {
  const [address, port] = (stack.HTTP_ADDR ?? '').split(':');
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: address, port: Number(port), path, headers: { host }, timeout: 5_000 },
      (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

async function volumePath(customerId: number, site: string): Promise<string> {
  const claim: Obj = await waitFor(
    `PVC ${site}-data bound`,
    async () => {
      const pvc: Obj = await panel.admin.get(
        KINDS.PersistentVolumeClaim,
        `cust-${customerId}`,
        `${site}-data`,
      );
      return pvc?.status?.phase === 'Bound' ? pvc : undefined;
    },
    120_000,
  );
  const pv: Obj = await panel.admin.get(KINDS.PersistentVolume, null, claim.spec.volumeName);
  return pv.spec.local.path;
}

async function logs(customer: TestCustomer, query: string, token = customer.token) {
  const res = await panel.api.app.inject({
    method: 'GET',
    url: `/api/v1/customers/${customer.id}/sites/web/logs?${query}`,
    headers: bearer(token),
  });
  return { status: res.statusCode, body: res.json() };
}

/** A customer with a verified domain and a php site `web` on it, serving hello.txt through the edge. */
async function siteOf(customer: TestCustomer): Promise<void> {
  const host = hostOf(customer);
  const domain = await panel.http(
    'POST',
    `/customers/${customer.id}/domains`,
    { name: host, dns: false, mail: false },
    customer.token,
  );
  expect(domain.status, JSON.stringify(domain.body)).toBe(201);
  await markVerified(panel, customer.id, host);
  const site = await panel.http(
    'POST',
    `/customers/${customer.id}/sites`,
    { name: 'web', template: 'php', domains: [host] },
    customer.token,
  );
  expect(site.status, JSON.stringify(site.body)).toBe(201);
  await writeFile(join(await volumePath(customer.id, 'web'), 'hello.txt'), `hello ${customer.id}\n`);
  await waitFor(
    `${host} answering through the edge`,
    async () => {
      const { status, body } = await throughEdge(host, '/hello.txt');
      if (status !== 200 || body !== `hello ${customer.id}\n`)
        throw new Error(`${status}: ${body.slice(0, 200)}`);
      return true;
    },
    { timeoutMs: 240_000 },
  );
}

beforeAll(async () => {
  expect(stack.HTTP_ADDR, 'stack env has HTTP_ADDR (the edge)').toBeTruthy();
  panel = await startPanel(FIRST_ID, platformInput);
  await panel.startWorker();
  const plan = await createPlan(panel, 'logs', { cpu: '4', databases: 0 });
  alpha = await createCustomer(panel.api, plan.id);
  beta = await createCustomer(panel.api, plan.id);
  await Promise.all([siteOf(alpha), siteOf(beta)]);
}, 600_000);

afterAll(async () => {
  for (const customer of [alpha, beta]) {
    if (!customer) continue;
    await panel?.http('DELETE', `/customers/${customer.id}`);
    await panel?.admin.delete(KINDS.Namespace, null, `cust-${customer.id}`).catch(() => undefined);
  }
  await panel?.close();
});

describe('site logs on the real node', () => {
  it(
    "shows a request made through the edge a moment ago, and no line of another customer's site",
    async () => {
      const mark = (c: TestCustomer) => `m-${c.id}-${Date.now().toString(36)}`;
      const markA = mark(alpha);
      const markB = mark(beta);
      expect((await throughEdge(hostOf(alpha), `/hello.txt?${markA}`)).status).toBe(200);
      expect((await throughEdge(hostOf(beta), `/hello.txt?${markB}`)).status).toBe(200);

      const seen = async (customer: TestCustomer, marker: string) =>
        waitFor(
          `${marker} in the logs of customer ${customer.id}`,
          async () => {
            const res = await logs(customer, 'since=10m&tail=500');
            expect(res.status, JSON.stringify(res.body)).toBe(200);
            const items = res.body.items as LogLine[];
            // The site's nginx wrote it, and the edge's access log has it for the site's host.
            const from = (container: string) =>
              items.some((l) => l.container === container && l.message.includes(marker));
            return from('nginx') && from('edge') ? items : undefined;
          },
          60_000,
        );
      const alphaLines = await seen(alpha, markA);
      const betaLines = await seen(beta, markB);

      const line = alphaLines.find((l) => l.container === 'nginx' && l.message.includes(markA)) as LogLine;
      expect(line.message).toContain(`"GET /hello.txt?${markA} HTTP/1.1" 200`);
      expect(Date.now() - Date.parse(line.time)).toBeLessThan(120_000);
      const edge = alphaLines.find((l) => l.container === 'edge' && l.message.includes(markA)) as LogLine;
      expect(edge.message).toContain(`${hostOf(alpha)} "GET /hello.txt?${markA} HTTP/1.1" 200`);
      expect(edge.pod).toBe('edge');
      // Only the customer's own pods, in time order, and not one line of the other site.
      const podsOf = async (c: TestCustomer) =>
        (await panel.admin.list(KINDS.Pod, `cust-${c.id}`, 'hostplane.io/site=web')).map(
          (p) => p.metadata.name,
        );
      const alphaPods = await podsOf(alpha);
      for (const l of alphaLines) expect([...alphaPods, 'edge']).toContain(l.pod);
      expect(alphaLines.map((l) => l.time)).toEqual(alphaLines.map((l) => l.time).sort());
      expect(alphaLines.some((l) => l.message.includes(markB) || l.message.includes(hostOf(beta)))).toBe(
        false,
      );
      expect(betaLines.some((l) => l.message.includes(markA) || l.message.includes(hostOf(alpha)))).toBe(
        false,
      );

      // The newest N, one container, a window: what the query says.
      const one = await logs(alpha, 'tail=1&container=nginx');
      expect(one.body.items).toHaveLength(1);
      expect(one.body.items[0].container).toBe('nginx');
      const edgeOnly = await logs(alpha, 'tail=50&container=edge');
      expect(edgeOnly.body.items.length).toBeGreaterThan(0);
      for (const l of edgeOnly.body.items as LogLine[]) expect(l.message).toContain(hostOf(alpha));
      const later = await logs(alpha, `since=${new Date(Date.now() + 3_600_000).toISOString()}`);
      expect(later.body.items).toEqual([]);
      // Another customer's token: the site does not exist for it.
      expect((await logs(alpha, 'tail=5', beta.token)).status).toBe(404);
      const bad = await logs(alpha, 'since=yesterday');
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0].path).toBe('since');
    },
    SLOW,
  );

  it(
    'follow mode delivers a line written after it started, and ends when the client goes',
    async () => {
      await panel.api.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = panel.api.app.server.address() as AddressInfo;
      const stop = new AbortController();
      const res = await fetch(
        `http://127.0.0.1:${port}/api/v1/customers/${alpha.id}/sites/web/logs?follow=true&tail=1`,
        { headers: bearer(alpha.token), signal: stop.signal },
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      const lines: LogLine[] = [];
      const reader = res.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>;
      const decoder = new TextDecoder();
      let rest = '';
      const reading = (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          rest += decoder.decode(value, { stream: true });
          const parts = rest.split('\n');
          rest = parts.pop() ?? '';
          for (const part of parts) if (part) lines.push(JSON.parse(part));
        }
      })().catch((error: Error) => error);
      // The recent line first: the stream is attached to the site's nginx.
      await waitFor('the recent line', async () => (lines.length > 0 ? true : undefined), 60_000);
      const marker = `follow-${Date.now().toString(36)}`;
      expect((await throughEdge(hostOf(alpha), `/hello.txt?${marker}`)).status).toBe(200);
      // Both the site's nginx and the edge deliver it while the stream is open.
      await waitFor(
        `${marker} followed from nginx and the edge`,
        async () => {
          const from = new Set(lines.filter((l) => l.message.includes(marker)).map((l) => l.container));
          return from.has('nginx') && from.has('edge') ? true : undefined;
        },
        60_000,
      );
      expect(lines.every((l) => !l.message.includes(hostOf(beta)))).toBe(true);
      stop.abort();
      expect(await reading).toBeInstanceOf(Error);
    },
    SLOW,
  );
});

// The mail entry points of the edge on the real node (issue 13), registered by
// tests/mail-cluster.node.test.ts on its one install of the production dns, mail and ingress steps of
// `hostplane bootstrap` (same renderer, same images), Traefik's mail and DNS entry points bound on the
// node by hostPorts (EDGE_HOST_PORTS, bootstrap.edge.hostPorts). A client on the host with its own
// address (CLIENT_IP, added to this network namespace's loopback: not the node's, not a pod's) talks to
// the node's address only, as an outside client would:
// - SMTP to Traefik's smtp entry point delivers to a mailbox; IMAP (STARTTLS) and IMAPS through
//   Traefik's imap/imaps entry points show the message;
// - Postfix's log and the message's Received header show CLIENT_IP (Traefik's PROXY v2 header), not
//   Traefik's pod address; Rspamd checks SPF against CLIENT_IP;
// - a pod of a tenant namespace that sends a PROXY header straight to Postfix's or Dovecot's PROXY
//   listeners gets no connection (the NetworkPolicies admit ingress-system only), while the same pod
//   reaches the internal submission port: the refusal is the policy, seen on the wire.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { KubeObject } from '@hostplane/domain';
import { NETTEST_IMAGE, REAL_NODE_IP } from '@hostplane/localstack';
import type { BootstrapConfig } from '@hostplane/platform';
import { KINDS, type KubeHttpClient } from '@hostplane/provisioner-k8s';
import type { MysqlMailDatabase } from '@hostplane/provisioner-mail';
import { dropElsewhere, hostElsewhere, type StackEnv, waitFor } from '@hostplane/testing';
import { Exec, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createZone,
  type MailCluster,
  mailSystemLog,
  newMailbox,
  type Obj,
  provisionMailDomain,
  run,
} from '../support/mail-cluster.ts';
import { digAt, type ImapEntryPoint, imapMessageAt, swaksAt } from '../support/mail-edge.ts';

const SLOW = 900_000;
const tag = randomBytes(3).toString('hex');
const mailDomainName = `edge-mail-${tag}.test`;
const senderDomain = `edge-sender-${tag}.test`;
/** The outside client's own address (TEST-NET-2), on this network namespace's loopback. */
const CLIENT_IP = '198.51.100.61';
/** Traefik's entry points on the node (hostPorts): not the stack's own edge/mail ports. */
export const EDGE_HOST_PORTS = {
  web: 21080,
  websecure: 21443,
  mail: { smtp: 21025, imap: 21143, imaps: 21993 },
  dns: 21053,
};
const TENANT_NS = `cust-edge-${tag}`;
const zone = `edge-dns-${tag}.test`;
const figures: Record<string, number> = {};

let cluster: MailCluster;
let env: StackEnv;
let kube: KubeHttpClient;
let config: BootstrapConfig;
let db: MysqlMailDatabase | undefined;
let addedClientIp = false;
const ann = newMailbox('ann', mailDomainName);

/** swaks from CLIENT_IP to Traefik's smtp entry point on the node (no PROXY header: Traefik adds it). */
const swaksThroughEdge = (args: string[]): Promise<string> =>
  swaksAt(`${REAL_NODE_IP}:${EDGE_HOST_PORTS.mail.smtp}`, args, CLIENT_IP);

/** One of Traefik's IMAP entry points on the node, from CLIENT_IP, trusting the mail certificate. */
const imapEntryPoint = (scheme: 'imap' | 'imaps'): ImapEntryPoint => ({
  addr: `${REAL_NODE_IP}:${scheme === 'imap' ? EDGE_HOST_PORTS.mail.imap : EDGE_HOST_PORTS.mail.imaps}`,
  scheme,
  mailHost: config.bootstrap.hosts.mail,
  caFile: cluster.caFile,
  localInterface: CLIENT_IP,
});

const imapMessage = (scheme: 'imap' | 'imaps', subject: string): Promise<string> =>
  imapMessageAt(imapEntryPoint(scheme), ann, subject, ['INBOX', 'Junk']);

export function edgeEntrypointsSuite(installed: () => MailCluster): void {
  describe('the mail and DNS entry points of the edge (edge-entrypoints)', () => {
    beforeAll(async () => {
      cluster = installed();
      ({ env, kube, config } = cluster);
      const { stdout } = await run('ip', ['-o', 'addr', 'show', 'dev', 'lo']);
      if (!stdout.includes(`${CLIENT_IP}/32`)) {
        await run('ip', ['addr', 'add', `${CLIENT_IP}/32`, 'dev', 'lo']);
        addedClientIp = true;
      }
      ({ db } = await provisionMailDomain(
        cluster,
        mailDomainName,
        `hp${tag}`,
        [ann],
        910_000 + (process.pid % 10_000),
      ));
      // The sender's domain in the stack's local internet, its SPF naming the client's own address.
      await hostElsewhere(env, senderDomain, [
        { name: `mx.${senderDomain}`, type: 'A', records: [CLIENT_IP] },
        { name: senderDomain, type: 'MX', records: [`10 mx.${senderDomain}.`] },
        { name: senderDomain, type: 'TXT', records: [`"v=spf1 ip4:${CLIENT_IP} -all"`] },
      ]);
    }, SLOW);

    afterAll(async () => {
      process.stdout.write(`edge-entrypoints figures: ${JSON.stringify(figures)}\n`);
      await db?.close();
      if (env) await dropElsewhere(env, senderDomain).catch(() => undefined);
      if (kube) await kube.delete(KINDS.Namespace, '', TENANT_NS).catch(() => undefined);
      if (addedClientIp)
        await run('ip', ['addr', 'del', `${CLIENT_IP}/32`, 'dev', 'lo']).catch(() => undefined);
    }, SLOW);

    describe('mail through the in-cluster Traefik on the real node', () => {
      it("delivers SMTP from Traefik's smtp entry point; Postfix, the Received header and Rspamd see the client's address", async () => {
        const [traefik]: Obj[] = await kube.list(
          KINDS.Pod,
          'ingress-system',
          'app.kubernetes.io/name=traefik',
        );
        const traefikIp: string = traefik.status.podIP;
        expect(traefikIp).toBeTruthy();
        const subject = `through the edge ${tag}`;
        const started = Date.now();
        const out = await swaksThroughEdge([
          '--helo',
          `mx.${senderDomain}`,
          '--from',
          `someone@${senderDomain}`,
          '--to',
          ann.address,
          '--header',
          `Subject: ${subject}`,
          '--header',
          `Message-Id: <${tag}.edge@mx.${senderDomain}>`,
          '--body',
          'hello through traefik',
        ]);
        figures.smtpAcceptedSeconds = (Date.now() - started) / 1000;
        expect(out).toMatch(/<-\s+250 2\.0\.0 Ok: queued/);

        // IMAP with STARTTLS through Traefik's imap entry point: the message is there.
        const message = await imapMessage('imap', subject);
        figures.deliveredSeconds = (Date.now() - started) / 1000;
        expect(message).toContain('hello through traefik');
        // Postfix's Received header names the client's own address, not Traefik's pod.
        const headers = message.split(/\r?\n\r?\n/)[0] ?? '';
        process.stdout.write(`edge-entrypoints message headers:\n${headers}\n`);
        const ip = (a: string) => a.replaceAll('.', '\\.');
        expect(headers).toMatch(
          new RegExp(`Received: from mx\\.${ip(senderDomain)} \\([^)]*\\[${ip(CLIENT_IP)}\\]\\)`),
        );
        expect(headers).not.toContain(`[${traefikIp}]`);
        // Rspamd scored the message as coming from the client's address (its task log names the IP).
        const queueId = /^X-Rspamd-Queue-Id: (\S+)/m.exec(headers)?.[1];
        expect(queueId).toBeTruthy();
        const rspamdLog = await mailSystemLog(cluster, 'deployment/rspamd', 'rspamd');
        const scored = rspamdLog.split('\n').find((l) => l.includes(`qid: <${queueId}>`));
        expect(scored, rspamdLog.slice(-2000)).toContain(`ip: ${CLIENT_IP}`);

        // Postfix's log (the container's stdout) names the client's address for this connection.
        const log = await mailSystemLog(cluster, 'statefulset/postfix');
        expect(log).toContain(`CONNECT from [${CLIENT_IP}]`);
        // Traefik's pod shows up only as the PROXY header's destination ("to [pod]:2525"), never as a client.
        expect(log).not.toContain(`from [${traefikIp}]`);
        expect(log).not.toContain(`unknown[${traefikIp}]`);

        // IMAPS (TLS on connect) through Traefik's imaps entry point shows it too.
        expect(await imapMessage('imaps', subject)).toContain('hello through traefik');
      }, 240_000);

      it("refuses a PROXY header sent straight to Postfix's and Dovecot's listeners from a tenant pod", async () => {
        const kc = new KubeConfig();
        kc.loadFromFile(env.KUBECONFIG);
        const exec = new Exec(kc);
        await kube.apply({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: TENANT_NS,
            labels: { tenant: 'true', 'pod-security.kubernetes.io/enforce': 'restricted' },
          },
        } as KubeObject);
        await kube.apply({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'forger', namespace: TENANT_NS, labels: { 'hostplane.test/edge-mail': tag } },
          spec: {
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 0,
            containers: [
              {
                name: 'main',
                image: NETTEST_IMAGE,
                imagePullPolicy: 'IfNotPresent',
                command: ['/bin/bash', '-c', 'exec sleep infinity'],
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: 10001,
                  runAsGroup: 10001,
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                resources: {
                  requests: { cpu: '5m', memory: '16Mi' },
                  limits: { cpu: '100m', memory: '64Mi' },
                },
              },
            ],
          },
        } as KubeObject);
        await waitFor(
          'the tenant pod running',
          async () => {
            const pod: Obj = await kube.get(KINDS.Pod, TENANT_NS, 'forger');
            return pod?.status?.containerStatuses?.[0]?.ready === true;
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        );
        const exchange = (command: string): Promise<string> =>
          new Promise((resolve, reject) => {
            let out = '';
            const sink = new Writable({
              write(chunk, _enc, cb) {
                out += chunk.toString();
                cb();
              },
            });
            const timer = setTimeout(() => reject(new Error('exec timed out')), 30_000);
            exec
              .exec(TENANT_NS, 'forger', 'main', ['bash', '-c', command], sink, sink, null, false, () => {
                clearTimeout(timer);
                setImmediate(() => resolve(out));
              })
              .catch((error) => {
                clearTimeout(timer);
                reject(error);
              });
          });
        const [postfix]: Obj[] = await kube.list(KINDS.Pod, 'mail-system', 'app.kubernetes.io/name=postfix');
        const [dovecot]: Obj[] = await kube.list(KINDS.Pod, 'mail-system', 'app.kubernetes.io/name=dovecot');
        /** A PROXY v1 header claiming 192.0.2.66, then whatever the server says first (its banner). */
        const forge = (ip: string, port: number) =>
          exchange(
            `printf 'PROXY TCP4 192.0.2.66 ${ip} 40000 ${port}\\r\\n' | timeout 8 socat -T3 - TCP:${ip}:${port},connect-timeout=2; echo "exit=$?"`,
          );
        // Control: the same pod reaches Postfix's internal submission port (tenants' sites submit there).
        const control = await exchange(
          `timeout 8 socat -T3 - TCP:${postfix.status.podIP}:10587,connect-timeout=2 </dev/null; echo "exit=$?"`,
        );
        expect(control).toMatch(/^220 /m);
        for (const [name, ip, port] of [
          ['postfix smtp', postfix.status.podIP, 25],
          ['postfix submission', postfix.status.podIP, 587],
          ['dovecot imap', dovecot.status.podIP, 143],
        ] as const) {
          const answer = await forge(ip, port);
          // No banner, no connection: the SYN is dropped by the policy (socat's connect times out).
          expect(answer, name).not.toMatch(/^(220|\* OK)/m);
          expect(answer, name).toMatch(/exit=(1|124)/);
        }
      }, 180_000);
    });

    describe("the DNS entry point: PowerDNS through Traefik's dns-udp/dns-tcp entry points", () => {
      it("answers a customer's records over UDP and TCP at the node's address", async () => {
        // A customer's zone, created through the in-cluster PowerDNS API as the panel's DNS target does.
        const res = await createZone(cluster, zone, [
          { name: `www.${zone}.`, type: 'A', content: '192.0.2.43' },
          { name: `${zone}.`, type: 'MX', content: `10 mx.${zone}.` },
        ]);
        expect(res.status, await res.clone().text()).toBe(201);
        const dnsEntryPoint = `${REAL_NODE_IP}:${EDGE_HOST_PORTS.dns}`;
        const dig = (transport: '+notcp' | '+tcp', name: string, type: string) =>
          digAt(dnsEntryPoint, name, type, transport);
        const started = Date.now();
        // Either replica answers behind the route; the one whose API did not create the zone learns it at
        // its next zone-cache refresh (10 s): both transports agree once both replicas know it.
        await waitFor(
          `www.${zone} A over UDP and TCP through the edge`,
          async () => {
            for (const transport of ['+notcp', '+tcp'] as const) {
              for (let i = 0; i < 4; i++)
                if ((await dig(transport, `www.${zone}`, 'A')) !== '192.0.2.43') return false;
            }
            return true;
          },
          { timeoutMs: 60_000, intervalMs: 1_000 },
        );
        figures.zoneThroughEdgeSeconds = (Date.now() - started) / 1000;
        expect(await dig('+notcp', zone, 'MX')).toBe(`10 mx.${zone}.`);
        expect(await dig('+tcp', zone, 'MX')).toBe(`10 mx.${zone}.`);
        // The answer is authoritative (PowerDNS itself, not a resolver): the aa flag over both transports.
        for (const transport of ['+notcp', '+tcp']) {
          const { stdout } = await run('dig', [
            `@${REAL_NODE_IP}`,
            '-p',
            String(EDGE_HOST_PORTS.dns),
            transport,
            `www.${zone}`,
            'A',
          ]);
          expect(stdout).toMatch(/flags: qr aa/);
        }
      }, 120_000);
    });
  });
}

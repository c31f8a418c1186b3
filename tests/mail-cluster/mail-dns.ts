// The cluster's DNS and mail on the real node (issue 14), registered by tests/mail-cluster.node.test.ts
// on its one install of the production dns-system and mail-system steps (and ingress-system, for the
// edge suite), applied onto the node and waited for as `bootstrap --apply` does. Real clients on the host reach them through
// their Services (kube-proxy's ClusterIPs), as Traefik's TCP routes would, PROXY header included:
// - dig returns the records of a zone created through the in-cluster PowerDNS API;
// - SMTP to the in-cluster Postfix delivers to a mailbox the panel's Mail target wrote into the
//   in-cluster mail DB, readable over IMAP (STARTTLS) from the in-cluster Dovecot;
// - the DKIM Secret the Mail target writes into mail-system reaches Rspamd through the dkim-sync
//   sidecar without a restart: a message submitted with SASL arrives signed, and the signature
//   verifies against the key published in the in-cluster PowerDNS.
// The webmail StatefulSet of mail-system: tests/mail-cluster/webmail.ts proves it.
// The install, the clients and the Mail target's wiring are shared (tests/support/mail-cluster.ts).
import { randomBytes } from 'node:crypto';
import { KINDS, type KubeHttpClient } from '@hostplane/provisioner-k8s';
import type { MysqlMailDatabase } from '@hostplane/provisioner-mail';
import { dropElsewhere, hostElsewhere, waitFor } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createZone,
  imapMessage as imapMessageOf,
  type MailCluster,
  newMailbox,
  type Obj,
  provisionMailDomain,
  clusterIp as serviceIp,
  swaks as swaksOf,
} from '../support/mail-cluster.ts';
import { digAt, dkimResults } from '../support/mail-edge.ts';

const SLOW = 900_000;
const tag = randomBytes(3).toString('hex');
const zone = `cluster-${tag}.test`;
const mailDomainName = `mail-${tag}.test`;
const selector = `hp${tag}`;
/** The outside sender's domain, hosted in the stack's local internet (Rspamd checks it like any other). */
const senderDomain = `sender-${tag}.test`;
const SENDER_IP = '198.51.100.7';
const figures: Record<string, number> = {};

let cluster: MailCluster;
let kube: KubeHttpClient;

/** `dig +short` straight at one PowerDNS replica (its pod address, port 1053). */
const digReplica = (pod: Obj, name: string, type: string): Promise<string> =>
  digAt(`${pod.status.podIP}:1053`, name, type);

/** The ClusterIP of a Service (kube-proxy on the node forwards it to the pods). */
const clusterIp = (ns: string, name: string) => serviceIp(kube, ns, name);

export function mailDnsSuite(installed: () => MailCluster): void {
  describe("the cluster's DNS and mail (mail-dns-cluster)", () => {
    beforeAll(() => {
      cluster = installed();
      ({ kube } = cluster);
    });

    afterAll(async () => {
      process.stdout.write(`mail-dns-cluster figures: ${JSON.stringify(figures)}\n`);
      if (cluster) await dropElsewhere(cluster.env, senderDomain).catch(() => undefined);
    }, SLOW);

    describe('dns-system on the real node', () => {
      it('answers dig with the records of a zone created through its API', async () => {
        const res = await createZone(cluster, zone, [
          { name: `www.${zone}.`, type: 'A', content: '192.0.2.41' },
          { name: `${zone}.`, type: 'MX', content: `10 mx.${zone}.` },
        ]);
        expect(res.status, await res.clone().text()).toBe(201);
        const dnsService = `${await clusterIp('dns-system', 'pdns')}:53`;
        const dig = (name: string, type: string) => digAt(dnsService, name, type);
        // Through the Service: either replica answers (one learns the new zone at its next zone-cache refresh).
        const started = Date.now();
        await waitFor(
          `www.${zone} A and ${zone} MX from the in-cluster PowerDNS`,
          async () =>
            (await dig(`www.${zone}`, 'A')) === '192.0.2.41' && (await dig(zone, 'MX')) === `10 mx.${zone}.`,
          { timeoutMs: 45_000, intervalMs: 1_000 },
        );
        figures.zoneServedSeconds = (Date.now() - started) / 1000;
        // Both replicas answer (the Service spreads queries; each reads the same MariaDB).
        const pods: Obj[] = await kube.list(KINDS.Pod, 'dns-system', 'app.kubernetes.io/name=pdns');
        expect(pods.filter((p) => p.status.containerStatuses?.[0]?.ready)).toHaveLength(2);
        // The replica whose API did not create the zone learns it at its next zone-cache refresh (10 s).
        for (const pod of pods) {
          const started = Date.now();
          await waitFor(
            `www.${zone} A from ${pod.metadata.name}`,
            async () => (await digReplica(pod, `www.${zone}`, 'A')).trim() === '192.0.2.41',
            { timeoutMs: 45_000, intervalMs: 1_000 },
          );
          figures.zoneOnReplicaSeconds = Math.max(
            figures.zoneOnReplicaSeconds ?? 0,
            (Date.now() - started) / 1000,
          );
        }
      });
    });

    describe('mail-system on the real node', () => {
      const ann = newMailbox('ann', mailDomainName);
      const bob = newMailbox('bob', mailDomainName);
      let db: MysqlMailDatabase;
      let publicKey = '';
      let rspamdPod: Obj;

      beforeAll(async () => {
        [rspamdPod] = await kube.list(KINDS.Pod, 'mail-system', 'app.kubernetes.io/name=rspamd');
        // The panel's Mail target, wired as in the cluster: the mail DB, DKIM Secrets in mail-system, the
        // rspamd-maps ConfigMap (identities and send limits).
        ({ db, publicKey } = await provisionMailDomain(cluster, mailDomainName, selector, [ann, bob]));
      }, SLOW);

      afterAll(async () => {
        await db?.close();
      });

      const swaks = (port: number, args: string[]) => swaksOf(cluster, port, args, SENDER_IP);
      const imapMessage = (user: typeof ann, subject: string, folders?: string[]) =>
        imapMessageOf(cluster, user, subject, folders);

      it('delivers mail sent over SMTP to a mailbox readable over IMAP', async () => {
        const subject = `inbound ${tag}`;
        // The sender's domain exists in the local internet, with its MX host and an SPF record naming the
        // address the PROXY header carries: Rspamd's checks resolve it through the cluster DNS.
        await hostElsewhere(cluster.env, senderDomain, [
          { name: `mx.${senderDomain}`, type: 'A', records: [SENDER_IP] },
          { name: senderDomain, type: 'MX', records: [`10 mx.${senderDomain}.`] },
          { name: senderDomain, type: 'TXT', records: [`"v=spf1 ip4:${SENDER_IP} -all"`] },
          { name: `_dmarc.${senderDomain}`, type: 'TXT', records: ['"v=DMARC1; p=reject"'] },
        ]);
        const started = Date.now();
        const out = await swaks(25, [
          '--helo',
          `mx.${senderDomain}`,
          '--from',
          `someone@${senderDomain}`,
          '--header',
          `Message-Id: <${tag}.inbound@mx.${senderDomain}>`,
          '--to',
          ann.address,
          '--header',
          `Subject: ${subject}`,
          '--add-header',
          'MIME-Version: 1.0',
          '--add-header',
          'Content-Type: text/plain; charset=utf-8',
          '--body',
          'hello from outside',
        ]);
        figures.inboundAcceptedSeconds = (Date.now() - started) / 1000;
        expect(out).toMatch(/<-\s+250 2\.0\.0 Ok: queued/);
        // Rspamd scores this sender (no PTR in the local internet) high enough for the spam Sieve script to
        // file it into Junk (issue 17's thresholds): the mailbox has it either way.
        const message = await imapMessage(ann, subject, ['INBOX', 'Junk']);
        expect(message).toContain('hello from outside');
      }, 180_000);

      it('signs submitted mail with the key of the DKIM Secret, picked up by Rspamd without a restart', async () => {
        // The Secret the Mail target wrote, as dkim-sync lays it out for Rspamd.
        const secrets: Obj[] = await kube.list(
          KINDS.Secret,
          'mail-system',
          `hostplane.io/dkim-domain=${mailDomainName}`,
        );
        expect(secrets).toHaveLength(1);
        // The public key, published in the in-cluster PowerDNS (what the DNS target does for a customer).
        const created = await createZone(cluster, mailDomainName, [
          {
            name: `${selector}._domainkey.${mailDomainName}.`,
            type: 'TXT',
            content: `"v=DKIM1; k=rsa; p=${publicKey}"`,
          },
        ]);
        expect(created.status, await created.clone().text()).toBe(201);
        // Both replicas serve the new zone (zone-cache refresh) before a verifier asks either of them.
        const txtPods: Obj[] = await kube.list(KINDS.Pod, 'dns-system', 'app.kubernetes.io/name=pdns');
        for (const pod of txtPods) {
          await waitFor(
            `the DKIM TXT from ${pod.metadata.name}`,
            async () =>
              (await digReplica(pod, `${selector}._domainkey.${mailDomainName}`, 'TXT')).includes('v=DKIM1'),
            { timeoutMs: 45_000, intervalMs: 1_000 },
          );
        }

        const subject = `signed ${tag}`;
        // Rspamd reads the selector map when dkim-sync has written it (map_watch_interval): poll by sending.
        const message = await waitFor(
          "a signed message in bob's INBOX",
          async () => {
            const attempt = `${subject} ${Date.now()}`;
            await swaks(587, [
              '--from',
              ann.address,
              '--to',
              bob.address,
              '--header',
              `Subject: ${attempt}`,
              '--header',
              `From: <${ann.address}>`,
              '--body',
              'signed in the cluster',
              '--tls',
              '--auth',
              'PLAIN',
              '--auth-user',
              ann.address,
              '--auth-password',
              ann.password,
            ]);
            const got = await imapMessage(bob, attempt);
            return /^DKIM-Signature:/im.test(got) ? got : undefined;
          },
          { timeoutMs: 120_000, intervalMs: 5_000 },
        );
        const header = /^DKIM-Signature:.*(?:\r?\n[ \t].*)*/im.exec(message)?.[0] ?? '';
        expect(header).toContain(`d=${mailDomainName}`);
        expect(header).toContain(`s=${selector}`);

        expect(await dkimResults(message, await clusterIp('dns-system', 'pdns'))).toEqual([
          [mailDomainName, selector, 'pass'],
        ]);

        // Picked up without a restart: the same pod, no container restarted.
        const [after]: Obj[] = await kube.list(KINDS.Pod, 'mail-system', 'app.kubernetes.io/name=rspamd');
        expect(after.metadata.uid).toBe(rspamdPod.metadata.uid);
        expect(after.status.containerStatuses.map((c: Obj) => c.restartCount)).toEqual([0, 0]);
      }, 240_000);
    });
  });
}

import type { KubeObject } from '@hostplane/domain';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseBootstrapConfig } from '../config/bootstrap-schema.ts';
import { renderDovecot } from '../dovecot/index.ts';
import { VELERO_AWS_PLUGIN_IMAGE, VELERO_IMAGE } from '../velero/version.ts';
import {
  clusterDovecotFiles,
  clusterPdnsConf,
  clusterPostfixFiles,
  clusterRspamdFiles,
  renderBootstrap,
  rspamdControllerPassword,
  stepToYaml,
} from './index.ts';
import { clusterDoveadm, doveadmApiKey, mailSystem } from './mail.ts';

const secrets = Object.fromEntries(
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
);
const input = {
  bootstrap: {
    hosts: { panel: 'panel.example.net', mail: 'mail.example.net' },
    acme: { email: 'hostmaster@example.net' },
    backup: { bucket: 'backups', accessKeyId: 'AKIA', secretAccessKey: 'shh' },
    secrets,
  },
};
const config = parseBootstrapConfig(input);
const steps = renderBootstrap(config);
const all = steps.flatMap((s) => s.objects);
// biome-ignore lint/suspicious/noExplicitAny: tests read deep manifest fields without retyping each kind
type Manifest = Record<string, any>;
const find = (kind: string, name: string): Manifest => {
  const found = all.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} not rendered`);
  return found;
};
const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

describe('renderBootstrap', () => {
  it('has every system namespace of DESIGN.md §1, in order, numbered', () => {
    expect(steps.map((s) => s.file)).toEqual([
      '01-storage-system.yaml',
      '02-dns-system.yaml',
      '03-mail-system.yaml',
      '04-ingress-system.yaml',
      '05-backup-system.yaml',
      '06-monitoring-system.yaml',
      '07-panel-system.yaml',
    ]);
    for (const step of steps)
      expect(step.objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: step.namespace } });
  });

  it('is deterministic: the same config renders the same bytes', () => {
    const again = renderBootstrap(parseBootstrapConfig(structuredClone(input)));
    expect(again.map(stepToYaml)).toEqual(steps.map(stepToYaml));
  });

  it('each file is valid multi-document YAML of the step objects', () => {
    for (const step of steps) {
      const docs = parseAllDocuments(stepToYaml(step)).map((d) => d.toJSON());
      expect(docs).toEqual(step.objects);
    }
  });

  it.each([
    ['storage-system', 'privileged'],
    ['dns-system', 'restricted'],
    ['mail-system', 'baseline'],
    ['ingress-system', 'restricted'],
    ['backup-system', 'privileged'],
    ['monitoring-system', 'privileged'],
    ['panel-system', 'restricted'],
  ])('%s enforces Pod Security %s and says why', (name, level) => {
    const ns = find('Namespace', name);
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe(level);
    expect(ns.metadata.labels['pod-security.kubernetes.io/warn']).toBe('restricted');
    expect(ns.metadata.annotations['hostplane.io/pod-security-reason']).toMatch(/\w+/);
  });

  it('pods in restricted namespaces run as non-root with no capabilities and RuntimeDefault seccomp', () => {
    const restricted = new Set(['dns-system', 'panel-system']);
    const workloads = all.filter(
      (o) => ['Deployment', 'StatefulSet'].includes(o.kind) && restricted.has(o.metadata.namespace ?? ''),
    );
    expect(workloads.length).toBeGreaterThan(4);
    for (const w of workloads) {
      const pod = (w as Manifest).spec.template.spec;
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])])
        expect(c.securityContext, `${w.metadata.name}/${c.name}`).toMatchObject({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
    }
  });

  it('pins every chart version and image tag', () => {
    const charts = all.filter((o) => o.kind === 'HelmChart');
    expect(charts.map((c) => c.metadata.name).sort()).toEqual(['kube-prometheus-stack', 'longhorn']);
    for (const c of charts) expect((c as Manifest).spec.version).toMatch(/^v?\d+\.\d+\.\d+$/);
    const images = JSON.stringify(all).match(/"image":"[^"]+"/g) ?? [];
    expect(images.length).toBeGreaterThan(8);
    for (const image of images) expect(image).toMatch(/:[^":]*\d[^":]*"$/);
  });
});

describe('the same renderers as the local stack', () => {
  it('the dns-system ConfigMap is renderPdnsConf output, with no secret in it', () => {
    const conf = find('ConfigMap', 'pdns-config').data['pdns.conf'];
    expect(conf).toBe(clusterPdnsConf(config));
    expect(conf.startsWith('# Rendered by @hostplane/platform (pdns/render.ts)')).toBe(true);
    expect(conf).not.toContain(secrets.pdnsApiKey);
    expect(decode(find('Secret', 'pdns').data['api-key'])).toBe(secrets.pdnsApiKey);
    // The key reaches PowerDNS through a settings file of the Secret, never argv or the environment.
    const pdns = find('Deployment', 'pdns').spec.template.spec;
    const args: string[] = pdns.containers[0].args;
    expect(args).toContain('--include-dir=/etc/pdns-secret');
    expect(JSON.stringify(pdns)).not.toContain('PDNS_API_KEY');
    expect(args.join(' ')).not.toMatch(/api-key|password/);
    expect(decode(find('Secret', 'pdns').data['secrets.conf'])).toBe(
      `api-key=${secrets.pdnsApiKey}\ngmysql-password=${secrets.pdnsDbPassword}\n`,
    );
  });

  it('Postfix, Dovecot and Rspamd files come from the mail renderers with target cluster', () => {
    const postfix = clusterPostfixFiles(config);
    expect(find('ConfigMap', 'postfix-config').data['main.cf']).toBe(
      postfix.find((f) => f.name === 'main.cf')?.content,
    );
    expect(find('ConfigMap', 'postfix-config').data['main.cf']).toContain('target "cluster"');
    for (const map of postfix.filter((f) => f.sensitive))
      expect(decode(find('Secret', 'postfix-maps').data[map.name])).toBe(map.content);
    const dovecot = clusterDovecotFiles(config);
    expect(find('ConfigMap', 'dovecot-config').data['dovecot.conf']).toBe(dovecot[0]?.content);
    // Beside the renderer's files: the Rspamd controller password the learning program reads.
    expect(dovecot.filter((f) => f.name !== 'rspamd-controller.pass')).toEqual(
      renderDovecot({ ...dovecotInput() }),
    );
    // The Sieve dict's credentials travel in the Secret beside the SQL file (mounted at /etc/dovecot/sql).
    const dict = dovecot.find((f) => f.name === 'dovecot-dict-sieve.conf.ext');
    expect(decode(find('Secret', 'dovecot-sql').data['dovecot-dict-sieve.conf.ext'])).toBe(dict?.content);
    expect(postfix.find((f) => f.name === 'master.cf')?.content).toContain('-o mynetworks=');
    const rspamd = clusterRspamdFiles(config);
    for (const file of rspamd.filter((f) => !f.sensitive))
      expect(find('ConfigMap', 'rspamd-local-d').data[file.name.split('/').pop() ?? '']).toBe(file.content);
  });

  it('spam learning (issue 17): Dovecot pipes to the Rspamd controller with the password both sides share', () => {
    const password = rspamdControllerPassword(config);
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Rspamd: the controller file with its password is a Secret projected beside the ConfigMap.
    const controller = decode(find('Secret', 'rspamd-local-d').data['worker-controller.inc']);
    expect(controller).toContain(`password = "${password}";`);
    expect(find('ConfigMap', 'rspamd-local-d').data['worker-controller.inc']).toBeUndefined();
    const rspamdPod = find('Deployment', 'rspamd').spec.template.spec;
    expect(rspamdPod.volumes.find((v: { name: string }) => v.name === 'local-d').projected.sources).toEqual([
      { configMap: { name: 'rspamd-local-d' } },
      { secret: { name: 'rspamd-local-d' } },
    ]);
    // Dovecot: the password in its Secret (mounted at /etc/dovecot/sql), the program executable.
    expect(decode(find('Secret', 'dovecot-sql').data['rspamd-controller.pass'])).toBe(password);
    const conf = find('ConfigMap', 'dovecot-config').data['dovecot.conf'];
    expect(conf).toContain('mail_plugins = $mail_plugins imap_quota imap_sieve');
    expect(conf).toContain('sieve_pipe_bin_dir = /etc/dovecot/learn');
    const program = find('ConfigMap', 'dovecot-config').data['rspamd-learn'];
    expect(program).toContain('controller=rspamd.mail-system.svc.cluster.local:11334');
    expect(program).toContain("password=$(cat '/etc/dovecot/sql/rspamd-controller.pass')");
    const pod = find('StatefulSet', 'dovecot').spec.template.spec;
    expect(pod.volumes.find((v: { name: string }) => v.name === 'learn').configMap).toEqual({
      name: 'dovecot-config',
      defaultMode: 0o555,
      items: ['rspamd-learn', 'report-spam.sieve', 'report-ham.sieve'].map((f) => ({ key: f, path: f })),
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: 'learn',
      mountPath: '/etc/dovecot/learn',
      readOnly: true,
    });
  });

  it('mail ports reach Postfix and Dovecot through Traefik TCP routes with PROXY protocol v2', () => {
    expect(find('ServersTransportTCP', 'proxy-protocol').spec).toEqual({ proxyProtocol: { version: 2 } });
    const smtp = find('IngressRouteTCP', 'smtp');
    expect(smtp.spec.routes[0].services[0]).toEqual({
      name: 'postfix',
      port: 25,
      serversTransport: 'proxy-protocol',
    });
    const traefik = parse(find('ConfigMap', 'traefik').data['traefik.yaml']);
    expect(traefik.entryPoints.smtp).toEqual({ address: ':2525' });
    expect(find('Service', 'traefik').spec.ports).toContainEqual({
      name: 'smtp',
      port: 25,
      targetPort: 2525,
      protocol: 'TCP',
    });
    expect(traefik.certificatesResolvers.letsencrypt.acme.email).toBe('hostmaster@example.net');
  });

  it('tenant sites submit on an internal listener reachable from tenant namespaces only', () => {
    expect(find('Service', 'submission').spec.ports).toEqual([
      expect.objectContaining({ port: 587, targetPort: 10587 }),
    ]);
    const policy = find('NetworkPolicy', 'postfix-ingress').spec;
    expect(policy.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'postfix' } });
    // The PROXY-trusting public ports: from the edge only.
    expect(policy.ingress[0]).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-system' } } }],
      ports: [25, 587, 465].map((port) => ({ protocol: 'TCP', port })),
    });
    expect(policy.ingress[1]).toEqual({
      from: [{ namespaceSelector: { matchLabels: { tenant: 'true' } } }],
      ports: [{ protocol: 'TCP', port: 10587 }],
    });
    const master = clusterPostfixFiles(config).find((f) => f.name === 'master.cf')?.content ?? '';
    const internal = master.slice(master.indexOf('10587 '));
    expect(internal).toContain('-o smtpd_upstream_proxy_protocol=\n');
    expect(internal).toContain('-o smtpd_sasl_auth_enable=yes');
  });

  it("Dovecot's PROXY-trusting listeners are reachable from the edge only (and from mail-system)", () => {
    const policy = find('NetworkPolicy', 'dovecot-ingress').spec;
    expect(policy.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'dovecot' } });
    expect(policy.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-system' } } }],
        ports: [143, 993, 110, 995].map((port) => ({ protocol: 'TCP', port })),
      },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mail-system' } } }] },
      // doveadm's HTTP API (quota usage, mailbox backups): the panel only.
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'panel-system' } } }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
    ]);
  });

  it('greylisting is on unless bootstrap.mail.greylisting is false', () => {
    expect(find('ConfigMap', 'rspamd-local-d').data['greylist.conf']).toBeUndefined();
    const off = renderBootstrap(
      parseBootstrapConfig({ ...input, bootstrap: { ...input.bootstrap, mail: { greylisting: false } } }),
    ).flatMap((s) => s.objects);
    const localD = off.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'rspamd-local-d',
    ) as Manifest;
    expect(localD.data['greylist.conf']).toMatch(/^enabled = false;$/m);
  });

  it("Rspamd reads the sender-identity Lua and the panel's maps ConfigMap", () => {
    const pod = find('Deployment', 'rspamd').spec.template.spec;
    const mounts = pod.containers[0].volumeMounts;
    expect(mounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ mountPath: '/etc/rspamd/rspamd.local.lua', subPath: 'rspamd.local.lua' }),
        expect.objectContaining({ name: 'maps', mountPath: '/var/lib/rspamd/maps' }),
      ]),
    );
    expect(pod.volumes).toEqual(
      expect.arrayContaining([{ name: 'maps', configMap: { name: 'rspamd-maps', optional: true } }]),
    );
    expect(find('Role', 'hostplane-panel-mail').rules.map((r: Manifest) => r.resources[0])).toEqual([
      'secrets',
      'configmaps',
      'configmaps',
      'jobs',
    ]);
  });

  it('Velero: our own Deployment and node agent with Kopia, the AWS plugin, the S3 location from the config', () => {
    expect(all.some((o) => o.kind === 'HelmChart' && o.metadata.name === 'velero')).toBe(false);
    const server = find('Deployment', 'velero').spec.template.spec;
    expect(server.containers[0].image).toBe(VELERO_IMAGE);
    expect(server.containers[0].args).toEqual(expect.arrayContaining(['server', '--uploader-type=kopia']));
    expect(server.initContainers[0]).toMatchObject({
      name: 'velero-plugin-for-aws',
      image: VELERO_AWS_PLUGIN_IMAGE,
      volumeMounts: [{ name: 'plugins', mountPath: '/target' }],
    });
    const agent = find('DaemonSet', 'node-agent').spec.template.spec;
    expect(agent.containers[0]).toMatchObject({ image: VELERO_IMAGE, args: ['node-agent', 'server'] });
    expect(agent.volumes).toContainEqual({ name: 'host-pods', hostPath: { path: '/var/lib/kubelet/pods' } });
    expect(server.serviceAccountName).toBe('velero');
    expect(decode(find('Secret', 'velero-s3').data.cloud)).toContain('aws_access_key_id=AKIA');
  });

  it('platform backups cover the Maildir volume: a CronJob beside Dovecot archives its claim, read-only', () => {
    const job = find('CronJob', 'platform-maildir-backup');
    expect(job.metadata.namespace).toBe('mail-system');
    expect(job.spec.schedule).toBe('17 3 * * *');
    const pod = job.spec.jobTemplate.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 5000 });
    expect(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'dovecot' },
    });
    expect(pod.volumes).toContainEqual({
      name: 'maildirs',
      persistentVolumeClaim: { claimName: 'maildirs-dovecot-0', readOnly: true },
    });
    const [container] = pod.containers;
    expect(container.image).toBe(config.bootstrap.systemImages.panel);
    expect(container.args).toEqual([
      'backup-platform',
      '--prefix',
      'platform/maildir',
      '--retention-days',
      '14',
    ]);
    expect(container.env).toContainEqual({ name: 'MAILDIR_ROOT', value: '/var/mail/vhosts' });
    expect(container.volumeMounts).toContainEqual({
      name: 'maildirs',
      mountPath: '/var/mail/vhosts',
      readOnly: true,
    });
    // Only the bucket's variables: no database is dumped from here.
    expect(Object.keys(find('Secret', 'platform-maildir-backup-env').data).sort()).toEqual([
      'S3_ACCESS_KEY',
      'S3_BUCKET',
      'S3_REGION',
      'S3_SECRET_KEY',
    ]);
  });

  it('platform backups dump the databases where the panel finds them: external ones included', () => {
    const backupEnv = (external: Record<string, unknown>) => {
      const rendered = renderBootstrap(
        parseBootstrapConfig({ bootstrap: { ...input.bootstrap, external } }),
      ).flatMap((s) => s.objects);
      const secretOf = (name: string) =>
        rendered.find((o) => o.kind === 'Secret' && o.metadata.name === name) as Manifest;
      const data = (name: string) =>
        Object.fromEntries(Object.entries(secretOf(name).data).map(([k, v]) => [k, decode(v as string)]));
      return {
        backup: data('platform-backup-env'),
        api: data('panel-env'),
        worker: data('panel-worker-env'),
      };
    };
    const panelDb = 'postgres://hostplane:managed-pw@db.example.net:5432/hostplane';
    const mailDb = 'mysql://mail:mail-pw@mail-db.example.net:3306/mail';
    const managed = backupEnv({ panelDatabaseUrl: panelDb, mailDatabaseUrl: mailDb });
    expect(managed.backup.DATABASE_URL).toBe(panelDb);
    expect(managed.backup.DATABASE_URL).toBe(managed.api.DATABASE_URL);
    expect(managed.backup.MAIL_DATABASE_URL).toBe(mailDb);
    expect(managed.backup.MAIL_DATABASE_URL).toBe(managed.worker.MAIL_DATABASE_URL);
    // PowerDNS outside: its database only when given, else the backup leaves it out (says `pdns: no`).
    const pdnsOutside = backupEnv({ pdnsApiUrl: 'http://pdns.example.net:8081' });
    expect(pdnsOutside.backup).not.toHaveProperty('PDNS_DATABASE_URL');
    const pdnsDb = 'mysql://pdns:pdns-pw@pdns-db.example.net:3306/pdns';
    expect(
      backupEnv({ pdnsApiUrl: 'http://pdns.example.net:8081', pdnsDatabaseUrl: pdnsDb }).backup
        .PDNS_DATABASE_URL,
    ).toBe(pdnsDb);
  });

  it('platform backups: a CronJob on the configured schedule runs backup-platform from the panel image', () => {
    const job = find('CronJob', 'platform-backup');
    expect(job.metadata.namespace).toBe('backup-system');
    expect(job.spec.schedule).toBe('17 3 * * *');
    const pod = job.spec.jobTemplate.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].image).toBe(config.bootstrap.systemImages.panel);
    expect(pod.containers[0].args).toEqual([
      'backup-platform',
      '--prefix',
      'platform',
      '--retention-days',
      '14',
    ]);
    const envSecret = find('Secret', 'platform-backup-env').data;
    expect(Object.keys(envSecret).sort()).toEqual([
      'DATABASE_URL',
      'MAIL_DATABASE_URL',
      'PDNS_DATABASE_URL',
      'S3_ACCESS_KEY',
      'S3_BUCKET',
      'S3_REGION',
      'S3_SECRET_KEY',
    ]);
    expect(decode(envSecret.PDNS_DATABASE_URL)).toBe(
      `mysql://pdns:${secrets.pdnsDbPassword}@pdns-db.dns-system.svc:3306/pdns`,
    );
    // Every variable comes from the Secret: no password in the CronJob itself.
    expect(JSON.stringify(job)).not.toContain(secrets.postgresPassword);
    const custom = parseBootstrapConfig({
      bootstrap: {
        ...input.bootstrap,
        backup: { ...input.bootstrap.backup, platform: { schedule: '0 */6 * * *' } },
      },
    });
    const customJob = renderBootstrap(custom)
      .flatMap((s) => s.objects)
      .find((o) => o.kind === 'CronJob' && o.metadata.name === 'platform-backup') as Manifest;
    expect(customJob.spec.schedule).toBe('0 */6 * * *');
    expect(() =>
      parseBootstrapConfig({
        bootstrap: {
          ...input.bootstrap,
          backup: { ...input.bootstrap.backup, platform: { schedule: 'daily' } },
        },
      }),
    ).toThrow(/bootstrap\.backup\.platform\.schedule/);
    expect(find('BackupStorageLocation', 'default').spec).toMatchObject({
      provider: 'aws',
      objectStorage: { bucket: 'backups' },
    });
    expect(find('Role', 'hostplane-panel-backups').metadata.namespace).toBe('backup-system');
  });

  it('the panel gets its ServiceAccount and RBAC from packages/platform/src/rbac', () => {
    expect(find('ServiceAccount', 'hostplane-panel').metadata.namespace).toBe('panel-system');
    expect(find('ClusterRole', 'hostplane-tenant')).toBeDefined();
    expect(find('ValidatingAdmissionPolicy', 'hostplane-panel-tenant-scope')).toBeDefined();
    // The API runs as its own service account with a token, bound to nothing at install: the worker
    // binds the read-only tenant reader role to it in each cust-* namespace; the worker holds the rights.
    expect(find('Deployment', 'panel').spec.template.spec.serviceAccountName).toBe('hostplane-panel-api');
    expect(find('ServiceAccount', 'hostplane-panel-api').automountServiceAccountToken).toBe(true);
    expect(find('ClusterRole', 'hostplane-tenant-reader')).toBeDefined();
    expect(find('Deployment', 'panel-worker').spec.template.spec.serviceAccountName).toBe('hostplane-panel');
    const bound = all
      .filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')
      .flatMap((o) => (o.subjects as { name: string }[]).map((s) => s.name));
    expect(bound).not.toContain('hostplane-panel-api');
    expect(find('ValidatingAdmissionPolicy', 'hostplane-panel-velero-scope')).toBeDefined();
    // Metrics and readiness on the internal port only; the Service reaches 8080.
    const api = find('Deployment', 'panel').spec.template.spec.containers[0];
    expect(api.readinessProbe.httpGet.port).toBe(9090);
    expect(api.args).toEqual(['serve', '--api-only']);
    expect(api.env.map((e: { name: string }) => e.name)).not.toContain('PDNS_API_KEY');
  });
});

describe('the worker and mail in customer backups', () => {
  const workerEnv = (c: typeof config) => {
    const secret = renderBootstrap(c)
      .flatMap((s) => s.objects)
      .find((o) => o.kind === 'Secret' && o.metadata.name === 'panel-worker-env') as Manifest;
    return Object.fromEntries(
      Object.entries({ ...secret.data, ...secret.stringData }).map(([k, v]) => [
        k,
        secret.stringData?.[k] ?? decode(v as string),
      ]),
    );
  };
  it('gets the backup bucket for zones always, and doveadm’s mail prefix when its API is configured', () => {
    // With mail in the install, the in-cluster Dovecot's doveadm API (its key derived from the panel's).
    expect(workerEnv(config)).toMatchObject({ CUSTOMER_MAIL_PREFIX: 'hostplane-customer-mail' });
    const apiEnv = renderBootstrap(config)
      .flatMap((s) => s.objects)
      .find((o) => o.kind === 'Secret' && o.metadata.name === 'panel-env') as Manifest;
    expect(decode(apiEnv.data.DOVEADM_API_URL)).toBe(clusterDoveadm(config).url);
    expect(clusterDoveadm(config).url).toBe('http://dovecot.mail-system.svc.cluster.local:8080');
    expect(decode(apiEnv.data.DOVEADM_API_KEY)).toBe(doveadmApiKey(config));
    const noMail = parseBootstrapConfig({
      ...input,
      bootstrap: { ...input.bootstrap, steps: ['dns', 'ingress', 'panel'] },
    });
    expect(Object.keys(workerEnv(noMail))).not.toContain('DOVEADM_API_URL');
    expect(Object.keys(workerEnv(noMail))).not.toContain('CUSTOMER_MAIL_PREFIX');
    // No backup-system in that install: the worker runs no Backup target (BACKUPS=off).
    expect(workerEnv(noMail).BACKUPS).toBe('off');
    expect(workerEnv(config).BACKUPS).toBeUndefined();
    expect(workerEnv(config)).toMatchObject({
      S3_BUCKET: 'backups',
      CUSTOMER_DNS_PREFIX: 'hostplane-customer-dns',
    });
    const withDoveadm = parseBootstrapConfig({
      bootstrap: {
        ...input.bootstrap,
        external: { doveadm: { url: 'http://dovecot.mail.example:8080', apiKey: 'doveadm-key-0123456789' } },
      },
    });
    expect(workerEnv(withDoveadm)).toMatchObject({
      S3_BUCKET: 'backups',
      S3_ACCESS_KEY: 'AKIA',
      S3_SECRET_KEY: 'shh',
      CUSTOMER_MAIL_PREFIX: 'hostplane-customer-mail',
    });
    // doveadm's address and key reach the worker once, from panel-env (which the API reads too): the
    // apiserver refuses a container whose env names a variable twice.
    const worker = renderBootstrap(withDoveadm)
      .flatMap((s) => s.objects)
      .find((o) => o.kind === 'Deployment' && o.metadata.name === 'panel-worker') as Manifest;
    const names = (
      worker.spec as { template: { spec: { containers: { env: { name: string }[] }[] } } }
    ).template.spec.containers[0]!.env.map((e) => e.name);
    expect(names.filter((n) => n === 'DOVEADM_API_URL')).toHaveLength(1);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('parseBootstrapConfig', () => {
  it('names every bad field', () => {
    expect(() =>
      parseBootstrapConfig({
        bootstrap: { ...input.bootstrap, secrets: { ...secrets, pdnsApiKey: 'short' } },
      }),
    ).toThrow(/bootstrap\.secrets\.pdnsApiKey/);
    expect(() => parseBootstrapConfig({})).toThrow(/bootstrap/);
  });
  it('refuses unpinned images and chart ranges', () => {
    const bad = {
      ...input.bootstrap,
      systemImages: { pdns: 'powerdns/pdns-auth-49:latest' },
      charts: { longhorn: { version: '^1' } },
    };
    expect(() => parseBootstrapConfig({ bootstrap: bad })).toThrow(
      /systemImages\.pdns[\s\S]*charts\.longhorn\.version|charts\.longhorn\.version[\s\S]*systemImages\.pdns/,
    );
  });
});

function dovecotInput() {
  return {
    target: 'cluster' as const,
    listen: '*' as const,
    ports: {
      imap: 143,
      pop3: 110,
      lmtp: 24,
      auth: 12345,
      imaps: 993,
      pop3s: 995,
      managesieve: 4190,
      internalImap: 10143,
    },
    paths: {
      baseDir: '/run/dovecot',
      stateDir: '/var/lib/dovecot',
      mailRoot: '/var/mail/vhosts',
      sqlConfig: '/etc/dovecot/sql/dovecot-sql.conf.ext',
    },
    mailUser: { uid: 5000, gid: 5000 },
    mailDb: {
      host: 'mail-db.mail-system.svc.cluster.local',
      port: 3306,
      database: 'mail',
      user: 'mail_ro',
      password: secrets.mailDbReadonlyPassword as string,
    },
    postmasterAddress: 'postmaster@mail.example.net',
    doveadm: { port: 8080, apiKey: doveadmApiKey(config) },
    sieve: {
      submission: { host: 'postfix.mail-system.svc.cluster.local', port: 10025 },
      dictConfig: '/etc/dovecot/sql/dovecot-dict-sieve.conf.ext',
    },
    spamLearning: {
      controller: { host: 'rspamd.mail-system.svc.cluster.local', port: 11334 },
      passwordFile: '/etc/dovecot/sql/rspamd-controller.pass',
      dir: '/etc/dovecot/learn',
    },
    tls: { certPath: '/etc/mail-tls/tls.crt', keyPath: '/etc/mail-tls/tls.key' },
    proxyTrustedNetworks: ['10.42.0.0/16', '10.43.0.0/16'],
  };
}

describe('webmail (issue 17)', () => {
  it('runs Roundcube in mail-system at webmail.<panel parent>, configured by the shared renderer', () => {
    const objects = mailSystem(config);
    const ingress = objects.find(
      (o) => o.kind === 'Ingress' && o.metadata.name === 'webmail',
    ) as KubeObject & {
      spec: { rules: { host: string }[] };
    };
    expect(ingress.spec.rules[0]?.host).toBe(
      `webmail.${config.bootstrap.hosts.panel.split('.').slice(1).join('.')}`,
    );
    const cm = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'webmail-config',
    ) as KubeObject & {
      data: Record<string, string>;
    };
    expect(cm.data['config.inc.php']).toContain(
      "$config['imap_host'] = 'tls://dovecot.mail-system.svc:10143';",
    );
    expect(cm.data['config.inc.php']).toContain(
      "$config['smtp_host'] = 'tls://submission.mail-system.svc:587';",
    );
    expect(cm.data['config.inc.php']).not.toContain(config.bootstrap.secrets.panelSecretKey);
  });
});

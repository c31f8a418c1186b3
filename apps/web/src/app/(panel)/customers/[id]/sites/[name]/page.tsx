'use client';

// A site's own page (issue 16): status and hosts, PHP version, the databases attached with their
// connection details, cron jobs with their last runs, SFTP access and the recent log lines.
import type { CronJob, Database, PlatformInfo, Site, SiteLogLine } from '@hostplane/contracts';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { InlineForm, ResourceSection } from '../../../../../../components/resource.tsx';
import {
  Badge,
  ConfirmButton,
  Empty,
  ErrorBox,
  Field,
  Loading,
  Notice,
  ResourceTable,
  Section,
  Select,
  TextArea,
  type Tone,
} from '../../../../../../components/ui.tsx';
import { api, enc } from '../../../../../../lib/api.ts';
import { useCustomer } from '../../../../../../lib/customer.tsx';
import { formatDate, optionalText, text } from '../../../../../../lib/forms.ts';
import { useAction, useLoad } from '../../../../../../lib/hooks.ts';
import { phpChoice } from '../../../../../../lib/php.ts';
import { STATUS_REFRESH_MS } from '../../../../../../lib/types.ts';

interface Credentials {
  database: string;
  username: string;
  password: string;
  host: string;
  port: number;
}

interface SftpKey {
  type: string;
  fingerprint: string;
  comment: string;
  bits: number;
  key: string;
}

interface SftpAccess {
  username: string;
  enabled: boolean;
  passwordSet: boolean;
  publicKeys: SftpKey[];
  root: string;
  updatedAt: string | null;
}

const stateTones: Record<string, Tone> = {
  Ready: 'ok',
  Progressing: 'warn',
  Suspended: 'muted',
  Failed: 'bad',
};
const LOG_REFRESH_MS = 10_000;

/** The hosts the site answers on: its domains, and www. of each when asked (as the edge routes them). */
function hostsOf(site: Site): string[] {
  const hosts = new Set<string>();
  for (const d of site.domains) {
    hosts.add(d);
    if (site.www && !d.startsWith('www.')) hosts.add(`www.${d}`);
  }
  return [...hosts].sort();
}

/** A password as the API gave it, once: after a database is created or its password reset. */
function ShownOnce({ credentials, onClose }: { credentials: Credentials; onClose: () => void }) {
  return (
    <div className="alert alert-info" role="status" aria-label="New database credentials">
      <p>
        The password of <strong>{credentials.username}</strong> is shown this once; store it now.
      </p>
      <dl className="facts">
        <dt>Host</dt>
        <dd>
          <code>{credentials.host}</code>
        </dd>
        <dt>Port</dt>
        <dd>
          <code>{credentials.port}</code>
        </dd>
        <dt>Database</dt>
        <dd>
          <code>{credentials.database}</code>
        </dd>
        <dt>User</dt>
        <dd>
          <code>{credentials.username}</code>
        </dd>
        <dt>Password</dt>
        <dd>
          <code data-password>{credentials.password}</code>
        </dd>
      </dl>
      <button type="button" className="btn btn-ghost" onClick={onClose}>
        Done
      </button>
    </div>
  );
}

function Overview({
  base,
  site,
  platform,
  onChange,
}: {
  base: string;
  site: Site;
  platform?: PlatformInfo;
  onChange: () => void;
}) {
  const action = useAction();
  const php = site.template === 'php' || site.template === 'wordpress';
  const choice = phpChoice(platform, site.template);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const phpVersion = text(new FormData(event.currentTarget), 'phpVersion');
    if (await action.run(() => api('PATCH', `${base}/sites/${enc(site.name)}`, { phpVersion }))) onChange();
  }
  const hosts = hostsOf(site);
  return (
    <Section title={`Site ${site.name}`}>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          {site.status ? (
            <Badge tone={stateTones[site.status.state] ?? 'muted'}>{site.status.state}</Badge>
          ) : (
            <Badge tone="muted">Pending</Badge>
          )}{' '}
          {site.status && site.status.state !== 'Ready' ? (
            <span className="muted small">{site.status.message}</span>
          ) : null}
        </dd>
        <dt>Hosts</dt>
        <dd>
          {hosts.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            <ul className="plain-list" aria-label="Hosts">
              {hosts.map((h) => (
                <li key={h}>
                  <a href={`https://${h.replace(/^\*\./, '')}/`} rel="noreferrer" target="_blank">
                    {h}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Template</dt>
        <dd>{site.template === 'image' ? `image ${site.image ?? ''}` : site.template}</dd>
        <dt>Replicas</dt>
        <dd>{site.replicas}</dd>
        {php ? (
          <>
            <dt>PHP</dt>
            <dd data-php-version>{site.phpVersion ?? '—'}</dd>
          </>
        ) : null}
      </dl>
      {choice ? (
        <form className="form inline" onSubmit={submit} noValidate aria-label="PHP version">
          <ErrorBox error={action.error} />
          <Select
            label="PHP version"
            name="phpVersion"
            defaultValue={site.phpVersion ?? choice.selected}
            options={choice.options}
            error={action.fieldError('phpVersion')}
          />
          <button type="submit" className="btn btn-primary" disabled={action.busy}>
            Change PHP version
          </button>
          {site.status?.state === 'Progressing' ? (
            <span className="muted small" role="status">
              Rolling update in progress: the old pods answer until the new ones are ready.
            </span>
          ) : null}
        </form>
      ) : null}
    </Section>
  );
}

function DatabaseRow({
  base,
  database,
  onShow,
}: {
  base: string;
  database: Database;
  onShow: (c: Credentials) => void;
}) {
  const action = useAction();
  return (
    <tr data-database={database.name}>
      <th scope="row">{database.name}</th>
      <td>
        <code>{database.host}</code>
      </td>
      <td>{database.port}</td>
      <td>
        {database.users.map((u) => (
          <div key={u.name}>
            <code>{u.name}</code>{' '}
            <button
              type="button"
              className="btn btn-ghost"
              disabled={action.busy}
              onClick={() =>
                void action.run(async () =>
                  onShow(
                    await api<Credentials>(
                      'POST',
                      `${base}/databases/${enc(database.name)}/users/${enc(u.name)}/password`,
                    ),
                  ),
                )
              }
            >
              Reset password
            </button>
          </div>
        ))}
        <ErrorBox error={action.error} />
      </td>
    </tr>
  );
}

function Databases({ base, site }: { base: string; site: string }) {
  const databases = useLoad<{ items: Database[] }>(`${base}/databases`);
  const [shown, setShown] = useState<Credentials | null>(null);
  const action = useAction();
  const attached = databases.data?.items.filter((d) => d.sites.includes(site));
  async function submit(event: FormEvent<HTMLFormElement>, done: () => void) {
    event.preventDefault();
    const name = text(new FormData(event.currentTarget), 'name');
    await action.run(async () => {
      const created = await api<Database & { credentials: Credentials }>('POST', `${base}/databases`, {
        name,
        sites: [site],
      });
      setShown(created.credentials);
      done();
    });
  }
  return (
    <ResourceSection
      title="Databases"
      createLabel="New database"
      onCreated={() => void databases.reload()}
      error={databases.error}
      before={shown ? <ShownOnce credentials={shown} onClose={() => setShown(null)} /> : null}
      create={(done) => (
        <InlineForm
          label="New database"
          action={action}
          onSubmit={(event) => submit(event, done)}
          submitLabel="Create database"
        >
          <Field
            label="Database name"
            name="name"
            hint="also its owner's user name: lowercase letters, digits and _"
            error={action.fieldError('name')}
          />
        </InlineForm>
      )}
    >
      <ResourceTable
        items={attached}
        empty="No database attached to this site."
        columns={['Database', 'Host', 'Port', 'Users']}
      >
        {(items) => items.map((d) => <DatabaseRow key={d.name} base={base} database={d} onShow={setShown} />)}
      </ResourceTable>
      <p className="muted small">
        The site's containers get these as environment variables; the host answers inside the customer's
        namespace only.
      </p>
    </ResourceSection>
  );
}

function CronRow({ path, job, onChange }: { path: string; job: CronJob; onChange: () => void }) {
  const action = useAction();
  const url = `${path}/${enc(job.name)}`;
  return (
    <tr data-cronjob={job.name}>
      <th scope="row">{job.name}</th>
      <td>
        <code>{job.schedule}</code>
        {job.timeZone ? <span className="muted small"> {job.timeZone}</span> : null}
      </td>
      <td>
        <code>{job.command}</code>
      </td>
      <td>{job.suspended ? <Badge tone="muted">Suspended</Badge> : <Badge tone="ok">Active</Badge>}</td>
      <td>
        {job.lastRuns.length === 0 ? (
          <span className="muted">no runs yet</span>
        ) : (
          job.lastRuns.map((run) => (
            <Badge
              key={run.job}
              tone={run.state === 'Failed' ? 'bad' : run.state === 'Running' ? 'warn' : 'ok'}
              title={`${formatDate(run.startedAt)}: ${run.logTail.slice(-300)}`}
            >
              {run.state === 'Running' ? 'running' : `exit ${run.exitCode ?? '?'}`}
            </Badge>
          ))
        )}
      </td>
      <td className="row-actions">
        <button
          type="button"
          className="btn btn-ghost"
          disabled={action.busy}
          onClick={async () => {
            if (await action.run(() => api('PATCH', url, { suspended: !job.suspended }))) onChange();
          }}
        >
          {job.suspended ? 'Resume' : 'Suspend'}
        </button>
        <ConfirmButton
          label="Delete"
          question={`Delete cron job ${job.name}?`}
          onConfirm={async () => {
            if (await action.run(() => api('DELETE', url))) onChange();
          }}
        />
        <ErrorBox error={action.error} />
      </td>
    </tr>
  );
}

function CronJobs({ base, site }: { base: string; site: string }) {
  const path = `${base}/sites/${enc(site)}/cronjobs`;
  const jobs = useLoad<{ items: CronJob[] }>(path, STATUS_REFRESH_MS);
  const action = useAction();
  async function submit(event: FormEvent<HTMLFormElement>, done: () => void) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const timeZone = optionalText(form, 'timeZone');
    const body = {
      name: text(form, 'name'),
      schedule: text(form, 'schedule'),
      command: text(form, 'command'),
      ...(timeZone ? { timeZone } : {}),
    };
    if (await action.run(() => api('POST', path, body))) done();
  }
  return (
    <ResourceSection
      title="Cron jobs"
      createLabel="New cron job"
      onCreated={() => void jobs.reload()}
      error={jobs.error}
      create={(done) => (
        <InlineForm
          label="New cron job"
          action={action}
          onSubmit={(event) => submit(event, done)}
          submitLabel="Create cron job"
        >
          <div className="grid">
            <Field label="Name" name="name" error={action.fieldError('name')} />
            <Field
              label="Schedule"
              name="schedule"
              placeholder="*/15 * * * *"
              hint="minute hour day-of-month month day-of-week"
              error={action.fieldError('schedule')}
            />
            <Field
              label="Time zone"
              name="timeZone"
              placeholder="UTC"
              error={action.fieldError('timeZone')}
            />
          </div>
          <Field
            label="Command"
            name="command"
            placeholder="php cron.php"
            hint="run by /bin/sh in the site's image, in the document root"
            error={action.fieldError('command')}
          />
        </InlineForm>
      )}
    >
      <ResourceTable
        items={jobs.data?.items}
        empty="No cron jobs."
        columns={['Name', 'Schedule', 'Command', 'State', 'Last runs']}
      >
        {(items) =>
          items.map((j) => <CronRow key={j.name} path={path} job={j} onChange={() => void jobs.reload()} />)
        }
      </ResourceTable>
    </ResourceSection>
  );
}

function Sftp({ base, site, platform }: { base: string; site: string; platform?: PlatformInfo }) {
  const sftp = useLoad<SftpAccess>(`${base}/sftp`);
  const password = useAction();
  const keys = useAction();
  const [saved, setSaved] = useState<string | null>(null);
  const access = sftp.data;
  async function setPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const value = text(new FormData(form), 'password');
    if (await password.run(() => api('PUT', `${base}/sftp`, { password: value }))) {
      form.reset();
      setSaved('Password set.');
      await sftp.reload();
    }
  }
  async function setKeys(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const lines = text(new FormData(event.currentTarget), 'publicKeys')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    if (await keys.run(() => api('PUT', `${base}/sftp`, { publicKeys: lines }))) {
      setSaved('Keys saved.');
      await sftp.reload();
    }
  }
  return (
    <Section title="SFTP">
      <ErrorBox error={sftp.error} />
      {!access ? (
        <Loading />
      ) : (
        <>
          <dl className="facts">
            <dt>Server</dt>
            <dd>
              <code>
                {platform
                  ? `${platform.sftp.host}${platform.sftp.port === 22 ? '' : `:${platform.sftp.port}`}`
                  : '…'}
              </code>
            </dd>
            <dt>User</dt>
            <dd>
              <code data-sftp-user>{access.username}</code>
            </dd>
            <dt>This site's files</dt>
            <dd>
              <code>
                {access.root}/{site}/
              </code>
            </dd>
            <dt>Access</dt>
            <dd>
              {access.enabled ? <Badge tone="ok">enabled</Badge> : <Badge tone="muted">off</Badge>}{' '}
              {access.passwordSet ? 'password set' : 'no password'} · {access.publicKeys.length} key(s)
            </dd>
          </dl>
          {platform ? (
            <p className="muted small">
              e.g.{' '}
              <code>{`sftp ${platform.sftp.port === 22 ? '' : `-P ${platform.sftp.port} `}${access.username}@${platform.sftp.host}`}</code>
            </p>
          ) : null}
          {saved ? <Notice>{saved}</Notice> : null}
          <form className="form inline" onSubmit={setPassword} noValidate aria-label="SFTP password">
            <ErrorBox error={password.error} />
            <Field
              label="New SFTP password"
              name="password"
              type="password"
              autoComplete="new-password"
              error={password.fieldError('password')}
            />
            <button type="submit" className="btn btn-primary" disabled={password.busy}>
              Set password
            </button>
          </form>
          <form className="form" onSubmit={setKeys} noValidate aria-label="SFTP keys">
            <ErrorBox error={keys.error} />
            <TextArea
              label="SSH public keys (one per line)"
              name="publicKeys"
              rows={3}
              defaultValue={access.publicKeys.map((k) => k.key).join('\n')}
              error={keys.fieldError('publicKeys')}
            />
            <button type="submit" className="btn btn-primary" disabled={keys.busy}>
              Save keys
            </button>
          </form>
          {access.publicKeys.length > 0 ? (
            <ul className="plain-list" aria-label="SFTP key fingerprints">
              {access.publicKeys.map((k) => (
                <li key={k.fingerprint}>
                  <code>{k.fingerprint}</code> {k.type} {k.bits} bits {k.comment}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      )}
    </Section>
  );
}

function Logs({ base, site }: { base: string; site: string }) {
  const logs = useLoad<{ items: SiteLogLine[] }>(
    `${base}/sites/${enc(site)}/logs?since=6h&tail=200`,
    LOG_REFRESH_MS,
  );
  return (
    <Section
      title="Recent log lines"
      actions={
        <button type="button" className="btn btn-ghost" onClick={() => void logs.reload()}>
          Refresh
        </button>
      }
    >
      <ErrorBox error={logs.error} />
      {!logs.data ? (
        logs.error ? null : (
          <Loading />
        )
      ) : logs.data.items.length === 0 ? (
        <Empty>No log lines in the last 6 hours.</Empty>
      ) : (
        <pre className="log" data-log-lines>
          {logs.data.items
            .map((l) => `${l.time.slice(0, 19).replace('T', ' ')} ${l.container.padEnd(8)} ${l.message}`)
            .join('\n')}
        </pre>
      )}
      <p className="muted small">nginx (access and error log) and PHP of the site's pods, newest last.</p>
    </Section>
  );
}

export default function SitePage() {
  const { base } = useCustomer();
  const params = useParams<{ id: string; name: string }>();
  const name = decodeURIComponent(params.name);
  const site = useLoad<Site>(`${base}/sites/${enc(name)}`, STATUS_REFRESH_MS);
  const platform = useLoad<PlatformInfo>('/platform');
  if (site.error) return <ErrorBox error={site.error} />;
  if (!site.data) return <Loading />;
  return (
    <>
      <p>
        <Link href={`/customers/${enc(params.id)}`}>← Sites</Link>
      </p>
      <Overview base={base} site={site.data} platform={platform.data} onChange={() => void site.reload()} />
      <Databases base={base} site={name} />
      <CronJobs base={base} site={name} />
      <Sftp base={base} site={name} platform={platform.data} />
      <Logs base={base} site={name} />
    </>
  );
}

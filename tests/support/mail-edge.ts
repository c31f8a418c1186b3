// Mail and DNS clients for the edge's entry points (Traefik's hostPorts on the node), shared by the node
// tests that install the platform: tests/install.node.test.ts (`bootstrap --local`) and
// tests/mail-cluster/ (its own install, also straight to the mail Services with a PROXY header). Real clients: swaks, curl's IMAP client, dig, and mailauth's
// DKIM verifier asking a given DNS server.
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { promisify } from 'node:util';
import { waitFor } from '@hostplane/testing';
import { dkimVerify } from 'mailauth';

const run = promisify(execFile);

export interface EdgeMailbox {
  address: string;
  password: string;
}

const split = (addr: string): [string, string] => {
  const i = addr.lastIndexOf(':');
  return [addr.slice(0, i), addr.slice(i + 1)];
};

/** swaks to an SMTP entry point (`host:port`), from `localInterface` when given. No PROXY header unless
 * `proxySource` names the client address a PROXY v1 header claims (what Traefik's TCP route sends to
 * Postfix's Service); through the edge, Traefik adds it. Throws with swaks' transcript when refused. */
export async function swaksAt(
  addr: string,
  args: string[],
  localInterface?: string,
  proxySource?: string,
): Promise<string> {
  const [host, port] = split(addr);
  const { stdout } = await run(
    'swaks',
    [
      ...['--server', host, '--port', port],
      ...(localInterface ? ['--local-interface', localInterface] : []),
      ...(proxySource
        ? [
            ...['--proxy-version', '1', '--proxy-family', 'TCP4', '--proxy-source', proxySource],
            ...['--proxy-source-port', '40000', '--proxy-dest', host, '--proxy-dest-port', port],
          ]
        : []),
      ...['--timeout', '30'],
      ...args,
    ],
    { timeout: 60_000 },
  ).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(`swaks failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  });
  return stdout;
}

export interface ImapEntryPoint {
  /** `host:port` of the entry point. */
  addr: string;
  scheme: 'imap' | 'imaps';
  /** The mail host's name (TLS: the certificate names it). */
  mailHost: string;
  /** The CA file that signed the mail host's certificate. */
  caFile: string;
  /** The client's own address (curl --interface), when not the default. */
  localInterface?: string;
  /** Send a PROXY header first, as Traefik's TCP route would (a client talking to Dovecot's Service). */
  haproxy?: boolean;
}

/** curl's IMAP client through an entry point (STARTTLS required on imap), as `user`. */
export async function imapAt(
  ep: ImapEntryPoint,
  user: EdgeMailbox,
  url: string,
  extra: string[] = [],
): Promise<string> {
  const [host, port] = split(ep.addr);
  const wellKnown = ep.scheme === 'imap' ? 143 : 993;
  const { stdout } = await run('curl', [
    ...['-sS', '--max-time', '20'],
    ...(ep.localInterface ? ['--interface', ep.localInterface] : []),
    ...(ep.haproxy ? ['--haproxy-protocol'] : []),
    ...(ep.scheme === 'imap' ? ['--ssl-reqd'] : []),
    ...['--cacert', ep.caFile, '--connect-to', `${ep.mailHost}:${wellKnown}:${host}:${port}`],
    ...['--user', `${user.address}:${user.password}`],
    ...extra,
    `${ep.scheme}://${ep.mailHost}:${wellKnown}${url}`,
  ]);
  return stdout;
}

/** The first message whose subject matches, in the first of `folders` that has one, through `ep`. */
export async function imapMessageAt(
  ep: ImapEntryPoint,
  user: EdgeMailbox,
  subject: string,
  folders: string[] = ['INBOX'],
  timeoutMs = 60_000,
): Promise<string> {
  return waitFor(
    `"${subject}" in ${user.address}'s ${folders.join(' or ')} over ${ep.scheme} at ${ep.addr}`,
    async () => {
      for (const folder of folders) {
        const found = await imapAt(ep, user, `/${folder}`, ['-X', `SEARCH SUBJECT "${subject}"`]).catch(
          () => '',
        );
        const uid = /\* SEARCH (\d+)/.exec(found)?.[1];
        if (uid) return imapAt(ep, user, `/${folder};MAILINDEX=${uid}`);
      }
      return undefined;
    },
    { timeoutMs, intervalMs: 1_000 },
  );
}

/** `dig +short` at a DNS server (`host:port`), over UDP or TCP; '' when it gives no answer. */
export async function digAt(
  addr: string,
  name: string,
  type: string,
  transport: '+notcp' | '+tcp' = '+notcp',
): Promise<string> {
  const [host, port] = split(addr);
  const args = [`@${host}`, '-p', port, transport, '+short', '+time=2', '+tries=1', name, type];
  return (
    await run('dig', args).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }))
  ).stdout.trim();
}

/**
 * Verifies a received message's DKIM signatures with mailauth, the keys looked up at `dnsServer` (an
 * `ip` or `ip:port`): `[signing domain, selector, result]` per signature.
 */
export async function dkimResults(message: string, dnsServer: string): Promise<[string, string, string][]> {
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  resolver.setServers([dnsServer]);
  const verified = await dkimVerify(Buffer.from(message.replace(/\r?\n/g, '\r\n')), {
    resolver: (name: string, rrtype: string) =>
      rrtype === 'TXT' ? resolver.resolveTxt(name) : (resolver.resolve(name, rrtype) as Promise<string[]>),
  });
  return verified.results.map((r) => [r.signingDomain ?? '', r.selector ?? '', r.status.result]);
}

// The DKIM publication check's DNS server may be a name (PDNS_DNS_ADDR = `pdns.dns-system.svc:53` in a
// cluster): it is looked up, and the query goes to its address. The server here is a UDP socket on
// loopback that records what arrives (no answer: the check then reports the server unavailable).
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { MailUnavailableError } from '../errors.ts';
import { DnsDkimPublication } from './dns-publication.ts';

let socket: Socket | undefined;
afterEach(() => {
  socket?.close();
  socket = undefined;
});

describe('DnsDkimPublication', () => {
  it('accepts a host name as its server and sends the query to its address', async () => {
    const queries: Buffer[] = [];
    socket = createSocket('udp4');
    socket.on('message', (msg) => queries.push(msg));
    await new Promise<void>((resolve) => socket?.bind(0, '127.0.0.1', resolve));
    const { port } = socket.address();
    const publication = new DnsDkimPublication([`localhost:${port}`], 300);
    await expect(publication.isPublished('example.test', 'hp1', 'AAAA')).rejects.toBeInstanceOf(
      MailUnavailableError,
    );
    expect(queries.length).toBeGreaterThan(0);
    // The question names the selector's TXT record.
    expect(queries[0]?.toString('latin1')).toContain('_domainkey');
  });

  it('reports a server name that does not resolve as unavailable', async () => {
    const publication = new DnsDkimPublication(['no-such-host.invalid:53'], 300);
    await expect(publication.isPublished('example.test', 'hp1', 'AAAA')).rejects.toMatchObject({
      reason: 'DnsUnavailable',
    });
  });
});

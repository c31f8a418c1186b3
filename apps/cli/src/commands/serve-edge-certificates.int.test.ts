// The EdgeCertificates adapter against real TLS listeners on loopback: a certificate of the trusted CA
// naming the host, the same listener asked for another name, a self-signed certificate not under the
// trusted roots, and a port nobody listens on.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { certificateState } from '@hostplane/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeCertificatesOf } from './serve-edge-certificates.ts';

const run = promisify(execFile);
let dir = '';
let server: tls.Server;
let address = '';

async function selfSigned(name: string, cn: string): Promise<{ key: string; cert: string }> {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${cn}`,
    '-addext',
    'subjectAltName=DNS:site.example,DNS:*.wild.example',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'edge-certs-'));
  const pair = await selfSigned('edge', 'Test Edge CA');
  server = tls.createServer(pair, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('edgeCertificatesOf', () => {
  it('reads the served leaf: trusted under the given roots, naming the host (wildcards too)', async () => {
    const edge = edgeCertificatesOf({ address, caFile: path.join(dir, 'edge.crt') });
    const served = await edge.served('site.example');
    expect(served).toMatchObject({ ok: true, trusted: true, namesHost: true, issuer: 'Test Edge CA' });
    expect(served.ok && Date.parse(served.notAfter)).toBeGreaterThan(Date.now());
    expect(certificateState('site.example', true, served, new Date()).state).toBe('Issued');
    expect(await edge.served('a.wild.example')).toMatchObject({ ok: true, trusted: true, namesHost: true });
    // Another host on the same edge: this leaf does not name it (the edge's default for unknown hosts).
    const other = await edge.served('other.example');
    expect(other).toMatchObject({ ok: true, trusted: false, namesHost: false });
    expect(certificateState('other.example', true, other, new Date()).state).toBe('Pending');
  });

  it('does not trust a certificate outside the given roots, and says when nobody answers', async () => {
    await selfSigned('other', 'Other CA');
    const edge = edgeCertificatesOf({ address, caFile: path.join(dir, 'other.crt') });
    expect(await edge.served('site.example')).toMatchObject({ ok: true, trusted: false, namesHost: true });
    // Port 1 on loopback: privileged, nobody listens there.
    const nobody = edgeCertificatesOf({ address: '127.0.0.1:1' });
    const answer = await nobody.served('site.example');
    expect(answer).toMatchObject({ ok: false, error: expect.stringContaining('ECONNREFUSED') });
    expect(certificateState('site.example', true, answer, new Date()).state).toBe('Unknown');
  });
});

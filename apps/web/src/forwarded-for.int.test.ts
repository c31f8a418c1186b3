// Issue 9: a browser cannot pick the address the API's sign-in throttle counts. The web panel's
// server appends the socket's peer to X-Forwarded-For and the API believes one hop (TRUST_PROXY=1),
// so changing the header between attempts does not reset the per-address limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, type RunningApi, type RunningWeb, startApi, startWeb } from './testing/servers.ts';

let api: RunningApi;
let web: RunningWeb;

beforeAll(async () => {
  await ensureBuilt();
  api = await startApi({ trustProxy: 1, loginFailuresPerIp: 2, loginFailuresPerAccount: 50 });
  web = await startWeb(api.url);
}, 600_000);
afterAll(async () => {
  await web?.close();
  await api?.close();
});

describe('the web panel proxy', () => {
  it('sends the socket address on, so a made-up X-Forwarded-For does not dodge the throttle', async () => {
    const attempt = (spoofed: string) =>
      fetch(`${web.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': spoofed },
        body: JSON.stringify({ email: 'nobody@example.test', password: 'wrong-password' }),
      });
    expect((await attempt('203.0.113.1')).status).toBe(401);
    expect((await attempt('203.0.113.2')).status).toBe(401);
    const third = await attempt('203.0.113.3');
    expect(third.status).toBe(429);
    expect((await third.json()).detail).toMatch(/this address/);
  });
});

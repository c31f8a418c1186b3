// Same-origin proxy to the panel API: the browser only ever talks to the web server, so the
// API's session cookie (SameSite=Strict) is first-party and no CORS is needed.

export const dynamic = 'force-dynamic';

const REQUEST_HEADERS = [
  'accept',
  'content-type',
  'cookie',
  'x-csrf-token',
  'idempotency-key',
  'authorization',
  'user-agent',
  'x-request-id',
  // The client's address for the API's per-IP sign-in throttle: server.mjs has appended the socket's
  // peer to whatever came in, and the API believes only its TRUST_PROXY hops from the end.
  'x-forwarded-for',
];
// fetch() has already decoded the body and framed it; these would describe the wrong bytes.
const DROPPED_RESPONSE_HEADERS = new Set([
  'content-encoding',
  'content-length',
  'transfer-encoding',
  'connection',
]);

function apiBase(): string {
  return (process.env.HOSTPLANE_API_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
}

async function proxy(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const headers = new Headers();
  for (const name of REQUEST_HEADERS) {
    const value = req.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  let upstream: Response;
  try {
    upstream = await fetch(`${apiBase()}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body: hasBody ? await req.arrayBuffer() : undefined,
      redirect: 'manual',
      cache: 'no-store',
    });
  } catch (error) {
    const detail = `the panel API is not reachable (${error instanceof Error ? error.message : String(error)})`;
    return Response.json(
      { type: 'https://hostplane.io/problems/unavailable', title: 'API unavailable', status: 502, detail },
      { status: 502, headers: { 'content-type': 'application/problem+json' } },
    );
  }
  const out = new Headers();
  upstream.headers.forEach((value, name) => {
    if (!DROPPED_RESPONSE_HEADERS.has(name) && name !== 'set-cookie') out.set(name, value);
  });
  for (const cookie of upstream.headers.getSetCookie()) out.append('set-cookie', cookie);
  const body = upstream.status === 204 || upstream.status === 304 ? null : upstream.body;
  return new Response(body, { status: upstream.status, headers: out });
}

export const GET = proxy;
export const POST = proxy;
export const PUT = proxy;
export const PATCH = proxy;
export const DELETE = proxy;

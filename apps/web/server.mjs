// The panel's web server: `next start` with one addition. Next.js passes on an X-Forwarded-For the
// client wrote itself (it only fills the header in when it is missing), so the API's per-address
// sign-in throttle could be dodged with a made-up address. Here, as any proxy does, the address of
// the socket's peer is appended; the API believes exactly its TRUST_PROXY hops, counted from the
// end of that list (this server is one hop, Traefik in front of it another).
// Usage: node apps/web/server.mjs [--hostname H] [--port P]   (WEB_PORT, default 3000)
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import next from 'next';

/** The X-Forwarded-For to send on: what came in (any hops before us) plus the socket's peer. */
export function appendForwardedFor(received, peer) {
  const prior = (Array.isArray(received) ? received.join(', ') : (received ?? '')).trim();
  if (!peer) return prior;
  return prior ? `${prior}, ${peer}` : peer;
}

const { values } = parseArgs({
  options: {
    hostname: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: process.env.WEB_PORT ?? '3000' },
  },
});
const hostname = values.hostname;
const port = Number(values.port);
const app = next({ dev: false, dir: path.dirname(fileURLToPath(import.meta.url)), hostname, port });
const handle = app.getRequestHandler();
await app.prepare();
const server = createServer((req, res) => {
  req.headers['x-forwarded-for'] = appendForwardedFor(
    req.headers['x-forwarded-for'],
    req.socket.remoteAddress,
  );
  handle(req, res);
});
server.listen(port, hostname, () => process.stdout.write(`web: http://${hostname}:${port}\n`));
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

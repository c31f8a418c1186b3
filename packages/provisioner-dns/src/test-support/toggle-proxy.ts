import http from 'node:http';
import type { AddressInfo } from 'node:net';

// An HTTP pass-through in front of the real PowerDNS API that a test can take down (connection
// refused) and bring back on the same port: "PowerDNS stopped in the middle of a change" without
// stopping the shared stack's PowerDNS, which other suites use at the same time.

export class ToggleProxy {
  private server: http.Server | null = null;
  private port = 0;
  private forwarded = 0;
  /** Go down by itself once this many requests were forwarded (null: never). */
  private downAfter: number | null = null;
  /** Answer every request with this HTTP status instead of forwarding (null: forward). */
  private failStatus: number | null = null;

  constructor(private readonly upstream: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens (again) on the same port; a no-op when already up. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => this.forward(req, res));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the listener and every open connection: new requests get ECONNREFUSED. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A loopback port nothing listens on (for "connection refused"). */
  static async closedPort(): Promise<number> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  /** Answers every request with `status` (e.g. 503) until called with null. */
  failWith(status: number | null): void {
    this.failStatus = status;
  }

  stopAfter(requests: number): void {
    this.forwarded = 0;
    this.downAfter = requests;
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.downAfter !== null && this.forwarded >= this.downAfter) {
      this.downAfter = null;
      req.socket.destroy();
      void this.stop();
      return;
    }
    if (this.failStatus !== null) {
      res.writeHead(this.failStatus, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: 'backend unavailable (injected by the test proxy)' }));
      return;
    }
    this.forwarded++;
    const target = new URL(req.url ?? '/', this.upstream);
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}

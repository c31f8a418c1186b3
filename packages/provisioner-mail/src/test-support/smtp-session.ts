// A plain SMTP client for the tests that need what nodemailer will not send: `MAIL FROM:<>`, a header
// From unlike the envelope, a forged PROXY line. One command, one reply; multi-line replies joined.
import net from 'node:net';

export interface SmtpReply {
  code: number;
  text: string;
}

export class SmtpSession {
  private buffer = '';
  private waiting: ((reply: SmtpReply) => void) | null = null;
  private failed: Error | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.deliver();
    });
    socket.on('error', (err) => {
      this.failed = err;
    });
  }

  static async open(addr: string): Promise<{ session: SmtpSession; greeting: SmtpReply }> {
    const at = addr.lastIndexOf(':');
    const socket = net.connect({ host: addr.slice(0, at), port: Number(addr.slice(at + 1)) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const session = new SmtpSession(socket);
    return { session, greeting: await session.reply() };
  }

  private deliver(): void {
    if (!this.waiting) return;
    const lines = this.buffer.split('\r\n');
    const end = lines.findIndex((line) => /^\d{3} /.test(line));
    if (end < 0) return;
    const reply = lines.slice(0, end + 1);
    this.buffer = lines.slice(end + 1).join('\r\n');
    const resolve = this.waiting;
    this.waiting = null;
    resolve({ code: Number(reply[end]!.slice(0, 3)), text: reply.map((l) => l.slice(4)).join('\n') });
  }

  reply(timeoutMs = 20_000): Promise<SmtpReply> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no SMTP reply within ${timeoutMs} ms`)), timeoutMs);
      this.waiting = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
      this.deliver();
    });
  }

  async command(line: string): Promise<SmtpReply> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  async close(): Promise<void> {
    this.socket.write('QUIT\r\n');
    this.socket.end();
    this.socket.destroy();
  }
}

export interface SubmitOptions {
  addr: string;
  /** SASL PLAIN credentials; none: an unauthenticated client. */
  auth?: { user: string; pass: string };
  /** The envelope sender without brackets; '' sends `MAIL FROM:<>`. */
  mailFrom: string;
  rcptTo: string;
  headerFrom: string;
  subject: string;
  /** A line sent right after the greeting (e.g. a forged PROXY header). */
  before?: string;
}

/** The outcome of one submission: the first refusing reply, or the reply to the message's end. */
export async function submitRaw(options: SubmitOptions): Promise<SmtpReply & { stage: string }> {
  const { session } = await SmtpSession.open(options.addr);
  try {
    const steps: [string, string][] = [];
    if (options.before) steps.push(['before', options.before]);
    steps.push(['ehlo', 'EHLO client.hostplane.test']);
    if (options.auth) {
      const token = Buffer.from(`\0${options.auth.user}\0${options.auth.pass}`).toString('base64');
      steps.push(['auth', `AUTH PLAIN ${token}`]);
    }
    steps.push(['mail', `MAIL FROM:<${options.mailFrom}>`], ['rcpt', `RCPT TO:<${options.rcptTo}>`]);
    steps.push(['data', 'DATA']);
    for (const [stage, line] of steps) {
      const reply = await session.command(line);
      if (stage === 'before') continue; // the answer to a forged line is checked by the caller's outcome
      if (reply.code >= 400) return { ...reply, stage };
    }
    const body = [
      `From: <${options.headerFrom}>`,
      `To: <${options.rcptTo}>`,
      `Subject: ${options.subject}`,
      `Message-ID: <${Date.now()}.${Math.random().toString(36).slice(2)}@client.hostplane.test>`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `body of ${options.subject}`,
      '.',
    ].join('\r\n');
    return { ...(await session.command(body)), stage: 'message' };
  } finally {
    await session.close();
  }
}

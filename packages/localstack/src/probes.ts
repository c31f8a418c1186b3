import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';

// Small protocol probes for health checks. Each answers true/false and never throws: a component
// that is still starting is simply not healthy yet.

/** Encodes one DNS query (RFC 1035 §4.1) for `name` with the given record type number. */
export function encodeDnsQuery(id: number, name: string, qtype: number): Buffer {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .filter(Boolean)
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')]));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0000, 2); // standard query, no recursion wanted: an authoritative server
  header.writeUInt16BE(1, 4); // one question
  const question = Buffer.alloc(4);
  question.writeUInt16BE(qtype, 0);
  question.writeUInt16BE(1, 2); // class IN
  return Buffer.concat([header, ...labels, Buffer.from([0]), question]);
}

/** True when a DNS server on host:port answers a query over UDP (any rcode: it is serving). */
export function dnsAnswers(
  host: string,
  port: number,
  name = 'hostplane.invalid',
  timeoutMs = 1_500,
): Promise<boolean> {
  const id = randomInt(0, 0xffff);
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('error', () => finish(false));
    socket.on('message', (msg) => {
      // Same id and the QR (response) bit set.
      if (msg.length >= 12 && msg.readUInt16BE(0) === id && (msg[2]! & 0x80) !== 0) finish(true);
    });
    socket.send(encodeDnsQuery(id, name, 6), port, host, (err) => {
      if (err) finish(false);
    });
  });
}

/** True when something accepts TCP connections on host:port. */
export function tcpOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

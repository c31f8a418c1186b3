import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';

// A minimal DNS client for tests and the benchmark: one question over UDP or TCP, optional DO bit.
// Answers come back as the DNS wire says them, so tests read what resolvers would see.

export interface DnsAnswer {
  name: string;
  type: string;
  ttl: number;
  /** A, AAAA, CNAME, NS: the string; TXT: strings joined by "|"; others: JSON of dns-packet's data. */
  text: string;
  /** TXT only: the character-strings as raw bytes. */
  strings?: Buffer[];
}

export interface DnsResponse {
  rcode: string;
  authoritative: boolean;
  truncated: boolean;
  answers: DnsAnswer[];
}

export interface QueryOptions {
  tcp?: boolean;
  dnssec?: boolean;
  timeoutMs?: number;
}

function splitAddr(addr: string): { host: string; port: number } {
  const at = addr.lastIndexOf(':');
  return { host: addr.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(addr.slice(at + 1)) };
}

function toAnswer(a: dnsPacket.Answer): DnsAnswer {
  const base = { name: a.name.toLowerCase(), type: a.type, ttl: 'ttl' in a ? (a.ttl ?? 0) : 0 };
  const data = 'data' in a ? a.data : undefined;
  if (a.type === 'TXT') {
    const raw = Array.isArray(data) ? data : [data];
    const strings = raw.map((s) => (Buffer.isBuffer(s) ? s : Buffer.from(String(s))));
    return { ...base, text: strings.map((s) => s.toString('utf8')).join('|'), strings };
  }
  return { ...base, text: typeof data === 'string' ? data.toLowerCase() : JSON.stringify(data) };
}

function question(name: string, type: string, dnssec: boolean): dnsPacket.Packet {
  return {
    type: 'query',
    id: Math.floor(Math.random() * 65535),
    flags: 0,
    questions: [{ type: type as dnsPacket.RecordType, name }],
    additionals: [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: 4096,
        flags: dnssec ? dnsPacket.DNSSEC_OK : 0,
      } as dnsPacket.Answer,
    ],
  };
}

function response(packet: dnsPacket.DecodedPacket & { rcode?: string }): DnsResponse {
  return {
    rcode: packet.rcode ?? 'UNKNOWN',
    authoritative: packet.flag_aa,
    truncated: packet.flag_tc,
    answers: (packet.answers ?? []).map(toAnswer),
  };
}

function overUdp(addr: string, query: Buffer, timeoutMs: number): Promise<Buffer> {
  const { host, port } = splitAddr(addr);
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`DNS over UDP to ${addr}: timed out`));
    }, timeoutMs);
    socket.once('message', (message) => {
      clearTimeout(timer);
      socket.close();
      resolve(message);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.send(query, port, host);
  });
}

function overTcp(addr: string, query: Buffer, timeoutMs: number): Promise<Buffer> {
  const { host, port } = splitAddr(addr);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let buffered = Buffer.alloc(0);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`DNS over TCP to ${addr}: timed out`)));
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        socket.end();
        resolve(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
      }
    });
    socket.once('error', reject);
    const framed = Buffer.alloc(2 + query.length);
    framed.writeUInt16BE(query.length, 0);
    query.copy(framed, 2);
    socket.write(framed);
  });
}

/** Asks `addr` (host:port) one question and decodes the answer. */
export async function queryDns(
  addr: string,
  name: string,
  type: string,
  opts: QueryOptions = {},
): Promise<DnsResponse> {
  const query = dnsPacket.encode(question(name, type, opts.dnssec ?? false));
  const timeoutMs = opts.timeoutMs ?? 3000;
  const raw = opts.tcp ? await overTcp(addr, query, timeoutMs) : await overUdp(addr, query, timeoutMs);
  return response(dnsPacket.decode(raw));
}

/** The answer texts of `type` only (RRSIGs and CNAME chains left out), sorted. */
export async function answerTexts(
  addr: string,
  name: string,
  type: string,
  opts: QueryOptions = {},
): Promise<string[]> {
  const res = await queryDns(addr, name, type, opts);
  return res.answers
    .filter((a) => a.type === type)
    .map((a) => a.text)
    .sort();
}

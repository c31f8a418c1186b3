import { describe, expect, it } from 'vitest';
import { encodeDnsQuery } from './probes.ts';

describe('encodeDnsQuery', () => {
  it('encodes header, labels, type and class as RFC 1035 lays them out', () => {
    const packet = encodeDnsQuery(0x1234, 'example.org.', 15);
    expect(packet.readUInt16BE(0)).toBe(0x1234);
    expect(packet.readUInt16BE(4)).toBe(1);
    expect(packet.subarray(12, 25)).toEqual(Buffer.from('\x07example\x03org\x00', 'latin1'));
    expect(packet.readUInt16BE(25)).toBe(15);
    expect(packet.readUInt16BE(27)).toBe(1);
    expect(packet.length).toBe(29);
  });
});
